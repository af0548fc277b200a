// In-memory state of both fake vendors, and the fixtures that `reset` restores.
// Web Crypto only (no Node built-ins), so the store also runs where MSW runs in a browser.

/**
 * @typedef {{ id: string, name: string, lastname: string, email: string | null,
 *   specialityId: number, lang: string, deleted: boolean }} SpeaknosisUser
 * @typedef {{ id: number, name: string, email: string, hospital: number | null,
 *   date_of_birth: string | null, cedula_prof: string, specialty_no: string, specialty: string,
 *   alma_mater: string, female: boolean, is_active: boolean, specialty_verified: boolean,
 *   campaign: string, is_admin_membership: boolean | null,
 *   key: string, token: string, passwordHash: string }} PrescryptoMedic
 *   `key` (owner API key), `token` and `passwordHash` are internal and never serialised.
 *   `speaknosis.minted`: access token → client id, for the tokens the token endpoint issued.
 * @typedef {{ secret: string, providers: Set<string> }} SpeaknosisClient
 * @typedef {{
 *   speaknosis: { tokens: Map<string, Set<string>>, providers: Map<string, Map<string, SpeaknosisUser>>,
 *     clients: Map<string, SpeaknosisClient>, minted: Map<string, string> },
 *   prescrypto: { keys: Map<string, { hospitals: Set<number> }>, medics: Map<number, PrescryptoMedic>, nextId: number,
 *     hospitals: Map<number, import('./memberships.js').Hospital>,
 *     memberships: Map<number, import('./memberships.js').Membership>, nextMembershipId: number },
 * }} Store
 */

/** Fixture credentials, also printed by the CLI and listed by `GET /sandbox/`. */
export const FIXTURE_CREDENTIALS = Object.freeze({
  speaknosis: Object.freeze({
    sk_demo_token: Object.freeze(['1001', '1002']),
    sk_other_token: Object.freeze(['2002']),
  }),
  prescrypto: Object.freeze({
    pk_demo_key: Object.freeze({ hospitals: Object.freeze([7]) }),
    pk_other_key: Object.freeze({ hospitals: Object.freeze([]) }),
  }),
});

/** Speaknosis client-credentials clients (`POST /api/iam/integration/token`), restored by reset. */
export const FIXTURE_CLIENTS = Object.freeze({
  'demo-client': Object.freeze({ secret: 'demo-client-secret', providers: Object.freeze(['1001', '1002']) }),
  'other-client': Object.freeze({ secret: 'other-client-secret', providers: Object.freeze(['2002']) }),
});

export const SPEAKNOSIS_LANGS = Object.freeze(['ES', 'EN', 'CA', 'PT', 'FR']);

/** Fields of a medic as the Prescrypto API shows them, in the seed's order. */
export const MEDIC_FIELDS = Object.freeze([
  'id',
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
  'specialty_verified',
  'campaign',
  'is_admin_membership',
]);

/** @returns {Store} */
export function createStore() {
  const store = /** @type {Store} */ ({});
  resetStore(store);
  return store;
}

/**
 * Restores the fixtures in place, so references to `store` stay valid.
 * @param {Store} store
 */
export function resetStore(store) {
  const tokens = new Map();
  for (const [token, providers] of Object.entries(FIXTURE_CREDENTIALS.speaknosis)) {
    tokens.set(token, new Set(providers));
  }
  const providers = new Map([
    [
      '1001',
      new Map(
        [
          speaknosisUser('doc-ana', 'Ana', 'García', 'ana.garcia@clinic.example', 1, 'ES', false),
          speaknosisUser('doc-john', 'John', 'Smith', 'john.smith@clinic.example', 1, 'EN', false),
          speaknosisUser('doc-marta', 'Marta', 'Puig', 'marta.puig@clinic.example', 1, 'CA', true),
        ].map((u) => [u.id, u]),
      ),
    ],
    ['1002', new Map()],
    ['2002', new Map()],
  ]);
  const clients = new Map(
    Object.entries(FIXTURE_CLIENTS).map(([id, { secret, providers: scope }]) => [
      id,
      { secret, providers: new Set(scope) },
    ]),
  );
  store.speaknosis = { tokens, providers, clients, minted: new Map() };

  const keys = new Map();
  for (const [key, { hospitals }] of Object.entries(FIXTURE_CREDENTIALS.prescrypto)) {
    keys.set(key, { hospitals: new Set(hospitals) });
  }
  const medics = new Map();
  for (let n = 1; n <= 120; n++) medics.set(n, fixtureMedic(n));
  medics.set(
    500,
    medicRecord({
      id: 500,
      name: 'Someone Elsewhere',
      email: 'taken@elsewhere.example',
      hospital: null,
      key: 'pk_other_key',
      token: 'mt_500',
      password: 'fixture-password-500',
    }),
  );
  // Hospital 7 is the demo key's (the seed's example hospital); its fixture medics are members.
  const hospitals = new Map([[7, { id: 7, name: 'Hospital Demo', admins: new Set(['pk_demo_key']) }]]);
  const memberships = new Map();
  let membershipId = 1;
  for (const medic of medics.values()) {
    if (medic.hospital === null) continue;
    const type = medic.is_admin_membership ? 'ADMIN' : 'MEMBER';
    memberships.set(membershipId, {
      id: membershipId,
      medic: medic.id,
      hospital: medic.hospital,
      type_membership: type,
      is_deleted: false,
    });
    membershipId++;
  }
  store.prescrypto = { keys, medics, nextId: 501, hospitals, memberships, nextMembershipId: membershipId };
}

