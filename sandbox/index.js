// doctor-gate sandbox (`doctor-gate/sandbox`): a local, faithful stand-in for the Speaknosis and
// Prescrypto APIs, a stand-in vendor app page, and a control API (latency, faults, log, seed,
// reset) — one Web-standard `fetch` handler, run by node:http, Connect/Koa middleware or MSW.
import { nodeHandler } from './node.js';
import { createSandboxHandler } from './sandbox.js';

export { connectMiddleware, koaMiddleware } from './node.js';
export { sandboxHandlers } from './msw.js';
export { fixtures } from './fixtures.js';
export { FIXTURE_CLIENTS, FIXTURE_CREDENTIALS } from './store.js';
export { BODY_LIMIT } from './http.js';

/**
 * Creates an independent sandbox (its own store, faults, log and latency): `fetch(request)` for
 * any Web-standard host, `handle(req, res)` for node:http.
 * @param {import('./sandbox.js').SandboxOptions} [options]
 * @returns {import('./sandbox.js').Sandbox}
 */
export function createSandbox(options) {
  const sandbox = createSandboxHandler(options);
  return { ...sandbox, handle: nodeHandler((request) => sandbox.fetch(request)) };
}
