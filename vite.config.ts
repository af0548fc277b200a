import { relative } from 'node:path';
import { literalsHtmlCssMinifier } from '@literals/rollup-plugin-html-css-minifier';
import { minify as terser } from 'terser';
import { defineConfig, type Plugin } from 'vite';
import { connectMiddleware, createSandbox } from './sandbox/index.js';
import { serverGates } from './demo/server-gates.js';
// Server mode's handlers, from source (Vite loads TS config files and what they import).
import * as gateServer from './src/server.js';

/**
 * `npm start`: the demo on the embedded sandbox (mounted at /sandbox/).
 * `npm run build` (scripts/build.js) runs three builds of this config, each its own mode:
 * - `lib`: the ES modules, one module graph with an entry per public export and shared chunks,
 *   so each public class exists once whichever entry an app imports it from;
 * - `iife`: the drop-in, everything included, one classic script;
 * - `cli`: the `doctor-gate` command, one Node file holding the sandbox and Hono, so that
 *   `npx doctor-gate sandbox` works from an install without the optional peers.
 */
export default defineConfig(({ command, mode }) => ({
  root: 'demo',
  server: { port: 5173, host: '127.0.0.1', fs: { allow: ['..'] } },
  preview: { port: 5173, host: '127.0.0.1' },
  plugins: [
    {
      name: 'doctor-gate-sandbox',
      configureServer(server) {
        // Before the sandbox: /ehr/doctor-gate/<vendor> are real handlers that call it over HTTP.
        server.middlewares.use(serverGates(gateServer));
        server.middlewares.use(connectMiddleware(createSandbox()));
      },
      configurePreviewServer(server) {
        server.middlewares.use(connectMiddleware(createSandbox()));
      },
    },
    // The drop-in only: whitespace and comments out of the `css` and `html` literals (lit-html's markers are kept).
    ...(mode === 'iife' ? [literalsHtmlCssMinifier({ include: ['src/**/*.ts'], failOnError: true }), foldFirst()] : []),
    ...(command === 'build' && mode !== 'iife' && mode !== 'cli'
      ? [optionalPeer('@hono/node-server', ['getRequestListener'], 'toNodeListener')]
      : []),
    ...(mode === 'cli' ? [sandboxFilesInPlace()] : []),
  ],
  build: mode === 'iife' ? iife : mode === 'cli' ? cli : lib,
  // The CLI bundles every package but zod (a dependency) and msw (see `cli`).
  ssr: mode === 'cli' ? { noExternal: true } : undefined,
}));

