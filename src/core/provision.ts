import { safeParse } from 'zod/mini';
import type { GateClient } from './gate-client.js';
import { DoctorGateError, isAbort } from './errors.js';
import { sleep } from './http.js';
import { readinessOf } from './readiness.js';
import type { Created } from './vendor.js';
import {
  fullyReady,
  publicDoctor,
  type Account,
  type Outcome,
  type BatchResult,
  type Doctor,
  type Found,
  type ProvisionResult,
} from './types.js';

export interface BeforeCreate {
  doctor: Doctor;
  /** true: reactivating an inactive account; false: creating; null: the vendor cannot tell. */
  reactivation: boolean | null;
}

export interface ProvisionOptions {
  signal?: AbortSignal;
  /** Asked before anything is created or reactivated; false cancels with `cancelled`. */
  beforeCreate?: (info: BeforeCreate) => boolean | Promise<boolean>;
  /** Told when the run moves to a step, to drive a UI. */
  onStep?: (step: 'check' | 'create') => void;
  /** A check already answered, or under way (prefetch); used instead of a first GET. */
  found?: Found | null | Promise<Found | null>;
}

/**
 * Check, then create or reactivate if needed. A create that fails in a way that may be
 * transient is never blindly re-sent: the doctor is checked again first, so a lost answer
 * to a successful create cannot produce a second account.
 */
export async function provisionDoctor(
  client: GateClient,
  doctor: Doctor,
  options: ProvisionOptions = {},
): Promise<ProvisionResult> {
  const { vendor, http, scope } = client;
  const { signal, beforeCreate, onStep } = options;
  let found = options.found;
  for (let attempt = 0; ; attempt++) {
    onStep?.('check');
    // An answer already at hand is used without a microtask, so that inside a click the create
    // leaves before the page opens its popup.
    const current =
      found !== undefined && !(found instanceof Promise)
        ? found
        : await (found ?? vendor.find(http, doctor, scope, signal));
    found = undefined;
    if (current?.active) return ready(client, { outcome: 'existing', account: current.account }, doctor, signal);
    signal?.throwIfAborted();
    if (attempt === 0 && beforeCreate) {
      const answer = beforeCreate({
        doctor: publicDoctor(doctor),
        reactivation: vendor.knowsInactive ? !!current : null,
      });
      const allowed = typeof answer === 'boolean' ? answer : await answer;
      if (!allowed) throw new DoctorGateError('cancelled', 'The page cancelled the creation', { step: 'create' });
      signal?.throwIfAborted();
    }
    onStep?.('create');
    try {
      const created = await vendor.create(http, doctor, current, scope, signal);
      return ready(client, created, doctor, signal);
    } catch (error) {
      const wait = http.retryDelay(error, attempt);
      if (wait === undefined) throw error;
      await sleep(wait, signal);
    }
  }
}

/** The result with its readiness (Prescrypto: after ensuring the hospital membership). */
async function ready(client: GateClient, created: Created, doctor: Doctor, signal?: AbortSignal) {
  const readiness = await readinessOf(client, created.account, signal);
  return { ...created, doctor: publicDoctor(doctor), readiness };
}

export interface BatchOptions {
  signal?: AbortSignal;
  /** Doctors per POST where the vendor takes many at once (default 100, at most 1000). */
  chunkSize?: number;
  /** Checks in flight at once, and creations where the vendor takes one at a time (default 8). */
  concurrency?: number;
  onProgress?: (progress: { done: number; total: number; failed: number }) => void;
  /** The caller has just checked them all and found none active (reconcile's plan): no first check. */
  knownMissing?: boolean;
}

/** A refused credential refuses every other doctor the same way: the batch stops sending. */
const refusesEveryone = (error: unknown): error is DoctorGateError =>
  error instanceof DoctorGateError &&
  (error.code === 'unauthorized' || (error.code === 'forbidden' && error.status === 403));

/** Runs `work` on every item, `concurrency` at a time; the first item alone, so a refused credential costs one request. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  if (!items.length) return;
  await work(items[0]!);
  let next = 1;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length - 1) }, worker));
}

/**
 * Many doctors, one result each, in input order. Invalid doctors fail with `config` and are never
 * sent. Every doctor is checked first (`concurrency` at a time); only the missing and the inactive
 * are then created or reactivated — Speaknosis in POSTs of `chunkSize`, Prescrypto one by one
 * from one listing — so a re-run sends no POST, and the batch never relies on what a vendor does
 * with a POST of an active account. A chunk whose POST fails transiently is checked again before
 * it is re-sent, and a refused credential (401, 403) fails the rest without sending them.
 */