/**
 * @param {string} id @param {string} name @param {string} lastname @param {string | null} email
 * @param {number} specialityId @param {string} lang @param {boolean} deleted
 * @returns {SpeaknosisUser}
 */
export function speaknosisUser(id, name, lastname, email, specialityId, lang, deleted) {
  return { id, name, lastname, email, specialityId, lang, deleted };
}

/** @param {SpeaknosisUser} user */
export function publicUser(user) {
  const { id, name, lastname, email, specialityId, lang } = user;
  return { id, name, lastname, email, specialityId, lang };
}

/** @param {number} n */
function fixtureMedic(n) {
  const elena = n === 110;
  return medicRecord({
    id: n,
    name: elena ? 'Elena Vidal' : `Medic ${n} Example`,
    email: elena ? 'elena.vidal@clinic.example' : `medic${n}@clinic.example`,
    hospital: 7,
    date_of_birth: `19${60 + (n % 40)}-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`,
    cedula_prof: String(10000000 + n),
    specialty: 'Medicina General',
    alma_mater: 'Universidad Nacional Autónoma de México',
    female: elena || n % 2 === 0,
    is_active: n !== 7 && n !== 113,
    // Most fixture medics have a verified speciality; every fifth (not Elena) is still waiting for it.
    specialty_verified: elena || n % 5 !== 0,
    is_admin_membership: n === 1,
    key: 'pk_demo_key',
    token: `mt_${n}`,
    password: `fixture-password-${n}`,
  });
}

/**
 * Builds an internal medic record from partial data (defaults as in the seed's create answer).
 * @param {Record<string, any> & { id: number, key: string, token: string, password: string }} data
 * @returns {PrescryptoMedic}
 */
export function medicRecord(data) {
  return {
    id: data.id,
    name: data.name ?? '',
    email: data.email ?? '',
    hospital: data.hospital ?? null,
    date_of_birth: data.date_of_birth ?? null,
    cedula_prof: data.cedula_prof ?? '',
    specialty_no: data.specialty_no ?? '',
    specialty: data.specialty ?? '',
    alma_mater: data.alma_mater ?? '',
    female: data.female ?? false,
    is_active: data.is_active ?? true,
    specialty_verified: data.specialty_verified ?? false,
    campaign: data.campaign ?? '',
    is_admin_membership: data.is_admin_membership ?? null,
    key: data.key,
    token: data.token,
    passwordHash: fakePasswordHash(data.password),
  };
}

/**
 * The medic as the API shows it: never the owner key, the token or the password.
 * @param {PrescryptoMedic} medic
 */
export function publicMedic(medic) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const field of MEDIC_FIELDS) out[field] = /** @type {any} */ (medic)[field];
  return out;
}

/** @param {number} n @returns {Uint8Array} */
const randomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));
/** @param {Uint8Array} bytes */
const base64 = (bytes) => btoa(String.fromCharCode(...bytes));
/** `n` random bytes, base64url without padding. @param {number} n */
export const randomBase64Url = (n) => base64(randomBytes(n)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * Django-looking password hash. Not a real PBKDF2 run (150000 rounds per create would slow the
 * benchmarks), not even derived from the password: nothing ever verifies it; it only has to look
 * right and never contain the plaintext.
 * @param {string} _password
 */
export function fakePasswordHash(_password) {
  const salt = randomBase64Url(9);
  const digest = base64(randomBytes(32));
  return `pbkdf2_sha256$150000$${salt}$${digest}`;
}

/** A fresh medic token, 40 hex characters like a DRF token, prefixed for recognisability. */
export function newMedicToken() {
  return `mt_${[...randomBytes(20)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * @param {Store} store
 * @param {string} email
 * @returns {PrescryptoMedic[]} every medic (any key) with that email, case-insensitively
 */
export function medicsByEmail(store, email) {
  const wanted = email.toLowerCase();
  return [...store.prescrypto.medics.values()].filter((m) => m.email.toLowerCase() === wanted);
}

/**
 * @param {Store} store
 * @param {string} token
 */
export function medicByToken(store, token) {
  for (const medic of store.prescrypto.medics.values()) if (medic.token === token) return medic;
  return undefined;
}
