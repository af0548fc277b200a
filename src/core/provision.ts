import { safeParse } from 'zod/mini';
import type { GateClient } from './client.js';
import { DoctorGateError, isAbort } from './errors.js';
import { sleep } from './http.js';
import { publicDoctor, type BatchResult, type Doctor, type Found, type ProvisionResult } from './types.js';

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
    if (current?.active) return { outcome: 'existing', doctor: publicDoctor(doctor), account: current.account };
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
      return { ...created, doctor: publicDoctor(doctor) };
    } catch (error) {
      const wait = http.retryDelay(error, attempt);
      if (wait === undefined) throw error;
      await sleep(wait, signal);
    }
  }
}

export interface BatchOptions {
  signal?: AbortSignal;
  /** Doctors per POST where the vendor takes many at once (default 100). */
  chunkSize?: number;
  /** Doctors in flight at once where the vendor takes one at a time (default 4). */
  concurrency?: number;
  onProgress?: (progress: { done: number; total: number; failed: number }) => void;
}

/**
 * Many doctors, one result each, in input order. Invalid doctors fail with `config` and are
 * never sent. Speaknosis gets one POST per chunk; its ids are the EHR's, so re-sending a chunk
 * after a transient failure cannot duplicate anyone ("user already exists" → `existing`).
 */
export async function provisionDoctors(
  client: GateClient,
  doctors: readonly Doctor[],
  options: BatchOptions = {},
): Promise<BatchResult[]> {
  const { vendor, http, scope } = client;
  const { signal, onProgress } = options;
  const results: BatchResult[] = new Array(doctors.length);
  let done = 0;
  let failed = 0;
  const settle = (index: number, result: BatchResult) => {
    results[index] = result;
    done++;
    if (result.outcome === 'failed') failed++;
  };
  const fail = (index: number, error: unknown) => {
    if (isAbort(error)) throw error;
    const reason =
      error instanceof DoctorGateError ? error : new DoctorGateError('bad-response', String(error), { step: 'create' });
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
  onProgress?.({ done, total: doctors.length, failed });

  if (vendor.createMany) {
    const size = Math.max(1, Math.min(options.chunkSize ?? 100, 1000));
    for (let start = 0; start < valid.length; start += size) {
      const chunk = valid.slice(start, start + size);
      const answers = await withRetries(
        client,
        () =>
          vendor.createMany!(
            http,
            chunk.map((i) => parsed[i]!),
            scope,
            signal,
          ),
        signal,
      ).catch((error: unknown) => chunk.map(() => error as Error));
      chunk.forEach((index, k) => {
        const answer = answers[k]!;
        if (answer instanceof Error) fail(index, answer);
        else settle(index, { ...answer, doctor: publicDoctor(doctors[index]!) });
      });
      signal?.throwIfAborted();
      onProgress?.({ done, total: doctors.length, failed });
    }
    return results;
  }

  // A failed listing is not fatal: each doctor is then looked up on its own.
  const lookup = vendor.index
    ? await withRetries(client, () => vendor.index!(http, scope, signal), signal).catch(() => undefined)
    : undefined;
  signal?.throwIfAborted();
  let next = 0;
  const worker = async () => {
    while (next < valid.length) {
      const index = valid[next++]!;
      const doctor = parsed[index]!;
      try {
        const found = lookup ? Promise.resolve(lookup(doctor)) : undefined;
        settle(index, await provisionDoctor(client, doctor, { signal, found }));
      } catch (error) {
        fail(index, error);
      }
      onProgress?.({ done, total: doctors.length, failed });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return results;
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
