// Fake Prescrypto Medic API (seed 000): Django REST Framework conventions — limit/offset
// pagination with absolute links, `Token` auth, field errors as `{ field: [messages] }`.
import { decodeSegments, parseJson } from './http.js';
import { addMembership, handleMemberships } from './memberships.js';
import { medicRecord, medicsByEmail, newMedicToken, publicMedic } from './store.js';

export const PRESCRYPTO_PREFIX = '/sandbox/prescrypto';
export const DEFAULT_LIMIT = 15;
export const MAX_LIMIT = 100;

const NOT_FOUND = { status: 404, body: { message: 'Not found' } };
const INVALID_TOKEN = { status: 401, body: { message: 'Invalid Token' } };

/** Fields a PATCH may change (the seed's "Update Medic" list). */
const UPDATABLE = [
  'name',
  'email',
  'hospital',
  'date_of_birth',
  'cedula_prof',
  'specialty_no',
  'specialty',
  'alma_mater',
  'female',
  'is_active',
  'campaign',
  'is_admin_membership',
];

/** The seed's duplicate-email body, character for character. */
export function duplicateEmailBody(/** @type {string} */ email) {
  return [
    `duplicate key value violates unique constraint "medics_medic_email_c4aaaa6a_uniq"\nDETAIL: Key (email)=(${email}) already exists.\n`,
  ];
}

/**
 * @param {{ method: string, rawPath: string, query: string, selfUrl: string,
 *   auth: ReturnType<typeof import('./http.js').parseAuthorization>,
 *   bodyText: string, store: import('./store.js').Store }} request
 *   `selfUrl` is the request URL as the caller sees it, without the query: pagination links start with it.
 * @returns {import('./http.js').Answer}
 */
export function handlePrescrypto({ method, rawPath, query, selfUrl, auth, bodyText, store }) {
  const segments = decodeSegments(rawPath.slice(PRESCRYPTO_PREFIX.length));
  const route = segments && matchRoute(segments);
  const key = auth.scheme === 'Token' && store.prescrypto.keys.has(auth.credential) ? auth.credential : null;
  if (!route) {
    const other = segments && key ? handleMemberships({ method, segments, key, bodyText, query, store }) : null;
    if (other) return other;
    // Prescrypto words its errors differently per endpoint: this one in Spanish, under `detail`.
    return segments && !key && isManagement(segments)
      ? { status: 401, body: { detail: 'Token inválido.' } }
      : NOT_FOUND;
  }
  if (!key) return INVALID_TOKEN;

  if (route.id === undefined) {
    if (method === 'GET') return listMedics(store, key, selfUrl, query);
    if (method === 'POST') return createMedic(store, key, bodyText);
    return methodNotAllowed(method, 'GET, POST');
  }
  const medic = store.prescrypto.medics.get(route.id);
  if (!medic || medic.key !== key) return NOT_FOUND;
  if (method === 'GET') return { status: 200, body: publicMedic(medic) };
  if (method === 'PATCH') return updateMedic(store, key, medic, bodyText);
  return methodNotAllowed(method, 'GET, PATCH');
}

/** @param {string[]} s */
const isManagement = (s) => s[0] === 'api' && s[1] === 'v2' && (s[2] === 'management' || s[2] === 'hospitals');

/**
 * `api/v2/medics[/]` and `api/v2/medics/:id[/]`.
 * @param {string[]} s
 * @returns {{ id?: number } | null}
 */
function matchRoute(s) {
  if (s.at(-1) === '' && s.length > 1) s = s.slice(0, -1);
  if (s[0] !== 'api' || s[1] !== 'v2' || s[2] !== 'medics') return null;
  if (s.length === 3) return {};
  if (s.length === 4 && /^\d{1,15}$/.test(s[3])) return { id: Number(s[3]) };
  return null;
}

/** @param {string} method @param {string} allow */
function methodNotAllowed(method, allow) {
  return { status: 405, body: { detail: `Method "${method}" not allowed.` }, headers: { Allow: allow } };
}

/**
 * DRF `_positive_int(strict=True)`: anything else falls back to the default.
 * @param {string | null} raw @param {number} fallback @param {boolean} strict
 */
