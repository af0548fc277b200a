// Build-time data for the Subresource Integrity snippet: the hash of the drop-in that this
// build made (the same one `npm run build` prints), and the package's name and version.
import { readFileSync } from 'node:fs';
import { integrity } from '../scripts/sri.js';

export default {
  watch: ['../dist/doctor-gate.iife.js'],
  load() {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const bytes = readFileSync(new URL('../dist/doctor-gate.iife.js', import.meta.url));
    return { name: pkg.name, version: pkg.version, integrity: integrity(bytes), bytes: bytes.length };
  },
};
