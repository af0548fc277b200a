import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `doctor-gate sandbox …` and `doctor-gate example-roster …`: the commands that run what the
 * package ships next to dist/ (sandbox/, demo/roster.*). Resolves to the exit code, or is
 * undefined for any other command (then `main` handles it).
 */
export function packageCommand(argv: readonly string[]): Promise<number> | undefined {
  if (argv[0] === 'sandbox') return sandbox(argv.slice(1));
  if (argv[0] === 'example-roster') return Promise.resolve(exampleRoster(argv.slice(1)));
  return undefined;
}

async function sandbox(argv: readonly string[]): Promise<number> {
  // Bundled into the CLI with Hono, so it runs from a plain install; loaded only for this command.
  const { sandboxMain } = await import('../../sandbox/server.js');
  return sandboxMain(argv, { command: 'doctor-gate sandbox' });
}

const ROSTER_USAGE = 'Usage: doctor-gate example-roster [--format csv|json]';

/** Prints the path of the sample roster shipped in the package, for `provision --file "$(…)"`. */
function exampleRoster(argv: readonly string[]): number {
  let format = 'csv';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${ROSTER_USAGE}\n`);
      return 0;
    }
    const value = arg.startsWith('--format=') ? arg.slice('--format='.length) : arg === '--format' ? argv[++i] : null;
    if (value !== 'csv' && value !== 'json') {
      process.stderr.write(`doctor-gate example-roster: unexpected ${JSON.stringify(value ?? arg)}\n${ROSTER_USAGE}\n`);
      return 2;
    }
    format = value;
  }
  const path = fileURLToPath(new URL(`../demo/roster.${format}`, import.meta.url));
  if (!existsSync(path)) {
    process.stderr.write(`doctor-gate example-roster: ${path} is missing from this install\n`);
    return 1;
  }
  process.stdout.write(`${path}\n`);
  return 0;
}
