// The layering of src/, read from the files: the core imports nothing above it, and no folder
// imports one that imports it back.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

const files = readdirSync(SRC, { recursive: true })
  .filter((file) => /\.tsx?$/.test(file))
  .map((file) => join(SRC, file));

/** Every module specifier a file imports or re-exports, static or dynamic, types included. */
function specifiers(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const pattern of [
    /^\s*(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ])
    for (const match of text.matchAll(pattern)) found.push(match[1]);
  return found;
}

/** The file a relative specifier names (`./x.js` is `./x.ts` in the sources). */
const target = (from, specifier) => resolve(dirname(from), specifier).replace(/\.js$/, '.ts');

/** A file's unit: its folder under src/, or the file itself for the entry points at src/'s root. */
const unitOf = (file) => {
  const path = relative(SRC, file).replace(/\\/g, '/');
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : path;
};

describe('layering', () => {
  test('the scan reads the sources', () => {
    assert.ok(files.some((file) => file.endsWith('core/provision.ts')));
    assert.ok(specifiers(join(SRC, 'client.ts')).includes('./vendors/index.js'));
  });

  test('src/core imports nothing from src/vendors, src/element, lit or the other entry points', () => {
    for (const file of files.filter((each) => unitOf(each) === 'core')) {
      for (const specifier of specifiers(file)) {
        const name = relative(SRC, file);
        assert.doesNotMatch(specifier, /^(lit|lit-html|lit-element|@lit\/)/, `${name} imports ${specifier}`);
        if (specifier.startsWith('.'))
          assert.equal(unitOf(target(file, specifier)), 'core', `${name} imports ${specifier}, outside src/core`);
      }
    }
  });

  test('no import cycle between folders', () => {
    const edges = new Map();
    for (const file of files) {
      const from = unitOf(file);
      for (const specifier of specifiers(file).filter((each) => each.startsWith('.'))) {
        const to = unitOf(target(file, specifier));
        if (to !== from) edges.set(from, new Set([...(edges.get(from) ?? []), to]));
      }
    }
    // Depth-first search; a unit met again on the current path closes a cycle.
    const done = new Set();
    const visit = (unit, path) => {
      if (path.includes(unit)) assert.fail(`import cycle: ${[...path.slice(path.indexOf(unit)), unit].join(' → ')}`);
      if (done.has(unit)) return;
      for (const next of edges.get(unit) ?? []) visit(next, [...path, unit]);
      done.add(unit);
    };
    for (const unit of edges.keys()) visit(unit, []);
    assert.ok(edges.get('vendors')?.has('core'), 'vendors sit on the core');
  });
});
