// The sandbox as one Web-standard handler: `createSandbox().fetch(request)` serves the fake vendor
// APIs, the stand-in app and the control API. Hono routes, answers CORS and limits bodies; the
// store, the faults and the log are ours (store.js, vendor.js, control-api.js).
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';

import { CONTROL_METHODS, controlAnswer, resetState } from './control-api.js';
import { parseLatency } from './control.js';
import { indexDocument } from './describe.js';
import { allowedOrigins, controlOriginRefusal, controlTypeRefusal } from './control-access.js';
import { BODY_LIMIT, parseAuthorization, parseJson, splitUrl, toResponse } from './http.js';
import { APP_FILES, appFile, whoamiAnswer } from './pages.js';
import { PRESCRYPTO_PREFIX } from './prescrypto.js';
import { mountSmart } from './smart.js';
import { SPEAKNOSIS_PREFIX } from './speaknosis.js';
import { createHolds } from './hold.js';
import { createStore } from './store.js';
import { logRequest, networkErrors, vendorRequest } from './vendor.js';

const CORS_METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'];
const CORS_HEADERS = ['Authorization', 'Content-Type'];

/**
 * @typedef {{ cors?: boolean, latencyMs?: number, allowOrigins?: readonly string[] }} SandboxOptions
 * `allowOrigins`: origins, besides loopback ones, whose pages may use the control API.
 * @typedef {{ fetch(request: Request, env?: import('./vendor.js').VendorEnv): Promise<Response>,
 *   handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<boolean>,
 *   reset(): void, store: import('./store.js').Store }} Sandbox
 */

/**
 * Creates an independent sandbox (its own store, faults, log and latency).
 * `fetch` answers a `drop` (and a client that left) with `Response.error()`, a network error.
 * @param {SandboxOptions} [options]
 * @returns {Omit<Sandbox, 'handle'>}
 */
export function createSandboxHandler(options = {}) {
  const latencyMs = parseLatency(options.latencyMs ?? 0);
  if (typeof latencyMs === 'string') throw new TypeError(`createSandbox: latencyMs: ${latencyMs}`);
  const allowed = allowedOrigins(options.allowOrigins);
  /** @type {import('./vendor.js').SandboxState} */
  const state = {
    store: createStore(),
    faults: [],
    faultIds: 0,
    log: [],
    seq: 0,
    latencyMs,
    initialLatency: latencyMs,
    cors: options.cors === true,
    holds: createHolds(),
  };
  const app = routes(state, allowed);
  return {
    async fetch(request, env = {}) {
      const response = await app.fetch(request, env);
      return networkErrors.has(response) ? Response.error() : response;
    },
    reset: () => resetState(state),
    store: state.store,
  };
}

/** @param {import('./vendor.js').SandboxState} state @param {ReadonlySet<string>} allowed */
function routes(state, allowed) {
  /** @type {Hono<{ Bindings: import('./vendor.js').VendorEnv }>} */
  const app = new Hono();
  app.onError((err, c) =>
    c.json({ error: 'internal sandbox error', message: String(/** @type {Error} */ (err)?.message ?? err) }, 500),
  );
  app.notFound((c) => toResponse(notFound(c.req.raw)));

  // Before CORS: a refused origin gets no CORS header, for its preflight or its request.
  app.use('/sandbox/_control/*', async (c, next) => {
    const refusal = controlOriginRefusal(c.req.raw, allowed);
    if (refusal) return toResponse(refusal);
    await next();
  });

  if (state.cors) {
    // Chrome's Private Network Access: a public page calling a sandbox on localhost.
    app.use('/sandbox/*', async (c, next) => {
      await next();
      if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-private-network') === 'true') {
        c.res.headers.set('Access-Control-Allow-Private-Network', 'true');
      }
    });
    app.use(
      '/sandbox/*',
      cors({
        origin: (origin) => origin || null,
        // One pre-joined item each: the header values stay "GET, POST, …" as before Hono.
        allowMethods: [CORS_METHODS.join(', ')],
        allowHeaders: [CORS_HEADERS.join(', ')],
        exposeHeaders: ['Retry-After'],
        maxAge: 600,
      }),
    );
  }
  app.options('/sandbox/*', () => new Response(null, { status: 204, headers: { Allow: CORS_METHODS.join(', ') } }));

  app.get('/sandbox/', () => toResponse({ status: 200, body: indexDocument(state) }));
  app.all('/sandbox/', () => toResponse(notAllowed('GET')));

  for (const [name, methods] of Object.entries(CONTROL_METHODS)) {
    const path = `/sandbox/_control/${name}`;
    app.on(methods, path, bodyLimit({ maxSize: BODY_LIMIT, onError: () => toResponse(tooLarge()) }), async (c) => {
      const refusal = controlTypeRefusal(c.req.raw);
      if (refusal) return toResponse(refusal);
      let payload;
      if (c.req.method === 'POST') {
        const parsed = parseJson(await c.req.text());
        if (!parsed.ok) return toResponse({ status: 400, body: { error: `invalid JSON: ${parsed.error}` } });
        payload = parsed.value;
      }
      const params = new URL(c.req.url).searchParams;
      return toResponse(await controlAnswer(state, name, c.req.method, payload, params, c.req.raw.signal));
    });
    app.all(path, () => toResponse(notAllowed(methods.join(', '))));
  }

  app.get('/sandbox/app-api/whoami', (c) => toResponse(whoamiAnswer(state.store, c.req.raw)));
  app.all('/sandbox/app-api/whoami', () => toResponse(notAllowed('GET')));
  app.get('/sandbox/app/*', (c) => {
    const asset = APP_FILES.get(splitUrl(c.req.url).path.slice('/sandbox/app/'.length));
    return asset ? appFile(asset) : toResponse(notFound(c.req.raw));
  });
  app.all('/sandbox/app/*', (c) =>
    APP_FILES.has(splitUrl(c.req.url).path.slice('/sandbox/app/'.length))
      ? toResponse(notAllowed('GET'))
      : toResponse(notFound(c.req.raw)),
  );

  // The SMART on FHIR EHR: issuer, JWKS, token endpoint and Practitioner resources.
  mountSmart(app, state);

  for (const prefix of [SPEAKNOSIS_PREFIX, PRESCRYPTO_PREFIX]) {
    const limit = bodyLimit({
      maxSize: BODY_LIMIT,
      onError: (c) => {
        const { path, query } = splitUrl(c.req.url);
        const auth = parseAuthorization(c.req.header('authorization')).scheme;
        logRequest(state, c.req.method, path, query, auth).status = 413;
        return toResponse(vendorError(prefix, 413, 'request body too large'));
      },
    });
    app.all(`${prefix}/*`, limit, (c) => vendorRequest(state, c.req.raw, c.env));
  }
  return app;
}

/** @param {Request} request @returns {import('./http.js').Answer} */
const notFound = (request) => ({ status: 404, body: { error: 'not found', path: splitUrl(request.url).path } });

/** @param {string} allow @returns {import('./http.js').Answer} */
const notAllowed = (allow) => ({ status: 405, body: { error: 'method not allowed' }, headers: { Allow: allow } });

/** @returns {import('./http.js').Answer} */
const tooLarge = () => ({ status: 413, body: { error: 'request body too large' } });

/**
 * An error answer shaped like the vendor the prefix belongs to.
 * @param {string} prefix @param {number} status @param {string} message
 * @returns {import('./http.js').Answer}
 */
function vendorError(prefix, status, message) {
  if (prefix === SPEAKNOSIS_PREFIX) return { status, body: { success: false, code: status, response: message } };
  return { status, body: { detail: message } };
}
