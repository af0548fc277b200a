import * as z from 'zod/mini';
import { DoctorGateError } from '../core/errors.js';
import type { HttpClient, HttpRequest } from '../core/http.js';
import { bool, emailAddress, safeInt } from '../core/schema.js';
import type { Account, Doctor, Found } from '../core/types.js';
import { isDuplicateEmail, prescryptoRefusal } from './prescrypto-errors.js';
import { medicReadiness } from './prescrypto-lifecycle.js';
import type { Created, Vendor } from '../core/vendor.js';

export { prescryptoRefusal } from './prescrypto-errors.js';

/** The seed's maximum page size of the medic list. */
export const PRESCRYPTO_PAGE_SIZE = 100;
/** A walk longer than this is a vendor loop, not a directory (100 000 medics at 100 a page). */
const MAX_PAGES = 1000;

const MEDICS = ['api', 'v2', 'medics'] as const;

/** The seed's optional create fields, sent only when the page gives them on `doctor`. */
const OPTIONAL_FIELDS = [
  'specialty',
  'cedula_prof',
  'specialty_no',
  'alma_mater',
  'female',
  'date_of_birth',
  'hospital',
  'campaign',
  'is_admin_membership',
] as const;

/** Free text sent on as given. */
const optionalText = z.optional(z.string().check(z.maxLength(256)));
/** "int number" in the seed, a string of digits in its examples (blank allowed). */
const digits = z.optional(z.union([z.string().check(z.regex(/^\d{0,20}$/)), safeInt.check(z.minimum(0))]));

/** What Prescrypto needs to find or create a medic (seed 000): `name` and `email` always. */
const doctorSchema = z.looseObject({
  // The medic id, when the page saved it at creation; "" means unknown.
  id: z.optional(
    z.union([
      z.string().check(z.trim(), z.regex(/^\d{0,15}$/)),
      z.pipe(safeInt.check(z.positive()), z.coerce.string()),
    ]),
  ),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(150)),
  lastname: z.optional(z.string().check(z.trim(), z.maxLength(150))),
  // At most 254 characters: the SMTP limit.
  email: emailAddress.check(z.maxLength(254)),
  password: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  specialty: optionalText,
  cedula_prof: digits,
  specialty_no: digits,
  alma_mater: optionalText,
  female: z.optional(bool),
  // zod's ISO date pattern: a real calendar day (no 2023-02-29) written YYYY-MM-DD.
  date_of_birth: z.optional(z.string().check(z.regex(z.regexes.date))),
  hospital: z.optional(safeInt.check(z.positive())),
  campaign: optionalText,
  is_admin_membership: z.optional(bool),
});

/** Text the vendor may send as `null` or leave out (a union with the null literal: the drop-in has both kinds already). */
const textOrNull = z.optional(z.union([z.string(), z.literal(null)]));

const medicSchema = z.looseObject({
  id: safeInt.check(z.minimum(0)),
  email: textOrNull,
  is_active: z.optional(bool),
});
const medicPage = z.looseObject({ next: textOrNull, results: z.array(medicSchema) });
type Medic = z.infer<typeof medicSchema>;

/** The medic as the page may see it: never the password (not even its hash); the token only from a create. */
function accountOf(medic: Record<string, unknown>, keepToken: boolean): Account {
  const { password: _password, token, ...account } = medic;
  return keepToken && typeof token === 'string' ? { ...account, token } : account;
}

export const toFound = (medic: Medic): Found => ({
  active: medic.is_active !== false,
  account: accountOf(medic, false),
});

/** A password nobody will type: the doctor logs in through the deeplink, never with it. */
function randomPassword(length = 32): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.!*@#%';
  // Bytes at or above this bound are dropped so every character is equally likely.
  const bound = 256 - (256 % alphabet.length);
  for (;;) {
    let password = '';
    while (password.length < length) {
      for (const byte of globalThis.crypto.getRandomValues(new Uint8Array(length * 2))) {
        if (byte < bound && password.length < length) password += alphabet[byte % alphabet.length];
      }
    }
    // Vendors with a password policy usually want every class; 32 characters almost always have them.
    if (/[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password) && /[^A-Za-z0-9]/.test(password))
      return password;
  }
}

/** The seed's create body: full name, email, password, and the optional fields the page gave. */
function createBody(doctor: Doctor): Record<string, unknown> {
  const name = [doctor.name, doctor.lastname].filter((part) => typeof part === 'string' && part.trim()).join(' ');
  const password = typeof doctor['password'] === 'string' && doctor['password'] ? doctor['password'] : randomPassword();
  const body: Record<string, unknown> = { name, password, email: doctor.email };
  for (const field of OPTIONAL_FIELDS) if (doctor[field] !== undefined) body[field] = doctor[field];
  return body;
}

/** The medic by id: `null` on 404 (unknown, or created with another key). */
async function medicById(http: HttpClient, id: string, signal?: AbortSignal): Promise<Found | null> {
  const answer = await http.request({
    method: 'GET',
    path: [...MEDICS, id],
    trailingSlash: true,
    step: 'check',
    signal,
    accept: [404],
  });
  if (answer.status === 404) return null;
  return toFound(http.parse(medicSchema, answer, 'check'));
}

