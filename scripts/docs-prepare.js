// Puts what the docs site serves as static files into docs/public (all generated, gitignored):
// the drop-in from dist/, MSW's service worker (what `msw init docs/public` copies), and the
// sandbox's stand-in vendor app with a bridge to the playground's in-page sandbox.
// Run by `npm run docs` and `npm run docs:build`, after `npm run build`.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pub = join(root, 'docs/public');
const require = createRequire(import.meta.url);

for (const needed of ['dist/doctor-gate.iife.js', 'custom-elements.json']) {
  if (!existsSync(join(root, needed))) {
    process.stderr.write(`docs: ${needed} is missing: run "npm run build" first\n`);
    process.exit(1);
  }
}

const copy = (from, to) => {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
};

copy(join(root, 'dist/doctor-gate.iife.js'), join(pub, 'doctor-gate.iife.js'));
copy(join(dirname(require.resolve('msw/package.json')), 'lib/mockServiceWorker.js'), join(pub, 'mockServiceWorker.js'));

// The stand-in app at the paths the sandbox serves it (/sandbox/app/…), plus one module that runs
// before app.js and answers its "who is this credential" request from the playground's sandbox.
const app = join(pub, 'sandbox/app');
const html = readFileSync(join(root, 'sandbox/app.html'), 'utf8').replace(
  '<script type="module" src="/sandbox/app/app.js"></script>',
  '<script type="module" src="/sandbox/app/playground-bridge.js"></script>\n    $&',
);
if (!html.includes('playground-bridge.js'))
  throw new Error('docs: sandbox/app.html no longer loads /sandbox/app/app.js');
for (const vendor of ['speaknosis', 'prescrypto']) {
  mkdirSync(join(app, vendor), { recursive: true });
  writeFileSync(join(app, vendor, 'index.html'), html);
}
copy(join(root, 'sandbox/app.js'), join(app, 'app.js'));
copy(join(root, 'sandbox/app.css'), join(app, 'app.css'));
copy(join(root, 'docs/.vitepress/playground/app-bridge.js'), join(app, 'playground-bridge.js'));
process.stdout.write('docs: docs/public is ready (drop-in, mockServiceWorker.js, stand-in app)\n');
