// React ships CommonJS only, which a browser cannot import. This test-runner plugin serves React
// as ES modules: one esbuild bundle per React version (so `react` and `react-dom` share one
// React), re-exported under each specifier with the named exports Node sees. Development build:
// StrictMode's double invocation only happens there.
//
// Two Reacts: 19 (`react`, `react-dom`) for every module, and 18 (installed as the npm aliases
// `react18`, `react-dom18`) for a module whose URL names `react18` — a `*.react18.test.tsx` file,
// or a source module imported as `…/react.ts?react18` — in which `react…` means React 18.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PREFIX = '/__commonjs__/';
const here = fileURLToPath(new URL('.', import.meta.url));

const WORLDS = {
  react19: {
    packages: ['react', 'react/jsx-runtime', 'react/jsx-dev-runtime', 'react-dom', 'react-dom/client'],
    alias: {},
  },
  react18: {
    packages: ['react18', 'react18/jsx-runtime', 'react18/jsx-dev-runtime', 'react-dom18', 'react-dom18/client'],
    // react-dom18 requires `react`: inside this bundle (and in Node, to read names) that is React 18.
    alias: { react: 'react18', 'react-dom': 'react-dom18' },
  },
};

/** The named exports of each package, read in a child process (React patches `console` on load). */
function exportNames({ packages, alias }) {
  const script = `
    const Module = require('node:module');
    const alias = ${JSON.stringify(alias)};
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      const [name, ...path] = request.split('/');
      return resolve.call(this, name in alias ? [alias[name], ...path].join('/') : request, ...rest);
    };
    console.log(JSON.stringify(${JSON.stringify(packages)}.map((name) => Object.keys(require(name)))));`;
  const lists = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: here, encoding: 'utf8' }));
  return lists.map((names) => names.filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default'));
}

function bundle({ packages, alias }) {
  return build({
    stdin: {
      contents: `${packages.map((name, i) => `import * as m${i} from '${name}';`).join('\n')}\nexport { ${packages.map((_, i) => `m${i}`).join(', ')} };`,
      resolveDir: here,
    },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    alias,
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0].text);
}

export function commonjsPackages() {
  const bundles = {};
  const names = {};
  return {
    name: 'commonjs-packages',
    resolveImport({ source, context }) {
      const world = /react18/.test(context.url) ? 'react18' : 'react19';
      const [name, ...path] = source.split('/');
      const mapped =
        world === 'react18' && name in WORLDS.react18.alias ? [WORLDS.react18.alias[name], ...path].join('/') : source;
      for (const [id, { packages }] of Object.entries(WORLDS)) {
        if (packages.includes(mapped)) return `${PREFIX}${id}/${mapped}.js`;
      }
    },
    async serve(context) {
      if (!context.path.startsWith(PREFIX)) return;
      const [id, ...rest] = context.path.slice(PREFIX.length).split('/');
      const world = WORLDS[id];
      if (!world) return;
      const file = rest.join('/');
      if (file === 'bundle.js') return { body: await (bundles[id] ??= bundle(world)), type: 'js' };
      const index = world.packages.indexOf(file.slice(0, -'.js'.length));
      if (index === -1) return;
      names[id] ??= exportNames(world);
      return {
        body: `import { m${index} as m } from '${PREFIX}${id}/bundle.js';\nexport default m.default ?? m;\nexport const { ${names[id][index].join(', ')} } = m;\n`,
        type: 'js',
      };
    },
  };
}
