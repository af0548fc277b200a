// `npm run build`: the ES modules (one module graph, an entry per public export), the drop-in, the
// CLI, the types, the Custom Elements Manifest and its editor data, then the drop-in's size.
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { build } from 'vite';

const config = new URL('../vite.config.ts', import.meta.url).pathname;
for (const mode of ['lib', 'iife', 'cli']) await build({ configFile: config, mode, logLevel: 'warn' });
chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755);

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const run = (command, args) => execFileSync(command, args, { stdio: 'inherit' });
run(bin('tsc'), ['-p', 'tsconfig.build.json']);
run(bin('cem'), ['analyze', '--globs', 'src/**/*.ts', '--litelement', '--quiet']);
run(process.execPath, ['scripts/size.js', '--quiet']);
