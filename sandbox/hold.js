// Held requests (fault `kind: 'hold'`): a vendor request that waits, answer-less, until the control
// API releases it, its fault's `ms` ends, or its client leaves. A test sees an intermediate state
// (a check in flight) for as long as it likes, and says when it ends: no timer to race.
import { MAX_LATENCY_MS, parseFaults } from './control.js';
import { safeDecode } from './http.js';

/** How long `POST /_control/held/wait` waits at most, in ms. */
export const MAX_WAIT_MS = 60_000;
const DEFAULT_WAIT_MS = 10_000;

/**
 * @typedef {import('./control.js').Fault} Fault
 * @typedef {{ by: 'release', then?: Fault } | { by: 'timeout' } | { by: 'abort' }} Outcome
 * @typedef {{ fault: number, seq: number, method: string, path: string, since: string,
 *   finish(outcome: Outcome): void }} Held
 * @typedef {{ id?: number, match?: { method?: string, path?: string } }} Selector
 * @typedef {{ selector: Selector, count: number, done(): void }} Waiter
 * @typedef {{ held: Held[], waiters: Waiter[] }} Holds
 */

/** @returns {Holds} */
export const createHolds = () => ({ held: [], waiters: [] });

/**
 * Holds a request taken by a `hold` fault until it is released, times out, or `signal` aborts.
 * Whatever ends it clears the timer and the listener: an aborted held request leaves nothing behind.
 * @param {Holds} holds @param {Fault} fault
 * @param {{ seq: number, method: string, path: string }} entry the request's log entry
 * @param {AbortSignal} signal the request's
 * @returns {Promise<Outcome>}
 */
export function holdRequest(holds, fault, entry, signal) {
  if (signal.aborted) return Promise.resolve({ by: 'abort' });
  return new Promise((resolve) => {
    const onAbort = () => held.finish({ by: 'abort' });
    const timer = setTimeout(() => held.finish({ by: 'timeout' }), fault.ms ?? MAX_LATENCY_MS);
    /** @type {Held} */
    const held = {
      fault: fault.id,
      seq: entry.seq,
      method: entry.method,
      path: entry.path,
      since: new Date().toISOString(),
      finish(outcome) {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const index = holds.held.indexOf(held);
        if (index !== -1) holds.held.splice(index, 1);
        resolve(outcome);
      },
    };
    signal.addEventListener('abort', onAbort, { once: true });
    holds.held.push(held);
    for (const waiter of [...holds.waiters]) {
      if (selected(holds, waiter.selector).length >= waiter.count) waiter.done();
    }
  });
}

/** @param {Holds} holds @param {Selector} selector @returns {Held[]} */
function selected(holds, { id, match }) {
  return holds.held.filter(
    (held) =>
      (id === undefined || held.fault === id) &&
      (!match?.method || held.method === match.method) &&
      (!match?.path || held.path.includes(match.path) || safeDecode(held.path).includes(match.path)),
  );
}

/** What the control API shows of a held request (never its body or credential). */
const shown = (/** @type {Held} */ { fault, seq, method, path, since }) => ({ fault, seq, method, path, since });

/** @param {Holds} holds @param {Selector} [selector] */
export const heldList = (holds, selector = {}) => selected(holds, selector).map(shown);

/**
 * Releases every held request (they proceed as if never held) and withdraws every queued `hold`
 * fault: what a reset does.
 * @param {Holds} holds @param {Fault[]} faults the queue
 */
export function releaseAll(holds, faults) {
  withdraw(faults, () => true);
  for (const held of [...holds.held]) held.finish({ by: 'release' });
}

/** @param {Fault[]} faults @param {(fault: Fault) => boolean} which @returns {number} how many were withdrawn */
function withdraw(faults, which) {
  let count = 0;
  for (let i = faults.length - 1; i >= 0; i -= 1) {
    const fault = /** @type {Fault} */ (faults[i]);
    if (fault.kind === 'hold' && which(fault)) {
      faults.splice(i, 1);
      count += 1;
    }
  }
  return count;
}

/**
 * `POST /_control/release` `{ id?, match?, then? }`: releases the held requests of fault `id` (and
 * withdraws that fault, so no later request is held by it), or those matching `match`, or, with
 * neither, every held request and every queued hold fault. `then`: one fault the released requests
 * take instead of their real answer.
 * @param {Holds} holds @param {Fault[]} faults @param {unknown} payload @param {() => number} nextId
 * @returns {import('./http.js').Answer}
 */
