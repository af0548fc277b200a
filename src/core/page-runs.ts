import type { GateClient } from './gate-client.js';
import { provisionDoctor, type BeforeCreate } from './provision.js';
import { forgetServerAnswers } from './server-client.js';
import { clearStoredResults } from './session-store.js';
import {
  accountId,
  fullyReady,
  OUTCOMES,
  publicDoctor,
  type Doctor,
  type Found,
  type ProvisionResult,
} from './types.js';

/**
 * Somewhere beyond the page's memory to remember provisioned doctors (`sessionResultStore` over
 * `sessionStorage`). Keys name the vendor, API, scope and doctor and hold no credential. What
 * `get` returns is only a hint of the outcome: the run takes the doctor from the caller, never
 * from the store, and the account's id alone.
 */
export interface ResultStore {
  /** The result saved for `key`, if it is still valid; `doctor` is the one it is asked for. */
  get(key: string, doctor?: Doctor): ProvisionResult | undefined;
  set(key: string, result: ProvisionResult): void;
}

/** A stored result, reduced to what may be trusted from outside the page's memory. */
function fromStore(store: ResultStore | undefined, key: string, doctor: Doctor): ProvisionResult | undefined {
  const saved = store?.get(key, doctor);
  if (!saved || !(OUTCOMES as readonly unknown[]).includes(saved.outcome)) return undefined;
  return {
    outcome: saved.outcome,
    doctor: publicDoctor(doctor),
    account: accountId(saved.account),
    readiness: saved.readiness,
  };
}

/** One caller of a shared run: its own abort, its own before-create answer and step listener. */
export interface Subscriber {
  signal?: AbortSignal;
  store?: ResultStore;
  beforeCreate?: (info: BeforeCreate) => boolean | Promise<boolean>;
  onStep?: (step: 'check' | 'create') => void;
}

interface Run {
  controller: AbortController;
  subscribers: Set<Subscriber>;
  promise: Promise<ProvisionResult>;
  step: 'check' | 'create';
}

interface Check {
  promise: Promise<Found | null>;
  at: number;
  /** The answer, once there is one: read synchronously inside a click. */
  found?: Found | null;
}

/** A "not found" older than this is checked again rather than trusted. */
const CHECK_FRESH_MS = 30_000;

const runs = new Map<string, Run>();
const results = new Map<string, ProvisionResult>();
const checks = new Map<string, Check>();

const keyOf = (client: GateClient, doctor: Doctor) => `${client.key}|${client.vendor.key(doctor)}`;

/**
 * The result this page already has for the doctor, synchronously: remembered, or an answered
 * check that found the account active. A click that finds one can open the app at once.
 */
export function knownResult(client: GateClient, doctor: Doctor): ProvisionResult | undefined {
  const key = keyOf(client, doctor);
  const known = results.get(key);
  if (known) return known;
  const check = checks.get(key);
  // A vendor with a readiness step (a membership to ensure) goes through the run, never around it.
  if (check?.found?.active && Date.now() - check.at < CHECK_FRESH_MS && !client.vendor.readiness) {
    return { outcome: 'existing', doctor: publicDoctor(doctor), account: check.found.account, readiness: fullyReady() };
  }
  return undefined;
}

/**
 * Forgets every remembered result and check, in memory and in `sessionStorage`, and server mode's
 * tickets and prefetched launches: for a page that signs a doctor out or in without a reload, or
 * knows accounts changed.
 */
export function clearProvisionCache(): void {
  forgetPageMemory();
  clearStoredResults();
}

/** What a reload forgets: the page's memory, not `sessionStorage`. */
export function forgetPageMemory(): void {
  results.clear();
  checks.clear();
  forgetServerAnswers();
}

/**
 * The check alone, shared by every gate for the doctor: what `prefetch="intent"` runs on hover.
 * It never creates anything, and a later provisioning reuses its answer.
 */
export function prefetchCheck(client: GateClient, doctor: Doctor): Promise<Found | null> {
  const key = keyOf(client, doctor);
  const known = checks.get(key);
  if (known && Date.now() - known.at < CHECK_FRESH_MS) return known.promise;
  // Not tied to any one gate: a shared GET that others may reuse is left to finish.
  const promise = client.vendor.find(client.http, doctor, client.scope);
  const check: Check = { promise, at: Date.now() };
  checks.set(key, check);
  promise.then(
    (found) => (check.found = found),
    () => checks.get(key) === check && checks.delete(key),
  );
  return promise;
}

/**
 * Provisions once per doctor per page: concurrent callers join the run under way, and a
 * success is remembered. Each caller may abort on its own; the run itself is aborted only
 * when every caller has gone. Every caller is asked before a creation; any "no" cancels.
 */
export function sharedProvision(
  client: GateClient,
  doctor: Doctor,
  subscriber: Subscriber = {},
): Promise<ProvisionResult> {
  const key = keyOf(client, doctor);
  const known = knownResult(client, doctor) ?? fromStore(subscriber.store, key, doctor);
  if (known) {
    results.set(key, known);
    return Promise.resolve(known);
  }
  subscriber.signal?.throwIfAborted();

  let run = runs.get(key);
  const joining = !!run;
  if (!run) {
    const check = checks.get(key);
    const fresh = check && Date.now() - check.at < CHECK_FRESH_MS;
    const started: Run = {
      controller: new AbortController(),
      // The first caller is in before the run starts: it may reach before-create synchronously.
      subscribers: new Set([subscriber]),
      step: 'check',
      promise: Promise.resolve() as never,
    };
    started.promise = provisionDoctor(client, doctor, {
      signal: started.controller.signal,
      found: fresh ? (check.found !== undefined ? check.found : check.promise) : undefined,
      onStep: (step) => {
        started.step = step;
        for (const each of started.subscribers) each.onStep?.(step);
      },
      // Every caller is asked; synchronous answers stay synchronous.
      beforeCreate: (info) => {
        const answers = [...started.subscribers].map((each) => each.beforeCreate?.(info) ?? true);
        return answers.some((answer) => answer instanceof Promise)
          ? Promise.all(answers).then((all) => all.every(Boolean))
          : answers.every(Boolean);
      },
    });
    runs.set(key, (run = started));
    started.promise.then(
      (result) => {
        results.set(key, result);
        subscriber.store?.set(key, result);
      },
      () => undefined,
    );
    started.promise.finally(() => runs.get(key) === started && runs.delete(key)).catch(() => undefined);
  }

  const joined = run;
  joined.subscribers.add(subscriber);
  if (joining) subscriber.onStep?.(joined.step);
  return new Promise<ProvisionResult>((resolve, reject) => {
    const leave = () => {
      joined.subscribers.delete(subscriber);
      subscriber.signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      leave();
      reject(subscriber.signal!.reason);
      if (joined.subscribers.size === 0) {
        joined.controller.abort();
        if (runs.get(key) === joined) runs.delete(key);
      }
    };
    subscriber.signal?.addEventListener('abort', onAbort, { once: true });
    joined.promise.then(
      (result) => (leave(), resolve(result)),
      (error: unknown) => (leave(), reject(error)),
    );
  });
}
