// Child processes of the built CLI (dist/cli.js), for the suites that test it as users run it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
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

/**
 * Runs `node dist/cli.js <args…>` with only PATH and `env` in its environment; never blocks this
 * process (which may serve the sandbox the CLI talks to). `onSpawn(child)` may signal the child.
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, cwd?: string, onSpawn?: (child: import('node:child_process').ChildProcess) => void }} [options]
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }>}
 */
export function runCli(args, { env = {}, cwd = ROOT, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, CLI), ...args], {
      cwd,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const guard = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
    onSpawn?.(child);
  });
}

/**
 * The CLI's arguments to run `command` (`provision`, `reconcile`…) over the roster `file` at the
 * sandbox's `vendor` on `origin`, the API credential read from the variable `tokenEnv`; `more` after.
 */
export function rosterArgs(origin, { command = 'provision', vendor, tokenEnv, file }, ...more) {
  const speaknosis = vendor === 'speaknosis';
  return [
    command,
    '--vendor',
    vendor,
    '--api-base',
    `${origin}/sandbox/${speaknosis ? 'speaknosis/v1/health' : vendor}`,
    ...(speaknosis ? ['--provider-id', '1001'] : []),
    '--token-env',
    tokenEnv,
    '--file',
    file,
    ...more,
  ];
}