export function releaseAnswer(holds, faults, payload, nextId) {
  const parsed = parseSelector(payload ?? {});
  if ('error' in parsed) return { status: 400, body: { error: parsed.error } };
  const raw = /** @type {Record<string, unknown>} */ (payload ?? {});
  /** @type {Fault | undefined} */
  let then;
  if (raw.then !== undefined) {
    const thenParsed = parseFaults([raw.then], nextId);
    if ('error' in thenParsed) return { status: 400, body: { error: thenParsed.error.replace('faults[0]', 'then') } };
    then = thenParsed.faults[0];
    if (then?.kind === 'hold') return { status: 400, body: { error: 'then.kind must not be hold' } };
  }
  const { id, match } = parsed.selector;
  const withdrawn =
    id !== undefined ? withdraw(faults, (fault) => fault.id === id) : match ? 0 : withdraw(faults, () => true);
  const released = selected(holds, parsed.selector);
  for (const held of released) held.finish({ by: 'release', ...(then ? { then } : {}) });
  return { status: 200, body: { released: released.length, withdrawn } };
}

/**
 * `POST /_control/held/wait` `{ id?, match?, count?, timeoutMs? }`: answers once at least `count`
 * (default 1) matching requests are held — `200 { held }` — or `408` when `timeoutMs` (default
 * 10000, at most 60000) passes first. A waiter whose client leaves is dropped at once.
 * @param {Holds} holds @param {unknown} payload @param {AbortSignal} [signal]
 * @returns {Promise<import('./http.js').Answer>}
 */
export async function waitAnswer(holds, payload, signal) {
  const parsed = parseSelector(payload ?? {});
  if ('error' in parsed) return { status: 400, body: { error: parsed.error } };
  const raw = /** @type {Record<string, unknown>} */ (payload ?? {});
  const count = raw.count ?? 1;
  if (!Number.isInteger(count) || /** @type {number} */ (count) < 1) {
    return { status: 400, body: { error: 'count must be a positive integer' } };
  }
  const timeoutMs = raw.timeoutMs ?? DEFAULT_WAIT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_WAIT_MS) {
    return { status: 400, body: { error: `timeoutMs must be a number between 0 and ${MAX_WAIT_MS}` } };
  }
  const { selector } = parsed;
  const enough = () => selected(holds, selector).length >= /** @type {number} */ (count);
  if (!enough() && !signal?.aborted) {
    await new Promise((resolve) => {
      /** @type {Waiter} */
      const waiter = {
        selector,
        count: /** @type {number} */ (count),
        done() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', waiter.done);
          const index = holds.waiters.indexOf(waiter);
          if (index !== -1) holds.waiters.splice(index, 1);
          resolve(undefined);
        },
      };
      const timer = setTimeout(waiter.done, timeoutMs);
      signal?.addEventListener('abort', waiter.done, { once: true });
      holds.waiters.push(waiter);
    });
  }
  const held = heldList(holds, selector);
  if (held.length >= /** @type {number} */ (count)) return { status: 200, body: { held } };
  return { status: 408, body: { error: `fewer than ${count} matching request(s) held after ${timeoutMs} ms`, held } };
}

/**
 * @param {unknown} payload
 * @returns {{ selector: Selector } | { error: string }}
 */
export function parseSelector(payload) {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return { error: 'body must be a JSON object' };
  }
  const { id, match } = /** @type {Record<string, unknown>} */ (payload);
  if (id !== undefined && (!Number.isInteger(id) || /** @type {number} */ (id) < 1)) {
    return { error: 'id must be a fault id (a positive integer)' };
  }
  if (match === undefined) return { selector: id === undefined ? {} : { id: /** @type {number} */ (id) } };
  if (match === null || typeof match !== 'object' || Array.isArray(match)) return { error: 'match must be an object' };
  const { method, path } = /** @type {Record<string, unknown>} */ (match);
  if (method !== undefined && (typeof method !== 'string' || !method)) {
    return { error: 'match.method must be a non-empty string' };
  }
  if (path !== undefined && typeof path !== 'string') return { error: 'match.path must be a string' };
  return {
    selector: {
      ...(id === undefined ? {} : { id: /** @type {number} */ (id) }),
      match: { ...(method ? { method: method.toUpperCase() } : {}), ...(path ? { path } : {}) },
    },
  };
}

/**
 * `GET /_control/held?id=&method=&path=`: the requests held now.
 * @param {Holds} holds @param {URLSearchParams} params
 * @returns {import('./http.js').Answer}
 */
export function heldAnswer(holds, params) {
  const id = params.get('id');
  if (id !== null && !/^[1-9]\d*$/.test(id)) return { status: 400, body: { error: 'id must be a fault id' } };
  const method = params.get('method')?.toUpperCase();
  const path = params.get('path');
  /** @type {Selector} */
  const selector = {
    ...(id === null ? {} : { id: Number(id) }),
    match: { ...(method ? { method } : {}), ...(path ? { path } : {}) },
  };
  return { status: 200, body: { held: heldList(holds, selector) } };
}
