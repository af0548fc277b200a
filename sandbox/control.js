// Validation of the control API's inputs (faults, latency, seed): pure functions.
import { SPEAKNOSIS_LANGS } from './store.js';

export const FAULT_KINDS = Object.freeze([
  'status',
  'drop',
  'hang',
  'malformed',
  'delay',
  'redirect',
  'doctor-status',
  'echo-credential',
  'hold',
]);
export const MAX_LATENCY_MS = 120_000;
/** How long a `hold` keeps its request when nothing releases it (its `ms`), by default. */
export const DEFAULT_HOLD_MS = 60_000;
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

/**
 * @typedef {'status' | 'drop' | 'hang' | 'malformed' | 'delay' | 'redirect' | 'doctor-status' | 'echo-credential'
 *   | 'hold'} FaultKind
 * @typedef {{ id: number, match: { method?: string, path?: string, body?: string }, times: number,
 *   kind: FaultKind, status: number | string, body?: unknown, headers: Record<string, string>,
 *   after: boolean, ms?: number, location?: string, doctor?: string }} Fault
 *   `status` is the per-doctor status text for `doctor-status`, else the HTTP status.
 */

/**
 * @param {unknown} value
 * @returns {number | string} the latency, or an error message
 */
export function parseLatency(value) {
  const ms = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_LATENCY_MS) {
    return `ms must be a number between 0 and ${MAX_LATENCY_MS}`;
  }
  return Math.round(ms);
}

/**
 * Accepts `{ faults: [...] }`, a bare array, or one fault object.
 * @param {unknown} payload
 * @param {() => number} nextId
 * @returns {{ faults: Fault[] } | { error: string }}
 */
export function parseFaults(payload, nextId) {
  /** @type {unknown[]} */
  let list;
  if (Array.isArray(payload)) list = payload;
  else if (isObject(payload) && Array.isArray(payload.faults)) list = payload.faults;
  else if (isObject(payload) && !('faults' in payload)) list = [payload];
  else return { error: 'body must be { "faults": [ ... ] }' };
  if (list.length === 0) return { error: 'faults must not be empty' };

  /** @type {Fault[]} */
  const faults = [];
  for (const [i, raw] of list.entries()) {
    const where = `faults[${i}]`;
    if (!isObject(raw)) return { error: `${where} must be an object` };
    const kind = raw.kind ?? 'status';
    if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind)) {
      return { error: `${where}.kind must be one of ${FAULT_KINDS.join(', ')}` };
    }
    const match = raw.match ?? {};
    if (!isObject(match)) return { error: `${where}.match must be an object` };
    if (match.method !== undefined && (typeof match.method !== 'string' || !match.method)) {
      return { error: `${where}.match.method must be a non-empty string` };
    }
    if (match.path !== undefined && typeof match.path !== 'string') {
      return { error: `${where}.match.path must be a string` };
    }
    if (match.body !== undefined && typeof match.body !== 'string') {
      return { error: `${where}.match.body must be a string` };
    }
    const times = raw.times ?? 1;
    if (!Number.isInteger(times) || /** @type {number} */ (times) < 1) {
      return { error: `${where}.times must be a positive integer` };
    }
    const status = raw.status ?? DEFAULT_STATUS[kind] ?? 500;
    const kindError = kindFieldsError(kind, raw, status);
    if (kindError) return { error: `${where}.${kindError}` };
    const headers = raw.headers ?? {};
    if (!isObject(headers) || Object.values(headers).some((v) => typeof v !== 'string' && typeof v !== 'number')) {
      return { error: `${where}.headers must be an object of strings` };
    }
    for (const name of Object.keys(headers)) {
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
        return { error: `${where}.headers has an invalid name: ${name}` };
    }
    if (raw.after !== undefined && typeof raw.after !== 'boolean') return { error: `${where}.after must be a boolean` };
    // `delay` holds one request for `ms`, then answers it normally (a slow check, not a failed one);
    // `hold` keeps it until the control API releases it, or at most `ms` (sandbox/hold.js).
    const ms =
      kind === 'delay' ? parseLatency(raw.ms) : kind === 'hold' ? parseLatency(raw.ms ?? DEFAULT_HOLD_MS) : undefined;
    if (typeof ms === 'string') return { error: `${where}.${ms}` };
    /** @type {Fault['match']} */
    const cleanMatch = {};
    if (match.method) cleanMatch.method = String(match.method).toUpperCase();
    if (match.path) cleanMatch.path = String(match.path);
    // A substring of the raw request body: scopes a POST fault to one doctor's create.
    if (match.body) cleanMatch.body = String(match.body);
    faults.push({
      id: nextId(),
      match: cleanMatch,
      times: /** @type {number} */ (times),
      kind: /** @type {Fault['kind']} */ (kind),
      status: /** @type {number | string} */ (status),
      ...(raw.body !== undefined ? { body: raw.body } : {}),
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])),
      after: raw.after === true,
      ...(ms === undefined ? {} : { ms }),
      ...(kind === 'redirect' ? { location: String(raw.location) } : {}),
      ...(kind === 'doctor-status' && raw.doctor !== undefined ? { doctor: String(raw.doctor) } : {}),
    });
  }
  return { faults };
}

/** @type {Record<string, number>} */
const DEFAULT_STATUS = { malformed: 200, redirect: 302, 'echo-credential': 401 };

/**
 * @param {string} kind @param {Record<string, any>} raw @param {unknown} status
 * @returns {string | null} what is wrong with the kind's own fields, or null
 */
