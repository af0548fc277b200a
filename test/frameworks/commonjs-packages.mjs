// React ships CommonJS only, which a browser cannot import. This test-runner plugin serves React
// as ES modules: one esbuild bundle (so `react` and `react-dom` share one React), re-exported
// under each specifier with the named exports Node sees. Development build: StrictMode's double
// invocation only happens there.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PACKAGES = ['react', 'react/jsx-runtime', 'react/jsx-dev-runtime', 'react-dom', 'react-dom/client'];
const PREFIX = '/__commonjs__/';
const BUNDLE = `${PREFIX}bundle.js`;

/** The named exports of each package, read in a child process (React patches `console` on load). */
function exportNames() {
  const script = `console.log(JSON.stringify(${JSON.stringify(PACKAGES)}.map((name) => Object.keys(require(name)))))`;
  const cwd = fileURLToPath(new URL('.', import.meta.url));
  const lists = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8' }));
  return lists.map((names) => names.filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default'));
}

export function commonjsPackages() {
  let bundle;
  let names;
  const bundled = () =>
    (bundle ??= build({
      stdin: {
        contents: `${PACKAGES.map((name, i) => `import * as m${i} from '${name}';`).join('\n')}\nexport { ${PACKAGES.map((_, i) => `m${i}`).join(', ')} };`,
        resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      },
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      define: { 'process.env.NODE_ENV': '"development"' },
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0].text));

  return {
    name: 'commonjs-packages',
    resolveImport({ source }) {
      if (PACKAGES.includes(source)) return `${PREFIX}${source}.js`;
    },
    async serve(context) {
      if (!context.path.startsWith(PREFIX)) return;
      if (context.path === BUNDLE) return { body: await bundled(), type: 'js' };
      const index = PACKAGES.indexOf(context.path.slice(PREFIX.length, -'.js'.length));
      if (index === -1) return;
      names ??= exportNames();
      return {
        body: `import { m${index} as m } from '${BUNDLE}';\nexport default m.default ?? m;\nexport const { ${names[index].join(', ')} } = m;\n`,
        type: 'js',
      };
    },
  };
}
