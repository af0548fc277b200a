// The imports of optional peers in what ships as code: the ES build (dist/, run `npm run build`
// first) and the sandbox (sandbox/*.js, shipped as is). A bundler that builds an app's server code
// (Next.js's Turbopack, webpack) follows every import it sees, so an optional peer the app did not
// install fails the app's build ("Module not found: Can't resolve 'jose'") unless the import
// tells it not to follow. Node resolves it at run time.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const optional = new Set(
  Object.keys(pkg.peerDependenciesMeta).filter((name) => pkg.peerDependenciesMeta[name].optional),
);
/** Bare specifier → package name (`hono/cors` → `hono`, `@hono/node-server` as is). */
const packageOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Files that only browser bundles get (package.json "imports" under the `browser` condition). */
const browserOnly = new Set(
  Object.values(pkg.imports ?? {})
    .filter((target) => typeof target === 'object' && target.browser && target.browser !== target.default)
    .map((target) => target.browser.replace(/^\.\//, '')),
);

/** The code without its JSDoc blocks (`@param {import('hono').Hono}` is a type, not an import). */
const withoutDocComments = (text) => text.replace(/\/\*\*[\s\S]*?\*\//g, '');

/** The shipped ES modules: the ES build's (not the drop-in's), and the sandbox's but the browser-only ones. */
function shippedFiles() {
  const dist = readdirSync(join(root, 'dist'), { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.js') && !file.endsWith('.iife.js'))
    .map((file) => `dist/${file}`);
  const sandbox = readdirSync(join(root, 'sandbox'))
    .filter((file) => file.endsWith('.js'))
    .map((file) => `sandbox/${file}`)
    .filter((file) => !browserOnly.has(file));
  return [...dist, ...sandbox];
}

const read = (file) => withoutDocComments(readFileSync(join(root, file), 'utf8'));

/** Every `import("specifier")` with the comments written inside its parentheses. */
function dynamicImports(files) {
  const pattern = /\bimport\(\s*((?:\/\*[\s\S]*?\*\/\s*)*)(["'])([^"']+)\2\s*\)/g;
  return files.flatMap((file) =>
    [...read(file).matchAll(pattern)].map((match) => ({ file, comments: match[1], specifier: match[3] })),
  );
}

/** Every static `import … from "specifier"` / `export … from "specifier"` / `import "specifier"`. */
function staticImports(files) {
  const pattern = /^\s*(?:import|export)\s(?:[^'"]*?\sfrom\s)?\s*(["'])([^"']+)\1/gm;
  return files.flatMap((file) => [...read(file).matchAll(pattern)].map((match) => ({ file, specifier: match[2] })));
}

describe('optional peers in the ES build and the shipped sandbox', () => {
  it('every import() of an optional peer tells bundlers not to follow it', () => {
    const files = shippedFiles();
    assert.ok(files.includes('sandbox/node.js') && files.includes('sandbox/msw-peer.js'));
    const peers = dynamicImports(files).filter(({ specifier }) => optional.has(packageOf(specifier)));
    // The server entry loads jose and @hono/node-server on first use, the sandbox @hono/node-server
    // and msw: if none is found, this test reads nothing.
    const where = (prefix) =>
      [...new Set(peers.filter(({ file }) => file.startsWith(prefix)).map((peer) => peer.specifier))].sort();
    assert.deepEqual(where('dist/'), ['@hono/node-server', 'jose']);
    assert.deepEqual(where('sandbox/'), ['@hono/node-server', 'msw']);
    const followed = peers.filter(({ comments }) => !/webpackIgnore:\s*true/.test(comments));
    assert.deepEqual(
      followed.map(({ file, specifier }) => `${file}: import("${specifier}")`),
      [],
      'a bundler would try to resolve these, and fail when the app did not install the peer',
    );
  });

  it('the shipped sandbox imports no optional peer statically but hono, which it is built on', () => {
    const imported = staticImports(shippedFiles().filter((file) => file.startsWith('sandbox/')));
    assert.ok(
      imported.some(({ specifier }) => specifier === './sandbox.js'),
      'the pattern reads imports',
    );
    assert.deepEqual(
      imported
        .filter(({ specifier }) => optional.has(packageOf(specifier)) && packageOf(specifier) !== 'hono')
        .map(({ file, specifier }) => `${file}: ${specifier}`),
      [],
    );
  });
});
