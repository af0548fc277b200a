// The audit trail: one record per action taken for a doctor at a vendor, never a secret. A client
// is audited by wrapping its vendor, so the provisioning code (and the drop-in) carries none of it.
import type { GateClient } from './gate-client.js';
import { DoctorGateError, isAbort, type ErrorCode } from './errors.js';
import type { Account, Doctor, Found, VendorName } from './types.js';
import type { Vendor } from './vendor.js';

/** What was done, as a tuple so a schema or a SQL check can name them. */
export const AUDIT_ACTIONS = ['check', 'create', 'reactivate', 'deactivate', 'membership', 'launch'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
/** The actions that change something at the vendor. */
export const WRITE_ACTIONS: ReadonlySet<AuditAction> = new Set(['create', 'reactivate', 'deactivate', 'membership']);

/** One line of the audit trail. Ids, codes and statuses only: no token, password, name or email. */
export interface AuditRecord {
  /** ISO 8601 time of the outcome. */
  at: string;
  /** The server handler's `X-Request-Id`, when a request caused it. */
  requestId?: string;
  /** Who acted: the CLI's user, the handler's doctor, or what the integrator names. */
  actor: string;
  vendor: VendorName;
  /** The vendor API's origin (no path, no query, no credential). */
  api: string;
  action: AuditAction;
  doctorId: string;
  outcome: 'success' | 'failure';
  code?: ErrorCode;
  status?: number;
}

/** Where records go: a file, a table, a log pipeline. */
export type AuditSink = (record: AuditRecord) => void | Promise<void>;

export interface AuditContext {
  /** Who the records name as acting (default "doctor-gate"). */
  actor?: string;
  requestId?: string;
  /** Told when the sink throws or rejects; the action itself goes on. */
  onError?: (error: unknown) => void;
}

/** The id a record names: the vendor's account id when known, else the doctor's. Never an email. */
export function auditId(doctor: Doctor, account?: Account): string {
  const id = account?.['id'] ?? doctor.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}

/**
 * The same client, with every check and write its vendor makes recorded to `sink`: `check`,
 * `create`, `reactivate`, `deactivate`, `membership`, each a success or a failure with its code.
 */
export function withAudit(client: GateClient, sink: AuditSink, context: AuditContext = {}): GateClient {
  const inner = client.vendor;
  const base = {
    ...(context.requestId ? { requestId: context.requestId } : {}),
    actor: context.actor ?? 'doctor-gate',
    vendor: inner.name,
    api: client.http.base.origin,
  };
  const note = (action: AuditAction, doctorId: string, error?: unknown) => {
    if (error !== undefined && isAbort(error)) return;
    const record: AuditRecord = {
      at: new Date().toISOString(),
      ...base,
      action,
      doctorId,
      outcome: error === undefined ? 'success' : 'failure',
    };
    if (error !== undefined) {
      record.code = error instanceof DoctorGateError ? error.code : 'bad-response';
      if (error instanceof DoctorGateError && error.status !== undefined) record.status = error.status;
    }
    try {
      Promise.resolve(sink(record)).catch((cause: unknown) => context.onError?.(cause));
    } catch (cause) {
      context.onError?.(cause);
    }
  };
  /** Runs `work` and notes its outcome; `action` may depend on the answer. */
  const noted = async <T>(
    work: () => Promise<T>,
    action: AuditAction | ((answer: T) => AuditAction),
    id: (answer?: T) => string,
  ): Promise<T> => {
    try {
      const answer = await work();
      note(typeof action === 'function' ? action(answer) : action, id(answer));
      return answer;
    } catch (error) {
      note(typeof action === 'function' ? 'create' : action, id(), error);
      throw error;
    }
  };
  // Each call reaches the vendor's own method with the vendor as `this`, so one that calls
  // another (Speaknosis's create is one createMany) is recorded once.
  const vendor: Vendor = {
    ...inner,
    find: (http, doctor, scope, signal) =>
      noted(
        () => inner.find(http, doctor, scope, signal),
        'check',
        (found) => auditId(doctor, found?.account),
      ),
    create: (http, doctor, found, scope, signal) =>
      noted(
        () => inner.create(http, doctor, found, scope, signal),
        found ? 'reactivate' : (created) => (created.outcome === 'reactivated' ? 'reactivate' : 'create'),
        (created) => auditId(doctor, created?.account ?? found?.account),
      ),
  };
  // A doctor found in a listing (one request for many) is checked all the same: one record each.
  const checked =
    (lookup: (doctor: Doctor) => Found | null) =>
    (doctor: Doctor): Found | null => {
      const found = lookup(doctor);
      note('check', auditId(doctor, found?.account));
      return found;
    };
  if (inner.index) {
    vendor.index = async (http, scope, signal) => checked(await inner.index!.call(inner, http, scope, signal));
  }
  if (inner.lookup) vendor.lookup = (listing) => checked(inner.lookup!.call(inner, listing));
  if (inner.createMany) {
    vendor.createMany = async (http, doctors, scope, signal) => {
      try {
        const answers = await inner.createMany!(http, doctors, scope, signal);
        answers.forEach((answer, k) => {
          const doctor = doctors[k]!;
          if (answer instanceof Error) note('create', auditId(doctor), answer);
          else note(answer.outcome === 'reactivated' ? 'reactivate' : 'create', auditId(doctor, answer.account));
        });
        return answers;
      } catch (error) {
        for (const doctor of doctors) note('create', auditId(doctor), error);
        throw error;
      }
    };
  }
  if (inner.readiness) {
    vendor.readiness = async (http, account, scope, signal) => {
      const answer = await inner.readiness!(http, account, scope, signal);
      if (answer.membership) note('membership', auditId({}, account), answer.membership.error);
      return answer;
    };
  }
  if (inner.deactivate) {
    vendor.deactivate = (http, found, scope, signal) =>
      noted(
        () => inner.deactivate!(http, found, scope, signal),
        'deactivate',
        () => auditId({}, found.account),
      );
  }
  return { ...client, vendor };
}
