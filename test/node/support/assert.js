// Assertions several Node suites share.
import assert from 'node:assert/strict';

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(/** @type {Promise<unknown>} */ promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

/**
 * Polls until `check` is true; fails after `timeoutMs`. For a state the test cannot be told about
 * (a server-side log, a timer count), never to wait out a delay.
 * @param {() => boolean | Promise<boolean>} check
 */
export async function waitFor(check, { timeoutMs = 2000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`waitFor: ${what} not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Fails naming the first of `secrets` that `text` contains. */
export function assertNoSecret(/** @type {string} */ text, /** @type {readonly string[]} */ secrets) {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} leaked`);
}

/** Timers alive in this process (a sandbox served in process runs its timers here). */
export const timerCount = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
