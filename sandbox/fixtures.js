// `fixtures`: the credentials and records every sandbox starts with (and `reset` restores),
// for integrators' tests and docs. Read from a fresh store, so it cannot drift from it.
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
});
