// The built docs site (docs/.vitepress/dist), served by a plain static file server as any host
// would: every internal link and anchor resolves, and the playground runs real gates against the
// sandbox inside the page (MSW's service worker) in headless system Chromium.
// Needs `npm run build` (the drop-in and custom-elements.json); builds the site when it is missing.
/* global document, customElements -- in page.evaluate, run by Chromium */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { chromium } from 'playwright-core';

import { chromiumArgs, chromiumPath } from '../../scripts/chromium.js';
import { integrity } from '../../scripts/sri.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const site = join(root, 'docs/.vitepress/dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/** The file a URL path names in the built site: `/x/` is `/x/index.html`; undefined when none. */
function fileFor(pathname) {
  let path = join(site, decodeURIComponent(pathname));
  if (!path.startsWith(site)) return undefined;
  if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
  return existsSync(path) && statSync(path).isFile() ? path : undefined;
}

function htmlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return htmlFiles(path);
    return entry.name.endsWith('.html') ? [path] : [];
  });
}

/** The newest modification time among files under `path` (the built site and its own output excluded). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path)
    .filter((name) => !['dist', 'cache', 'public', 'node_modules'].includes(name))
    .reduce((max, name) => Math.max(max, newest(join(path, name))), 0);
}

/** What the site is built from: a site older than any of these is stale (a drop-in, a manifest). */
const SOURCES = [
  'dist/doctor-gate.iife.js',
  'custom-elements.json',
  'docs',
  'scripts/docs-prepare.js',
  'sandbox/app.js',
];

before(() => {
  const built = join(site, 'playground.html');
  if (existsSync(built) && statSync(built).mtimeMs > Math.max(...SOURCES.map((s) => newest(join(root, s))))) return;
  execFileSync(process.execPath, ['scripts/docs-prepare.js'], { cwd: root, stdio: 'inherit' });
  execFileSync(join(root, 'node_modules/.bin/vitepress'), ['build', 'docs'], { cwd: root, stdio: 'inherit' });
});

describe('the built docs site: links', () => {
  it('every internal link and #anchor of every page resolves', () => {
    const pages = htmlFiles(site).filter((file) => !file.includes(`${sep}sandbox${sep}app${sep}`));
    assert.ok(pages.length >= 15, `expected the site's pages, found ${pages.length}`);
    const ids = new Map();
    const idsOf = (file) => {
      if (!ids.has(file))
        ids.set(file, new Set([...readFileSync(file, 'utf8').matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])));
      return ids.get(file);
    };
    const broken = [];
    let checked = 0;
    for (const page of pages) {
      const html = readFileSync(page, 'utf8');
      const pageUrl = new URL(`http://site.test/${relative(site, page).split(sep).join('/')}`);
      for (const [, href] of html.matchAll(/<a\s[^>]*?href="([^"]*)"/g)) {
        const target = new URL(href.replaceAll('&amp;', '&'), pageUrl);
        if (target.origin !== pageUrl.origin) continue; // external: not this site's to check
        checked++;
        const file = fileFor(target.pathname);
        if (!file) {
          broken.push(`${relative(site, page)}: ${href} (no such page)`);
          continue;
        }
        const anchor = decodeURIComponent(target.hash.slice(1));
        if (anchor && file.endsWith('.html') && !idsOf(file).has(anchor)) {
          broken.push(`${relative(site, page)}: ${href} (no #${anchor} there)`);
        }
      }
    }
    assert.ok(checked > 100, `expected many internal links, checked ${checked}`);
    assert.deepEqual(broken, []);
  });

  it('the element reference lists what the manifest declares', () => {
    const html = readFileSync(join(site, 'reference.html'), 'utf8');
    const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
    const gate = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'doctor-gate');
    for (const attribute of gate.attributes) assert.match(html, new RegExp(`<code>${attribute.name}</code>`));
    for (const event of gate.events) assert.match(html, new RegExp(`<code>${event.name}</code>`));
    for (const part of gate.cssParts) assert.match(html, new RegExp(`<code>${part.name}</code>`));
    for (const property of gate.cssProperties) assert.match(html, new RegExp(`<code>${property.name}</code>`));
  });
});

