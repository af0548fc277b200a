// The package as an integrator installs it (run after `npm run build`): every `exports` target
// exists, and importing it in Node — server-side rendering — neither throws nor registers the tag.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

/** Every file an `exports` entry points at, whatever its conditions. */
function targets(entry) {
  if (typeof entry === 'string') return [entry];
  return Object.values(entry).flatMap(targets);
}

/**
 * Imports `specifier` in a fresh Node process, by the package's own name (so through `exports`),
 * and reports which browser globals the import touched and whether `<doctor-gate>` got registered.
 */
function importInNode(specifier) {
  const probe = `
    const touched = new Set();
    for (const name of ['window', 'document', 'customElements', 'HTMLElement', 'navigator', 'location', 'localStorage', 'sessionStorage']) {
      let value = globalThis[name];
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() { touched.add(name); return value; },
        set(next) { touched.add(name); value = next; },
      });
    }
    const module = await import(${JSON.stringify(specifier)});
    const seen = [...touched].sort();
    const registered = !!globalThis.customElements?.get?.('doctor-gate');
    console.log(JSON.stringify({ exports: Object.keys(module).sort(), touched: seen, registered }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, `importing ${specifier} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

describe('package.json', () => {
  test('every exports target exists', () => {
    const missing = Object.entries(pkg.exports).flatMap(([subpath, entry]) =>
      targets(entry)
        .filter((file) => !existsSync(new URL(file, new URL('../../', import.meta.url))))
        .map((file) => `${subpath} → ${file}`),
    );
    assert.deepEqual(missing, []);
  });

  test('exports the public entry points', () => {
    assert.deepEqual(
      [
        '.',
        './define',
        './core',
        './react',
        './vue',
        './global',
        './doctor-gate.iife.js',
        './custom-elements.json',
        './package.json',
      ].filter((subpath) => !(subpath in pkg.exports)),
      [],
    );
    for (const subpath of ['.', './define', './core', './react', './vue', './global'])
      assert.ok(pkg.exports[subpath].types, `${subpath} has types`);
  });

  test('main, module, types and customElements point at files that exist', () => {
    for (const field of ['main', 'module', 'types', 'customElements']) {
      assert.ok(existsSync(new URL(pkg[field], new URL('../../', import.meta.url))), `${field}: ${pkg[field]}`);
    }
    assert.equal(pkg.exports['.'].types.replace(/^\.\//, ''), pkg.types.replace(/^\.\//, ''));
  });

  test('sideEffects lists only the modules that register the tag', () => {
    const registering = new Set([
      './dist/define.js',
      './dist/react.js',
      './dist/doctor-gate.iife.js',
      './src/define.ts',
      './src/react.ts',
      './src/iife.ts',
    ]);
    assert.ok(Array.isArray(pkg.sideEffects));
    assert.deepEqual(
      pkg.sideEffects.filter((file) => !registering.has(file)),
      [],
    );
    assert.ok(pkg.sideEffects.includes('./dist/define.js') && pkg.sideEffects.includes('./dist/doctor-gate.iife.js'));
    for (const subpath of ['.', './core']) assert.ok(!pkg.sideEffects.includes(pkg.exports[subpath].default));
  });

  test('files ships the build, the manifest, the license and the changelog', () => {
    assert.ok(pkg.files.includes('dist'));
    assert.ok(pkg.files.includes(pkg.customElements));
    for (const file of ['LICENSE', 'CHANGELOG.md', 'README.md']) {
      assert.ok(pkg.files.includes(file), file);
      assert.ok(existsSync(new URL(`../../${file}`, import.meta.url)), file);
    }
    assert.match(
      readFileSync(new URL('../../LICENSE', import.meta.url), 'utf8'),
      /^MIT License\n\nCopyright \(c\) 2026 doctor-gate contributors/,
    );
    assert.equal(pkg.license, 'MIT');
    for (const field of ['repository', 'homepage', 'bugs']) assert.ok(pkg[field], field);
  });

  test('publint --strict and arethetypeswrong (esm-only profile) find nothing wrong in the packed package', () => {
    // The drop-in is a classic script, not an ES module: no types to resolve for an import of it.
    const run = spawnSync('npm', ['run', 'test:package', '--silent'], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /All good!/);
    assert.doesNotMatch(run.stdout, /❌|💀 Resolution failed\s*│|Masquerading|FalseCJS|FalseESM/);
  });
});

describe('importing in Node (server-side rendering)', () => {
  // Lit's own Node build installs a DOM shim (HTMLElement, customElements) and lit-html reads
  // `document`; the baseline is what importing `lit` alone touches. The package must add nothing on top of it.
  const baseline = importInNode('lit');

  test('`doctor-gate` loads without touching window, document or customElements beyond Lit, and registers nothing', () => {
    const result = importInNode('doctor-gate');
    assert.deepEqual(result.touched, baseline.touched);
    assert.ok(!result.touched.includes('window'));
    assert.equal(result.registered, false);
    for (const name of ['DoctorGate', 'DoctorGateError', 'createClient', 'provisionDoctor', 'provisionDoctors']) {
      assert.ok(result.exports.includes(name), name);
    }
  });

  test('`doctor-gate/core` touches no browser global at all', () => {
    const result = importInNode('doctor-gate/core');
    assert.deepEqual(result.touched, []);
    assert.equal(result.registered, false);
    assert.ok(result.exports.includes('provisionDoctor'));
    assert.ok(!result.exports.includes('DoctorGate'));
  });

  test('`doctor-gate/define` is the module that registers the tag', () => {
    const result = importInNode('doctor-gate/define');
    assert.equal(result.registered, true);
  });

  test('`doctor-gate/react` registers the tag (documented) and server-renders without a DOM', () => {
    const result = importInNode('doctor-gate/react');
    assert.deepEqual(result.touched, baseline.touched);
    assert.equal(result.registered, true);
    assert.ok(result.exports.includes('DoctorGateReact'));
    const render = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { renderToString } from 'react-dom/server';
         import { createElement } from 'react';
         import { DoctorGateReact } from 'doctor-gate/react';
         console.log(renderToString(createElement(DoctorGateReact, { apiBase: '/api', providerId: '1001', tokenProvider: async () => 'sk', onError: () => {} }, 'Open')));`,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(render.status, 0, render.stderr);
    // Properties are set on the client after hydration: the server writes none of them as an attribute.
    assert.equal(render.stdout.trim(), '<doctor-gate>Open</doctor-gate>');
  });

  test('the drop-in is one classic script that exposes window.DoctorGate', () => {
    const iife = readFileSync(
      new URL(pkg.exports['./doctor-gate.iife.js'], new URL('../../', import.meta.url)),
      'utf8',
    );
    assert.match(iife, /^(\/\*[\s\S]*?\*\/\s*)?var DoctorGate\s*=/);
    assert.doesNotMatch(iife, /^\s*import\s|\bexport\s*\{/m);
    // Minified, but the element class keeps its name (devtools, stack traces, `DoctorGate.name`).
    assert.match(iife, /\bclass DoctorGate extends\b/);
  });
});

describe('README recipes, as written', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  test('every link works from the package page: absolute, or an anchor of one of its headings', () => {
    const prose = readme.replace(/```[\s\S]*?```/g, '');
    // GitHub's and npm's heading ids: lower case, punctuation dropped, spaces to hyphens.
    const slug = (heading) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s-]/gu, '')
        .replace(/\s/g, '-');
    const anchors = new Set([...prose.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1])));
    const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    assert.ok(links.length > 0);
    for (const link of links) {
      if (link.startsWith('#')) assert.ok(anchors.has(link.slice(1)), `no heading for ${link}`);
      else assert.match(link, /^https:\/\//, `${link} is not in the package: link it absolutely`);
    }
  });
  // The recipes themselves moved to the docs site: test/node/docs.test.js runs every runnable block.
});
