// Who may use the control API. A page of another origin must change nothing: its preflight and its
// requests are refused (no CORS header answers it), and a state-changing request must say
// `application/json`, which no page can send cross-origin without a preflight.
import { isLoopbackOrigin, parseOrigin } from './http.js';

/**
 * The origins, besides this machine's, whose pages may use the control API.
 * @param {readonly string[] | undefined} origins
 * @returns {ReadonlySet<string>}
 */
export function allowedOrigins(origins = []) {
  if (!Array.isArray(origins)) throw new TypeError('createSandbox: allowOrigins must be an array of origins');
  return new Set(
    origins.map((text) => {
      const origin = typeof text === 'string' ? parseOrigin(text) : null;
      if (origin === null) throw new TypeError(`createSandbox: allowOrigins: not an http(s) origin: ${String(text)}`);
      return origin;
    }),
  );
}

/**
 * Why a control request is refused before it is read, or null to serve it: an `Origin` that is
 * neither loopback nor allowed (a request without one is not a browser's cross-origin call).
 * @param {Request} request @param {ReadonlySet<string>} allowed
 * @returns {import('./http.js').Answer | null}
 */
export function controlOriginRefusal(request, allowed) {
  const origin = request.headers.get('origin');
  if (origin === null || isLoopbackOrigin(origin) || allowed.has(origin)) return null;
  return {
    status: 403,
    body: {
      error: 'origin not allowed: the control API answers pages on this machine and allowOrigins (--allow-origin)',
    },
  };
}

/**
 * A state-changing control request that is not `application/json` → 415, before its body is read.
 * @param {Request} request
 * @returns {import('./http.js').Answer | null}
 */
export function controlTypeRefusal(request) {
  if (request.method === 'GET' || request.method === 'HEAD') return null;
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return null;
  return { status: 415, body: { error: 'control requests that change state need Content-Type: application/json' } };
}
