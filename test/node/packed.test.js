// From a packed tarball, as an integrator gets it: `npm pack`, then `npm i <tarball>` into a fresh
// folder. A plain install brings lit and zod only, and still runs `doctor-gate sandbox` and
// `doctor-gate provision`; with the optional peers added, every entry point loads and shares one
// copy of each public class. Needs the build (npm test builds first) and npm's cache or registry.
// DOCTOR_GATE_SKIP_PACK_TEST=1 skips it (say so when you do).
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';

import { demoClientToken } from './support/sandbox.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const skip = process.env.DOCTOR_GATE_SKIP_PACK_TEST === '1';
const npm = (/** @type {string[]} */ args, /** @type {string} */ cwd) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const install = (/** @type {string[]} */ packages, /** @type {string} */ cwd) =>
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...packages], cwd);
const gzip = (/** @type {string | Buffer} */ text) => gzipSync(text, { level: 9 }).length;

/** Runs an ES module script in `cwd`; its status, stdout and stderr. */
const runModule = (/** @type {string} */ code, /** @type {string} */ cwd) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8' });

/** Starts `doctor-gate sandbox --port 0` from the install; its base URL and a `stop()` resolving to the exit code. */
async function startSandbox(/** @type {string} */ app) {
  const child = spawn(join(app, 'node_modules/.bin/doctor-gate'), ['sandbox', '--port', '0'], { cwd: app });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const base = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/[^/\s]+)\//.exec(out);
      if (match) resolve(match[1]);
    });
    child.on('exit', () => reject(new Error(out)));
  });
  return { base: /** @type {string} */ (base), stop: () => (child.kill('SIGTERM'), exited) };
}

/** `vite build` of `main` as a fresh app's only module, in a folder of `app`; the gzip -9 bytes of its JS. */
function viteAppSize(/** @type {string} */ app, /** @type {string} */ name, /** @type {string} */ main) {
  const dir = join(app, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
  writeFileSync(join(dir, 'main.js'), main);
  // The repository's Vite, run in the app: packages resolve from the app's node_modules.
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], {
    cwd: dir,
    encoding: 'utf8',
  });
  const assets = join(dir, 'dist/assets');
  return readdirSync(assets)
    .filter((file) => file.endsWith('.js'))
    .reduce((sum, file) => sum + gzip(readFileSync(join(assets, file))), 0);
}

const PROVISION = `
import { setupServer } from 'msw/node';
import { sandboxHandlers, fixtures } from 'doctor-gate/sandbox';
import { createClient, provisionDoctor } from 'doctor-gate/core';

const server = setupServer(...sandboxHandlers());
server.listen({ onUnhandledRequest: 'error' });
const form = new URLSearchParams({ grant_type: 'client_credentials',
  client_id: fixtures.speaknosis.clientId, client_secret: fixtures.speaknosis.clientSecret });
const token = await (await fetch('https://api-qa.speaknosis.com/api/iam/integration/token', { method: 'POST', body: form })).json();
const client = createClient('speaknosis', { apiBase: 'https://api-qa.speaknosis.com/v1/health',
  providerId: Number(fixtures.speaknosis.providerId), token: token.access_token });
const doctor = { id: 'doc-packed', name: 'Paz', lastname: 'Soler', specialityId: 1, lang: 'ES' };
const outcomes = [];
for (const d of [doctor, doctor, { ...doctor, id: 'doc-marta' }]) outcomes.push((await provisionDoctor(client, d)).outcome);
server.close();
console.log(JSON.stringify({ tokenType: token.token_type, outcomes }));
`;

