// The audit trail: one record per action taken for a doctor at a vendor, never a secret.
import { DoctorGateError, type ErrorCode } from './errors.js';
import type { VendorName } from './types.js';

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

/** Where records go: a file, a table, a log pipeline. A promise is awaited before the run ends. */
export type AuditSink = (record: AuditRecord) => void | Promise<void>;

/** What the core tells the audit: the action, whose, and the error when it failed. */
export type AuditNote = (action: AuditAction, doctorId: unknown, error?: unknown) => void;

export interface Auditor {
  note: AuditNote;
  /** Resolves when every record noted so far reached the sink; rejects with the first sink failure. */
  flush(): Promise<void>;
}

/** Binds a sink to a vendor, its API origin and an actor; a failing sink is reported by `flush`, never thrown mid-run. */
export function auditor(
  sink: AuditSink,
  context: { vendor: VendorName; api: URL; actor?: string; requestId?: string },
): Auditor {
  const pending = new Set<Promise<unknown>>();
  let failure: unknown;
  const base = {
    ...(context.requestId ? { requestId: context.requestId } : {}),
    actor: context.actor ?? 'doctor-gate',
    vendor: context.vendor,
    api: context.api.origin,
  };
  return {
    note(action, doctorId, error) {
      const record: AuditRecord = {
        at: new Date().toISOString(),
        ...base,
        action,
        doctorId: typeof doctorId === 'string' || typeof doctorId === 'number' ? String(doctorId) : '',
        outcome: error === undefined ? 'success' : 'failure',
      };
      if (error !== undefined) {
        record.code = error instanceof DoctorGateError ? error.code : 'bad-response';
        if (error instanceof DoctorGateError && error.status !== undefined) record.status = error.status;
      }
      let written: Promise<unknown>;
      try {
        written = Promise.resolve(sink(record));
      } catch (cause) {
        written = Promise.reject(cause);
      }
      const tracked = written
        .catch((cause: unknown) => void (failure ??= cause))
        .finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    async flush() {
      while (pending.size) await Promise.all(pending);
      if (failure !== undefined) throw failure;
    },
  };
}
