// The four ways the sandbox runs — node:http (`handle()`), Connect middleware (as Vite mounts it),
// Koa middleware (as @web/test-runner mounts it) and MSW in Node answering the vendors' own URLs —
// for the suites that run the same scenarios through each.
import { setupServer } from 'msw/node';

import { connectMiddleware, koaMiddleware, sandboxHandlers } from '../../../sandbox/index.js';
import { controlInProcess, listen, sandboxControl } from './sandbox.js';

/**
 * Where a mode's vendor APIs answer, its control API (`sandboxControl`'s methods) and how to stop it.
 * @typedef {{ speaknosis: string, token: string, prescrypto: string, stop(): Promise<void> }
 *   & ReturnType<typeof sandboxControl>} Mode
 */

/** Bases and control of a sandbox served over HTTP at `origin`. */
const overHttp = (/** @type {string} */ origin, /** @type {() => Promise<void>} */ stop) =>
  /** @type {Mode} */ ({
    speaknosis: `${origin}/sandbox/speaknosis/v1/health`,
    token: `${origin}/sandbox/speaknosis/api/iam/integration/token`,
    prescrypto: `${origin}/sandbox/prescrypto`,
    ...sandboxControl(origin),
    stop,
  });

/** What a server that is not the sandbox answers for a path the sandbox passed on. */
const notSandbox = (/** @type {import('node:http').ServerResponse} */ res) => {
  res.statusCode = 418;
  res.end();
};

/** @type {Record<string, (sandbox: import('../../../sandbox/index.js').Sandbox) => Promise<Mode>>} */
export const SANDBOX_MODES = {
  'node:http handle()': async (sandbox) => {
    const { origin, stop } = await listen(async (req, res) => {
      if (!(await sandbox.handle(req, res))) notSandbox(res);
    });
    return overHttp(origin, stop);
  },
  'Connect middleware (Vite)': async (sandbox) => {
    const mw = connectMiddleware(sandbox);
    const { origin, stop } = await listen((req, res) => mw(req, res, () => notSandbox(res)));
    return overHttp(origin, stop);
  },
  'Koa middleware (@web/test-runner)': async (sandbox) => {
    const mw = koaMiddleware(sandbox);
    const { origin, stop } = await listen((req, res) => void mw({ req, res }, async () => notSandbox(res)));
    return overHttp(origin, stop);
  },
  'MSW (msw/node)': async (sandbox) => {
    const prescrypto = 'https://prescrypto.example';
    const server = setupServer(...sandboxHandlers({ sandbox, prescrypto }));
    server.listen({ onUnhandledRequest: 'error' });
    return {
      speaknosis: 'https://api-qa.speaknosis.com/v1/health',
      token: 'https://api-qa.speaknosis.com/api/iam/integration/token',
      prescrypto,
      // MSW answers only the vendor hosts: the control API goes through the same sandbox's fetch.
      ...controlInProcess(sandbox),
      stop: async () => server.close(),
    };
  },
};
