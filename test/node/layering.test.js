// The layering of src/, read from the files: the core imports nothing above it and touches no DOM,
// no folder or file imports one that imports it back, every file at src/'s root is a public entry
// point named after it, and every other file is small and named for what it does.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

const files = readdirSync(SRC, { recursive: true })
  .filter((file) => /\.tsx?$/.test(file))
  .map((file) => join(SRC, file));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const name = (file) => relative(SRC, file).replace(/\\/g, '/');

/** A file's text without its comments (a rough cut, enough for identifiers and imports). */
const code = (file) =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** The relative specifiers a file imports at run time: `import type` and `export type` left out. */
function valueSpecifiers(file) {
  const found = [];
  const pattern =
    /^\s*(import|export)\s+(?!type\b)([^'";]*?)\bfrom\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]/gm;
  for (const match of code(file).matchAll(pattern)) {
    const names = match[2]?.match(/\{([^}]*)\}/)?.[1];
    // `import { type A, type B } from` loads nothing either.
    if (names && !/[^{\s,]/.test(names.replace(/\btype\s+\w+(\s+as\s+\w+)?/g, ''))) continue;
    found.push(match[3] ?? match[4]);
  }
  return found;
}

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
    assert.ok(specifiers(join(SRC, 'vendors/create-client.ts')).includes('./index.js'));
    assert.ok(valueSpecifiers(join(SRC, 'core.ts')).includes('./vendors/create-client.js'));
    assert.ok(!valueSpecifiers(join(SRC, 'frameworks/react-jsx.ts')).length, 'type-only imports load nothing');
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

  test('src/core touches no DOM: no document, window, element or browser storage', () => {
    const dom =
      /\b(document|window|customElements|HTMLElement|Element|ShadowRoot|navigator|localStorage|sessionStorage)\b/;
    for (const file of files.filter((each) => unitOf(each) === 'core')) {
      const line = code(file)
        .split('\n')
        .find((each) => dom.test(each.replace(/(['"`])(?:(?!\1).)*\1/g, '')));
      assert.equal(line, undefined, `${name(file)}: ${line?.trim()}`);
    }
  });

  test('no import cycle between files (imports that load code; type-only imports may point back)', () => {
    const imports = new Map(files.map((file) => [file, valueSpecifiers(file).map((each) => target(file, each))]));
    const done = new Set();
    const visit = (file, path) => {
      if (path.includes(file))
        assert.fail(`import cycle: ${[...path.slice(path.indexOf(file)), file].map(name).join(' → ')}`);
      if (done.has(file)) return;
      for (const next of imports.get(file) ?? []) visit(next, [...path, file]);
      done.add(file);
    };
    for (const file of files) visit(file, []);
  });

  test("every file at src/'s root is a public entry point, named after what it exports", () => {
    const roots = files.filter((file) => !name(file).includes('/')).map((file) => name(file).replace(/\.tsx?$/, ''));
    const exported = (entry) =>
      (entry === 'index' && '.' in pkg.exports) ||
      (entry === 'iife' && './doctor-gate.iife.js' in pkg.exports) ||
      (entry === 'cli' && Object.values(pkg.bin).includes('./dist/cli.js')) ||
      `./${entry}` in pkg.exports;
    assert.deepEqual(
      roots.filter((entry) => !exported(entry)),
      [],
    );
    assert.ok(roots.includes('core') && roots.includes('server') && roots.includes('define'));
  });

  test('no file is named shared, utils, helpers or misc: a name says what the file does', () => {
    const vague = files
      .map(name)
      .filter((path) =>
        /^(shared|utils?|helpers?|misc|common)$/.test(path.replace(/^.*\//, '').replace(/\.tsx?$/, '')),
      );
    assert.deepEqual(vague, []);
  });

  test('no file in src/ is over 300 lines', () => {
    const long = files
      .map((file) => ({ file: name(file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 300);
    assert.deepEqual(long, []);
  });
});
