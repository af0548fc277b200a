// Builds the command line (`src/cli/index.ts`) into one Node ESM file, dist/cli.js, the package `bin`.
// Runs after the library build (which empties dist/); lit and zod stay external (dependencies).
import { chmod } from 'node:fs/promises';
import { build } from 'vite';

const OUT = 'dist/cli.js';

await build({
  configFile: false,
  root: process.cwd(),
  publicDir: false,
  logLevel: 'warn',
  build: {
    ssr: 'src/cli/index.ts',
    outDir: 'dist',
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    copyPublicDir: false,
    rollupOptions: {
      external: [/^lit(\/|$)/, /^@lit\//, /^zod(\/|$)/],
      output: { format: 'es', entryFileNames: 'cli.js', banner: '#!/usr/bin/env node' },
    },
  },
});
await chmod(OUT, 0o755);