/** Every public class of every entry point, by entry and export name; then the errors each half makes. */
const IDENTITY = `
const entries = ['doctor-gate', 'doctor-gate/define', 'doctor-gate/core', 'doctor-gate/server', 'doctor-gate/react'];
const modules = Object.fromEntries(await Promise.all(entries.map(async (name) => [name, await import(name)])));
const classes = {};
for (const [entry, module] of Object.entries(modules))
  for (const [name, value] of Object.entries(module))
    if (typeof value === 'function' && /^class\\b/.test(Function.prototype.toString.call(value)))
      (classes[name] ??= []).push({ entry, value });
const copies = Object.fromEntries(
  Object.entries(classes).map(([name, found]) => [name, { entries: found.map((f) => f.entry), copies: new Set(found.map((f) => f.value)).size }]),
);
const core = modules['doctor-gate/core'];
const server = modules['doctor-gate/server'];
const index = modules['doctor-gate'];
const made = {};
try { server.createGateHandler({}); } catch (error) { made.server = error; }
try { core.createClient('no-such-vendor', { apiBase: 'https://x.example', token: 't' }); } catch (error) { made.core = error; }
const gate = new modules['doctor-gate/define'].DoctorGate();
gate.closest = () => null; // Lit's Node DOM shim has no closest(); the element reads the page's lang with it
try { await gate.provision(); } catch (error) { made.element = error; }
const errors = Object.fromEntries(Object.entries(made).map(([by, error]) => [by, {
  code: error?.code,
  instanceOf: entries.filter((name) => modules[name].DoctorGateError).map((name) => error instanceof modules[name].DoctorGateError),
}]));
const listener = typeof server.toNodeListener(server.createGateHandler({ vendor: 'speaknosis', apiBase: 'https://x.example', providerId: 1001, credential: 'k', doctorFor: () => null }));
console.log(JSON.stringify({ copies, errors, listener, sameError: index.DoctorGateError === server.DoctorGateError }));
`;

