// MSW handlers that answer requests to the real vendor hosts from one sandbox instance, for an
// integrator's own tests (`setupServer(...sandboxHandlers())`). msw is an optional peer dependency:
// it is loaded only here (#sandbox/msw-peer), and only its absence makes `sandboxHandlers` throw.
import { msw } from '#sandbox/msw-peer';
import { createSandboxHandler } from './sandbox.js';
import { PRESCRYPTO_PREFIX } from './prescrypto.js';
import { SMART_PREFIX } from './smart.js';
import { SPEAKNOSIS_PREFIX } from './speaknosis.js';

export const DEFAULT_SPEAKNOSIS_BASE = 'https://api-qa.speaknosis.com/v1/health';
// Requests are rewritten to this origin; the sandbox only ever sees its own paths.
const INNER_ORIGIN = 'http://sandbox.invalid';

/**
 * @param {{ sandbox?: { fetch(request: Request, env?: import('./vendor.js').VendorEnv): Promise<Response> },
 *   speaknosis?: string | false, prescrypto?: string, smart?: string }} [options]
 *   `speaknosis`: the doctor API base (its host root also serves the token endpoint), `false` for none;
 *   `prescrypto`: the Prescrypto base, when wanted; `smart`: where the SMART EHR answers (its issuer),
 *   when wanted; `sandbox`: share one you control (default a new one).
 * @returns {import('msw').HttpHandler[]}
 */
export function sandboxHandlers(options = {}) {
  if (!msw) throw new Error('doctor-gate/sandbox: sandboxHandlers() needs msw@^2.12 (npm install --save-dev msw)');
  const { http } = msw;
  const sandbox = options.sandbox ?? createSandboxHandler();
  /** @type {[string, string][]} public base → sandbox prefix */
  const mounts = [];
  if (options.speaknosis !== false) {
    const base = trimSlash(new URL(options.speaknosis ?? DEFAULT_SPEAKNOSIS_BASE).href);
    // The sandbox's Speaknosis prefix is the host root: `/v1/health/…` and `/api/iam/…` below it.
    mounts.push([base.endsWith('/v1/health') ? base.slice(0, -'/v1/health'.length) : base, SPEAKNOSIS_PREFIX]);
  }
  if (options.prescrypto) mounts.push([trimSlash(new URL(options.prescrypto).href), PRESCRYPTO_PREFIX]);
  if (options.smart) mounts.push([trimSlash(new URL(options.smart).href), SMART_PREFIX]);
  return mounts.map(([base, prefix]) =>
    http.all(`${base}/*`, async ({ request }) => {
      const inner = new Request(`${INNER_ORIGIN}${prefix}${request.url.slice(base.length)}`, {
        method: request.method,
        headers: request.headers,
        body: request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer(),
        signal: request.signal,
      });
      return sandbox.fetch(inner, { publicUrl: (rawPath) => `${base}${rawPath.slice(prefix.length)}` });
    }),
  );
}

/** @param {string} url */
const trimSlash = (url) => url.replace(/\/+$/, '');
