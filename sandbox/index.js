// doctor-gate sandbox: a local, faithful stand-in for the Speaknosis and Prescrypto APIs,
// a stand-in vendor app page, and a control API (latency, faults, log, seed, reset).
// Node built-ins only, so vite.config.ts, web-test-runner.config.mjs and the CLI import it as is.
import { readFile } from 'node:fs/promises';

import { parseFaults, parseLatency, parseSeed, redactPasswords } from './control.js';
import {
  BODY_LIMIT,
  JSON_TYPE,
  delayUnlessClosed,
  parseAuthorization,
  parseJson,
  readBody,
  requestOrigin,
  safeDecode,
  splitUrl,
  writeAnswer,
} from './http.js';
import { PRESCRYPTO_PREFIX, handlePrescrypto } from './prescrypto.js';
import { SPEAKNOSIS_BASE, SPEAKNOSIS_PREFIX, handleSpeaknosis } from './speaknosis.js';
import {
  FIXTURE_CREDENTIALS,
  createStore,
  medicByToken,
  medicRecord,
  medicsByEmail,
  publicMedic,
  publicUser,
  resetStore,
  speaknosisUser,
} from './store.js';

export { FIXTURE_CREDENTIALS } from './store.js';

const LOG_CAPACITY = 5000;
/** What a `malformed` fault answers: JSON cut short. */
const MALFORMED_JSON = '{"success": tru';
const LOGGED_TEXT_MAX = 10_000;
const CORS_METHODS = 'GET, POST, PATCH, DELETE, OPTIONS';
const CORS_HEADERS = 'Authorization, Content-Type';
const APP_VENDORS = ['speaknosis', 'prescrypto'];

/** Stand-in app files, by request path. Anything else under /sandbox/app/ is a 404. */
const APP_FILES = new Map([
  ['/sandbox/app/speaknosis', { file: 'app.html', type: 'text/html; charset=utf-8' }],
  ['/sandbox/app/speaknosis/', { file: 'app.html', type: 'text/html; charset=utf-8' }],
  ['/sandbox/app/prescrypto', { file: 'app.html', type: 'text/html; charset=utf-8' }],
  ['/sandbox/app/prescrypto/', { file: 'app.html', type: 'text/html; charset=utf-8' }],
  ['/sandbox/app/app.js', { file: 'app.js', type: 'text/javascript; charset=utf-8' }],
  ['/sandbox/app/app.css', { file: 'app.css', type: 'text/css; charset=utf-8' }],
]);
// The page runs under the strictest CSP an EHR might impose, to prove it needs no inline code.
const APP_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

/**
 * @typedef {import('./control.js').Fault} Fault
 * @typedef {{ seq: number, time: string, method: string, path: string, query: string,
 *   status: number | null, fault?: Fault['kind'], after?: boolean, realStatus?: number,
 *   aborted?: boolean, auth: 'Bearer' | 'Token' | 'other' | null, body: unknown }} LogEntry
 * @typedef {{ cors?: boolean, latencyMs?: number }} SandboxOptions
 * @typedef {{
 *   handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<boolean>,
 *   reset(): void,
 *   store: import('./store.js').Store,
 * }} Sandbox
 */

/**
 * Creates an independent sandbox (its own store, faults, log and latency).
 * @param {SandboxOptions} [options]
 * @returns {Sandbox}
 */
