// MSW in a real browser: `setupWorker(...sandboxHandlers())` in headless system Chromium, and
// doctor-gate/core provisioning a doctor against https://api-qa.speaknosis.com with no network.
// The page is an esbuild bundle of the sandbox, msw/browser and dist/core.js (npm test builds first).
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { build } from 'esbuild';
import { chromium } from 'playwright-core';

import { chromiumArgs, chromiumPath } from '../../scripts/chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const ENTRY = `
import { setupWorker } from 'msw/browser';
import { sandboxHandlers, fixtures } from ${JSON.stringify(join(root, 'sandbox/index.js'))};
import { createClient, provisionDoctor } from ${JSON.stringify(join(root, 'dist/core.js'))};

window.provision = async () => {
  const worker = setupWorker(...sandboxHandlers());
  await worker.start({ onUnhandledRequest: 'error', quiet: true });
  const form = new URLSearchParams({ grant_type: 'client_credentials',
    client_id: fixtures.speaknosis.clientId, client_secret: fixtures.speaknosis.clientSecret });
  const token = await (await fetch('https://api-qa.speaknosis.com/api/iam/integration/token', { method: 'POST', body: form })).json();
  const client = createClient('speaknosis', { apiBase: 'https://api-qa.speaknosis.com/v1/health',
    providerId: Number(fixtures.speaknosis.providerId), token: token.access_token });
  const doctor = { id: 'doc-browser', name: 'Eva', lastname: 'Ruiz', specialityId: 1, lang: 'ES' };
  const outcomes = [];
  for (const d of [doctor, doctor, { ...doctor, id: 'doc-marta' }]) outcomes.push((await provisionDoctor(client, d)).outcome);
  return { tokenType: token.token_type, outcomes };
};
`;

describe(
  'sandboxHandlers in a browser (msw/browser setupWorker)',
  { skip: !chromiumPath && 'no system Chromium' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-gate-msw-browser-'));
    /** @type {http.Server} */
    let server;
    let origin = '';
    before(async () => {
      await build({
        stdin: { contents: ENTRY, resolveDir: root, loader: 'js' },
        bundle: true,
        platform: 'browser',
        format: 'esm',
        splitting: true,
        outdir: dir,
        entryNames: 'entry',
        // Loaded only on use (the Node adapter, the app files): never in this page.
        external: ['node:*'],
        logLevel: 'silent',
      });
      const worker = join(root, 'node_modules/msw/lib/mockServiceWorker.js');
      server = http.createServer(async (req, res) => {
        const path = req.url === '/' ? null : req.url === '/mockServiceWorker.js' ? worker : join(dir, req.url ?? '');
        try {
          const body = path ? await readFile(path) : '<!doctype html><script type="module" src="/entry.js"></script>';
          res.setHeader('Content-Type', path ? 'text/javascript' : 'text/html');
          res.end(body);
        } catch {
          res.statusCode = 404;
          res.end();
        }
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
      origin = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
    });
    after(async () => {
      server?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('a token from the token endpoint, then created, existing and reactivated', async () => {
      const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
      try {
        const page = await browser.newPage();
        /** @type {string[]} */
        const errors = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`${origin}/`);
        await page.waitForFunction(() => typeof (/** @type {any} */ (globalThis).provision) === 'function');
        const result = await page.evaluate(() => /** @type {any} */ (globalThis).provision());
        assert.deepEqual(result, { tokenType: 'Bearer', outcomes: ['created', 'existing', 'reactivated'] });
        assert.deepEqual(errors, []);
      } finally {
        await browser.close();
      }
    });
  },
);
