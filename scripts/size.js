// Size of the drop-in: raw and gzip -9 bytes against its budget, and where they go; fails above
// the budget. `--quiet` (the end of `npm run build`) prints the figure and the drop-in's
// Subresource Integrity hash, and the parts only when over budget. What it prints is for users
// of the package too: it names parts of the drop-in, never the repository's files.
// `node scripts/size.js some.js` measures that file instead (no parts): the budget's own test.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { decode } from '@jridgewell/sourcemap-codec';
import { build } from 'vite';
import { integrity } from './sri.js';

/** The drop-in, everything included (Lit, zod/mini, both vendors, server mode, five languages). */
const BUDGET = 28_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const gzip = (text) => gzipSync(text, { level: 9 }).length;
const bytes = (n) => `${n.toLocaleString('en-US')} B`;

const other = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
const code = readFileSync(other ?? join(ROOT, 'dist/doctor-gate.iife.js'), 'utf8');
const total = gzip(code);
const figure = `doctor-gate.iife.js: ${bytes(total)} gzip -9 (${bytes(Buffer.byteLength(code))} raw)`;
const failed = total > BUDGET;
if (failed) console.error(`${figure}: OVER the budget of ${bytes(BUDGET)} by ${bytes(total - BUDGET)}`);
else console.log(`${figure}, budget ${bytes(BUDGET)}: ${bytes(BUDGET - total)} left`);
console.log(`integrity="${integrity(Buffer.from(code))}"`);
if (!other && (!process.argv.includes('--quiet') || failed)) await printParts();
process.exit(failed ? 1 : 0);

/** Which part of the drop-in a source file belongs to, named for a user of the package. */
function partOf(source) {
  const path = source.replace(/\\/g, '/');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
  if (pkg) return /^(lit|lit-html|lit-element|@lit\/.*)$/.test(pkg) ? `lit (${pkg})` : pkg;
  const area = /src\/(.+)$/.exec(path)?.[1] ?? path;
  if (area.startsWith('element/i18n')) return 'strings (five languages)';
  if (area.startsWith('element/')) return 'the element';
  if (area.startsWith('vendors/')) return 'the vendors (Speaknosis, Prescrypto, server mode)';
  if (area.startsWith('core/')) return 'the core (HTTP, errors, schemas, provisioning)';
  return 'the drop-in entry';
}

/**
 * Builds the same drop-in again with a source map into a scratch folder, gives every output byte
 * to the source it came from, and shares the gzip total out by each part's own gzip size (gzip of a
 * whole is not the sum of its parts, so each share is an estimate; the total is exact).
 */
async function printParts() {
  const outDir = mkdtempSync(join(tmpdir(), 'doctor-gate-size-'));
  try {
    await build({
      configFile: join(ROOT, 'vite.config.ts'),
      mode: 'iife',
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true, sourcemap: true },
    });
    const mapped = readFileSync(join(outDir, 'doctor-gate.iife.js'), 'utf8');
    const map = JSON.parse(readFileSync(join(outDir, 'doctor-gate.iife.js.map'), 'utf8'));
    const parts = new Map();
    const add = (part, text) => parts.set(part, (parts.get(part) ?? '') + text);
    const rows = decode(map.mappings);
    mapped.split('\n').forEach((text, row) => {
      const segments = rows[row] ?? [];
      let from = 0;
      let part = 'bundle glue';
      for (const [column, source] of segments) {
        add(part, text.slice(from, column));
        from = column;
        part = source === undefined ? 'bundle glue' : partOf(map.sources[source]);
      }
      add(part, text.slice(from) + '\n');
    });
    const sizes = [...parts].map(([part, text]) => ({ part, alone: gzip(text), raw: Buffer.byteLength(text) }));
    const sum = sizes.reduce((all, { alone }) => all + alone, 0);
    console.log('Where the bytes go (gzip share of the total, raw minified bytes):');
    for (const { part, alone, raw } of sizes.sort((a, b) => b.alone - a.alone)) {
      const share = Math.round((alone / sum) * total);
      console.log(`  ${String(share).padStart(6)} B  ${String(raw).padStart(6)} B raw  ${part}`);
    }
    // Each zod kind costs its own code once, however often it is used: the list shows what a new kind would add to.
    const kinds = [...new Set(mapped.match(/\$Zod(?!Type\b|Check\b|Error\b|RealError\b)[A-Z]\w*/g) ?? [])].sort();
    console.log(`zod kinds in the drop-in (${kinds.length}): ${kinds.join(' ')}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
