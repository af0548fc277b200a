// Types of server-gates.js, for vite.config.ts.
import type { Connect } from 'vite';

export declare const SIGN_IN_COOKIE: string;
export declare const GATE_PATH: string;
export declare const SMART_COOKIES: { idToken: string; accessToken: string };
export declare function sessionDoctor(
  request: Request,
  vendor: 'speaknosis' | 'prescrypto',
): Record<string, unknown> | null;
export declare function serverGates(server: typeof import('../src/server.js')): Connect.NextHandleFunction;