/** The medic list, page by page (100 at a time), following the vendor's `next`, guarded against loops. */
export async function* medicPages(http: HttpClient, signal?: AbortSignal): AsyncGenerator<Medic[]> {
  const seen = new Set<string>();
  let request: HttpRequest = {
    method: 'GET',
    path: MEDICS,
    trailingSlash: true,
    query: { limit: PRESCRYPTO_PAGE_SIZE, offset: 0 },
    step: 'check',
    signal,
  };
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await http.request(request);
    const { results, next } = http.parse(medicPage, answer, 'check');
    yield results;
    if (!next) return;
    if (seen.has(next))
      throw new DoctorGateError('bad-response', `${answer.where}: its next page is one already read`, {
        step: 'check',
        status: answer.status,
      });
    seen.add(next);
    request = { method: 'GET', url: capLimit(next), step: 'check', signal };
  }
  throw new DoctorGateError('bad-response', `GET ${MEDICS.join('/')}/: more than ${MAX_PAGES} pages`, {
    step: 'check',
  });
}

export const emailKey = (email: string) => email.trim().toLowerCase();

/** Walks the medic list and stops at the first match. */
async function medicByEmail(http: HttpClient, email: string, signal?: AbortSignal): Promise<Found | null> {
  const wanted = emailKey(email);
  for await (const results of medicPages(http, signal)) {
    const medic = results.find((each) => each.email != null && emailKey(each.email) === wanted);
    if (medic) return toFound(medic);
  }
  return null;
}

/** Keeps a vendor-given `next` within the documented page size. */
function capLimit(link: string): string {
  return link.replace(/([?&]limit=)(\d+)/, (whole, key: string, limit: string) =>
    Number(limit) > PRESCRYPTO_PAGE_SIZE ? key + PRESCRYPTO_PAGE_SIZE : whole,
  );
}

async function findMedic(http: HttpClient, doctor: Doctor, signal?: AbortSignal): Promise<Found | null> {
  const id = String(doctor.id ?? '').trim();
  if (id) {
    const found = await medicById(http, id, signal);
    if (found) return found;
  }
  return typeof doctor.email === 'string' && doctor.email ? medicByEmail(http, doctor.email, signal) : null;
}

async function reactivate(http: HttpClient, id: unknown, signal?: AbortSignal): Promise<Created> {
  const answer = await http.request({
    method: 'PATCH',
    path: [...MEDICS, String(id)],
    trailingSlash: true,
    body: { is_active: true },
    step: 'create',
    signal,
    accept: [400],
  });
  if (answer.status === 400) throw prescryptoRefusal(answer, 'create', (text) => http.redact(text));
  return { outcome: 'reactivated', account: accountOf(http.parse(medicSchema, answer, 'create'), false) };
}

/**
 * Accounts returned by a creation in this page, with their medic token: the only tokens the
 * launch takes from an account. An object read back from storage or built by a page is never here.
 */
const issuedTokens = new WeakMap<Account, string>();

/** Prescrypto Medic API (seed 000): find by medic id or email, create, or reactivate with `is_active`. */
export const prescrypto: Vendor = {
  name: 'prescrypto',
  authScheme: 'Token',
  knowsInactive: true,
  label: 'Prescrypto',
  popup: { name: 'PrescryptoApp', features: 'width=1100,height=800' },
  appUrl: 'https://app.prescrypto.com/redirect/new/?token={medicToken}&v2_redirect=true',
  doctorSchema,
  key: (doctor) =>
    typeof doctor.email === 'string' && doctor.email ? emailKey(doctor.email) : `id:${String(doctor.id)}`,

  readiness: medicReadiness,

  // The deeplink logs the medic in with their own token, which only the create call returns: a
  // token from a creation in this page wins, then the page's `medicToken`; a token in any other
  // account (read back from storage, say) is never used.
  launchValues({ account, medicToken }) {
    const created = issuedTokens.get(account);
    const token = created ?? medicToken;
    if (!token) {
      throw new DoctorGateError(
        'config',
        'No medic token to open Prescrypto: only a creation gives one; set medicToken to the one saved then',
        { step: 'open', fields: ['medicToken'] },
      );
    }
    return { medicToken: token };
  },

  find: (http, doctor, _scope, signal) => findMedic(http, doctor, signal),

  async create(http, doctor, found, _scope, signal) {
    if (found) return reactivate(http, found.account['id'], signal);
    const medicBody = createBody(doctor);
    const answer = await http.request({
      method: 'POST',
      path: MEDICS,
      trailingSlash: true,
      body: medicBody,
      step: 'create',
      signal,
      accept: [400],
      secrets: [medicBody['password'] as string],
    });
    if (answer.status !== 400) {
      const medic = http.parse(medicSchema, answer, 'create');
      const account = accountOf(medic as Record<string, unknown>, true);
      if (typeof account['token'] === 'string') {
        http.addSecret(account['token']);
        issuedTokens.set(account, account['token']);
      }
      return { outcome: 'created', account };
    }
    if (isDuplicateEmail(answer.body)) {
      // Another tab may have created this medic since the check: then the key can see it now.
      const now = await findMedic(http, { email: doctor.email }, signal);
      if (now?.active) return { outcome: 'existing', account: now.account };
      if (now) return reactivate(http, now.account['id'], signal);
    }
    throw prescryptoRefusal(answer, 'create', (text) => http.redact(text));
  },
};
