// doctor-gate sandbox (`doctor-gate/sandbox`): a local, faithful stand-in for the Speaknosis and
// Prescrypto APIs, a stand-in vendor app page, and a control API (latency, faults, log, seed,
// reset) — one Web-standard `fetch` handler, run by node:http, Connect/Koa middleware or MSW.
import { createSandboxHandler } from './sandbox.js';

export { connectMiddleware, koaMiddleware } from './middleware.js';
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
  /** @type {Promise<import('./sandbox.js').Sandbox['handle']> | undefined} */
  let nodeHandle;
  return {
    ...sandbox,
    async handle(req, res) {
      // The Node adapter loads on first use, so that importing the sandbox needs no Node built-in.
      nodeHandle ??= import('./node.js').then(({ nodeHandler }) => nodeHandler((request) => sandbox.fetch(request)));
      return (await nodeHandle)(req, res);
    },
  };
}
