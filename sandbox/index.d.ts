// Types for sandbox/index.js, so TypeScript files (vite.config.ts, tests) can import it
// without `allowJs`. Keep in sync with the JSDoc in index.js.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SandboxOptions {
  /** Answer CORS (reflect Origin, preflight 204, expose Retry-After). Default false. */
  cors?: boolean;
  /** Initial added latency before every vendor-API answer, in ms. Default 0. */
  latencyMs?: number;
}

export interface SpeaknosisUser {
  id: string;
  name: string;
  lastname: string;
  email: string | null;
  specialityId: number;
  lang: string;
  deleted: boolean;
}

export interface PrescryptoMedic {
  id: number;
  name: string;
  email: string;
  hospital: number | null;
  date_of_birth: string | null;
  cedula_prof: string;
  specialty_no: string;
  specialty: string;
  alma_mater: string;
  female: boolean;
  is_active: boolean;
  specialty_verified: boolean;
  campaign: string;
  is_admin_membership: boolean | null;
  /** Owner API key (internal). */
  key: string;
  /** Medic token (internal; the API returns it only on create). */
  token: string;
  passwordHash: string;
}

export interface SandboxStore {
  speaknosis: {
    /** token → provider ids it may use */
    tokens: Map<string, Set<string>>;
    /** provider id → user id → user */
    providers: Map<string, Map<string, SpeaknosisUser>>;
  };
  prescrypto: {
    /** API key → hospitals it administers */
    keys: Map<string, { hospitals: Set<number> }>;
    medics: Map<number, PrescryptoMedic>;
    nextId: number;
  };
}

export interface Sandbox {
  /** Answers any request whose path starts with `/sandbox/` (resolves true); otherwise resolves false without touching `res`. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Restores fixtures, clears faults and the log, restores the initial latency. */
  reset(): void;
  /** The live store (mutated in place by `reset`). */
  store: SandboxStore;
}

export interface LogEntry {
  seq: number;
  time: string;
  method: string;
  /** Raw (still percent-encoded) path, without the query. */
  path: string;
  /** Raw query string, without `?`. */
  query: string;
  /** Status answered; null for drop/hang/aborted or still in flight. */
  status: number | null;
  fault?: 'status' | 'drop' | 'hang' | 'malformed';
  after?: boolean;
  /** With `after` faults: the status the real handler produced. */
  realStatus?: number;
  /** The client went away before the answer. */
  aborted?: boolean;
  auth: 'Bearer' | 'Token' | 'other' | null;
  body: unknown;
}

export declare const FIXTURE_CREDENTIALS: {
  readonly speaknosis: Readonly<Record<'sk_demo_token' | 'sk_other_token', readonly string[]>>;
  readonly prescrypto: Readonly<Record<'pk_demo_key' | 'pk_other_key', { readonly hospitals: readonly number[] }>>;
};

export declare const BODY_LIMIT: number;

export declare function createSandbox(options?: SandboxOptions): Sandbox;

/** Connect/Express-style middleware, e.g. Vite's `server.middlewares.use(connectMiddleware(sandbox))`. */
export declare function connectMiddleware(
  sandbox: Sandbox,
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Koa middleware for @web/test-runner / @web/dev-server `middleware: [koaMiddleware(sandbox)]`. */
export declare function koaMiddleware(
  sandbox: Sandbox,
): (
  ctx: { req: IncomingMessage; res: ServerResponse; respond?: boolean },
  next: () => Promise<unknown>,
) => Promise<void>;
