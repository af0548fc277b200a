// Every request to a fake vendor API: logged, held for the latency, then answered by the first
// matching queued fault or by the fake API (speaknosis.js, prescrypto.js). Web-standard only.
import { redactPasswords } from './control.js';
import {
  JSON_TYPE,
  delayUnlessAborted,
  parseAuthorization,
  parseJson,
  requestOrigin,
  safeDecode,
  splitUrl,
  toResponse,
  untilAborted,
} from './http.js';
import { holdRequest } from './hold.js';
import { handlePrescrypto } from './prescrypto.js';
import { SPEAKNOSIS_PREFIX, handleSpeaknosis } from './speaknosis.js';

const LOG_CAPACITY = 5000;
/** What a `malformed` fault answers: JSON cut short. */
const MALFORMED_JSON = '{"success": tru';
const LOGGED_TEXT_MAX = 10_000;
/** Replaced by the caller's credential in a fault's body, headers and location. */
const CREDENTIAL_PLACEHOLDER = '{credential}';

/**
 * @typedef {import('./control.js').Fault} Fault
 * @typedef {{ seq: number, time: string, method: string, path: string, query: string,
 *   status: number | null, fault?: Fault['kind'], after?: boolean, realStatus?: number,
 *   aborted?: boolean, held?: 'released' | 'timeout', auth: 'Bearer' | 'Token' | 'other' | null,
 *   body: unknown }} LogEntry
 * @typedef {{ store: import('./store.js').Store, faults: Fault[], faultIds: number, log: LogEntry[],
 *   seq: number, latencyMs: number, initialLatency: number, cors: boolean,
 *   holds: import('./hold.js').Holds }} SandboxState
 * @typedef {{ publicUrl?: (rawPath: string) => string }} VendorEnv
 *   `publicUrl`: the URL the caller used for a sandbox path (MSW mode), for Prescrypto's links.
 */

/** Answers that stand for a network error; the outer `fetch` turns them into `Response.error()`. */
export const networkErrors = new WeakSet();
// Response.error() has immutable headers, which Hono's CORS middleware would try to extend.
const networkError = () => {
  const response = new Response(null, { status: 599 });
  networkErrors.add(response);
  return response;
};

/**
 * @param {SandboxState} state @param {Request} request @param {VendorEnv} [env]
 * @returns {Promise<Response>}
 */
export async function vendorRequest(state, request, env = {}) {
  const method = request.method.toUpperCase();
  const { path, query } = splitUrl(request.url);
  const auth = parseAuthorization(request.headers.get('authorization'));
  const entry = logRequest(state, method, path, query, auth.scheme);

  let bodyText;
  try {
    bodyText = await request.text();
  } catch {
    entry.aborted = true; // the client went away mid-upload
    return networkError();
  }
  entry.body = loggableBody(bodyText);

  // Faults are taken in arrival order, before the latency, so concurrent requests stay fair.
  let fault = takeFault(state, method, path, bodyText);
  if (state.latencyMs > 0 && !(await delayUnlessAborted(state.latencyMs, request.signal))) {
    entry.aborted = true; // the client gave up during the latency: the request never "arrived"
    return networkError();
  }
  if (fault?.kind === 'hold') {
    entry.fault = 'hold';
    const outcome = await holdRequest(state.holds, fault, entry, request.signal);
    if (outcome.by === 'abort') {
      entry.aborted = true;
      return networkError();
    }
    // Released (or timed out): the request goes on as if never held, or takes the release's fault.
    entry.held = outcome.by === 'release' ? 'released' : 'timeout';
    fault = outcome.by === 'release' ? outcome.then : undefined;
  }
  if (fault?.kind === 'delay') {
    entry.fault = 'delay';
    if (!(await delayUnlessAborted(fault.ms ?? 0, request.signal))) {
      entry.aborted = true;
      return networkError();
    }
    fault = undefined;
  }

  /** @type {import('./http.js').Answer | undefined} */
  let answer;
  if (!fault || fault.after || fault.kind === 'doctor-status') {
    const call = { method, rawPath: path, query, auth, bodyText, store: state.store };
    answer = path.startsWith(`${SPEAKNOSIS_PREFIX}/`)
      ? handleSpeaknosis({ ...call, contentType: request.headers.get('content-type') ?? '' })
      : handlePrescrypto({ ...call, selfUrl: env.publicUrl?.(path) ?? `${requestOrigin(request)}${path}` });
  }
  if (!fault) {
    entry.status = /** @type {import('./http.js').Answer} */ (answer).status;
    return toResponse(/** @type {import('./http.js').Answer} */ (answer));
  }
  entry.fault = fault.kind;
  if (fault.after) {
    entry.after = true;
    entry.realStatus = answer?.status;
  }
  if (fault.kind === 'drop') return networkError();
  if (fault.kind === 'hang') {
    // No timer: the answer never comes; only the client leaving ends the request.
    await untilAborted(request.signal);
    return networkError();
  }
  const out = faultAnswer(fault, path, credentialOf(auth, bodyText), answer);
  entry.status = out.status;
  return toResponse(out);
}

/**
 * @param {SandboxState} state @param {string} method @param {string} path @param {string} query
 * @param {LogEntry['auth']} auth
 * @returns {LogEntry}
 */
