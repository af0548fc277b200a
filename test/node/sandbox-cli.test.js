// `doctor-gate sandbox` and `doctor-gate example-roster` (dist/cli.js) as child processes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

import { CLI, ROOT, startSandboxProcess } from './support/process.js';
import { demoClientToken } from './support/sandbox.js';

describe('doctor-gate sandbox', () => {
  it('serves the demo doctors and the token endpoint with CORS, prints the fixtures, stops on SIGTERM', async () => {
    const run = startSandboxProcess([CLI, 'sandbox', '--port', '0', '--latency', '5']);
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
    const run = startSandboxProcess(['sandbox/cli.js', '--port', '0']);
    const base = await run.base;
    assert.equal((await fetch(`${base}/sandbox/_control/latency`)).status, 200);
    run.child.kill('SIGINT');
    assert.equal(/** @type {{ code: number }} */ (await run.exited).code, 0);
  });

  it('bad options exit 2 with the usage', () => {
    for (const args of [['--port', 'x'], ['--latency', '-1'], ['--nope'], ['--allow-origin', 'ehr.example']]) {
      const run = spawnSync(process.execPath, [CLI, 'sandbox', ...args], { cwd: ROOT, encoding: 'utf8' });
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
      const run = spawnSync(process.execPath, [CLI, 'example-roster', ...args], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(run.status, 0);
      const path = run.stdout.trim();
      assert.ok(path.endsWith(`roster.${ext}`), path);
      assert.ok(existsSync(path), path);
    }
    const bad = spawnSync(process.execPath, [CLI, 'example-roster', '--format', 'xml'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2);
  });

  it('provision --file "$(doctor-gate example-roster)" --dry-run reads it', () => {
    const path = spawnSync(process.execPath, [CLI, 'example-roster'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
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
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SANDBOX_TOKEN: 'sk_demo_token' } },
    );
    assert.ok(run.status === 0 || run.status === 1, run.stderr);
    assert.match(run.stdout, /doc-ana/);
  });
});