describe('the built docs site: the playground', { skip: !chromiumPath && 'no system Chromium' }, () => {
  /** @type {http.Server} */
  let server;
  let origin = '';
  /** @type {import('playwright-core').Browser} */
  let browser;

  before(async () => {
    server = http.createServer((req, res) => {
      const file = fileFor(new URL(req.url ?? '/', 'http://x').pathname); // the query is ignored
      if (!file) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${server.address().port}`;
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('opens the stand-in app through a gate, then shows a queued fault as an error event', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${origin}/playground.html`);
    await page.locator('.playground[data-status="ready"]').waitFor({ timeout: 20_000 });

    // Ana exists at the sandbox: the popup opens inside the click and lands on the stand-in app.
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.locator('doctor-gate button').click()]);
    await popup.waitForURL(/\/sandbox\/app\/speaknosis\/#\/pop-up\/\?view=analysis&token=.+&doctorId=doc-ana/);
    await popup.locator('[data-field="store"]').filter({ hasText: 'user exists and is active' }).waitFor();
    const events = page.locator('[data-timeline="events"] tbody');
    await events.locator('tr', { hasText: 'provisioned' }).filter({ hasText: 'existing' }).waitFor();
    await events.locator('tr', { hasText: 'open' }).filter({ hasText: 'in a popup' }).waitFor();
    await popup.close();

    // A 500 on the doctor API, through the sandbox's control API: the next click shows the error.
    await page.selectOption('select[name="fault"]', 'status-500');
    await page.locator('.fault-note', { hasText: 'Queued' }).waitFor();
    await page.locator('doctor-gate button').click();
    const error = events.locator('tr.error');
    await error.first().waitFor();
    assert.match(
      await error.first().innerText(),
      /error\s+server at check, source vendor, status 500, retryable false/,
    );
    assert.equal(await page.locator('doctor-gate').getAttribute('state'), 'error');

    // The debug timeline: the gate has `debug`, so the column shows its console.debug output, and
    // the failed run's entries are named by the runId its error event carries.
    assert.equal(await page.locator('[data-debug="unsupported"]').count(), 0);
    const runId = /\(run (\w+)\)/.exec(await error.first().innerText())?.[1];
    assert.ok(runId, 'the error row names its run');
    const debug = page.locator('[data-timeline="debug"] li');
    await debug
      .filter({ hasText: `<doctor-gate> ${runId}` })
      .filter({ hasText: 'doctor-gate-error' })
      .first()
      .waitFor();
    assert.ok((await debug.filter({ hasText: `<doctor-gate> ${runId}` }).count()) >= 3, 'the run has its timeline');

    await page.screenshot({ path: '/tmp/playground.png', fullPage: true });
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it("the security page's integrity hash is the drop-in's, and the browser accepts it", async () => {
    const html = readFileSync(join(site, 'security.html'), 'utf8');
    const shown = /integrity=&quot;(sha384-[A-Za-z0-9+/=]+)&quot;|integrity="(sha384-[A-Za-z0-9+/=]+)"/.exec(html);
    assert.ok(shown, 'security.html shows a <script integrity> snippet');
    const hash = shown[1] ?? shown[2];
    assert.equal(hash, integrity(readFileSync(join(root, 'dist/doctor-gate.iife.js'))));
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/index.html`);
    const load = (value) =>
      page.evaluate(
        ([src, value]) =>
          new Promise((resolve) => {
            const script = Object.assign(document.createElement('script'), { src, crossOrigin: 'anonymous' });
            script.integrity = value;
            script.onload = () => resolve(Boolean(customElements.get('doctor-gate')));
            script.onerror = () => resolve('blocked');
            document.head.append(script);
          }),
        [`${origin}/doctor-gate.iife.js?${Math.random()}`, value],
      );
    assert.equal(
      await load(`sha384-${[...hash.slice('sha384-'.length)].reverse().join('')}`),
      'blocked',
      'a wrong hash is refused',
    );
    assert.equal(await load(hash), true);
    await context.close();
  });

  it('every fault in the picker reaches the timeline as the error it causes', async () => {
    const expected = {
      'status-503': /server at check, source vendor, status 503, retryable true/,
      'status-429': /rate-limited at check, source vendor, status 429, retryable true/,
      'status-500': /server at check, source vendor, status 500, retryable false/,
      redirect: /bad-response at check/,
      echo: /unauthorized at check, source vendor, status 401/,
      malformed: /bad-response at check/,
      drop: /network at check/,
      hang: /timeout at check/,
    };
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/playground.html`);
    await page.locator('.playground[data-status="ready"]').waitFor({ timeout: 20_000 });
    await page.selectOption('select[name="mode"]', 'iframe'); // no popup to follow in this test
    const errors = page.locator('[data-timeline="events"] tr.error');
    for (const [fault, message] of Object.entries(expected)) {
      const before = await errors.count();
      await page.selectOption('select[name="fault"]', fault);
      await page.locator('.fault-note', { hasText: 'Queued' }).waitFor();
      await page.locator('doctor-gate button').click();
      await errors.nth(before).waitFor({ timeout: 20_000 });
      const row = await errors.nth(before).innerText();
      assert.match(row, message, fault);
      assert.doesNotMatch(row, /sk_|Bearer [A-Za-z0-9]/, `${fault}: no credential in the timeline`);
    }
    // A delay is slow, not broken: the gate opens the app once the answer comes.
    await page.selectOption('select[name="fault"]', 'delay');
    await page.locator('.fault-note', { hasText: 'Queued' }).waitFor();
    await page.locator('doctor-gate button').click();
    await page.locator('[data-timeline="events"] tr', { hasText: 'in an iframe' }).waitFor({ timeout: 20_000 });
    await context.close();
  });

  it('runs a Prescrypto gate in an iframe', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/playground.html`);
    await page.locator('.playground[data-status="ready"]').waitFor({ timeout: 20_000 });
    await page.selectOption('select[name="vendor"]', 'prescrypto');
    await page.selectOption('select[name="mode"]', 'iframe');
    await page.locator('doctor-gate[vendor="prescrypto"][mode="iframe"] button').click();
    const frame = page.frameLocator('doctor-gate iframe');
    await frame.locator('[data-field="doctor"]').filter({ hasText: 'medic 110 — Elena Vidal' }).waitFor();
    await page.locator('[data-timeline="events"] tr', { hasText: 'in an iframe' }).waitFor();
    await context.close();
  });
});