export function logRequest(state, method, path, query, auth) {
  /** @type {LogEntry} */
  const entry = {
    seq: ++state.seq,
    time: new Date().toISOString(),
    method,
    path,
    query,
    status: null,
    auth,
    body: null,
  };
  state.log.push(entry);
  if (state.log.length > LOG_CAPACITY) state.log.splice(0, state.log.length - LOG_CAPACITY);
  return entry;
}

/**
 * @param {SandboxState} state @param {string} method @param {string} path raw path
 * @param {string} bodyText raw request body
 * @returns {Fault | undefined} a snapshot of the fault taken
 */
function takeFault(state, method, path, bodyText) {
  const decoded = safeDecode(path);
  const index = state.faults.findIndex(
    (fault) =>
      (!fault.match.method || fault.match.method === method) &&
      (!fault.match.path || path.includes(fault.match.path) || decoded.includes(fault.match.path)) &&
      (!fault.match.body || bodyText.includes(fault.match.body)) &&
      (fault.kind !== 'doctor-status' || isSpeaknosisCreate(method, path)),
  );
  if (index === -1) return undefined;
  const fault = /** @type {Fault} */ (state.faults[index]);
  fault.times -= 1;
  if (fault.times <= 0) state.faults.splice(index, 1);
  return { ...fault };
}

/** @param {string} method @param {string} path */
const isSpeaknosisCreate = (method, path) =>
  method === 'POST' && path.startsWith(`${SPEAKNOSIS_PREFIX}/`) && /\/user\/?$/.test(path);

/**
 * The answer a fault gives instead of (or, for `doctor-status`, on top of) the real one.
 * @param {Fault} fault @param {string} path @param {string} credential
 * @param {import('./http.js').Answer | undefined} real
 * @returns {import('./http.js').Answer}
 */
function faultAnswer(fault, path, credential, real) {
  const fill = (/** @type {unknown} */ v) => withCredential(v, credential);
  const headers = /** @type {Record<string, string>} */ (fill(fault.headers));
  const status = /** @type {number} */ (fault.status);
  switch (fault.kind) {
    case 'malformed':
      return { status, text: MALFORMED_JSON, headers: { 'Content-Type': JSON_TYPE, ...headers } };
    case 'doctor-status':
      return withDoctorStatus(/** @type {import('./http.js').Answer} */ (real), fault);
    case 'redirect':
      return {
        status,
        ...bodyOf(fill(fault.body)),
        headers: { ...headers, Location: /** @type {string} */ (fill(fault.location)) },
      };
    case 'echo-credential': {
      const body = fault.body === undefined ? echoBody(path, status, credential) : fill(fault.body);
      return { status, ...bodyOf(body), headers };
    }
    default: {
      const body =
        fault.body === undefined ? { success: false, code: status, response: 'injected fault' } : fill(fault.body);
      return { status, ...bodyOf(body), headers };
    }
  }
}

/** @param {unknown} body @returns {{ text: string } | { body: unknown } | {}} */
const bodyOf = (body) => (body === undefined ? {} : typeof body === 'string' ? { text: body } : { body });

/** A vendor-shaped error that repeats the credential, as a careless vendor's logging might. */
function echoBody(/** @type {string} */ path, /** @type {number} */ status, /** @type {string} */ credential) {
  if (path.startsWith(`${SPEAKNOSIS_PREFIX}/`))
    return { success: false, code: status, response: `invalid token: ${credential}` };
  return { message: `Invalid Token ${credential}` };
}

/**
 * The real create answer with one doctor's (or every doctor's) `status` text replaced.
 * @param {import('./http.js').Answer} real @param {Fault} fault
 */
function withDoctorStatus(real, fault) {
  const body = /** @type {any} */ (real.body);
  if (!Array.isArray(body?.response)) return real;
  const response = body.response.map((/** @type {any} */ item) =>
    fault.doctor === undefined || item?.id === fault.doctor ? { ...item, status: fault.status } : item,
  );
  return { ...real, body: { ...body, response } };
}

/**
 * The credential the caller sent: the Authorization one, else the token endpoint's client secret.
 * @param {ReturnType<typeof parseAuthorization>} auth @param {string} bodyText
 */
function credentialOf(auth, bodyText) {
  if (auth.credential) return auth.credential;
  return bodyText.includes('client_secret=') ? (new URLSearchParams(bodyText).get('client_secret') ?? '') : '';
}

/**
 * `value` with every `{credential}` in its strings (at any depth) replaced.
 * @param {unknown} value @param {string} credential
 * @returns {unknown}
 */
function withCredential(value, credential) {
  if (typeof value === 'string') return value.split(CREDENTIAL_PLACEHOLDER).join(credential);
  if (Array.isArray(value)) return value.map((v) => withCredential(v, credential));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withCredential(v, credential)]));
  }
  return value;
}

/**
 * The body as the log keeps it: parsed JSON with passwords redacted, else (redacted) text.
 * @param {string} text
 */
function loggableBody(text) {
  if (text === '') return null;
  const parsed = parseJson(text);
  if (parsed.ok) return redactPasswords(parsed.value);
  const redacted = text
    .replace(/("password"\s*:\s*)"(?:[^"\\]|\\.)*"?/gi, '$1"[redacted]"')
    .replace(/((?:password|client_secret)=)[^&\s]*/gi, '$1[redacted]');
  return redacted.length > LOGGED_TEXT_MAX ? `${redacted.slice(0, LOGGED_TEXT_MAX)}…` : redacted;
}
