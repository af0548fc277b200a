// Builds the server half (`src/server/index.ts`) into one Node ESM file, dist/server.js
// (`doctor-gate/server`). Runs after the library build (which empties dist/); zod and Hono's Node
// adapter stay external (dependencies). Never part of the drop-in, which is built from src/iife.ts.
import { build } from 'vite';

await build({
  configFile: false,
  root: process.cwd(),
  publicDir: false,
  logLevel: 'warn',
  build: {
    ssr: 'src/server/index.ts',
    outDir: 'dist',
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    copyPublicDir: false,
    rollupOptions: {
      external: [/^zod(\/|$)/, /^hono(\/|$)/, /^@hono\//, /^node:/],
      output: { format: 'es', entryFileNames: 'server.js' },
    },
  },
});
