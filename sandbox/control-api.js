// The control API's answers (reset, latency, faults, log, seed, state, expire-tokens, held,
// release): functions of the sandbox state; the routing and body parsing live in sandbox.js.
import { addMembership } from './memberships.js';
import { parseFaults, parseLatency, parseSeed } from './control.js';
import { heldAnswer, releaseAll, releaseAnswer, waitAnswer } from './hold.js';
import { safeDecode } from './http.js';
import { medicRecord, medicsByEmail, publicMedic, publicUser, resetStore, speaknosisUser } from './store.js';
import { expireTokens } from './token.js';

/** Methods each control route takes. */
export const CONTROL_METHODS = Object.freeze({
  reset: ['POST'],
  latency: ['GET', 'POST'],
  faults: ['GET', 'POST', 'DELETE'],
  log: ['GET', 'DELETE'],
  seed: ['POST'],
  state: ['GET'],
  'expire-tokens': ['POST'],
  held: ['GET'],
  'held/wait': ['POST'],
  release: ['POST'],
});

/**
 * Fixtures back, faults and log cleared, initial latency; held requests released.
 * @param {import('./vendor.js').SandboxState} state
 */
export function resetState(state) {
  releaseAll(state.holds, state.faults);
  resetStore(state.store);
  state.latencyMs = state.initialLatency;
  state.faults.length = 0;
  state.log.length = 0;
  state.seq = 0;
}

/**
 * @param {import('./vendor.js').SandboxState} state
 * @param {string} name @param {string} method @param {unknown} payload @param {URLSearchParams} params
 * @param {AbortSignal} [signal] the control request's: a `held/wait` whose client left stops waiting
 * @returns {import('./http.js').Answer | Promise<import('./http.js').Answer>}
 */
export function controlAnswer(state, name, method, payload, params, signal) {
  switch (`${method} ${name}`) {
    case 'POST reset':
      resetState(state);
      return { status: 200, body: { ok: true, latencyMs: state.latencyMs } };
    case 'GET latency':
      return { status: 200, body: { ms: state.latencyMs } };
    case 'POST latency': {
      const ms = parseLatency(/** @type {any} */ (payload)?.ms);
      if (typeof ms === 'string') return { status: 400, body: { error: ms } };
      state.latencyMs = ms;
      return { status: 200, body: { ms } };
    }
    case 'GET faults':
      return { status: 200, body: { faults: state.faults } };
    case 'POST faults': {
      const parsed = parseFaults(payload, () => ++state.faultIds);
      if ('error' in parsed) return { status: 400, body: { error: parsed.error } };
      state.faults.push(...parsed.faults);
      return { status: 200, body: { added: parsed.faults.length, faults: state.faults } };
    }
    case 'DELETE faults':
      state.faults.length = 0;
      return { status: 200, body: { faults: state.faults } };
    case 'GET log': {
      const pathPart = params.get('path');
      const methodWanted = params.get('method')?.toUpperCase();
      const since = Number(params.get('since') ?? 0) || 0;
      const entries = state.log.filter(
        (e) =>
          e.seq > since &&
          (!methodWanted || e.method === methodWanted) &&
          (!pathPart || e.path.includes(pathPart) || safeDecode(e.path).includes(pathPart)),
      );
      return { status: 200, body: { entries } };
    }
    case 'DELETE log':
      state.log.length = 0;
      return { status: 200, body: { entries: [] } };
    case 'POST seed':
      return seed(state.store, payload);
    case 'GET state':
      return stateOf(state.store, params);
    case 'POST expire-tokens': {
      const clientId = /** @type {any} */ (payload)?.clientId;
      if (clientId !== undefined && typeof clientId !== 'string') {
        return { status: 400, body: { error: 'clientId must be a string' } };
      }
      return { status: 200, body: { expired: expireTokens(state.store, clientId) } };
    }
    case 'GET held':
      return heldAnswer(state.holds, params);
    case 'POST held/wait':
      return waitAnswer(state.holds, payload, signal);
    case 'POST release':
      return releaseAnswer(state.holds, state.faults, payload, () => ++state.faultIds);
    default:
      return { status: 404, body: { error: 'not found' } };
  }
}

