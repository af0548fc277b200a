// The browser suite under load: every core kept busy by a spinning worker thread while the suite
// runs, one engine at a time, several times in a row. A test that passes only on a quiet machine
// (one that races a timer) fails here. Exits 1 on any failed test or run.
//
//   npm run test:stress [-- --runs 3] [--engines chromium,firefox,webkit] [--load <threads>]
//                       [--timeout <minutes per run>] [test/browser/<file>.test.ts ...]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { selectEngines } from './engines.js';

const root = new URL('..', import.meta.url).pathname;
const usage = `Usage: npm run test:stress -- [--runs 3] [--engines chromium,firefox,webkit] [--load ${availableParallelism()}] [--timeout 30] [test files...]`;

/** @type {{ runs: string, engines: string, load: string, timeout: string, help: boolean }} */
let options;
/** @type {string[]} */
let files;
try {
  const parsed = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      engines: { type: 'string', default: process.env.BROWSERS ?? '' },
      load: { type: 'string', default: String(availableParallelism()) },
      timeout: { type: 'string', default: '30' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
  });
  options = parsed.values;
  files = parsed.positionals;
} catch (error) {
  console.error(`stress: ${/** @type {Error} */ (error).message}\n${usage}`);
  process.exit(2);
}
if (options.help) {
  console.log(usage);
  process.exit(0);
}
const runs = Number(options.runs);
const load = Number(options.load);
const timeoutMinutes = Number(options.timeout);
if (![runs, load, timeoutMinutes].every((n) => Number.isInteger(n) && n >= 0) || runs < 1 || timeoutMinutes < 1) {
  console.error(`stress: --runs, --timeout need a positive integer and --load a whole number\n${usage}`);
  process.exit(2);
}
/** @type {string[]} */
let engines;
try {
  engines = selectEngines(options.engines);
} catch (error) {
  console.error(`stress: ${/** @type {Error} */ (error).message}`);
  process.exit(2);
}

// Busy threads: each spins one core until the script ends; the runner and browsers share what is left.
const spinners = Array.from({ length: load }, () => new Worker('for (;;) {}', { eval: true }));
const logs = mkdtempSync(join(tmpdir(), 'doctor-gate-stress-'));

/**
 * One run of the suite in one engine: its output goes to a log file, its "engine X: …" summary
 * line (scripts/engine-summary.js) is parsed.
 * @param {string} engine @param {number} run
 */
function runSuite(engine, run) {
  const started = performance.now();
  const child = spawn(join(root, 'node_modules/.bin/web-test-runner'), files, {
    cwd: root,
    env: { ...process.env, BROWSERS: engine },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => {
    output += `\nstress: no end after ${timeoutMinutes} min, stopped\n`;
    process.kill(-(/** @type {number} */ (child.pid)), 'SIGTERM');
  }, timeoutMinutes * 60_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const log = join(logs, `${engine}-${run}.log`);
      writeFileSync(log, output);
      const counts = [...output.matchAll(/^engine \S+: (\d+) passed, (\d+) failed, (\d+) skipped$/gm)].map((m) =>
        m.slice(1).map(Number),
      );
      const [passed, failed, skipped] = counts.reduce((sum, each) => sum.map((n, i) => n + (each[i] ?? 0)), [0, 0, 0]);
      resolve({ engine, run, code, passed, failed, skipped, seconds, log, counted: counts.length > 0 });
    });
  });
}

console.log(
  `stress: ${runs} run(s) × ${engines.join(', ')}, ${load} busy thread(s) on ${availableParallelism()} core(s)` +
    (files.length > 0 ? `, files: ${files.join(' ')}` : ', the whole browser suite'),
);
const results = [];
const started = performance.now();
try {
  for (let run = 1; run <= runs; run += 1) {
    for (const engine of engines) {
      const result = await runSuite(engine, run);
      results.push(result);
      const ok = result.code === 0 && result.failed === 0 && result.counted;
      console.log(
        `run ${run}/${runs} ${engine.padEnd(8)} ${String(result.passed).padStart(5)} passed, ${result.failed} failed, ` +
          `${result.skipped} skipped  ${result.seconds.toFixed(1).padStart(7)} s  ${ok ? 'ok' : `FAILED (exit ${result.code}, log ${result.log})`}`,
      );
      if (!ok) {
        const lines = new Set(
          readFileSync(result.log, 'utf8')
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => /^❌|Error:|no end after/.test(line)),
        );
        for (const line of [...lines].slice(0, 30)) console.log(`    ${line}`);
      }
    }
  }
} finally {
  await Promise.all(spinners.map((spinner) => spinner.terminate()));
}

const bad = results.filter((r) => r.code !== 0 || r.failed > 0 || !r.counted);
console.log('');
for (const engine of engines) {
  const mine = results.filter((r) => r.engine === engine);
  const passed = mine.map((r) => r.passed).join('/');
  const failed = mine.reduce((n, r) => n + r.failed, 0);
  const times = mine.map((r) => `${r.seconds.toFixed(0)} s`).join(', ');
  console.log(`${engine.padEnd(8)} passed per run ${passed}; failed in all ${failed}; wall ${times}`);
}
console.log(
  `stress: ${results.length - bad.length}/${results.length} runs green in ${((performance.now() - started) / 1000).toFixed(0)} s; logs in ${logs}`,
);
process.exit(bad.length === 0 ? 0 : 1);
