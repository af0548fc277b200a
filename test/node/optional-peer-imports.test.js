// The ES build's imports of optional peers, read from dist/ (run `npm run build` first): a bundler
// that builds an app's server code (Next.js's Turbopack, webpack) follows every `import()` it
// sees, so an optional peer the app did not install fails the app's build ("Module not found:
// Can't resolve 'jose'") unless the import tells it not to follow. Node resolves it at run time.
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

/** The code without its JSDoc blocks (`@param {import('hono').Hono}` is a type, not an import). */
const withoutDocComments = (text) => text.replace(/\/\*\*[\s\S]*?\*\//g, '');

/** Every `import("specifier")` of the ES build with the comments written inside its parentheses. */
function dynamicImports() {
  const dist = join(root, 'dist');
  const files = readdirSync(dist, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.js') && !file.endsWith('.iife.js'));
  const pattern = /\bimport\(\s*((?:\/\*[\s\S]*?\*\/\s*)*)(["'])([^"']+)\2\s*\)/g;
  return files.flatMap((file) =>
    [...withoutDocComments(readFileSync(join(dist, file), 'utf8')).matchAll(pattern)].map((match) => ({
      file,
      comments: match[1],
      specifier: match[3],
    })),
  );
}

describe('optional peers in the ES build', () => {
  it('every import() of an optional peer tells bundlers not to follow it', () => {
    const peers = dynamicImports().filter(({ specifier }) => optional.has(specifier));
    // The server entry loads both on first use; if neither is found, this test reads nothing.
    assert.deepEqual([...new Set(peers.map((peer) => peer.specifier))].sort(), ['@hono/node-server', 'jose']);
    const followed = peers.filter(({ comments }) => !/webpackIgnore:\s*true/.test(comments));
    assert.deepEqual(
      followed.map(({ file, specifier }) => `${file}: import("${specifier}")`),
      [],
      'a bundler would try to resolve these, and fail when the app did not install the peer',
    );
  });
});