function positiveInt(raw, fallback, strict) {
  if (raw === null || !/^\s*\d+\s*$/.test(raw)) return fallback;
  const n = Number(raw);
  if (strict && n === 0) return fallback;
  return n;
}

/**
 * DRF `replace_query_param` / `remove_query_param`: keys sorted, other parameters kept.
 * @param {string} base scheme://host/path
 * @param {string} query raw query
 * @param {Record<string, string | null>} changes null removes the key
 */
function linkWith(base, query, changes) {
  /** @type {Map<string, string[]>} */
  const params = new Map();
  for (const [k, v] of new URLSearchParams(query)) {
    if (!params.has(k)) params.set(k, []);
    params.get(k)?.push(v);
  }
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) params.delete(k);
    else params.set(k, [v]);
  }
  const out = new URLSearchParams();
  for (const k of [...params.keys()].sort()) for (const v of params.get(k) ?? []) out.append(k, v);
  const qs = out.toString();
  return qs ? `${base}?${qs}` : base;
}

/**
 * @param {import('./store.js').Store} store @param {string} key
 * @param {string} selfUrl @param {string} query
 */
function listMedics(store, key, selfUrl, query) {
  const params = new URLSearchParams(query);
  const limit = Math.min(positiveInt(params.get('limit'), DEFAULT_LIMIT, true), MAX_LIMIT);
  const offset = positiveInt(params.get('offset'), 0, false);
  const mine = [...store.prescrypto.medics.values()].filter((m) => m.key === key).sort((a, b) => a.id - b.id);
  const count = mine.length;
  const base = selfUrl;

  const next =
    offset + limit >= count ? null : linkWith(base, query, { limit: String(limit), offset: String(offset + limit) });
  let previous = null;
  if (offset > 0) {
    previous =
      offset - limit <= 0
        ? linkWith(base, query, { limit: String(limit), offset: null })
        : linkWith(base, query, { limit: String(limit), offset: String(offset - limit) });
  }
  return {
    status: 200,
    body: { count, next, previous, results: mine.slice(offset, offset + limit).map(publicMedic) },
  };
}

/**
 * Parses a JSON object body the way DRF does.
 * @param {string} bodyText
 * @returns {{ ok: true, data: Record<string, any> } | { ok: false, answer: import('./http.js').Answer }}
 */
function objectBody(bodyText) {
  const parsed = parseJson(bodyText);
  if (!parsed.ok) return { ok: false, answer: { status: 400, body: { detail: `JSON parse error - ${parsed.error}` } } };
  const value = parsed.empty ? {} : parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = Array.isArray(value) ? 'list' : value === null ? 'NoneType' : typeof value;
    return {
      ok: false,
      answer: { status: 400, body: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] } },
    };
  }
  return { ok: true, data: value };
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Validates and normalises the given fields. Unknown fields are ignored, as DRF does.
 * @param {Record<string, any>} data
 * @param {string[]} fields fields to look at
 * @param {string[]} required fields that must be present and non-blank
 * @returns {{ values: Record<string, any>, errors: Record<string, string[]> }}
 */
function validateFields(data, fields, required) {
  /** @type {Record<string, any>} */
  const values = {};
  /** @type {Record<string, string[]>} */
  const errors = {};
  for (const field of fields) {
    const present = Object.hasOwn(data, field);
    const value = data[field];
    if (!present) {
      if (required.includes(field)) errors[field] = ['This field is required.'];
      continue;
    }
    const result = validateField(field, value, required.includes(field));
    if ('error' in result) errors[field] = [result.error];
    else values[field] = result.value;
  }
  return { values, errors };
}

/**
 * @param {string} field @param {any} value @param {boolean} required
 * @returns {{ value: any } | { error: string }}
 */
