// The handler's audit trail: each request's vendor client audited, the launch recorded, and an
// append-only Postgres table as the sink.
import {
  AUDIT_ACTIONS,
  auditId,
  DoctorGateError,
  withAudit,
  type Account,
  type AuditRecord,
  type AuditSink,
  type Doctor,
  type GateClient,
} from '../core/index.js';
import type { SqlClient } from './medic-tokens.js';

/** Who acted, for a request of the handler: the session's doctor. */
const actorOf = (doctor: Doctor) => `doctor:${auditId(doctor)}`;

/** The request's client with its vendor calls audited, or the client itself without a sink. */
export function auditedClient(
  client: GateClient,
  audit: AuditSink | undefined,
  doctor: Doctor,
  requestId: string | undefined,
  onError?: (error: unknown) => void,
): GateClient {
  if (!audit) return client;
  return withAudit(client, audit, { actor: actorOf(doctor), requestId, onError });
}

/** Records the launch handed to the page (the values themselves never). */
export function auditLaunch(
  client: GateClient,
  audit: AuditSink | undefined,
  doctor: Doctor,
  account: Account,
  requestId: string | undefined,
  error?: unknown,
): void {
  if (!audit) return;
  const record: AuditRecord = {
    at: new Date().toISOString(),
    ...(requestId ? { requestId } : {}),
    actor: actorOf(doctor),
    vendor: client.vendor.name,
    api: client.http.base.origin,
    action: 'launch',
    doctorId: auditId(doctor, account),
    outcome: error === undefined ? 'success' : 'failure',
    ...(error instanceof DoctorGateError ? { code: error.code } : {}),
  };
  Promise.resolve()
    .then(() => audit(record))
    .catch(() => undefined);
}

export interface SqlAuditLogOptions {
  /** Table name, optionally schema-qualified; default `doctor_gate_audit`. */
  table?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/;

/**
 * An append-only audit table through any `pg`-compatible client. The table is created when
 * missing, with a trigger that refuses every UPDATE, DELETE and TRUNCATE: the code only inserts,
 * and the database refuses anything else, whoever asks. Each record is one row; no secret is a column.
 */
export function sqlAuditLog(client: SqlClient, options: SqlAuditLogOptions = {}): AuditSink {
  if (!client || typeof client.query !== 'function') {
    throw new DoctorGateError('config', 'sqlAuditLog needs a client with query(text, params)', {
      fields: ['client'],
    });
  }
  const name = options.table ?? 'doctor_gate_audit';
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new DoctorGateError('config', 'sqlAuditLog: table must be letters, digits and _ (schema.table allowed)', {
      fields: ['table'],
    });
  }
  const table = parts.map((part) => `"${part}"`).join('.');
  // The trigger function's name follows the table's, so two tables keep two functions.
  const guard = parts.map((part, k) => `"${k === parts.length - 1 ? `${part}_append_only` : part}"`).join('.');
  const actions = AUDIT_ACTIONS.map((action) => `'${action}'`).join(', ');
  let ready: Promise<unknown> | undefined;
  const ensureTable = () =>
    (ready ??= (async () => {
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        request_id text,
        actor text NOT NULL,
        vendor text NOT NULL,
        api text NOT NULL,
        action text NOT NULL CHECK (action IN (${actions})),
        doctor_id text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
        code text,
        status integer
      )`);
      await client.query(`CREATE OR REPLACE FUNCTION ${guard}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$`);
      await client.query(`DROP TRIGGER IF EXISTS append_only ON ${table}`);
      await client.query(
        `CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${guard}()`,
      );
      await client.query(`DROP TRIGGER IF EXISTS append_only_truncate ON ${table}`);
      await client.query(
        `CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${guard}()`,
      );
    })().catch((error: unknown) => {
      // A failed creation is tried again on the next record rather than remembered.
      ready = undefined;
      throw error;
    }));
  return async (record) => {
    await ensureTable();
    await client.query(
      `INSERT INTO ${table} (at, request_id, actor, vendor, api, action, doctor_id, outcome, code, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        record.at,
        record.requestId ?? null,
        record.actor,
        record.vendor,
        record.api,
        record.action,
        record.doctorId,
        record.outcome,
        record.code ?? null,
        record.status ?? null,
      ],
    );
  };
}
