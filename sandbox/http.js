// Small Web-standard helpers (Request/Response, no Node APIs) shared by the sandbox modules.

/** Request bodies larger than this are refused with 413. */
export const BODY_LIMIT = 5 * 1024 * 1024;

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Statuses whose answer has no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * Splits a request target into its raw (still percent-encoded) path and raw query.
 * @param {string} url a path, or an absolute URL (then its scheme and host are skipped)
 * @returns {{ path: string, query: string }}
 */
export function splitUrl(url) {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  const target = absolute ? url.slice(absolute[0].length) || '/' : url;
  const hash = target.indexOf('#');
  const withoutHash = hash === -1 ? target : target.slice(0, hash);
  const q = withoutHash.indexOf('?');
  if (q === -1) return { path: withoutHash, query: '' };
  return { path: withoutHash.slice(0, q), query: withoutHash.slice(q + 1) };
}

/**
 * Splits a raw path into segments and decodes each once.
 * Returns null when a segment is not valid percent-encoding.
 * @param {string} rawPath path relative to a base, e.g. `/provider/1001/user/doc%2Fa`
 * @returns {string[] | null}
 */
export function decodeSegments(rawPath) {
  const parts = rawPath.split('/');
  if (parts[0] === '') parts.shift();
  try {
    return parts.map((p) => decodeURIComponent(p));
  } catch {
    return null;
  }
}

/**
 * @param {string} rawPath
 * @returns {string} the path decoded once, or the raw path when it is malformed
 */
export function safeDecode(rawPath) {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}

/**
 * @param {string} text
 * @returns {{ ok: true, value: any, empty: boolean } | { ok: false, error: string }}
 */
export function parseJson(text) {
  if (text.trim() === '') return { ok: true, value: undefined, empty: true };
  try {
    return { ok: true, value: JSON.parse(text), empty: false };
  } catch (err) {
    return { ok: false, error: /** @type {Error} */ (err).message };
  }
}

/**
 * Reads the scheme of an Authorization header. Only the scheme is ever logged.
 * @param {string | null | undefined} value
 * @returns {{ scheme: 'Bearer' | 'Token' | 'other' | null, credential: string }}
 */
export function parseAuthorization(value) {
  if (!value || !value.trim()) return { scheme: null, credential: '' };
  const match = /^\s*(\S+)\s+(.+?)\s*$/.exec(value);
  if (!match) return { scheme: 'other', credential: '' };
  const word = match[1].toLowerCase();
  if (word === 'bearer') return { scheme: 'Bearer', credential: match[2] };
  if (word === 'token') return { scheme: 'Token', credential: match[2] };
  return { scheme: 'other', credential: '' };
}

/**
 * @typedef {{ status: number, body?: unknown, text?: string, headers?: Record<string, string> }} Answer
 * `body` is serialised as JSON; `text` is sent verbatim (used for raw fault bodies).
 */

/**
 * @param {Answer} answer
 * @returns {Response}
 */
export function toResponse(answer) {
  const headers = new Headers({ 'Cache-Control': 'no-store' });
  /** @type {string | null} */
  let payload = null;
  if (answer.text !== undefined) {
    headers.set('Content-Type', 'text/plain; charset=utf-8');
    payload = answer.text;
  } else if (answer.body !== undefined) {
    headers.set('Content-Type', JSON_TYPE);
    payload = JSON.stringify(answer.body);
  }
  for (const [name, value] of Object.entries(answer.headers ?? {})) headers.set(name, value);
  if (NULL_BODY_STATUSES.has(answer.status)) {
    headers.delete('Content-Type');
    payload = null;
  }
  return new Response(payload, { status: answer.status, headers });
}

/**
 * Resolves true after `ms`, or false as soon as `signal` aborts (the client went away).
 * The timer is always cleared, so an aborted request leaves nothing behind.
 * @param {number} ms
 * @param {AbortSignal} signal
 * @returns {Promise<boolean>}
 */
export function delayUnlessAborted(ms, signal) {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Resolves when `signal` aborts, never otherwise: a `hang` holds no timer.
 * @param {AbortSignal} signal
 * @returns {Promise<void>}
 */
export function untilAborted(signal) {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Origin for absolute URLs in answers (Prescrypto `next`/`previous`), DRF-style:
 * the request's host, and X-Forwarded-Proto when a proxy sets it.
 * @param {Request} request
 */
export function requestOrigin(request) {
  const url = new URL(request.url);
  const forwarded = (request.headers.get('x-forwarded-proto') ?? '').split(',')[0]?.trim().toLowerCase();
  const proto = forwarded === 'https' || forwarded === 'http' ? `${forwarded}:` : url.protocol;
  return `${proto}//${url.host}`;
}

/**
 * The origin `text` names (`scheme://host[:port]`, http or https), or null when it is anything else:
 * a path, userinfo, a query, another scheme, or the opaque `null` of sandboxed frames.
 * @param {string} text
 * @returns {string | null}
 */
export function parseOrigin(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const plain = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  return plain && (url.protocol === 'http:' || url.protocol === 'https:') ? url.origin : null;
}

/**
 * True for a page on this machine: http(s) on localhost, 127.0.0.0/8 or [::1], any port.
 * The URL parser has already normalised the host (`127.1`, `0x7f.0.0.1` → `127.0.0.1`).
 * @param {string} origin an `Origin` header value
 */
export function isLoopbackOrigin(origin) {
  const parsed = parseOrigin(origin);
  if (parsed === null || parsed !== origin) return false;
  const { hostname } = new URL(parsed);
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