/** @param {import('./store.js').Store} store @param {unknown} payload @returns {import('./http.js').Answer} */
function seed(store, payload) {
  const parsed = parseSeed(payload);
  if ('error' in parsed) return { status: 400, body: { error: parsed.error } };
  for (const [token, providers] of Object.entries(parsed.tokens.speaknosisTokens)) {
    store.speaknosis.tokens.set(token, new Set(providers));
  }
  for (const [key, hospitals] of Object.entries(parsed.tokens.prescryptoKeys)) {
    store.prescrypto.keys.set(key, { hospitals: new Set(hospitals) });
    for (const id of hospitals) {
      if (!store.prescrypto.hospitals.has(id)) {
        store.prescrypto.hospitals.set(id, { id, name: `Hospital ${id}`, admins: new Set([key]) });
      }
    }
  }
  for (const u of parsed.speaknosis) {
    let users = store.speaknosis.providers.get(u.providerId);
    if (!users) store.speaknosis.providers.set(u.providerId, (users = new Map()));
    users.set(u.id, speaknosisUser(u.id, u.name, u.lastname, u.email, u.specialityId, u.lang, u.deleted));
  }
  /** @type {number[]} */
  const ids = [];
  for (const m of parsed.prescrypto) {
    if (!store.prescrypto.keys.has(m.key)) store.prescrypto.keys.set(m.key, { hospitals: new Set() });
    const id = store.prescrypto.nextId++;
    const { key, token, password, ...fields } = m;
    const medic = medicRecord({
      ...fields,
      id,
      key,
      token: token ?? `mt_${id}`,
      password: password ?? `seed-password-${id}`,
    });
    store.prescrypto.medics.set(id, medic);
    // A seeded hospital is a membership, as if the medic had been created with it.
    if (medic.hospital !== null) {
      const hospital = medic.hospital;
      medic.hospital = null;
      if (!store.prescrypto.hospitals.has(hospital)) {
        store.prescrypto.hospitals.set(hospital, {
          id: hospital,
          name: `Hospital ${hospital}`,
          admins: new Set([key]),
        });
      }
      addMembership(store, medic, hospital, medic.is_admin_membership ? 'ADMIN' : 'MEMBER');
    }
    ids.push(id);
  }
  return { status: 200, body: { speaknosis: parsed.speaknosis.length, prescrypto: ids } };
}

/** @param {import('./store.js').Store} store @param {URLSearchParams} params @returns {import('./http.js').Answer} */
function stateOf(store, params) {
  const vendor = params.get('vendor');
  if (vendor === 'speaknosis') {
    const providerId = params.get('providerId');
    const id = params.get('id');
    if (!providerId || id === null) return { status: 400, body: { error: 'providerId and id are required' } };
    const user = store.speaknosis.providers.get(providerId)?.get(id);
    return {
      status: 200,
      body: {
        exists: Boolean(user),
        active: Boolean(user && !user.deleted),
        user: user ? { ...publicUser(user), deleted: user.deleted } : null,
      },
    };
  }
  if (vendor === 'prescrypto') {
    const email = params.get('email');
    const id = params.get('id');
    /** @type {import('./store.js').PrescryptoMedic[]} */
    let matches;
    if (email) matches = medicsByEmail(store, email);
    else if (id && /^\d+$/.test(id)) matches = [store.prescrypto.medics.get(Number(id))].filter((m) => m !== undefined);
    else return { status: 400, body: { error: 'email or id is required' } };
    const medic = matches[0];
    return {
      status: 200,
      body: {
        exists: Boolean(medic),
        active: Boolean(medic?.is_active),
        medic: medic ? publicMedic(medic) : null,
        count: matches.length,
      },
    };
  }
  return { status: 400, body: { error: 'vendor must be speaknosis or prescrypto' } };
}