export async function provisionDoctors(
  client: GateClient,
  doctors: readonly Doctor[],
  options: BatchOptions = {},
): Promise<BatchResult[]> {
  const { vendor, http, scope } = client;
  const { signal, onProgress } = options;
  const concurrency = options.concurrency ?? 8;
  const results: BatchResult[] = new Array(doctors.length);
  let done = 0;
  let failed = 0;
  let refused: DoctorGateError | undefined;
  const progress = () => onProgress?.({ done, total: doctors.length, failed });
  const settle = (index: number, result: BatchResult) => {
    results[index] = result;
    done++;
    if (result.outcome === 'failed') failed++;
  };
  const fail = (index: number, error: unknown) => {
    if (isAbort(error)) throw error;
    if (refusesEveryone(error)) refused ??= error;
    const reason =
      error instanceof DoctorGateError
        ? error
        : new DoctorGateError('bad-response', http.redact(String(error)), { step: 'create' });
    settle(index, { outcome: 'failed', doctor: publicDoctor(doctors[index]!), error: reason });
  };

  const valid: number[] = [];
  const parsed: Doctor[] = [];
  doctors.forEach((doctor, index) => {
    try {
      parsed[index] = parseDoctor(client, doctor);
      valid.push(index);
    } catch (error) {
      fail(index, error);
    }
  });
  progress();

  /** Checks `indices`; settles the active and the failed, returns the ones to create or reactivate. */
  const check = async (indices: readonly number[]): Promise<number[]> => {
    const missing: number[] = [];
    await pool(indices, concurrency, async (index) => {
      if (refused) return fail(index, refused);
      try {
        const found = await vendor.find(http, parsed[index]!, scope, signal);
        if (found?.active)
          settle(index, await ready(client, { outcome: 'existing', account: found.account }, doctors[index]!, signal));
        else missing.push(index);
      } catch (error) {
        fail(index, error);
      }
      progress();
    });
    return missing.sort((a, b) => a - b);
  };

  if (vendor.createMany) {
    const size = Math.max(1, Math.min(options.chunkSize ?? 100, 1000));
    const missing = options.knownMissing ? valid : await check(valid);
    for (let start = 0; start < missing.length; start += size) {
      await createChunk(client, missing.slice(start, start + size), {
        parsed,
        signal,
        check,
        // A vendor that creates in batches (Speaknosis) is ready once provisioned.
        settle: (index, created) =>
          settle(index, { ...created, doctor: publicDoctor(doctors[index]!), readiness: fullyReady() }),
        fail: (index, error) => (refused ? fail(index, refused) : fail(index, error)),
      });
      signal?.throwIfAborted();
      progress();
    }
    return results;
  }

  // One listing answers every check (a failed listing is not fatal: each doctor is then looked up on its own).
  const lookup = vendor.index
    ? await withRetries(client, () => vendor.index!(http, scope, signal), signal).catch((error: unknown) => {
        if (isAbort(error)) throw error;
        return undefined;
      })
    : undefined;
  signal?.throwIfAborted();
  await pool(valid, concurrency, async (index) => {
    if (refused) return fail(index, refused);
    try {
      const found = lookup ? lookup(parsed[index]!) : undefined;
      settle(index, await provisionDoctor(client, parsed[index]!, { signal, found }));
    } catch (error) {
      fail(index, error);
    }
    progress();
  });
  return results;
}

interface ChunkContext {
  parsed: readonly Doctor[];
  signal?: AbortSignal;
  check: (indices: readonly number[]) => Promise<number[]>;
  settle: (index: number, created: { outcome: Outcome; account: Account }) => void;
  fail: (index: number, error: unknown) => void;
}

/** One POST for the chunk; after a transient failure, its doctors are checked again and only the still missing re-sent. */
async function createChunk(client: GateClient, chunk: number[], context: ChunkContext): Promise<void> {
  const { vendor, http, scope } = client;
  const { parsed, signal } = context;
  for (let attempt = 0; chunk.length; attempt++) {
    try {
      const answers = await vendor.createMany!(
        http,
        chunk.map((index) => parsed[index]!),
        scope,
        signal,
      );
      chunk.forEach((index, k) => {
        const answer = answers[k]!;
        if (answer instanceof Error) context.fail(index, answer);
        else context.settle(index, answer);
      });
      return;
    } catch (error) {
      const wait = http.retryDelay(error, attempt);
      if (wait === undefined) return chunk.forEach((index) => context.fail(index, error));
      await sleep(wait, signal);
      // The lost answer may have created them: what is active now is "existing", not re-sent.
      chunk = await context.check(chunk);
    }
  }
}

async function withRetries<T>(client: GateClient, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const wait = client.http.retryDelay(error, attempt);
      if (wait === undefined) throw error;
      await sleep(wait, signal);
    }
  }
}

/** The doctor as the vendor needs it (trimmed), or a `config` error naming every bad field. */
export function parseDoctor(client: GateClient, doctor: Doctor): Doctor {
  const result = safeParse(client.vendor.doctorSchema, doctor);
  if (result.success) {
    // Ids travel as text, whether the page gave a string or a number.
    const { id } = result.data as { id?: unknown };
    return id === undefined ? result.data : { ...result.data, id: String(id).trim() };
  }
  const fields = [...new Set(result.error.issues.map((issue) => String(issue.path[0] ?? 'doctor')))];
  throw new DoctorGateError('config', `Invalid doctor field(s): ${fields.join(', ')}`, { step: 'config', fields });
}