function kindFieldsError(kind, raw, status) {
  if (kind === 'doctor-status') {
    // Here `status` is the text the vendor reports for one doctor, e.g. "pending review".
    if (typeof status !== 'string' || !status.trim()) return 'status must be a non-empty string for doctor-status';
    if (raw.doctor !== undefined && (typeof raw.doctor !== 'string' || !raw.doctor)) {
      return 'doctor must be a non-empty string';
    }
    return null;
  }
  if (!Number.isInteger(status) || /** @type {number} */ (status) < 200 || /** @type {number} */ (status) > 599) {
    return 'status must be an integer between 200 and 599';
  }
  if (kind === 'redirect') {
    if (!REDIRECT_STATUSES.includes(/** @type {number} */ (status))) {
      return `status must be one of ${REDIRECT_STATUSES.join(', ')} for a redirect`;
    }
    if (typeof raw.location !== 'string' || !raw.location) return 'location must be a non-empty string';
  }
  return null;
}

/**
 * @typedef {{ providerId: string, id: string, name: string, lastname: string, email: string | null,
 *   specialityId: number, lang: string, deleted: boolean }} SpeaknosisSeed
 * @typedef {{ key: string, token?: string, password?: string } & Record<string, any>} PrescryptoSeed
 * @typedef {{ speaknosisTokens: Record<string, string[]>, prescryptoKeys: Record<string, number[]> }} TokenSeed
 */

/**
 * @param {unknown} payload
 * @returns {{ speaknosis: SpeaknosisSeed[], prescrypto: PrescryptoSeed[], tokens: TokenSeed } | { error: string }}
 */
export function parseSeed(payload) {
  if (!isObject(payload)) return { error: 'body must be a JSON object' };
  const { speaknosis = [], prescrypto = [], tokens = {} } = payload;
  if (!Array.isArray(speaknosis) || !Array.isArray(prescrypto)) {
    return { error: 'speaknosis and prescrypto must be arrays' };
  }
  /** @type {SpeaknosisSeed[]} */
  const users = [];
  for (const [i, u] of speaknosis.entries()) {
    const where = `speaknosis[${i}]`;
    if (!isObject(u)) return { error: `${where} must be an object` };
    if ((typeof u.providerId !== 'string' && typeof u.providerId !== 'number') || String(u.providerId) === '') {
      return { error: `${where}.providerId is required` };
    }
    for (const field of ['id', 'name', 'lastname']) {
      if (typeof u[field] !== 'string' || u[field] === '')
        return { error: `${where}.${field} must be a non-empty string` };
    }
    const specialityId = u.specialityId ?? 1;
    if (!Number.isInteger(specialityId)) return { error: `${where}.specialityId must be an integer` };
    const lang = u.lang ?? 'ES';
    if (!SPEAKNOSIS_LANGS.includes(/** @type {string} */ (lang))) {
      return { error: `${where}.lang must be one of ${SPEAKNOSIS_LANGS.join(' ')}` };
    }
    if (u.email !== undefined && u.email !== null && typeof u.email !== 'string') {
      return { error: `${where}.email must be a string` };
    }
    users.push({
      providerId: String(u.providerId),
      id: /** @type {string} */ (u.id),
      name: /** @type {string} */ (u.name),
      lastname: /** @type {string} */ (u.lastname),
      email: typeof u.email === 'string' ? u.email : null,
      specialityId: /** @type {number} */ (specialityId),
      lang: /** @type {string} */ (lang),
      deleted: u.deleted === true,
    });
  }
  /** @type {PrescryptoSeed[]} */
  const medics = [];
  for (const [i, m] of prescrypto.entries()) {
    const where = `prescrypto[${i}]`;
    if (!isObject(m)) return { error: `${where} must be an object` };
    if (typeof m.key !== 'string' || !m.key) return { error: `${where}.key must be a non-empty string` };
    if (typeof m.name !== 'string' || !m.name) return { error: `${where}.name must be a non-empty string` };
    if (typeof m.email !== 'string' || !m.email) return { error: `${where}.email must be a non-empty string` };
    if (m.token !== undefined && (typeof m.token !== 'string' || !m.token)) {
      return { error: `${where}.token must be a non-empty string` };
    }
    if (m.id !== undefined) return { error: `${where}.id is server-assigned; omit it` };
    medics.push(/** @type {PrescryptoSeed} */ (m));
  }
  if (!isObject(tokens)) return { error: 'tokens must be an object' };
  const speaknosisTokens = tokens.speaknosis ?? {};
  const prescryptoKeys = tokens.prescrypto ?? {};
  if (!isObject(speaknosisTokens) || Object.values(speaknosisTokens).some((v) => !Array.isArray(v))) {
    return { error: 'tokens.speaknosis must map a token to an array of provider ids' };
  }
  if (
    !isObject(prescryptoKeys) ||
    Object.values(prescryptoKeys).some((v) => !Array.isArray(v) || v.some((h) => !Number.isInteger(h)))
  ) {
    return { error: 'tokens.prescrypto must map a key to an array of hospital ids it administers' };
  }
  return {
    speaknosis: users,
    prescrypto: medics,
    tokens: {
      speaknosisTokens: Object.fromEntries(
        Object.entries(speaknosisTokens).map(([t, ps]) => [t, /** @type {unknown[]} */ (ps).map(String)]),
      ),
      prescryptoKeys: /** @type {Record<string, number[]>} */ (prescryptoKeys),
    },
  };
}

/**
 * Replaces every `password` field, at any depth, before a body is logged.
 * @param {unknown} value
 * @returns {unknown}
 */
export function redactPasswords(value) {
  if (Array.isArray(value)) return value.map(redactPasswords);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k.toLowerCase() === 'password' ? '[redacted]' : redactPasswords(v)]),
    );
  }
  return value;
}

/**
 * @param {unknown} v
 * @returns {v is Record<string, any>}
 */
function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
