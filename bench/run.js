#!/usr/bin/env node
// npm run bench — doctor-gate against the vendor's own flow, side by side, in one run.
// Headless system Chromium (playwright-core, no browser download) against the local sandbox with
// added latency. See bench/README.md for what is measured and how to read it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { measureBatch } from './lib/batch.js';
import { measureDelays, VARIANTS } from './lib/delay.js';
import { measureRequests, measureUpgrade } from './lib/gates.js';
import { renderReport } from './lib/report.js';
import { startServer } from './lib/server.js';
import { progress } from './lib/util.js';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.js';

const USAGE = `Usage: node bench/run.js [options]   (npm run bench -- [options])

  --runs N       clicks per flow and doctor for the added delay, median taken (default 7, min 3)
  --latency N    ms the sandbox adds to every vendor request (default 100)
  --quick        smoke run: 3 runs, fewer sizes (about 40 s)
  --full         also run the one-by-one loop for 1000 doctors in full (adds ~3 min at 100 ms)
  --no-write     print the table only; leave bench/RESULTS.md alone
  --build        run \`npm run build\` first (done anyway when dist/ is missing)
  --chromium P   Chromium binary (default /usr/bin/chromium, or $CHROMIUM_PATH)
  -h, --help`;

const ROOT = new URL('../', import.meta.url);
const IIFE = new URL('dist/doctor-gate.iife.js', ROOT);
const CORE = new URL('dist/core.js', ROOT);
const RESULTS = new URL('bench/RESULTS.md', ROOT);

const CHROMIUM_ARGS = [
  ...chromiumArgs,
  // The reference flow calls window.open after its awaits; without this a slow run could be
  // blocked and would measure nothing. The gate opens its popup inside the click and needs no help.
  '--disable-popup-blocking',
];

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      latency: { type: 'string', default: '100' },
      quick: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      build: { type: 'boolean', default: false },
      chromium: { type: 'string', default: chromiumPath ?? '/usr/bin/chromium' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick;
  const runs = Number(values.runs ?? (quick ? 3 : 7));
  const latencyMs = Number(values.latency);
  if (!Number.isInteger(runs) || runs < 3) throw new Error('--runs must be an integer ≥ 3');
  if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 10_000)
    throw new Error('--latency must be 0..10000 ms');
  return {
    quick,
    runs,
    latencyMs,
    write: !values['no-write'],
    build: values.build,
    chromium: values.chromium,
    gateSizes: quick ? [1, 10] : [1, 10, 100],
    upgradeSizes: quick ? [1, 10, 100] : [1, 10, 100, 1000],
    upgradeRepeats: quick ? 3 : 5,
    batchSizes: quick ? [10, 100] : [10, 100, 1000],
    // 1000 doctors one by one at 100 ms is 2000 round trips (~3.5 min): sampled unless --full.
    sequentialLimit: values.full ? Infinity : quick ? 10 : 100,
  };
}

function ensureBuild(force) {
  if (!force && existsSync(IIFE) && existsSync(CORE)) return;
  progress(force ? 'building (npm run build)…' : 'dist/ is missing: building it (npm run build)…');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(IIFE) || !existsSync(CORE)) {
    throw new Error('npm run build failed; run it yourself and retry');
  }
}

async function main() {
  const opts = options();
  if (!existsSync(opts.chromium))
    throw new Error(`no Chromium at ${opts.chromium} (apt-get install chromium, or --chromium PATH)`);
  ensureBuild(opts.build);
  // Read once: a rebuild by someone else mid-run cannot mix two builds.
  const iife = readFileSync(IIFE);
  const size = { raw: iife.length, gzip: gzipSync(iife, { level: 9 }).length, builtAt: statSync(IIFE).mtime };
  const core = await import(CORE.href);

  const started = performance.now();
  const loadBefore = os.loadavg()[0];
  const server = await startServer({ iife, latencyMs: opts.latencyMs });
  const browser = await chromium.launch({ executablePath: opts.chromium, args: CHROMIUM_ARGS });
  let results;
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    const env = { server, context, page, core };

    progress(
      `(a) added delay: ${opts.runs} runs × 2 doctors × ${VARIANTS.length} flows, latency ${opts.latencyMs} ms…`,
    );
    const delays = await measureDelays(env, {
      runs: opts.runs,
      onProgress: (r) => progress(`    round ${r}/${opts.runs}`),
    });
    progress(`(b) requests for ${opts.gateSizes.join(', ')} gates…`);
    const requests = await measureRequests(env, { sizes: opts.gateSizes });
    progress(`(c) upgrading ${opts.upgradeSizes.join(', ')} gates…`);
    const upgrade = await measureUpgrade(env, { sizes: opts.upgradeSizes, repeats: opts.upgradeRepeats });
    progress(`(d) provisionDoctors vs one by one for ${opts.batchSizes.join(', ')} doctors…`);
    const batch = await measureBatch(env, { sizes: opts.batchSizes, sequentialLimit: opts.sequentialLimit });

    results = {
      opts,
      size,
      delays,
      requests,
      upgrade,
      batch,
      machine: {
        cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
        cores: os.cpus().length,
        memoryGb: os.totalmem() / 2 ** 30,
        platform: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
        chromium: browser.version(),
        date: new Date().toISOString(),
        load: [loadBefore, os.loadavg()[0]],
        seconds: (performance.now() - started) / 1000,
      },
    };
  } finally {
    await browser.close().catch(() => undefined);
    await server.close();
  }

  const { markdown: raw, failures } = renderReport(results);
  const markdown = await formatted(raw);
  console.log(markdown);
  if (opts.write) {
    writeFileSync(RESULTS, withKeptSections(markdown));
    progress('written to bench/RESULTS.md');
  }
  if (failures.length) {
    progress(`\n${failures.length} measurement(s) failed:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

/**
 * `markdown` with the sections other benchmarks write into the same file kept as they are
 * (`<!-- name:start -->` … `<!-- name:end -->`, e.g. `node bench/reconcile.js`'s).
 */
function withKeptSections(markdown) {
  const previous = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const kept = previous.match(/<!-- (\w+):start -->[\s\S]*?<!-- \1:end -->/g) ?? [];
  return kept.reduce((text, section) => `${text.trimEnd()}\n\n${section}\n`, markdown);
}

/** The repository's Prettier style for the markdown, when Prettier is installed (it is a devDependency). */
async function formatted(markdown) {
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(RESULTS)) ?? {};
    return await prettier.format(markdown, { ...config, parser: 'markdown' });
  } catch {
    return markdown;
  }
}

main().catch((error) => {
  console.error(`bench: ${error?.message ?? error}`);
  process.exitCode = 1;
});
