// Reconcile: make the vendor match a roster. Plan first (checks only), then the writes the plan
// names, bounded in concurrency; a roster that already matches plans (and sends) no write.
import { auditId } from './audit.js';
import type { GateClient } from './gate-client.js';
import { deprovisionDoctor } from './deprovision.js';
import { DoctorGateError, isAbort } from './errors.js';
import { parseDoctor, provisionDoctor, provisionDoctors } from './provision.js';
import { readinessOf } from './readiness.js';
import type { VendorScope } from './vendor.js';
import { publicDoctor, type Doctor, type Found } from './types.js';

/** What the plan does for one doctor; `none` sends nothing, `invalid` is never sent. */
export const PLAN_ACTIONS = ['create', 'reactivate', 'deactivate', 'prune', 'membership', 'none', 'invalid'] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

export interface PlanRow {
  /** The roster index; absent for a pruned account, which is not in the roster. */
  index?: number;
  action: PlanAction;
  /** The doctor's id at the vendor (or the roster's id) — what the report and the audit name. */
  id: string;
  doctor: Doctor;
  /** Why nothing is sent (`none`: `active`, `inactive`, `not-found`), or what is wrong (`invalid`). */
  reason?: string;
  error?: DoctorGateError;
}

export interface ReconcilePlan {
  rows: PlanRow[];
  counts: Record<PlanAction, number>;
  /** How many writes applying it sends at most (one per doctor; Speaknosis creates in batches). */
  writes: number;
}

export type ReconcileOutcome =
  | 'created'
  | 'reactivated'
  | 'existing'
  | 'deactivated'
  | 'already-inactive'
  | 'not-found'
  | 'membership'
  | 'unchanged'
  | 'failed'
  | 'not-run';

export interface ReconcileRowResult extends Omit<PlanRow, 'error'> {
  outcome: ReconcileOutcome;
  error?: DoctorGateError;
}

export interface Reconciliation {
  plan: ReconcilePlan;
  /** False for a dry run, a plan the confirmation refused, or an aborted run before any write. */
  applied: boolean;
  results: ReconcileRowResult[];
}

export interface ReconcileOptions {
  /** Also deactivate accounts the vendor knows and the roster does not name. */
  prune?: boolean;
  /** Ids to consider for `prune` where the vendor has no list (Speaknosis), e.g. from earlier runs' audit. */
  known?: readonly string[];
  /** Plan only: no write is sent. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Checks and writes in flight at once (default 8). */
  concurrency?: number;
  /** Doctors per POST where the vendor takes many (default 100). */
  chunkSize?: number;
  /** Told the plan before any write; `false` stops there (a terminal's confirmation). */
  confirm?: (plan: ReconcilePlan) => boolean | Promise<boolean>;
  onProgress?: (progress: { done: number; total: number; failed: number }) => void;
  /** Told each row's result as it settles (the CLI saves medic tokens then). */
  onResult?: (result: ReconcileRowResult, account?: Record<string, unknown>) => void;
}

/** The client's scope, with the roster row's own `hospital` when the client names none. */
function scopeFor(client: GateClient, doctor: Doctor): VendorScope {
  const own = doctor['hospital'];
  return client.scope.hospital === undefined && typeof own === 'number'
    ? { ...client.scope, hospital: own }
    : client.scope;
}

