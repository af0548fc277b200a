import { literalsHtmlCssMinifier } from '@literals/rollup-plugin-html-css-minifier';
import { minify as terser } from 'terser';
import { defineConfig, type Plugin } from 'vite';
import { connectMiddleware, createSandbox } from './sandbox/index.js';
import { serverGates } from './demo/server-gates.js';
// Server mode's handlers, from source (Vite loads TS config files and what they import).
import * as gateServer from './src/server/index.js';

/**
 * `npm start`: the demo on the embedded sandbox (mounted at /sandbox/).
 * `npm run build`: the ES modules (default mode) and the drop-in IIFE (`--mode iife`).
 */
export default defineConfig(({ mode }) => ({
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
  ],
  build:
    mode === 'iife'
      ? {
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
            formats: ['iife'],
            name: 'DoctorGate',
            fileName: () => 'doctor-gate.iife.js',
          },
        }
      : {
          outDir: '../dist',
          emptyOutDir: true,
          target: 'es2022',
          minify: false,
          lib: {
            entry: {
              index: '../src/index.ts',
              define: '../src/define.ts',
              core: '../src/api.ts',
              react: '../src/react.ts',
            },
            formats: ['es'],
          },
          rollupOptions: { external: [/^lit(\/|$)/, /^@lit\//, /^zod(\/|$)/, /^react(\/|$)/] },
        },
}));

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
