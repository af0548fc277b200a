// Fake Prescrypto hospitals and memberships (docs/api/membership.md, docs/api/hospital.md):
// a medic needs an active membership to prescribe; a duplicate is 409 with the vendor's Spanish
// `details`; DELETE is a soft delete (`is_deleted: true`) undone by PATCH `{"is_deleted": false}`.
import { parseJson } from './http.js';

export const DUPLICATE_MEMBERSHIP = 'Membresía ya existe porfavor edite en lugar de intentar crearla de nuevo';
const TYPES = ['ADMIN', 'MEMBER'];
const NOT_FOUND = { status: 404, body: { detail: 'No encontrado.' } };

/**
 * @typedef {{ id: number, medic: number, hospital: number, type_membership: string, is_deleted: boolean }} Membership
 * @typedef {{ id: number, name: string, admins: Set<string> }} Hospital
 */

/** @param {Membership} m */
const publicMembership = ({ id, medic, hospital, type_membership, is_deleted }) => ({
  id,
  medic,
  hospital,
  type_membership,
  is_deleted,
});

/**
 * Adds a membership (store level: fixtures, seeds and the API share it); the medic's `hospital`
 * becomes this one when it had none, as Prescrypto shows a medic's active hospital.
 * @param {import('./store.js').Store} store @param {import('./store.js').PrescryptoMedic} medic
 * @param {number} hospital @param {string} type
 */
export function addMembership(store, medic, hospital, type) {
  const id = store.prescrypto.nextMembershipId++;
  /** @type {Membership} */
  const membership = { id, medic: medic.id, hospital, type_membership: type, is_deleted: false };
  store.prescrypto.memberships.set(id, membership);
  if (medic.hospital === null) medic.hospital = hospital;
  return membership;
}

/** The medic's hospital after a membership ended: another active one, or none. */
function rehome(/** @type {import('./store.js').Store} */ store, /** @type {Membership} */ ended) {
  const medic = store.prescrypto.medics.get(ended.medic);
  if (!medic || medic.hospital !== ended.hospital) return;
  const other = [...store.prescrypto.memberships.values()].find((m) => m.medic === medic.id && !m.is_deleted);
  medic.hospital = other ? other.hospital : null;
}

/**
 * `api/v2/management/memberships[/:id]` and `api/v2/hospitals`, for an authenticated key.
 * @param {{ method: string, segments: string[], key: string, bodyText: string, query: string,
 *   store: import('./store.js').Store }} request
 * @returns {import('./http.js').Answer | null} null when the path is not one of these
 */
export function handleMemberships({ method, segments: s, key, bodyText, store }) {
  if (s.at(-1) === '' && s.length > 1) s = s.slice(0, -1);
  if (s[0] === 'api' && s[1] === 'v2' && s[2] === 'hospitals' && s.length === 3)
    return hospitals(method, key, bodyText, store);
  if (s[0] !== 'api' || s[1] !== 'v2' || s[2] !== 'management' || s[3] !== 'memberships') return null;
  const mine = (/** @type {Membership} */ m) => store.prescrypto.medics.get(m.medic)?.key === key;
  if (s.length === 4) {
    if (method === 'GET') {
      const results = [...store.prescrypto.memberships.values()].filter(mine).map(publicMembership);
      return { status: 200, body: { count: results.length, next: null, previous: null, results } };
    }
    if (method === 'POST') return createMembership(store, key, bodyText);
    return { status: 405, body: { detail: `Method "${method}" not allowed.` }, headers: { Allow: 'GET, POST' } };
  }
  if (s.length !== 5 || !/^\d{1,15}$/.test(s[4])) return NOT_FOUND;
  const membership = store.prescrypto.memberships.get(Number(s[4]));
  if (!membership || !mine(membership)) return NOT_FOUND;
  if (method === 'GET') return { status: 200, body: publicMembership(membership) };
  if (method === 'DELETE') {
    membership.is_deleted = true;
    rehome(store, membership);
    return { status: 204, body: undefined };
  }
  if (method === 'PATCH') {
    const parsed = parseJson(bodyText);
    const value = parsed.ok ? /** @type {any} */ (parsed.value) : undefined;
    if (typeof value?.is_deleted !== 'boolean')
      return { status: 400, body: { is_deleted: ['Must be a valid boolean.'] } };
    membership.is_deleted = value.is_deleted;
    const medic = store.prescrypto.medics.get(membership.medic);
    if (membership.is_deleted) rehome(store, membership);
    else if (medic && medic.hospital === null) medic.hospital = membership.hospital;
    return { status: 202, body: publicMembership(membership) };
  }
  return { status: 405, body: { detail: `Method "${method}" not allowed.` }, headers: { Allow: 'GET, PATCH, DELETE' } };
}

/** @param {import('./store.js').Store} store @param {string} key @param {string} bodyText */
function createMembership(store, key, bodyText) {
  const parsed = parseJson(bodyText);
  const body = parsed.ok ? /** @type {any} */ (parsed.value) : undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { status: 400, body: { details: 'Invalid data. Expected a dictionary.' } };
  }
  /** @type {Record<string, string[]>} */
  const errors = {};
  if (!Number.isInteger(body.medic)) errors.medic = ['A valid integer is required.'];
  if (!Number.isInteger(body.hospital)) errors.hospital = ['A valid integer is required.'];
  if (!TYPES.includes(body.type_membership))
    errors.type_membership = [`"${body.type_membership}" is not a valid choice.`];
  if (Object.keys(errors).length) return { status: 400, body: errors };
  const medic = store.prescrypto.medics.get(body.medic);
  // The vendor's English, upper-case refusal for a medic this key did not create.
  if (!medic || medic.key !== key) return { status: 403, body: { detail: 'UNAUTHORIZED MEDIC' } };
  if (!store.prescrypto.hospitals.has(body.hospital)) return { status: 404, body: { detail: 'No encontrado.' } };
  const duplicate = [...store.prescrypto.memberships.values()].some(
    (m) => m.medic === medic.id && m.hospital === body.hospital,
  );
  if (duplicate) return { status: 409, body: { details: DUPLICATE_MEMBERSHIP } };
  return { status: 201, body: publicMembership(addMembership(store, medic, body.hospital, body.type_membership)) };
}

/** `POST api/v2/hospitals` makes the key an admin of a new hospital; `GET` lists the key's. */
function hospitals(
  /** @type {string} */ method,
  /** @type {string} */ key,
  /** @type {string} */ bodyText,
  /** @type {import('./store.js').Store} */ store,
) {
  const admin = store.prescrypto.keys.get(key);
  if (method === 'GET') {
    const results = [...store.prescrypto.hospitals.values()]
      .filter((h) => admin?.hospitals.has(h.id))
      .map(({ id, name }) => ({ id, name }));
    return { status: 200, body: { count: results.length, next: null, previous: null, results } };
  }
  if (method !== 'POST')
    return { status: 405, body: { detail: `Method "${method}" not allowed.` }, headers: { Allow: 'GET, POST' } };
  const parsed = parseJson(bodyText);
  const name = parsed.ok ? /** @type {any} */ (parsed.value)?.name : undefined;
  if (typeof name !== 'string' || !name.trim()) return { status: 400, body: { name: ['This field is required.'] } };
  const id = Math.max(0, ...store.prescrypto.hospitals.keys()) + 1;
  store.prescrypto.hospitals.set(id, { id, name: name.trim(), admins: new Set([key]) });
  admin?.hospitals.add(id);
  return { status: 201, body: { id, name: name.trim() } };
}
