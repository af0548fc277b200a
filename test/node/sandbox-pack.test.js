// From a packed tarball, as an integrator gets it: `npm pack`, install into a fresh folder, then
// `doctor-gate sandbox`, `doctor-gate example-roster` and MSW with `doctor-gate/core`, no network.
// Needs the build (npm test builds first) and npm's cache or registry for the dependencies.
// DOCTOR_GATE_SKIP_PACK_TEST=1 skips it (say so when you do).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { demoClientToken } from './support/sandbox.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const skip = process.env.DOCTOR_GATE_SKIP_PACK_TEST === '1';
const npm = (/** @type {string[]} */ args, /** @type {string} */ cwd) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

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

describe('the packed package', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-gate-pack-'));
  const app = join(dir, 'app');
  /** @type {string[]} */
  let files = [];
  before(() => {
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], root));
    files = packed.files.map((/** @type {{ path: string }} */ f) => f.path);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, type: 'module' }));
    npm(
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        join(dir, packed.filename),
        'msw@^2.12',
      ],
      app,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

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

  it('msw/node + sandboxHandlers: doctor-gate/core provisions against api-qa.speaknosis.com offline', () => {
    writeFileSync(join(app, 'provision.mjs'), PROVISION);
    const out = execFileSync(process.execPath, ['provision.mjs'], { cwd: app, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop() ?? ''), {
      tokenType: 'Bearer',
      outcomes: ['created', 'existing', 'reactivated'],
    });
  });

  it('doctor-gate sandbox serves the demo doctors and the token endpoint', async () => {
    const child = spawn(join(app, 'node_modules/.bin/doctor-gate'), ['sandbox', '--port', '0'], { cwd: app });
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const base = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
          const match = /listening on (http:\/\/[^/\s]+)\//.exec(out);
          if (match) resolve(match[1]);
        });
        child.on('exit', () => reject(new Error(out)));
      });
      const doctor = await fetch(`${base}/sandbox/speaknosis/v1/health/provider/1001/user/doc-ana`, {
        headers: { Authorization: 'Bearer sk_demo_token' },
      });
      assert.equal((await doctor.json()).response.id, 'doc-ana');
      const token = await demoClientToken(base);
      assert.equal((await token.json()).token_type, 'Bearer');
      assert.equal((await fetch(`${base}/sandbox/app/speaknosis`)).status, 200, 'the stand-in app files ship');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
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

  it('doctor-gate example-roster points inside the installed package', () => {
    const path = execFileSync(join(app, 'node_modules/.bin/doctor-gate'), ['example-roster'], {
      cwd: app,
      encoding: 'utf8',
    }).trim();
    assert.equal(path, join(app, 'node_modules/doctor-gate/demo/roster.csv'));
    assert.ok(existsSync(path));
  });

  it('nothing of the sandbox is in the drop-in', () => {
    const iife = readFileSync(join(app, 'node_modules/doctor-gate/dist/doctor-gate.iife.js'), 'utf8');
    for (const marker of ['sk_demo_token', '_control/', 'hono', 'FIXTURE_CREDENTIALS'])
      assert.ok(!iife.includes(marker), marker);
  });
});
