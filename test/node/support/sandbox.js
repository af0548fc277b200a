// The sandbox for Node suites: served over real HTTP on a random loopback port, reset before each
// test, and driven through its own control API (faults, latency, the request log, the store's state).
import { createServer } from 'node:http';
import { after, beforeEach } from 'node:test';

import { createSandbox } from '../../../sandbox/index.js';

/** What every state-changing control request must send (anything else is a 415). */
export const JSON_HEADERS = Object.freeze({ 'Content-Type': 'application/json' });

/**
 * Serves a node request listener on 127.0.0.1:<random>.
 * @param {import('node:http').RequestListener} listener
 * @returns {Promise<{ origin: string, stop(): Promise<void> }>}
 */
export async function listen(listener) {
  const server = createServer(listener);
  // Never close an idle keep-alive socket from this side: when a long synchronous test holds the
  // event loop, the close and fetch's reuse of that socket land together (ECONNRESET). stop() closes them.
  server.keepAliveTimeout = 0;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    origin: `http://127.0.0.1:${port}`,
    // Hung requests and keep-alive connections (child processes, fetch's pool) would hold close().
    stop: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve(undefined)))),
  };
}

/**
 * The control API of the sandbox at `origin`, each call one JSON request; a refused call throws
 * with the sandbox's answer, so a set-up mistake fails where it happens.
 * @param {string} origin
 * @param {(url: string, init: RequestInit) => Promise<Response>} [fetcher] another way in (a sandbox's own `fetch`)
 */
export function sandboxControl(origin, fetcher = fetch) {
  /**
   * One control request whose status the test checks: `{ status, body }`, never a throw.
   * @param {string} path @param {unknown} [body] @param {string} [method] @param {RequestInit} [init] e.g. a `signal`
   * @returns {Promise<{ status: number, body: any }>}
   */
  const request = async (path, body, method = body === undefined ? 'GET' : 'POST', init = {}) => {
    const response = await fetcher(`${origin}/sandbox/_control/${path}`, {
      method,
      headers: JSON_HEADERS,
      body: body === undefined ? undefined : JSON.stringify(body),
      ...init,
    });
    return { status: response.status, body: await response.json() };
  };
  /** @param {string} path @param {unknown} [body] @param {string} [method] */
  const control = async (path, body, method = body === undefined ? 'GET' : 'POST') => {
    const { status, body: answer } = await request(path, body, method);
    if (status < 200 || status > 299)
      throw new Error(`sandbox control ${method} ${path}: ${status} ${JSON.stringify(answer)}`);
    return answer;
  };
  return {
    control,
    request,
    /** Queues faults (the README's fault objects). */
    faults: (/** @type {unknown[]} */ ...faults) => control('faults', { faults }),
    latency: (/** @type {number} */ ms) => control('latency', { ms }),
    /** Vendor requests the sandbox saw, optionally only those whose path contains `path`, of `method`. */
    log: async (path = '', method = '') => (await control(`log?${new URLSearchParams({ path, method })}`)).entries,
    clearLog: () => control('log', undefined, 'DELETE'),
    /** `GET _control/state`: `{ vendor: 'speaknosis', providerId, id }` or `{ vendor: 'prescrypto', email | id }`. */
    state: (/** @type {Record<string, string>} */ query) => control(`state?${new URLSearchParams(query)}`),
  };
}

/**
 * The control API of `sandbox` through its own Web-standard handler, in process: for a sandbox that
 * no port serves (MSW answers only the vendor hosts).
 * @param {import('../../../sandbox/index.js').Sandbox} sandbox
 */
export const controlInProcess = (sandbox) =>
  sandboxControl('http://sandbox.invalid', (url, init) => sandbox.fetch(new Request(url, init)));

/**
 * A sandbox over real HTTP through its own Node adapter (which can also drop connections). A path
 * outside `/sandbox/` answers 418 "not the sandbox": what `handle()` passed on.
 * @param {import('../../../sandbox/index.js').SandboxOptions & { sandbox?: import('../../../sandbox/index.js').Sandbox }} [options]
 *   `sandbox`: serve this one; otherwise a new one made with the other options
 */
export async function serveSandbox(options = {}) {
  const { sandbox: given, ...sandboxOptions } = options;
  const sandbox = given ?? createSandbox(sandboxOptions);
  const served = await listen((req, res) =>
    sandbox.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(418).end('not the sandbox');
    }),
  );
  return {
    sandbox,
    /** The live store, to read in process what the vendor holds. */
    store: sandbox.store,
    ...served,
    ...sandboxControl(served.origin),
    reset: () => sandbox.reset(),
  };
}

/**
 * A suite's sandbox (at the top of a test file: `const sandbox = await useSandbox();`): served now,
 * reset before each test, closed after the last.
 * @param {Parameters<typeof serveSandbox>[0]} [options]
 */
export async function useSandbox(options) {
  const served = await serveSandbox(options);
  beforeEach(() => served.reset());
  after(() => served.stop());
  return served;
}

/** Asks the sandbox at `origin` for a Speaknosis token with the demo client; the raw Response. */
export function demoClientToken(/** @type {string} */ origin) {
  return fetch(`${origin}/sandbox/speaknosis/api/iam/integration/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'demo-client',
      client_secret: 'demo-client-secret',
    }),
  });
}
