// The drop-in's size budget (scripts/size.js, run by the build and by CI): 28,000 B gzip -9.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const size = (...args) => spawnSync(process.execPath, ['scripts/size.js', ...args], { cwd: root, encoding: 'utf8' });

describe('the size budget', () => {
  test('the built drop-in is within 28,000 B gzip -9; the figure names no repository file', () => {
    const run = size('--quiet');
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /^doctor-gate\.iife\.js: [\d,]+ B gzip -9 \([\d,]+ B raw\), budget 28,000 B: [\d,]+ B left$/m,
    );
    assert.match(run.stdout, /^integrity="sha384-[A-Za-z0-9+/]{64}"$/m);
    assert.doesNotMatch(run.stdout + run.stderr, /DESIGN|src\/|issue/i);
  });

  test('a drop-in over 28,000 B fails, by how much', () => {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-gate-size-'));
    try {
      // Random bytes do not compress: 29,000 of them, even in base64, are over the budget gzipped.
      const file = join(dir, 'doctor-gate.iife.js');
      writeFileSync(file, `var DoctorGate = "${randomBytes(29_000).toString('base64')}";\n`);
      const run = size(file);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /OVER the budget of 28,000 B by [\d,]+ B/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
