// Prints the drop-in's Subresource Integrity hash, for `<script src integrity crossorigin>`:
//   node scripts/sri.js            → sha384-… dist/doctor-gate.iife.js
//   node scripts/sri.js --quiet    → nothing but the hash
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DROP_IN = fileURLToPath(new URL('../dist/doctor-gate.iife.js', import.meta.url));

/** The `integrity` value of a file's exact bytes: `sha384-` and the base64 digest. */
export function integrity(bytes) {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const hash = integrity(readFileSync(DROP_IN));
  process.stdout.write(
    process.argv.includes('--quiet') ? `${hash}\n` : `dist/doctor-gate.iife.js integrity: ${hash}\n`,
  );
}
