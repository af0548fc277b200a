// Child processes of the built CLI (dist/cli.js), for the suites that test it as users run it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = 'dist/cli.js';

/**
 * Starts `node <args…>` (e.g. `[CLI, 'sandbox', '--port', '0']`, or `['sandbox/cli.js', …]`) in the
 * repository; `base` resolves once it printed its base URL, and rejects if it exits first.
 * @param {string[]} args
 */
export function startSandboxProcess(args) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout })));
  const base = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/[^/\s]+)\/sandbox\//.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.on('exit', () => reject(new Error(`exited before listening: ${stdout}`)));
  });
  return {
    child,
    base: /** @type {Promise<string>} */ (base),
    /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string }>} */
    exited,
    output: () => stdout,
  };
}
