import { literalsHtmlCssMinifier } from '@literals/rollup-plugin-html-css-minifier';
import { defineConfig } from 'vite';
import { connectMiddleware, createSandbox } from './sandbox/index.js';

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
        server.middlewares.use(connectMiddleware(createSandbox()));
      },
      configurePreviewServer(server) {
        server.middlewares.use(connectMiddleware(createSandbox()));
      },
    },
    // The drop-in only: whitespace and comments out of the `css` and `html` literals (lit-html's markers are kept).
    ...(mode === 'iife' ? [literalsHtmlCssMinifier({ include: ['src/**/*.ts'], failOnError: true })] : []),
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
