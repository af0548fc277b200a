// Server rendering for the SSR test: a test-runner plugin that answers `/__ssr__?…` with the HTML
// React 19's react-dom/server renders in Node for ./app.tsx — in a child process, because Lit's
// Node build installs its DOM shim on the globals of whatever process imports it.
// The page is bundled for Node with the packages left external, so Node resolves `lit`,
// `@lit/react` and `react` by their `node` export conditions, as a real server would.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const outfile = `${root}node_modules/.cache/doctor-gate-ssr/page.mjs`;

function bundlePage() {
  mkdirSync(new URL('.', pathToFileURL(outfile)), { recursive: true });
  return build({
    entryPoints: [fileURLToPath(new URL('./entry-server.tsx', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: `${root}tsconfig.json`,
    logLevel: 'silent',
  });
}

const run = promisify(execFile);
const RENDER = `const { render } = await import(process.argv[1]); process.stdout.write(render(JSON.parse(process.argv[2])));`;

export function serverRendering() {
  let bundled;
  return {
    name: 'server-rendering',
    async serve(context) {
      if (context.path !== '/__ssr__') return;
      await (bundled ??= bundlePage());
      const props = JSON.stringify(Object.fromEntries(new URLSearchParams(context.querystring)));
      const { stdout } = await run(
        process.execPath,
        ['--input-type=module', '-e', RENDER, pathToFileURL(outfile).href, props],
        { cwd: root },
      );
      return { body: stdout, type: 'html' };
    },
  };
}
