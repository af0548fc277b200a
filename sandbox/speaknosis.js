// Fake Speaknosis doctor API (seed 003): `{ success, code, response }` envelope,
// users scoped per provider (medical center), soft delete and reactivation by POST.
import { decodeSegments, parseJson } from './http.js';
import { SPEAKNOSIS_LANGS, publicUser, speaknosisUser } from './store.js';
import { handleToken } from './token.js';

export const SPEAKNOSIS_PREFIX = '/sandbox/speaknosis';
export const SPEAKNOSIS_BASE = `${SPEAKNOSIS_PREFIX}/v1/health`;
export const MAX_USERS_PER_POST = 1000;

export const STATUS_CREATED = 'user created successfully';
export const STATUS_REACTIVATED = 'updated and reactivated userId';
export const STATUS_EXISTS = 'user already exists';

/**
 * @param {number} code
 * @param {unknown} response
 * @param {Record<string, string>} [headers]
 * @returns {import('./http.js').Answer}
 */
export function envelope(code, response, headers) {
  const answer = { status: code, body: { success: code >= 200 && code < 300, code, response } };
  return headers ? { ...answer, headers } : answer;
}

/** The token endpoint, relative to the host (as `https://api-qa.speaknosis.com/api/iam/integration/token`). */
export const TOKEN_PATH = '/api/iam/integration/token';

/**
 * @param {{ method: string, rawPath: string, auth: ReturnType<typeof import('./http.js').parseAuthorization>,
 *   contentType: string, bodyText: string, store: import('./store.js').Store }} request
 *   `rawPath` is the full raw path, starting with `/sandbox/speaknosis` (the vendor host's root).
 * @returns {import('./http.js').Answer}
 */
export function handleSpeaknosis({ method, rawPath, auth, contentType, bodyText, store }) {
  const relative = rawPath.slice(SPEAKNOSIS_PREFIX.length);
  if (relative === TOKEN_PATH) return handleToken({ method, contentType, bodyText, store });
  const segments = decodeSegments(relative);
  if (!segments) return envelope(400, 'malformed path encoding');
  const route = matchRoute(segments);
  if (!route) return envelope(404, 'not found');

  const providers = auth.scheme === 'Bearer' ? store.speaknosis.tokens.get(auth.credential) : undefined;
  if (!providers) return envelope(401, 'unauthorized');
  if (!providers.has(route.providerId)) return envelope(403, 'forbidden provider');

  const users = providerUsers(store, route.providerId);
  if (route.userId !== undefined) {
    if (method === 'GET') return getUser(users, route.userId);
    if (method === 'DELETE') return deleteUser(users, route.userId);
    return envelope(405, 'method not allowed', { Allow: 'GET, DELETE' });
  }
  if (method === 'POST') return createUsers(users, bodyText);
  return envelope(405, 'method not allowed', { Allow: 'POST' });
}

/**
 * `v1/health/provider/:providerId/user[/:id]`, a trailing slash tolerated.
 * @param {string[]} s decoded segments
 * @returns {{ providerId: string, userId?: string } | null}
 */
function matchRoute(s) {
  if (s.at(-1) === '' && s.length > 1) s = s.slice(0, -1);
  if (s[0] !== 'v1' || s[1] !== 'health' || s[2] !== 'provider' || s[4] !== 'user' || !s[3]) return null;
  if (s.length === 5) return { providerId: s[3] };
  if (s.length === 6 && s[5] !== '') return { providerId: s[3], userId: s[5] };
  return null;
}

/**
 * @param {import('./store.js').Store} store
 * @param {string} providerId
 */
function providerUsers(store, providerId) {
  let users = store.speaknosis.providers.get(providerId);
  if (!users) {
    users = new Map();
    store.speaknosis.providers.set(providerId, users);
  }
  return users;
}

/** @param {Map<string, import('./store.js').SpeaknosisUser>} users @param {string} id */
function getUser(users, id) {
  const user = users.get(id);
  if (!user || user.deleted) return envelope(404, 'user not found');
  return envelope(200, publicUser(user));
}

/** @param {Map<string, import('./store.js').SpeaknosisUser>} users @param {string} id */
function deleteUser(users, id) {
  const user = users.get(id);
  if (!user || user.deleted) return envelope(404, 'user not found');
  user.deleted = true;
  return envelope(200, { id: user.id, status: 'user deleted' });
}

/**
 * @param {Map<string, import('./store.js').SpeaknosisUser>} users
 * @param {string} bodyText
 */
function createUsers(users, bodyText) {
  const parsed = parseJson(bodyText);
  if (!parsed.ok) return envelope(400, 'invalid JSON body');
  const items = parsed.value;
  if (!Array.isArray(items)) return envelope(400, 'body must be a JSON array of users');
  if (items.length === 0) return envelope(400, 'body must contain at least one user');
  if (items.length > MAX_USERS_PER_POST) return envelope(413, `too many users (max ${MAX_USERS_PER_POST})`);

  let changed = 0;
  let invalid = 0;
  const results = items.map((item) => {
    const echo = {
      id: item?.id ?? null,
      name: item?.name ?? null,
      lastname: item?.lastname ?? null,
    };
    const badField = invalidField(item);
    if (badField) {
      invalid++;
      return { ...echo, status: `invalid user: ${badField}` };
    }
    const existing = users.get(item.id);
    if (existing && !existing.deleted) return { ...echo, status: STATUS_EXISTS };
    const email = typeof item.email === 'string' ? item.email : null;
    users.set(item.id, speaknosisUser(item.id, item.name, item.lastname, email, item.specialityId, item.lang, false));
    changed++;
    return { ...echo, status: existing ? STATUS_REACTIVATED : STATUS_CREATED };
  });

  if (changed > 0) return envelope(201, results);
  // Nothing happened: a client error if any item was invalid, else a conflict.
  if (invalid > 0) return envelope(400, results);
  return envelope(409, results);
}

/**
 * @param {any} item
 * @returns {string | null} the first invalid field, or null when the item is valid
 */
function invalidField(item) {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return 'body';
  for (const field of ['id', 'name', 'lastname']) {
    if (typeof item[field] !== 'string' || item[field].trim() === '') return field;
  }
  if (!Number.isInteger(item.specialityId)) return 'specialityId';
  if (!SPEAKNOSIS_LANGS.includes(item.lang)) return 'lang';
  if (item.email !== undefined && item.email !== null && typeof item.email !== 'string') return 'email';
  return null;
}