/** Runs `work` on every item, `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
}

const rowActive = (doctor: Doctor) => doctor['active'] !== false && doctor['active'] !== 'false';
const withoutActive = ({ active: _active, ...doctor }: Doctor): Doctor => doctor;

/** The checks: every roster doctor and, with `prune`, every known account; no write. */
export async function planReconcile(
  client: GateClient,
  roster: readonly Doctor[],
  options: ReconcileOptions = {},
): Promise<{ plan: ReconcilePlan; found: Map<PlanRow, Found | null> }> {
  const { vendor, http, scope } = client;
  const { signal } = options;
  const concurrency = options.concurrency ?? 8;
  const rows: PlanRow[] = [];
  const found = new Map<PlanRow, Found | null>();
  const keys = new Set<string>();
  const parsed: { row: PlanRow; doctor: Doctor }[] = [];
  roster.forEach((given, index) => {
    const doctor = withoutActive(given);
    const row: PlanRow = { index, action: 'invalid', id: auditId(doctor), doctor: publicDoctor(doctor) };
    rows.push(row);
    try {
      const valid = parseDoctor(client, doctor);
      const key = vendor.key(valid);
      if (keys.has(key)) throw new DoctorGateError('config', 'the same doctor as an earlier row', { step: 'config' });
      keys.add(key);
      parsed.push({ row, doctor: { ...valid, active: rowActive(given) } });
    } catch (error) {
      row.error = error instanceof DoctorGateError ? error : new DoctorGateError('config', String(error));
    }
  });

  // A vendor with a list is read once; otherwise each doctor is checked (`concurrency` at a time).
  const listing = vendor.list ? await vendor.list(http, scope, signal) : undefined;
  const lookup = listing && vendor.lookup ? vendor.lookup(listing) : undefined;
  const seen = new Set<string>();
  await pool(parsed, concurrency, async ({ row, doctor }) => {
    const account = lookup ? lookup(doctor) : await vendor.find(http, doctor, scope, signal);
    if (account) seen.add(vendor.accountId?.(account) ?? row.id);
    found.set(row, account);
    if (account?.account['id'] !== undefined) row.id = auditId(doctor, account.account);
    const hospital = scopeFor(client, doctor).hospital;
    if (doctor['active'] === false) {
      row.action = account?.active ? 'deactivate' : 'none';
      if (!account?.active) row.reason = account ? 'inactive' : 'not-found';
    } else if (!account) row.action = 'create';
    else if (!account.active) row.action = 'reactivate';
    else if (hospital !== undefined && vendor.membershipPending?.(account.account, hospital)) row.action = 'membership';
    else {
      row.action = 'none';
      row.reason = 'active';
    }
  });

  if (options.prune) {
    // Every id the roster names, valid row or not: a row that could not be read never gets its
    // doctor pruned (its listed account, if any, counts as seen too).
    const named = new Set(rows.map((row) => row.id).filter(Boolean));
    rows.forEach((row, index) => {
      if (row.action !== 'invalid' || !lookup) return;
      const account = lookup(withoutActive(roster[index]!));
      if (account) seen.add(vendor.accountId?.(account) ?? String(account.account['id']));
    });
    const candidates: { id: string; found?: Found }[] = listing
      ? listing.filter(({ id, found: each }) => each.active && !seen.has(id) && !named.has(id))
      : (options.known ?? []).filter((id) => !seen.has(id) && !named.has(id)).map((id) => ({ id }));
    await pool(candidates, concurrency, async ({ id, found: listed }) => {
      const each = listed ?? (await vendor.find(http, { id }, scope, signal));
      if (!each?.active) return;
      const row: PlanRow = { action: 'prune', id, doctor: { id } };
      rows.push(row);
      found.set(row, each);
    });
  }
  const counts = Object.fromEntries(PLAN_ACTIONS.map((action) => [action, 0])) as Record<PlanAction, number>;
  for (const row of rows) counts[row.action]++;
  const writes = counts.create + counts.reactivate + counts.deactivate + counts.prune + counts.membership;
  return { plan: { rows, counts, writes }, found };
}

const OUTCOME_OF_DEPROVISION = {
  deactivated: 'deactivated',
  'already-inactive': 'already-inactive',
  'not-found': 'not-found',
} as const;

/**
 * Makes the vendor match `roster`: creates the missing, reactivates the inactive, deactivates the
 * rows whose `active` is `false` and, with `prune`, the accounts the vendor lists (or `known` names)
 * that the roster does not. The plan comes first (checks only, told to `confirm`); `dryRun` stops
 * there. Writes go `concurrency` at a time (Speaknosis creates in POSTs of `chunkSize`).
 */
