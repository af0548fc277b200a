// Tests in real headless Chromium, talking to the real sandbox over HTTP (mounted at /sandbox/).
import { existsSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner';
import { createSandbox, koaMiddleware } from './sandbox/index.js';
import { commonjsPackages } from './test/frameworks/commonjs-packages.mjs';

/** The strict page of the security suite: no inline script or style, no eval, Trusted Types required. */
const STRICT_CSP = "default-src 'self'; require-trusted-types-for 'script'";
async function strictCsp(ctx, next) {
  await next();
  if (ctx.path.startsWith('/test/csp/')) ctx.set('Content-Security-Policy', STRICT_CSP);
}

const systemChromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

export default {
  files: ['test/browser/**/*.test.ts', 'test/frameworks/**/*.test.{ts,tsx}'],
  nodeResolve: true,
  concurrency: 1,
  testsFinishTimeout: 240_000,
  plugins: [
    commonjsPackages(),
    esbuildPlugin({
      ts: true,
      tsx: true,
      target: 'es2022',
      tsconfig: new URL('./tsconfig.json', import.meta.url).pathname,
    }),
  ],
  middleware: [strictCsp, koaMiddleware(createSandbox())],
  testFramework: { config: { timeout: 15_000 } },
  browsers: [
    chromeLauncher({
      launchOptions: {
        ...(systemChromium ? { executablePath: systemChromium } : {}),
        args: [
          '--no-sandbox',
          '--headless=new',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      },
    }),
  ],
};
