// Builds the server half (`src/server/index.ts`) into one Node ESM file, dist/server.js
// (`doctor-gate/server`). Runs after the library build (which empties dist/). Packages (zod, Hono's
// Node adapter) stay imports: they are dependencies. The drop-in is built from src/iife.ts and
// never reaches this code.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/server/index.ts'],
  outfile: 'dist/server.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