export async function reconcileDoctors(
  client: GateClient,
  roster: readonly Doctor[],
  options: ReconcileOptions = {},
): Promise<Reconciliation> {
  const { signal, onProgress, onResult } = options;
  const concurrency = options.concurrency ?? 8;
  const { plan, found } = await planReconcile(client, roster, options);
  const results: ReconcileRowResult[] = plan.rows.map((row) => ({
    ...row,
    outcome: row.action === 'invalid' ? 'failed' : row.action === 'none' ? 'unchanged' : 'not-run',
  }));
  if (options.dryRun || !plan.writes || !(await (options.confirm?.(plan) ?? true))) {
    return { plan, applied: false, results };
  }
  signal?.throwIfAborted();
  const writing = results.filter((result) => result.outcome === 'not-run');
  let done = 0;
  let failed = 0;
  const settle = (
    result: ReconcileRowResult,
    outcome: ReconcileOutcome,
    account?: Record<string, unknown>,
    error?: unknown,
  ) => {
    if (isAbort(error)) throw error;
    result.outcome = outcome;
    // A creation names the account's id at the vendor (a Prescrypto medic id) from now on.
    const accountId = account?.['id'];
    if (typeof accountId === 'string' || typeof accountId === 'number') result.id = String(accountId);
    if (error !== undefined) {
      result.error =
        error instanceof DoctorGateError
          ? error
          : new DoctorGateError('bad-response', client.http.redact(String(error)));
      failed++;
    }
    done++;
    onResult?.(result, account);
    onProgress?.({ done, total: writing.length, failed });
  };
  const doctorOf = (result: ReconcileRowResult) => parseDoctor(client, withoutActive(roster[result.index!]!));

  // Speaknosis takes many doctors per POST: its creations and reactivations go in chunks.
  const batched = client.vendor.createMany
    ? writing.filter((r) => r.action === 'create' || r.action === 'reactivate')
    : [];
  const size = Math.max(1, Math.min(options.chunkSize ?? 100, 1000));
  const chunks: ReconcileRowResult[][] = [];
  for (let start = 0; start < batched.length; start += size) chunks.push(batched.slice(start, start + size));
  const single = writing.filter((r) => !batched.includes(r)).map((r) => [r]);
  await pool([...chunks, ...single], concurrency, async (unit) => {
    if (unit.length > 1 || batched.includes(unit[0]!)) {
      const answers = await provisionDoctors(client, unit.map(doctorOf), {
        signal,
        knownMissing: true,
        chunkSize: unit.length,
      });
      answers.forEach((answer, k) =>
        answer.outcome === 'failed'
          ? settle(unit[k]!, 'failed', undefined, answer.error)
          : settle(unit[k]!, answer.outcome, answer.account),
      );
      return;
    }
    const result = unit[0]!;
    const known = found.get(plan.rows[results.indexOf(result)]!) ?? null;
    try {
      if (result.action === 'deactivate' || result.action === 'prune') {
        const answer = await deprovisionDoctor(client, result.id, { signal, found: known });
        settle(result, OUTCOME_OF_DEPROVISION[answer.outcome]);
      } else if (result.action === 'membership') {
        const doctor = doctorOf(result);
        const readiness = await readinessOf(client, known!.account, signal, scopeFor(client, doctor));
        settle(
          result,
          'membership',
          undefined,
          readiness.missing.includes('hospital')
            ? new DoctorGateError('create-failed', 'The hospital membership could not be added', { step: 'create' })
            : undefined,
        );
      } else {
        const answer = await provisionDoctor(client, doctorOf(result), { signal, found: known });
        settle(result, answer.outcome, answer.account);
      }
    } catch (error) {
      settle(result, 'failed', undefined, error);
    }
  });
  return { plan, applied: true, results };
}
