// The stand-in vendor app: its static files, and `whoami`, which tells the page who its launch
// credential belongs to.
import { parseAuthorization } from './http.js';
import { medicByToken } from './store.js';

const APP_VENDORS = ['speaknosis', 'prescrypto'];
const HTML = { file: 'app.html', type: 'text/html; charset=utf-8' };

/** Stand-in app files, by the name after `/sandbox/app/`. Anything else is a 404. */
export const APP_FILES = new Map([
  ['speaknosis', HTML],
  ['speaknosis/', HTML],
  ['prescrypto', HTML],
  ['prescrypto/', HTML],
  ['app.js', { file: 'app.js', type: 'text/javascript; charset=utf-8' }],
  ['app.css', { file: 'app.css', type: 'text/css; charset=utf-8' }],
]);
// The page runs under the strictest CSP an EHR might impose, to prove it needs no inline code.
const APP_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

/**
 * @param {{ file: string, type: string }} asset
 * @returns {Promise<Response>}
 */
export async function appFile(asset) {
  // Loaded on use: importing the sandbox (e.g. for MSW in a browser) needs no Node built-in.
  const { readFile } = await import('node:fs/promises');
  const content = await readFile(new URL(`./${asset.file}`, import.meta.url));
  return new Response(content, { status: 200, headers: { ...APP_HEADERS, 'Content-Type': asset.type } });
}

/**
 * `GET /sandbox/app-api/whoami?vendor=&doctorId=`.
 * @param {import('./store.js').Store} store @param {Request} request
 * @returns {import('./http.js').Answer}
 */
export function whoamiAnswer(store, request) {
  const params = new URL(request.url).searchParams;
  const auth = parseAuthorization(request.headers.get('authorization'));
  const vendor = params.get('vendor') || (auth.scheme === 'Token' ? 'prescrypto' : 'speaknosis');
  if (!APP_VENDORS.includes(vendor)) return { status: 400, body: { error: 'vendor must be speaknosis or prescrypto' } };
  return whoami(store, vendor, auth, params.get('doctorId'));
}

/**
 * @param {import('./store.js').Store} store
 * @param {string} vendor
 * @param {ReturnType<typeof parseAuthorization>} auth
 * @param {string | null} doctorId
 * @returns {import('./http.js').Answer}
 */
function whoami(store, vendor, auth, doctorId) {
  if (vendor === 'prescrypto') {
    const medic = auth.scheme === 'Token' ? medicByToken(store, auth.credential) : undefined;
    if (!medic) {
      return {
        status: 401,
        body: { vendor, doctorId: null, exists: false, active: false, error: 'unknown medic token' },
      };
    }
    return {
      status: 200,
      body: { vendor, doctorId: medic.id, exists: true, active: medic.is_active, name: medic.name },
    };
  }
  const providers = auth.scheme === 'Bearer' ? store.speaknosis.tokens.get(auth.credential) : undefined;
  if (!providers) {
    return { status: 401, body: { vendor, doctorId, exists: false, active: false, error: 'unknown token' } };
  }
  /** @type {{ providerId: string, user: import('./store.js').SpeaknosisUser } | undefined} */
  let found;
  for (const providerId of providers) {
    const user = doctorId === null ? undefined : store.speaknosis.providers.get(providerId)?.get(doctorId);
    if (user && (!found || (found.user.deleted && !user.deleted))) found = { providerId, user };
  }
  if (!found)
    return { status: 200, body: { vendor, doctorId, exists: false, active: false, name: null, providerId: null } };
  const { user, providerId } = found;
  return {
    status: 200,
    body: { vendor, doctorId, exists: true, active: !user.deleted, name: `${user.name} ${user.lastname}`, providerId },
  };
}
