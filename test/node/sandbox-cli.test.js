// `doctor-gate sandbox` and `doctor-gate example-roster` (dist/cli.js) as child processes.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

import { demoClientToken } from './serve.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CLI = 'dist/cli.js';

/**
 * Starts `node <script> sandbox …`; resolves once it printed its base URL.
 * @param {string[]} args
 */
function startSandbox(args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout })));
  const base = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/[^/\s]+)\/sandbox\//.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.on('exit', () => reject(new Error(`exited before listening: ${stdout}`)));
  });
  return { child, base: /** @type {Promise<string>} */ (base), exited, output: () => stdout };
}

describe('doctor-gate sandbox', () => {
  it('serves the demo doctors and the token endpoint with CORS, prints the fixtures, stops on SIGTERM', async () => {
    const run = startSandbox([CLI, 'sandbox', '--port', '0', '--latency', '5']);
    try {
      const base = await run.base;
      const out = run.output();
      for (const text of [
        'sk_demo_token',
        'demo-client-secret',
        'pk_demo_key',
        '/api/iam/integration/token',
        'latency 5 ms',
      ])
        assert.ok(out.includes(text), text);
      const doctor = await fetch(`${base}/sandbox/speaknosis/v1/health/provider/1001/user/doc-john`, {
        headers: { Authorization: 'Bearer sk_demo_token', Origin: 'http://ehr.test' },
      });
      assert.equal(doctor.status, 200);
      assert.equal(doctor.headers.get('access-control-allow-origin'), 'http://ehr.test');
      assert.equal((await doctor.json()).response.name, 'John');
      const token = await demoClientToken(base);
      assert.equal(token.status, 200);
      assert.equal((await token.json()).token_type, 'Bearer');
      const root = await fetch(`${base}/`, { redirect: 'manual' });
      assert.equal(root.status, 302);
      assert.equal(root.headers.get('location'), '/sandbox/');
    } finally {
      run.child.kill('SIGTERM');
    }
    const { code } = /** @type {{ code: number }} */ (await run.exited);
    assert.equal(code, 0);
  });

  it('node sandbox/cli.js runs the same server; SIGINT stops it', async () => {
    const run = startSandbox(['sandbox/cli.js', '--port', '0']);
    const base = await run.base;
    assert.equal((await fetch(`${base}/sandbox/_control/latency`)).status, 200);
    run.child.kill('SIGINT');
    assert.equal(/** @type {{ code: number }} */ (await run.exited).code, 0);
  });

  it('bad options exit 2 with the usage', () => {
    for (const args of [['--port', 'x'], ['--latency', '-1'], ['--nope']]) {
      const run = spawnSync(process.execPath, [CLI, 'sandbox', ...args], { cwd: root, encoding: 'utf8' });
      assert.equal(run.status, 2, args.join(' '));
      assert.match(run.stderr, /Usage: doctor-gate sandbox/);
    }
  });
});

describe('doctor-gate example-roster', () => {
  it('prints the path of a shipped sample roster (csv by default, or json)', () => {
    for (const [args, ext] of [
      [[], 'csv'],
      [['--format', 'json'], 'json'],
      [['--format=csv'], 'csv'],
    ]) {
      const run = spawnSync(process.execPath, [CLI, 'example-roster', ...args], { cwd: root, encoding: 'utf8' });
      assert.equal(run.status, 0);
      const path = run.stdout.trim();
      assert.ok(path.endsWith(`roster.${ext}`), path);
      assert.ok(existsSync(path), path);
    }
    const bad = spawnSync(process.execPath, [CLI, 'example-roster', '--format', 'xml'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2);
  });

  it('provision --file "$(doctor-gate example-roster)" --dry-run reads it', () => {
    const path = spawnSync(process.execPath, [CLI, 'example-roster'], { cwd: root, encoding: 'utf8' }).stdout.trim();
    const run = spawnSync(
      process.execPath,
      [
        CLI,
        'provision',
        '--vendor',
        'speaknosis',
        '--api-base',
        'http://127.0.0.1:9/v1/health',
        '--provider-id',
        '1001',
        '--token-env',
        'SANDBOX_TOKEN',
        '--file',
        path,
        '--dry-run',
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, SANDBOX_TOKEN: 'sk_demo_token' } },
    );
    assert.ok(run.status === 0 || run.status === 1, run.stderr);
    assert.match(run.stdout, /doc-ana/);
  });
});
