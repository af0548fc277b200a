// Tests in real headless Chromium, Firefox and WebKit, talking to the real sandbox over HTTP
// (mounted at /sandbox/). BROWSERS=firefox (or "chromium,webkit") runs some engines only.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { createSandbox, koaMiddleware } from './sandbox/index.js';
import { commonjsPackages } from './test/frameworks/commonjs-packages.mjs';
import { serverRendering } from './test/frameworks/ssr/server.mjs';
import { engineLaunchers } from './scripts/engines.js';
import { engineSummaryReporter } from './scripts/engine-summary.js';
import { GATE_PATH, serverGates } from './demo/server-gates.js';
// The built server half (`npm test` builds first): real handlers for the server-mode suite.
import * as gateServer from './dist/server.js';

/** The strict page of the security suite: no inline script or style, no eval, Trusted Types required, and lit-html's policy the only one allowed. */
const STRICT_CSP = "default-src 'self'; require-trusted-types-for 'script'; trusted-types lit-html";
async function strictCsp(ctx, next) {
  await next();
  if (ctx.path.startsWith('/test/csp/')) ctx.set('Content-Security-Policy', STRICT_CSP);
}

const engines = engineLaunchers();
// Test files named on the command line are all that runs: the framework group then stays out.
const filesFromCli = process.argv.slice(2).some((arg) => /\.test\.tsx?$/.test(arg));

/** Real `doctor-gate/server` handlers at /ehr/doctor-gate/<vendor>, on the sandbox over HTTP. */
const gates = serverGates(gateServer);
async function serverMode(ctx, next) {
  if (!ctx.path.startsWith(GATE_PATH)) return next();
  ctx.respond = false;
  await new Promise((resolve) => {
    ctx.res.once('close', resolve);
    gates(ctx.req, ctx.res, () => ctx.res.writeHead(404).end());
  });
}

export default {
  files: ['test/browser/**/*.test.ts'],
  // The framework apps prove the wrappers, not the engines: Chromium only, to keep CI short.
  groups:
    engines.chromium && !filesFromCli
      ? [{ name: 'frameworks', files: 'test/frameworks/**/*.test.{ts,tsx}', browsers: [engines.chromium] }]
      : [],
  nodeResolve: true,
  // One test file and one engine at a time: tests click, focus and open popups on a shared page, some
  // queue faults on the one sandbox that any engine's request would take, and two cores are too few
  // for three engines' timing (measured: all three at once failed 14 tests that pass one at a time).
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 240_000,
  plugins: [
    commonjsPackages(),
    serverRendering(),
    esbuildPlugin({
      ts: true,
      tsx: true,
      target: 'es2022',
      tsconfig: new URL('./tsconfig.json', import.meta.url).pathname,
    }),
  ],
  middleware: [strictCsp, serverMode, koaMiddleware(createSandbox())],
  testFramework: { config: { timeout: 15_000 } },
  browsers: Object.values(engines),
  reporters: [defaultReporter(), engineSummaryReporter()],
};
