// Offboarding: the doctor's account deactivated at the vendor (its soft delete), checked first.
import * as z from 'zod/mini';
import type { GateClient } from './gate-client.js';
import { DoctorGateError } from './errors.js';
import { pathSegment } from './schema.js';
import type { Doctor, Found } from './types.js';

/** What a deprovisioning did: `already-inactive` and `not-found` sent no write. */
export const DEPROVISION_OUTCOMES = ['deactivated', 'already-inactive', 'not-found'] as const;
export type DeprovisionOutcome = (typeof DEPROVISION_OUTCOMES)[number];

const accountIdSchema = z.string().check(z.minLength(1), z.maxLength(128), pathSegment);

export interface DeprovisionResult {
  outcome: DeprovisionOutcome;
  /** The vendor's account id, when there is an account. */
  accountId?: string;
}

export interface DeprovisionOptions {
  signal?: AbortSignal;
  /** A check already answered (reconcile's listing): used instead of a first GET. */
  found?: Found | null;
}

/**
 * Deactivates the doctor `doctorId` (Speaknosis: the EHR's user id; Prescrypto: the medic id)
 * after checking it: Speaknosis `DELETE` (a later POST of the id reactivates it), Prescrypto
 * `PATCH {is_active: false}` (a later provisioning reactivates it). Speaknosis answers a
 * soft-deleted user like an unknown one, so there an inactive doctor is `not-found`.
 * A transient failure is retried like every idempotent request; the outcome is typed.
 */
export async function deprovisionDoctor(
  client: GateClient,
  doctorId: string | number,
  options: DeprovisionOptions = {},
): Promise<DeprovisionResult> {
  const { vendor, http, scope } = client;
  const { signal } = options;
  if (!vendor.deactivate) {
    throw new DoctorGateError('config', `${vendor.label} cannot deactivate accounts`, { step: 'config' });
  }
  const id = typeof doctorId === 'number' ? String(doctorId) : typeof doctorId === 'string' ? doctorId.trim() : '';
  // Prescrypto's medic ids are digits; any id names one URL path segment.
  const valid = vendor.name === 'prescrypto' ? /^\d{1,15}$/.test(id) : z.safeParse(accountIdSchema, id).success;
  if (!valid) {
    throw new DoctorGateError('config', `deprovisionDoctor needs the ${vendor.label} doctor id`, {
      step: 'config',
      fields: ['id'],
    });
  }
  const doctor: Doctor = { id };
  const found = options.found !== undefined ? options.found : await vendor.find(http, doctor, scope, signal);
  if (!found) return { outcome: 'not-found' };
  const accountId = vendor.accountId?.(found) ?? id;
  if (!found.active) return { outcome: 'already-inactive', accountId };
  // DELETE and PATCH are idempotent: the HTTP seam retries a transient failure itself.
  return { outcome: await vendor.deactivate(http, found, scope, signal), accountId };
}
