// `fixtures`: the credentials and records every sandbox starts with (and `reset` restores),
// for integrators' tests and docs. Read from a fresh store, so it cannot drift from it.
import { PRACTITIONERS, SMART_CLIENT_ID, SMART_PREFIX, STAFF_ID_SYSTEM } from './smart.js';
import { FIXTURE_CLIENTS, createStore, publicMedic, publicUser } from './store.js';

const store = createStore();
const [clientId, client] = /** @type {[string, { secret: string }]} */ (Object.entries(FIXTURE_CLIENTS)[0]);

/** Deeply frozen copy of `value`. @template T @param {T} value @returns {T} */
function frozen(value) {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) frozen(v);
    Object.freeze(value);
  }
  return value;
}

export const fixtures = frozen({
  speaknosis: {
    /** The medical center the demo token and client may use (also 1002, empty). */
    providerId: '1001',
    token: 'sk_demo_token',
    clientId,
    clientSecret: client.secret,
    /** Provider 1001's users; `active: false` is soft-deleted (a POST reactivates it). */
    doctors: [...(store.speaknosis.providers.get('1001')?.values() ?? [])].map((user) => ({
      ...publicUser(user),
      active: !user.deleted,
    })),
  },
  prescrypto: {
    apiKey: 'pk_demo_key',
    /** The demo key's medics, with the medic token the stand-in app accepts. */
    medics: [...store.prescrypto.medics.values()]
      .filter((medic) => medic.key === 'pk_demo_key')
      .map((medic) => ({ ...publicMedic(medic), token: medic.token })),
  },
  smart: {
    /** The EHR's path on the sandbox's origin: its OpenID issuer is `<origin><path>`. */
    path: SMART_PREFIX,
    /** The `aud` of its id_tokens (a token request may name another `client_id`). */
    clientId: SMART_CLIENT_ID,
    /** The identifier system of the EHR's staff ids: `idSystem` for `doctorFromPractitioner`. */
    idSystem: STAFF_ID_SYSTEM,
    /** Its `Practitioner` resources (`<issuer>/fhir/Practitioner/<id>`). */
    practitioners: structuredClone(PRACTITIONERS),
  },
});
