// Small HTTP helpers shared by the sandbox modules. Node built-ins only.

/** Request bodies larger than this are refused with 413. */
export const BODY_LIMIT = 5 * 1024 * 1024;
// Past this many bytes we stop draining and drop the connection after answering.
const DRAIN_LIMIT = 4 * BODY_LIMIT;

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Splits a request target into its raw (still percent-encoded) path and raw query.
 * Deliberately not `new URL()`: that would normalise `//x`, dot segments and encodings.
 * @param {string} url
 * @returns {{ path: string, query: string }}
 */
export function splitUrl(url) {
  const q = url.indexOf('?');
  const withoutHash = (/** @type {string} */ s) => {
    const h = s.indexOf('#');
    return h === -1 ? s : s.slice(0, h);
  };
  if (q === -1) return { path: withoutHash(url), query: '' };
  return { path: url.slice(0, q), query: withoutHash(url.slice(q + 1)) };
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
 * Reads the whole request body.
 * @param {import('node:http').IncomingMessage} req
 * @param {number} [limit]
 * @returns {Promise<{ text: string, bytes: number, tooLarge: boolean, overflow: boolean }>}
 *   `tooLarge`: more than `limit` bytes; `overflow`: so large that we stopped reading.
 */
export function readBody(req, limit = BODY_LIMIT) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let bytes = 0;
    let settled = false;
    const finish = (/** @type {any} */ value, /** @type {Error | undefined} */ error = undefined) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (/** @type {Buffer} */ chunk) => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
      else chunks.length = 0;
      if (bytes > DRAIN_LIMIT) {
        req.pause();
        finish({ text: '', bytes, tooLarge: true, overflow: true });
      }
    };
    const onEnd = () => {
      const tooLarge = bytes > limit;
      finish({ text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), bytes, tooLarge, overflow: false });
    };
    const onError = (/** @type {Error} */ err) => finish(undefined, err);
    const onAborted = () => finish(undefined, new Error('request aborted'));
    if (req.readableEnded) {
      // Someone upstream already consumed the body (should not happen with our middlewares).
      resolve({ text: '', bytes: 0, tooLarge: false, overflow: false });
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
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
 * @param {string | string[] | undefined} header
 * @returns {{ scheme: 'Bearer' | 'Token' | 'other' | null, credential: string }}
 */
export function parseAuthorization(header) {
  const value = Array.isArray(header) ? header[0] : header;
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
 * Writes an answer unless the connection is already gone.
 * @param {import('node:http').ServerResponse} res
 * @param {Answer} answer
 */
export function writeAnswer(res, answer) {
  if (res.writableEnded || res.destroyed) return;
  /** @type {Record<string, string>} */
  const headers = { 'Cache-Control': 'no-store' };
  let payload = '';
  if (answer.text !== undefined) {
    headers['Content-Type'] = 'text/plain; charset=utf-8';
    payload = answer.text;
  } else if (answer.body !== undefined) {
    headers['Content-Type'] = JSON_TYPE;
    payload = JSON.stringify(answer.body);
  }
  Object.assign(headers, answer.headers ?? {});
  const buffer = Buffer.from(payload, 'utf8');
  headers['Content-Length'] = String(buffer.length);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.statusCode = answer.status;
  res.end(buffer);
}

/**
 * Resolves true after `ms`, or false as soon as the response closes (client went away).
 * The timer is always cleared, so an aborted request leaves nothing behind.
 * @param {number} ms
 * @param {import('node:http').ServerResponse} res
 * @returns {Promise<boolean>}
 */
export function delayUnlessClosed(ms, res) {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

/**
 * Origin for absolute URLs in answers (Prescrypto `next`/`previous`), DRF-style:
 * built from the Host header and X-Forwarded-Proto.
 * @param {import('node:http').IncomingMessage} req
 */
export function requestOrigin(req) {
  const forwarded = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]
    .trim()
    .toLowerCase();
  const proto =
    forwarded === 'https' || forwarded === 'http'
      ? forwarded
      : /** @type {any} */ (req.socket)?.encrypted
        ? 'https'
        : 'http';
  const host = String(req.headers.host ?? req.headers[':authority'] ?? 'localhost');
  return `${proto}://${host}`;
}
