// The vendor's steps as the audit sees them: each check and write noted once, with its outcome.
import type { AuditAction } from './audit.js';
import type { GateClient } from './client.js';
import { isAbort } from './errors.js';
import type { Account, Doctor, Found } from './types.js';

/** The id the audit names: the vendor's account id when known, else the roster's. Never an email. */
export function auditId(doctor: Doctor, account?: Account): string {
  const id = account?.['id'] ?? doctor.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}

/** Notes `action` for the doctor when the client has an audit; aborted work is not an outcome. */
export function note(client: GateClient, action: AuditAction, doctor: Doctor, account?: Account, error?: unknown) {
  if (error !== undefined && isAbort(error)) return;
  client.audit?.note(action, auditId(doctor, account), error);
}

/** `vendor.find`, noted as a `check`. */
export async function findAudited(client: GateClient, doctor: Doctor, signal?: AbortSignal): Promise<Found | null> {
  try {
    const found = await client.vendor.find(client.http, doctor, client.scope, signal);
    note(client, 'check', doctor, found?.account);
    return found;
  } catch (error) {
    note(client, 'check', doctor, undefined, error);
    throw error;
  }
}
