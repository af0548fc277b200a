// Server mode for `npm start` and the browser tests: real `doctor-gate/server` handlers mounted at
// /ehr/doctor-gate/<vendor>, calling the sandbox over HTTP on the dev server's own origin, with a
// fake sign-in (a cookie naming the doctor) standing in for the EHR's session. The server code is
// passed in: Vite loads it from source, the test runner from the build.
import { fixtures } from '../sandbox/index.js';

/** The fake sign-in cookie: its value is the signed-in doctor's id. */
export const SIGN_IN_COOKIE = 'dg-demo-doctor';
/** The SMART sign-in's cookies: the sandbox EHR's id_token and access token. */
export const SMART_COOKIES = { idToken: 'dg-ehr-id-token', accessToken: 'dg-ehr-access-token' };
export const GATE_PATH = '/ehr/doctor-gate/';

/** The demo's doctors by id; any other id signs in a generic doctor (tests use fresh ids). */
const NAMES = {
  'doc-ana': ['Ana', 'García'],
  'doc-luis': ['Luis', 'Pérez'],
};

/** The signed-in doctor as the EHR knows them, from the session cookie only; null without one. */
export function sessionDoctor(request, vendor) {
  const cookie = (request.headers.get('Cookie') ?? '')
    .split(';')
    .map((part) => part.trim().split('='))
    .find(([name]) => name === SIGN_IN_COOKIE);
  const id = cookie ? decodeURIComponent(cookie[1] ?? '') : '';
  if (!/^[\w-]{1,80}$/.test(id)) return null;
  const [name, lastname] = NAMES[id] ?? ['Dana', 'Demo'];
  return vendor === 'speaknosis'
    ? { id, name, lastname, specialityId: 1, lang: 'ES' }
    : { name, lastname, email: `${id}@clinic.example` };
}

/** @param {Request} request @param {string} wanted */
function cookieOf(request, wanted) {
  const cookie = (request.headers.get('Cookie') ?? '')
    .split(';')
    .map((part) => part.trim().split('='))
    .find(([name]) => name === wanted);
  return cookie ? decodeURIComponent(cookie[1] ?? '') : '';
}

/** The SMART sign-in's tokens, from its cookies (an EHR would keep them in its server session). */
function smartTokens(request) {
  const idToken = cookieOf(request, SMART_COOKIES.idToken);
  const accessToken = cookieOf(request, SMART_COOKIES.accessToken);
  return idToken ? { idToken, ...(accessToken && { accessToken }) } : null;
}

/**
 * Connect-style middleware (`(req, res, next)`) answering /ehr/doctor-gate/speaknosis and
 * /ehr/doctor-gate/prescrypto. The handlers are made on the first request, when the origin the
 * sandbox listens on is known.
 * @param {typeof import('../src/server.js')} server
 */
export function serverGates(server) {
  /** @type {Map<string, import('../src/server.js').NodeListener> | undefined} */
  let listeners;
  const make = (origin) => {
    const sandbox = `${origin}/sandbox`;
    const speaknosis = server.createGateHandler({
      vendor: 'speaknosis',
      apiBase: `${sandbox}/speaknosis/v1/health`,
      providerId: fixtures.speaknosis.providerId,
      // Client credentials against the sandbox's token endpoint, as in production.
      credential: server.speaknosisToken({
        tokenUrl: `${sandbox}/speaknosis/api/iam/integration/token`,
        clientId: fixtures.speaknosis.clientId,
        clientSecret: fixtures.speaknosis.clientSecret,
      }),
      doctorFor: (request) => sessionDoctor(request, 'speaknosis'),
      retries: 0,
    });
    const prescrypto = server.createGateHandler({
      vendor: 'prescrypto',
      apiBase: `${sandbox}/prescrypto`,
      credential: fixtures.prescrypto.apiKey,
      medicTokens: server.memoryMedicTokens(),
      doctorFor: (request) => sessionDoctor(request, 'prescrypto'),
      retries: 0,
    });
    // Speaknosis for the doctor the sandbox EHR's SMART sign-in names (verified id_token → Practitioner).
    const smart = server.createGateHandler({
      vendor: 'speaknosis',
      apiBase: `${sandbox}/speaknosis/v1/health`,
      providerId: fixtures.speaknosis.providerId,
      credential: fixtures.speaknosis.token,
      doctorFor: server.smartDoctor({
        issuer: `${origin}${fixtures.smart.path}`,
        clientId: fixtures.smart.clientId,
        idSystem: fixtures.smart.idSystem,
        token: smartTokens,
        // What a Practitioner does not say: the Speaknosis speciality, and a language when it names none.
        enrich: (doctor) => ({ lang: 'ES', ...doctor, specialityId: 1 }),
      }),
      retries: 0,
    });
    return new Map([
      ['speaknosis', server.toNodeListener(speaknosis)],
      ['prescrypto', server.toNodeListener(prescrypto)],
      ['smart', server.toNodeListener(smart)],
    ]);
  };
  return (req, res, next) => {
    const path = String(req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(GATE_PATH)) return next();
    // Loopback only: the handler refuses any other http origin for the sandbox anyway.
    listeners ??= make(`http://${req.headers.host}`);
    const listener = listeners.get(path.slice(GATE_PATH.length));
    if (!listener) return next();
    listener(req, res).catch(next);
  };
}