describe('the packed package', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-gate-pack-'));
  const app = join(dir, 'app');
  /** @type {string[]} */
  let files = [];
  /** Every package `npm i <tarball>` installed, by name (nested copies too). */
  let installed = new Set();
  before(() => {
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], root));
    files = packed.files.map((/** @type {{ path: string }} */ f) => f.path);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, type: 'module' }));
    install([join(dir, packed.filename)], app);
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
    installed = new Set(Object.keys(lock.packages).map((path) => path.replace(/^.*node_modules\//, '')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('a plain install (npm i doctor-gate)', () => {
    it('installs lit and zod, and none of the optional peers', () => {
      assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['lit', 'zod']);
      for (const name of ['doctor-gate', 'lit', 'zod']) assert.ok(installed.has(name), name);
      const unwanted = ['hono', '@hono/node-server', '@lit/react', '@types/react', 'react', 'msw'];
      assert.deepEqual(
        unwanted.filter((name) => installed.has(name)),
        [],
      );
    });

    it('ships the sandbox, its app files and the sample rosters', () => {
      for (const file of [
        'sandbox/index.js',
        'sandbox/index.d.ts',
        'sandbox/app.html',
        'demo/roster.csv',
        'demo/roster.json',
      ])
        assert.ok(files.includes(file), file);
      assert.deepEqual(
        files.filter((f) => f.startsWith('test/') || f.startsWith('src/')),
        [],
      );
    });

    it('the ES build is one entry file per export over two shared chunks, none of them empty', () => {
      const js = files.filter((f) => /^dist\/(chunks\/)?[^/]+\.js$/.test(f)).sort();
      assert.deepEqual(
        js.map((f) => f.replace(/-[\w-]{8}\.js$/, '.js')),
        [
          'dist/chunks/core.js',
          'dist/chunks/element.js',
          'dist/cli.js',
          'dist/core.js',
          'dist/define.js',
          'dist/doctor-gate.iife.js',
          'dist/index.js',
          'dist/react.js',
          'dist/server.js',
        ],
      );
      const packed = join(app, 'node_modules/doctor-gate');
      for (const file of js) assert.ok(readFileSync(join(packed, file), 'utf8').trim().length > 0, `${file} is empty`);
    });

    it('doctor-gate sandbox serves the demo doctors, the token endpoint and the stand-in app', async () => {
      const { base, stop } = await startSandbox(app);
      try {
        const doctor = await fetch(`${base}/sandbox/speaknosis/v1/health/provider/1001/user/doc-ana`, {
          headers: { Authorization: 'Bearer sk_demo_token' },
        });
        assert.equal((await doctor.json()).response.id, 'doc-ana');
        const token = await demoClientToken(base);
        assert.equal((await token.json()).token_type, 'Bearer');
        const page = await fetch(`${base}/sandbox/app/speaknosis`);
        assert.equal(page.status, 200, 'the stand-in app files ship');
        assert.match(await page.text(), /<html/i);
      } finally {
        assert.equal(await stop(), 0);
      }
    });

    it('doctor-gate provision provisions the sample roster against that sandbox', async () => {
      const { base, stop } = await startSandbox(app);
      try {
        const bin = join(app, 'node_modules/.bin/doctor-gate');
        const roster = execFileSync(bin, ['example-roster', '--format', 'json'], { cwd: app, encoding: 'utf8' }).trim();
        const args = ['provision', '--vendor', 'speaknosis', '--api-base', `${base}/sandbox/speaknosis/v1/health`];
        const run = spawnSync(
          bin,
          [...args, '--provider-id', '1001', '--token-env', 'SK_TOKEN', '--file', roster, '--report', 'report.json'],
          { cwd: app, encoding: 'utf8', env: { PATH: process.env.PATH, SK_TOKEN: 'sk_demo_token' } },
        );
        // The sample roster holds one doctor the vendor refuses (exit code 1: some failed).
        assert.equal(run.status, 1, run.stderr);
        const report = JSON.parse(readFileSync(join(app, 'report.json'), 'utf8'));
        assert.deepEqual(
          report.rows.map((/** @type {{ outcome: string }} */ r) => r.outcome),
          ['existing', 'reactivated', 'created', 'created', 'failed'],
        );
      } finally {
        assert.equal(await stop(), 0);
      }
    });

    it('doctor-gate example-roster points inside the installed package', () => {
      const path = execFileSync(join(app, 'node_modules/.bin/doctor-gate'), ['example-roster'], {
        cwd: app,
        encoding: 'utf8',
      }).trim();
      assert.equal(path, join(app, 'node_modules/doctor-gate/demo/roster.csv'));
      assert.ok(existsSync(path));
    });

    it('an entry used without its optional peer fails with a message that names the package', () => {
      // React first (the wrapper's peers are react and @lit/react); @lit/react alone: below.
      const react = runModule(`await import('doctor-gate/react');`, app);
      assert.notEqual(react.status, 0);
      assert.match(react.stderr, /Cannot find package 'react'/);
      const sandbox = runModule(`await import('doctor-gate/sandbox');`, app);
      assert.notEqual(sandbox.status, 0);
      assert.match(sandbox.stderr, /'hono'/);
      // The server half loads without @hono/node-server (Web-standard hosts need none); only the
      // Node adapter asks for it.
      const server = runModule(
        `const { createGateHandler, toNodeListener } = await import('doctor-gate/server');
         const handler = createGateHandler({ vendor: 'speaknosis', apiBase: 'https://x.example', providerId: 1001, credential: 'k', doctorFor: () => null });
         try { toNodeListener(handler); } catch (error) { console.log(error.message); }`,
        app,
      );
      assert.equal(server.status, 0, server.stderr);
      assert.equal(server.stdout.trim(), 'toNodeListener needs @hono/node-server: npm i @hono/node-server');
    });

    it('nothing of the sandbox is in the drop-in', () => {
      const iife = readFileSync(join(app, 'node_modules/doctor-gate/dist/doctor-gate.iife.js'), 'utf8');
      for (const marker of ['sk_demo_token', '_control/', 'hono', 'FIXTURE_CREDENTIALS'])
        assert.ok(!iife.includes(marker), marker);
    });

    it("a fresh Vite app's import 'doctor-gate/define' adds at most the drop-in's size + 1,000 B gzip", (t) => {
      const dropIn = gzip(readFileSync(join(app, 'node_modules/doctor-gate/dist/doctor-gate.iife.js')));
      const empty = viteAppSize(app, 'vite-empty', 'document.title = "app";\n');
      const gated = viteAppSize(app, 'vite-gate', "import 'doctor-gate/define';\ndocument.title = 'app';\n");
      t.diagnostic(`drop-in ${dropIn} B gzip -9; the Vite app adds ${gated - empty} B (${gated} B in all)`);
      assert.ok(gated - empty > 10_000, 'the gate is in the app');
      assert.ok(gated - empty <= dropIn + 1_000, `the ES build adds ${gated - empty} B, over ${dropIn} + 1,000 B`);
    });
  });

  describe('with the optional peers', () => {
    /** What importing `doctor-gate/react` said with React installed but not @lit/react. */
    let withoutLitReact = '';
    before(() => {
      const peer = (/** @type {string} */ name) => `${name}@${pkg.devDependencies[name]}`;
      install(['msw@^2.12', ...['react', 'react-dom', 'hono', '@hono/node-server'].map(peer)], app);
      withoutLitReact = runModule(`await import('doctor-gate/react');`, app).stderr;
      install([peer('@lit/react')], app);
    });

    it('doctor-gate/react without @lit/react names it', () => {
      assert.match(withoutLitReact, /Cannot find package '@lit\/react'/);
    });

    it('msw/node + sandboxHandlers: doctor-gate/core provisions against api-qa.speaknosis.com offline', () => {
      writeFileSync(join(app, 'provision.mjs'), PROVISION);
      const out = execFileSync(process.execPath, ['provision.mjs'], { cwd: app, encoding: 'utf8' });
      assert.deepEqual(JSON.parse(out.trim().split('\n').pop() ?? ''), {
        tokenType: 'Bearer',
        outcomes: ['created', 'existing', 'reactivated'],
      });
    });

    it('every public class is one class across the entry points; instanceof holds whoever made the error', () => {
      const run = runModule(IDENTITY, app);
      assert.equal(run.status, 0, run.stderr);
      const { copies, errors, listener, sameError } = JSON.parse(run.stdout.trim().split('\n').pop() ?? '');
      assert.ok(sameError);
      assert.deepEqual(copies.DoctorGateError.entries, ['doctor-gate', 'doctor-gate/core', 'doctor-gate/server']);
      assert.deepEqual(copies.DoctorGate.entries, ['doctor-gate', 'doctor-gate/define']);
      assert.ok(copies.HttpClient, 'HttpClient is public');
      for (const [name, { copies: count }] of Object.entries(copies))
        assert.equal(count, 1, `${name}: ${count} copies`);
      assert.deepEqual(errors, {
        server: { code: 'config', instanceOf: [true, true, true] },
        core: { code: 'config', instanceOf: [true, true, true] },
        element: { code: 'config', instanceOf: [true, true, true] },
      });
      assert.equal(listener, 'function', 'toNodeListener works once @hono/node-server is installed');
    });

    it('doctor-gate/sandbox has types: a TypeScript consumer typechecks against the shipped .d.ts', () => {
      writeFileSync(
        join(app, 'check.ts'),
        `import { createSandbox, fixtures, sandboxHandlers, type Sandbox } from 'doctor-gate/sandbox';
const sandbox: Sandbox = createSandbox({ cors: true, latencyMs: 0, allowOrigins: ['https://ehr.example'] });
const handlers = sandboxHandlers({ sandbox, prescrypto: 'https://px.example' });
const answer: Promise<Response> = sandbox.fetch(new Request('http://x/sandbox/'));
const id: string = fixtures.speaknosis.doctors[0]!.id;
// @ts-expect-error fixtures are read-only
fixtures.speaknosis.token = 'x';
export { handlers, answer, id };
`,
      );
      const tsc = join(root, 'node_modules/typescript/bin/tsc');
      const args = [
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
      ];
      execFileSync(
        process.execPath,
        [
          tsc,
          ...args,
          '--lib',
          'es2022,dom',
          '--types',
          'node',
          '--typeRoots',
          join(root, 'node_modules/@types'),
          'check.ts',
        ],
        {
          cwd: app,
          encoding: 'utf8',
        },
      );
    });
  });
});