function validateField(field, value, required) {
  switch (field) {
    case 'name':
    case 'password':
    case 'email': {
      if (value === null) return { error: 'This field may not be null.' };
      if (typeof value !== 'string') return { error: 'Not a valid string.' };
      if (value.trim() === '') return { error: 'This field may not be blank.' };
      if (field === 'email' && !EMAIL_RE.test(value.trim())) return { error: 'Enter a valid email address.' };
      return { value: field === 'password' ? value : value.trim() };
    }
    case 'hospital': {
      if (value === null || value === '') return { value: null };
      if (Number.isInteger(value) || (typeof value === 'string' && /^\d+$/.test(value)))
        return { value: Number(value) };
      return { error: 'A valid integer is required.' };
    }
    case 'date_of_birth': {
      if (value === null || value === '') return { value: null };
      const m = typeof value === 'string' ? DATE_RE.exec(value) : null;
      const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
      if (!m || !d || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
        return { error: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.' };
      }
      return { value };
    }
    case 'female':
    case 'is_active':
    case 'is_admin_membership': {
      if (value === null && field === 'is_admin_membership') return { value: null };
      if ([true, 'true', 'True', 1, '1'].includes(value)) return { value: true };
      if ([false, 'false', 'False', 0, '0'].includes(value)) return { value: false };
      return { error: 'Must be a valid boolean.' };
    }
    default: {
      // cedula_prof, specialty_no, specialty, alma_mater, campaign: strings, blank allowed.
      if (value === null) return required ? { error: 'This field may not be null.' } : { value: '' };
      if (typeof value === 'string') return { value };
      if (typeof value === 'number' && Number.isFinite(value)) return { value: String(value) };
      return { error: 'Not a valid string.' };
    }
  }
}

/**
 * @param {import('./store.js').Store} store @param {string} key @param {number | null | undefined} hospital
 * @returns {import('./http.js').Answer | null}
 */
function hospitalDenied(store, key, hospital) {
  if (hospital === null || hospital === undefined) return null;
  if (store.prescrypto.keys.get(key)?.hospitals.has(hospital)) return null;
  return {
    status: 400,
    body: { message: `You do not have sufficient permissions to assign this hospital: ${hospital}` },
  };
}

/**
 * @param {import('./store.js').Store} store @param {string} key @param {string} bodyText
 * @returns {import('./http.js').Answer}
 */
function createMedic(store, key, bodyText) {
  const body = objectBody(bodyText);
  if (!body.ok) return body.answer;
  const { values, errors } = validateFields(body.data, ['password', ...UPDATABLE], ['name', 'password', 'email']);
  if (Object.keys(errors).length > 0) return { status: 400, body: errors };
  const denied = hospitalDenied(store, key, values.hospital);
  if (denied) return denied;
  // The real API lets the database refuse the row, hence the raw IntegrityError text.
  if (medicsByEmail(store, values.email).length > 0) return { status: 400, body: duplicateEmailBody(values.email) };

  const id = store.prescrypto.nextId++;
  const token = newMedicToken();
  const medic = medicRecord({ ...values, id, key, token, password: values.password });
  store.prescrypto.medics.set(id, medic);
  // Created with a hospital: a member (or its admin) of it from the start.
  if (medic.hospital !== null) {
    const hospital = medic.hospital;
    medic.hospital = null;
    addMembership(store, medic, hospital, medic.is_admin_membership ? 'ADMIN' : 'MEMBER');
  }
  const { id: _id, ...rest } = publicMedic(medic);
  // The only answer that carries the medic token, plus the hashed password, as in the seed.
  return { status: 201, body: { id, token, ...withPassword(rest, medic.passwordHash) } };
}

/**
 * Puts `password` right after `name`, the seed's key order.
 * @param {Record<string, unknown>} fields @param {string} hash
 */
function withPassword(fields, hash) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v;
    if (k === 'name') out.password = hash;
  }
  return out;
}

/**
 * @param {import('./store.js').Store} store @param {string} key
 * @param {import('./store.js').PrescryptoMedic} medic @param {string} bodyText
 * @returns {import('./http.js').Answer}
 */
function updateMedic(store, key, medic, bodyText) {
  const body = objectBody(bodyText);
  if (!body.ok) return body.answer;
  const { values, errors } = validateFields(body.data, UPDATABLE, []);
  if (Object.keys(errors).length > 0) return { status: 400, body: errors };
  const denied = hospitalDenied(store, key, values.hospital);
  if (denied) return denied;
  if (values.email !== undefined && medicsByEmail(store, values.email).some((m) => m.id !== medic.id)) {
    return { status: 400, body: duplicateEmailBody(values.email) };
  }
  Object.assign(medic, values);
  return { status: 202, body: publicMedic(medic) };
}
