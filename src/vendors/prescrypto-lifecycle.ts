// Prescrypto beyond the first login: readiness (a verified speciality, an active hospital
// membership) and deactivation (`is_active: false`, its soft delete).
import { DoctorGateError } from '../core/errors.js';
import type { HttpClient } from '../core/http.js';
import type { Account, Readiness } from '../core/types.js';
import type { VendorScope } from '../core/vendor.js';

const MEMBERSHIPS = ['api', 'v2', 'management', 'memberships'] as const;

/**
 * Ready = active, a verified speciality and a hospital membership. With a hospital configured the
 * membership is ensured: one POST when the medic's hospital is another or none (409: it exists,
 * perhaps made by a concurrent call, which counts as present).
 */
export async function medicReadiness(
  http: HttpClient,
  account: Account,
  scope: VendorScope,
  signal?: AbortSignal,
): Promise<{ readiness: Readiness; membership?: { error?: unknown } }> {
  const missing: Readiness['missing'] = [];
  if (account['is_active'] === false) missing.push('active');
  if (account['specialty_verified'] !== true) missing.push('specialty-verification');
  const current = account['hospital'];
  const wanted = scope.hospital ?? (typeof current === 'number' ? current : undefined);
  let membership: { error?: unknown } | undefined;
  if (wanted === undefined) missing.push('hospital');
  else if (current !== wanted) {
    membership = {};
    try {
      await http.request({
        method: 'POST',
        path: MEMBERSHIPS,
        trailingSlash: true,
        body: { medic: account['id'], hospital: wanted, type_membership: 'MEMBER' },
        step: 'create',
        signal,
        accept: [409],
      });
    } catch (error) {
      if ((error as { name?: string }).name === 'AbortError') throw error;
      membership.error = error;
      missing.push('hospital');
    }
  }
  return { readiness: { ready: !missing.length, missing }, ...(membership ? { membership } : {}) };
}

/** `PATCH {is_active: false}` (202): Prescrypto's soft delete, undone by a reactivation. */
export async function deactivateMedic(
  http: HttpClient,
  id: string,
  signal?: AbortSignal,
): Promise<'deactivated' | 'not-found'> {
  const { status } = await http.request({
    method: 'PATCH',
    path: ['api', 'v2', 'medics', id],
    trailingSlash: true,
    body: { is_active: false },
    step: 'create',
    signal,
    accept: [404],
  });
  if (status === 404) return 'not-found';
  if (status !== 202 && status !== 200) {
    throw new DoctorGateError('bad-response', `Prescrypto answered the deactivation with HTTP ${status}`, {
      step: 'create',
      status,
    });
  }
  return 'deactivated';
}