export function createSandbox(options = {}) {
  const cors = options.cors === true;
  const parsedLatency = parseLatency(options.latencyMs ?? 0);
  if (typeof parsedLatency === 'string') throw new TypeError(`createSandbox: latencyMs: ${parsedLatency}`);
  const initialLatency = parsedLatency;

  const store = createStore();
  let latencyMs = initialLatency;
  /** @type {Fault[]} */
  const faults = [];
  let faultIds = 0;
  /** @type {LogEntry[]} */
  const log = [];
  let seq = 0;

  function reset() {
    resetStore(store);
    latencyMs = initialLatency;
    faults.length = 0;
    log.length = 0;
    seq = 0;
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @returns {Promise<boolean>}
   */
  async function handle(req, res) {
    // Connect keeps the unmounted URL in originalUrl; a plain server and Koa's ctx.req have url.
    const { path, query } = splitUrl(String(/** @type {any} */ (req).originalUrl ?? req.url ?? ''));
    if (!path.startsWith('/sandbox/')) return false;
    try {
      await route(req, res, path, query);
    } catch (err) {
      if (!res.headersSent && !res.destroyed) {
        writeAnswer(res, {
          status: 500,
          body: { error: 'internal sandbox error', message: String(/** @type {Error} */ (err)?.message ?? err) },
        });
      } else {
        res.destroy();
      }
    }
    return true;
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {string} path raw path
   * @param {string} query raw query
   */
  async function route(req, res, path, query) {
    const method = String(req.method ?? 'GET').toUpperCase();
    if (cors) applyCors(req, res);
    if (method === 'OPTIONS') return preflight(req, res);

    if (path === '/sandbox/') {
      if (method !== 'GET') return writeAnswer(res, notAllowed('GET'));
      return writeAnswer(res, { status: 200, body: indexDocument() });
    }
    if (path.startsWith('/sandbox/_control/')) return control(req, res, method, path, query);
    if (path.startsWith('/sandbox/app-api/')) return appApi(req, res, method, path, query);
    if (path.startsWith('/sandbox/app/')) return appFile(res, method, path);
    if (path.startsWith(`${SPEAKNOSIS_PREFIX}/`) || path.startsWith(`${PRESCRYPTO_PREFIX}/`)) {
      return vendorRequest(req, res, method, path, query);
    }
    return writeAnswer(res, { status: 404, body: { error: 'not found', path } });
  }

  // ---------------------------------------------------------------- vendor APIs

  /**
   * Log, read, wait out the latency, then answer: with the first matching fault, or the fake API.
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {string} method @param {string} path @param {string} query
   */
  async function vendorRequest(req, res, method, path, query) {
    const auth = parseAuthorization(req.headers.authorization);
    /** @type {LogEntry} */
    const entry = {
      seq: ++seq,
      time: new Date().toISOString(),
      method,
      path,
      query,
      status: null,
      auth: auth.scheme,
      body: null,
    };
    log.push(entry);
    if (log.length > LOG_CAPACITY) log.splice(0, log.length - LOG_CAPACITY);

    let body;
    try {
      body = await readBody(req);
    } catch {
      entry.aborted = true; // the client went away mid-upload
      return;
    }
    if (body.tooLarge) {
      entry.status = 413;
      return tooLarge(res, body.overflow, vendorError(path, 413, 'request body too large'));
    }
    entry.body = loggableBody(body.text);

    // Faults are taken in arrival order, before the latency, so concurrent requests stay fair.
    let fault = takeFault(method, path, body.text);
    if (latencyMs > 0 && !(await delayUnlessClosed(latencyMs, res))) {
      entry.aborted = true; // the client gave up during the latency: the request never "arrived"
      return;
    }
    if (fault?.kind === 'delay') {
      entry.fault = 'delay';
      if (!(await delayUnlessClosed(fault.ms ?? 0, res))) {
        entry.aborted = true;
        return;
      }
      fault = undefined;
    }

    /** @type {import('./http.js').Answer | undefined} */
    let answer;
    if (!fault || fault.after) {
      const request = { method, rawPath: path, query, auth, bodyText: body.text, store };
      answer = path.startsWith(`${SPEAKNOSIS_PREFIX}/`)
        ? handleSpeaknosis(request)
        : handlePrescrypto({ ...request, origin: requestOrigin(req) });
    }
    if (!fault) {
      entry.status = /** @type {import('./http.js').Answer} */ (answer).status;
      return writeAnswer(res, /** @type {import('./http.js').Answer} */ (answer));
    }
    entry.fault = fault.kind;
    if (fault.after) {
      entry.after = true;
      entry.realStatus = answer?.status;
    }
    applyFault(res, fault, entry);
  }

  /**
   * @param {string} method @param {string} path raw path @param {string} bodyText raw request body
   * @returns {Fault | undefined} a snapshot of the fault taken
   */
  function takeFault(method, path, bodyText) {
    const decoded = safeDecode(path);
    const index = faults.findIndex(
      ({ match }) =>
        (!match.method || match.method === method) &&
        (!match.path || path.includes(match.path) || decoded.includes(match.path)) &&
        (!match.body || bodyText.includes(match.body)),
    );
    if (index === -1) return undefined;
    const fault = faults[index];
    fault.times -= 1;
    if (fault.times <= 0) faults.splice(index, 1);
    return { ...fault };
  }

  /**
   * @param {import('node:http').ServerResponse} res @param {Fault} fault @param {LogEntry} entry
   */
  function applyFault(res, fault, entry) {
    switch (fault.kind) {
      case 'drop':
        res.destroy();
        return;
      case 'hang':
        // No timer: the response simply stays open until the client closes the connection.
        return;
      case 'malformed':
        entry.status = fault.status;
        writeAnswer(res, {
          status: fault.status,
          text: MALFORMED_JSON,
          headers: { 'Content-Type': JSON_TYPE, ...fault.headers },
        });
        return;
      default: {
        entry.status = fault.status;
        const body =
          fault.body === undefined ? { success: false, code: fault.status, response: 'injected fault' } : fault.body;
        writeAnswer(res, {
          status: fault.status,
          ...(typeof body === 'string' ? { text: body } : { body }),
          headers: fault.headers,
        });
      }
    }
  }

  // ---------------------------------------------------------------- stand-in app

  /**
   * @param {import('node:http').ServerResponse} res @param {string} method @param {string} path
   */
  async function appFile(res, method, path) {
    const asset = APP_FILES.get(path);
    if (!asset) return writeAnswer(res, { status: 404, body: { error: 'not found', path } });
    if (method !== 'GET' && method !== 'HEAD') return writeAnswer(res, notAllowed('GET'));
    const content = await readFile(new URL(`./${asset.file}`, import.meta.url));
    res.statusCode = 200;
    for (const [name, value] of Object.entries(APP_HEADERS)) res.setHeader(name, value);
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Content-Length', String(content.length));
    res.end(method === 'HEAD' ? undefined : content);
  }

  /**
   * `GET /sandbox/app-api/whoami`: what the stand-in app page knows about its launch credential.
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   * @param {string} method @param {string} path @param {string} query
   */
  function appApi(req, res, method, path, query) {
    if (path !== '/sandbox/app-api/whoami')
      return writeAnswer(res, { status: 404, body: { error: 'not found', path } });
    if (method !== 'GET') return writeAnswer(res, notAllowed('GET'));
    const params = new URLSearchParams(query);
    const auth = parseAuthorization(req.headers.authorization);
    const vendor = params.get('vendor') || (auth.scheme === 'Token' ? 'prescrypto' : 'speaknosis');
    if (!APP_VENDORS.includes(vendor)) {
      return writeAnswer(res, { status: 400, body: { error: 'vendor must be speaknosis or prescrypto' } });
    }
    writeAnswer(res, whoami(vendor, auth, params.get('doctorId')));
  }

  /**
   * @param {string} vendor
   * @param {ReturnType<typeof parseAuthorization>} auth
   * @param {string | null} doctorId
   * @returns {import('./http.js').Answer}
   */
  function whoami(vendor, auth, doctorId) {
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
      body: {
        vendor,
        doctorId,
        exists: true,
        active: !user.deleted,
        name: `${user.name} ${user.lastname}`,
        providerId,
      },
    };
  }

  // ---------------------------------------------------------------- control

  /**
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   * @param {string} method @param {string} path @param {string} query
   */
  async function control(req, res, method, path, query) {
    const name = path.slice('/sandbox/_control/'.length);
    const allowed = CONTROL_METHODS[name];
    if (!allowed) return writeAnswer(res, { status: 404, body: { error: 'not found', path } });
    if (!allowed.includes(method)) return writeAnswer(res, notAllowed(allowed.join(', ')));

    let payload;
    if (method === 'POST') {
      const body = await readBody(req);
      if (body.tooLarge)
        return tooLarge(res, body.overflow, { status: 413, body: { error: 'request body too large' } });
      const parsed = parseJson(body.text);
      if (!parsed.ok) return writeAnswer(res, { status: 400, body: { error: `invalid JSON: ${parsed.error}` } });
      payload = parsed.value;
    }
    const params = new URLSearchParams(query);
    writeAnswer(res, controlAnswer(name, method, payload, params));
  }

  /**
   * @param {string} name @param {string} method @param {unknown} payload @param {URLSearchParams} params
   * @returns {import('./http.js').Answer}
   */
  function controlAnswer(name, method, payload, params) {
    switch (`${method} ${name}`) {
      case 'POST reset':
        reset();
        return { status: 200, body: { ok: true, latencyMs } };
      case 'GET latency':
        return { status: 200, body: { ms: latencyMs } };
      case 'POST latency': {
        const ms = parseLatency(/** @type {any} */ (payload)?.ms);
        if (typeof ms === 'string') return { status: 400, body: { error: ms } };
        latencyMs = ms;
        return { status: 200, body: { ms } };
      }
      case 'GET faults':
        return { status: 200, body: { faults } };
      case 'POST faults': {
        const parsed = parseFaults(payload, () => ++faultIds);
        if ('error' in parsed) return { status: 400, body: { error: parsed.error } };
        faults.push(...parsed.faults);
        return { status: 200, body: { added: parsed.faults.length, faults } };
      }
      case 'DELETE faults':
        faults.length = 0;
        return { status: 200, body: { faults } };
      case 'GET log': {
        const pathPart = params.get('path');
        const methodWanted = params.get('method')?.toUpperCase();
        const since = Number(params.get('since') ?? 0) || 0;
        const entries = log.filter(
          (e) =>
            e.seq > since &&
            (!methodWanted || e.method === methodWanted) &&
            (!pathPart || e.path.includes(pathPart) || safeDecode(e.path).includes(pathPart)),
        );
        return { status: 200, body: { entries } };
      }
      case 'DELETE log':
        log.length = 0;
        return { status: 200, body: { entries: [] } };
      case 'POST seed':
        return seed(payload);
      case 'GET state':
        return stateOf(params);
      default:
        return { status: 404, body: { error: 'not found' } };
    }
  }

  /** @param {unknown} payload @returns {import('./http.js').Answer} */
  function seed(payload) {
    const parsed = parseSeed(payload);
    if ('error' in parsed) return { status: 400, body: { error: parsed.error } };
    for (const [token, providers] of Object.entries(parsed.tokens.speaknosisTokens)) {
      store.speaknosis.tokens.set(token, new Set(providers));
    }
    for (const [key, hospitals] of Object.entries(parsed.tokens.prescryptoKeys)) {
      store.prescrypto.keys.set(key, { hospitals: new Set(hospitals) });
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
      store.prescrypto.medics.set(
        id,
        medicRecord({ ...fields, id, key, token: token ?? `mt_${id}`, password: password ?? `seed-password-${id}` }),
      );
      ids.push(id);
    }
    return { status: 200, body: { speaknosis: parsed.speaknosis.length, prescrypto: ids } };
  }

  /** @param {URLSearchParams} params @returns {import('./http.js').Answer} */
  function stateOf(params) {
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
      else if (id && /^\d+$/.test(id))
        matches = [store.prescrypto.medics.get(Number(id))].filter((m) => m !== undefined);
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

  // ---------------------------------------------------------------- helpers

  /**
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   */
  function applyCors(req, res) {
    const origin = req.headers.origin;
    if (!origin) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  }

  /**
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   */
  function preflight(req, res) {
    if (cors && req.headers.origin && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', CORS_METHODS);
      res.setHeader('Access-Control-Allow-Headers', CORS_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      // Chrome's Private Network Access: a public page calling a sandbox on localhost.
      if (req.headers['access-control-request-private-network'] === 'true') {
        res.setHeader('Access-Control-Allow-Private-Network', 'true');
      }
    }
    res.setHeader('Allow', CORS_METHODS);
    res.statusCode = 204;
    res.end();
  }

  /**
   * @param {import('node:http').ServerResponse} res @param {boolean} overflow
   * @param {import('./http.js').Answer} answer
   */
  function tooLarge(res, overflow, answer) {
    if (overflow) {
      // We stopped reading: close the connection once the answer is out.
      res.setHeader('Connection', 'close');
      res.once('finish', () => res.destroy());
    }
    writeAnswer(res, answer);
  }

  function indexDocument() {
    return {
      name: 'doctor-gate sandbox',
      description: 'Local stand-in for the Speaknosis and Prescrypto doctor APIs. Demo credentials only.',
      cors,
      latencyMs,
      vendors: {
        speaknosis: {
          apiBase: SPEAKNOSIS_BASE,
          auth: 'Authorization: Bearer <token>',
          routes: [
            'GET    /provider/:providerId/user/:id',
            'DELETE /provider/:providerId/user/:id   (soft delete)',
            'POST   /provider/:providerId/user       (JSON array, max 1000)',
          ],
          tokens: FIXTURE_CREDENTIALS.speaknosis,
          fixtures: {
            1001: { active: ['doc-ana', 'doc-john'], deleted: ['doc-marta'] },
          },
          appUrl:
            '/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}&appointmentId={appointmentId}&reportExampleId={reportExampleId}',
        },
        prescrypto: {
          apiBase: PRESCRYPTO_PREFIX,
          auth: 'Authorization: Token <key>',
          routes: [
            'GET   /api/v2/medics/?limit=&offset=   (default 15, max 100)',
            'GET   /api/v2/medics/:id/',
            'POST  /api/v2/medics/',
            'PATCH /api/v2/medics/:id/',
          ],
          keys: FIXTURE_CREDENTIALS.prescrypto,
          fixtures: {
            pk_demo_key: 'medics 1..120 (7 and 113 inactive; 110 is Elena Vidal), medic token mt_<id>',
            pk_other_key: 'medic 500 taken@elsewhere.example',
          },
          appUrl: '/sandbox/app/prescrypto?token={medicToken}&v2_redirect=true',
        },
      },
      app: ['/sandbox/app/speaknosis', '/sandbox/app/prescrypto', 'GET /sandbox/app-api/whoami?vendor=&doctorId='],
      control: {
        'POST /sandbox/_control/reset': 'restore fixtures, clear faults and log, initial latency',
        'GET|POST /sandbox/_control/latency': '{ "ms": 100 }',
        'GET|POST|DELETE /sandbox/_control/faults':
          '{ "faults": [ { "match": { "method", "path" }, "times", "kind": "status|drop|hang|malformed|delay", "status", "body", "headers", "after", "ms" } ] }',
        'GET|DELETE /sandbox/_control/log': '?path=&method=&since=',
        'POST /sandbox/_control/seed':
          '{ "speaknosis": [...], "prescrypto": [...], "tokens": { "speaknosis": {}, "prescrypto": {} } }',
        'GET /sandbox/_control/state': '?vendor=speaknosis&providerId=&id= | ?vendor=prescrypto&email= (or id=)',
      },
    };
  }

  return { handle, reset, store };
}

/** @type {Record<string, string[]>} */
const CONTROL_METHODS = {
  reset: ['POST'],
  latency: ['GET', 'POST'],
  faults: ['GET', 'POST', 'DELETE'],
  log: ['GET', 'DELETE'],
  seed: ['POST'],
  state: ['GET'],
};

/** @param {string} allow @returns {import('./http.js').Answer} */
function notAllowed(allow) {
  return { status: 405, body: { error: 'method not allowed' }, headers: { Allow: allow } };
}

/**
 * An error answer shaped like the vendor the path belongs to.
 * @param {string} path @param {number} status @param {string} message
 * @returns {import('./http.js').Answer}
 */
function vendorError(path, status, message) {
  if (path.startsWith(`${SPEAKNOSIS_PREFIX}/`))
    return { status, body: { success: false, code: status, response: message } };
  return { status, body: { detail: message } };
}

/**
 * The body as the log keeps it: parsed JSON with passwords redacted, else (redacted) text.
 * @param {string} text
 */
function loggableBody(text) {
  if (text === '') return null;
  const parsed = parseJson(text);
  if (parsed.ok) return redactPasswords(parsed.value);
  const redacted = text
    .replace(/("password"\s*:\s*)"(?:[^"\\]|\\.)*"?/gi, '$1"[redacted]"')
    .replace(/(password=)[^&\s]*/gi, '$1[redacted]');
  return redacted.length > LOGGED_TEXT_MAX ? `${redacted.slice(0, LOGGED_TEXT_MAX)}…` : redacted;
}

/**
 * Connect/Express-style middleware (Vite: `server.middlewares.use(connectMiddleware(sandbox))`).
 * @param {Sandbox} sandbox
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next: (err?: unknown) => void) => void}
 */
export function connectMiddleware(sandbox) {
  return (req, res, next) => {
    sandbox.handle(req, res).then(
      (handled) => {
        if (!handled) next();
      },
      (err) => next(err),
    );
  };
}

/**
 * Koa middleware (@web/test-runner / @web/dev-server `middleware: [koaMiddleware(sandbox)]`).
 * @param {Sandbox} sandbox
 * @returns {(ctx: { req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, respond?: boolean }, next: () => Promise<unknown>) => Promise<void>}
 */
export function koaMiddleware(sandbox) {
  return async (ctx, next) => {
    const { path } = splitUrl(String(ctx.req.url ?? ''));
    if (!path.startsWith('/sandbox/')) {
      await next();
      return;
    }
    // Tell Koa we write the raw response ourselves (possibly later, or never for a hang).
    ctx.respond = false;
    await sandbox.handle(ctx.req, ctx.res);
  };
}

export { BODY_LIMIT };