/** What an app installs beside the package: imported, never bundled (`@hono/node-server`: below). */
const PACKAGES = [/^lit(\/|$)/, /^@lit\//, /^zod(\/|$)/, /^react(\/|$)/, /^hono(\/|$)/, /^jose(\/|$)/, /^node:/];

const lib = {
  outDir: '../dist',
  emptyOutDir: true,
  target: 'es2022',
  minify: false,
  lib: {
    entry: {
      index: '../src/index.ts',
      define: '../src/define.ts',
      core: '../src/core.ts',
      server: '../src/server.ts',
      react: '../src/react.ts',
    },
    formats: ['es' as const],
  },
  rolldownOptions: {
    external: PACKAGES,
    output: {
      chunkFileNames: 'chunks/[name]-[hash].js',
      // Two shared chunks, named for what they hold: the core with the vendors (every entry), and
      // the element (`doctor-gate`, `/define`, `/react`). The server half never loads the element.
      codeSplitting: {
        groups: [
          // core.ts too: `doctor-gate` re-exports it, and alone it would be an empty chunk.
          { name: 'core', test: /\/src\/(core\/|vendors\/|core\.ts$)/ },
          { name: 'element', test: /\/src\/(element|frameworks)\// },
        ],
      },
    },
  },
};

const iife = {
  outDir: '../dist',
  emptyOutDir: false,
  target: 'es2022',
  minify: true,
  // The public classes keep their names (`DoctorGate.name`, `DoctorGateError`, stack traces,
  // devtools) by not being renamed at all; the internal ones and functions may be.
  rolldownOptions: {
    output: {
      // `window.DoctorGate` is a plain object: no `Symbol.toStringTag` "Module" glue.
      generatedCode: { symbols: false },
      minify: {
        mangle: { reserved: ['DoctorGate', 'DoctorGateError'] },
      },
    },
  },
  lib: {
    entry: '../src/iife.ts',
    formats: ['iife' as const],
    name: 'DoctorGate',
    fileName: () => 'doctor-gate.iife.js',
  },
};

const cli = {
  outDir: '../dist',
  emptyOutDir: false,
  target: 'node20',
  minify: false,
  copyPublicDir: false,
  ssr: '../src/cli.ts',
  rolldownOptions: {
    // zod is a dependency; msw is an optional peer the sandbox loads only when present.
    external: [/^zod(\/|$)/, /^msw(\/|$)/, /^node:/],
    output: {
      format: 'es' as const,
      entryFileNames: 'cli.js',
      banner: '#!/usr/bin/env node',
      // One file: the sandbox and Hono travel inside it.
      codeSplitting: false,
    },
  },
};

/** The comments that tell bundlers not to follow an `import()` of an optional peer. */
const DO_NOT_FOLLOW = /\/\*\s*(?:webpackIgnore:\s*true|@vite-ignore)\s*\*\/\s*/g;

/**
 * The CLI bundles the sandbox, whose stand-in app files (`app.html`…) ship in the package's
 * `sandbox/` folder: each sandbox module keeps its own `import.meta.url`, the shipped file's.
 * The optional peers the shipped sandbox loads at run time (`@hono/node-server`) travel inside
 * the CLI instead, so its imports lose the comments that keep an app's bundler from following them.
 */
function sandboxFilesInPlace(): Plugin {
  const sandbox = new URL('./sandbox/', import.meta.url).pathname;
  return {
    name: 'doctor-gate-sandbox-files-in-place',
    transform(code, id) {
      if (!id.startsWith(sandbox)) return undefined;
      const shipped = `new URL(${JSON.stringify(`../sandbox/${relative(sandbox, id)}`)}, import.meta.url).href`;
      const bundled = code.replaceAll('import.meta.url', shipped).replace(DO_NOT_FOLLOW, '');
      return bundled === code ? undefined : { code: bundled, map: null };
    },
  };
}

/**
 * An optional peer of one entry point: the entry loads without it, and using the part that needs
 * it throws an error that names the package to install. Node only (a top-level await); bundlers
 * are told not to follow the import, which Node resolves at run time.
 */
function optionalPeer(name: string, imports: string[], usedBy: string): Plugin {
  const id = `\0optional-peer:${name}`;
  return {
    name: 'doctor-gate-optional-peer',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source !== name) return undefined;
      return importer === id ? { id: name, external: true } : id;
    },
    load(loading) {
      if (loading !== id) return undefined;
      const message = `${usedBy} needs ${name}: npm i ${name}`;
      return [
        `const peer = await import(/* webpackIgnore: true */ /* @vite-ignore */ ${JSON.stringify(name)}).catch((error) => {`,
        `  if (error?.code === 'ERR_MODULE_NOT_FOUND') return undefined;`,
        `  throw error;`,
        `});`,
        `const missing = () => { throw new Error(${JSON.stringify(message)}); };`,
        ...imports.map((each) => `export const ${each} = peer ? peer.${each} : missing;`),
      ].join('\n');
    },
  };
}

/**
 * The drop-in only: terser's compressor (no renaming) before oxc minifies the chunk. It inlines
 * and folds what oxc leaves as is (single-use functions, mostly); oxc still renames and prints.
 */
function foldFirst(): Plugin {
  return {
    name: 'doctor-gate-fold-first',
    async renderChunk(code) {
      const folded = await terser(code, {
        ecma: 2020,
        compress: { passes: 2 },
        mangle: false,
        keep_classnames: true,
        sourceMap: true,
      });
      return { code: folded.code ?? code, map: folded.map as string };
    },
  };
}
