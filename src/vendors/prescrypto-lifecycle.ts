// Prescrypto readiness: a medic prescribes only when active, with a verified speciality and an
// active hospital membership.
import { isAbort } from '../core/errors.js';
import type { HttpClient } from '../core/http.js';
import type { Account, Readiness } from '../core/types.js';
import type { VendorScope } from '../core/vendor.js';

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
  const wanted = scope.hospital ?? current;
  let membership: { error?: unknown } | undefined;
  if (wanted == null) missing.push('hospital');
  else if (current !== wanted) {
    membership = {};
    try {
      await http.request({
        method: 'POST',
        path: ['api', 'v2', 'management', 'memberships'],
        trailingSlash: true,
        body: { medic: account['id'], hospital: wanted, type_membership: 'MEMBER' },
        step: 'create',
        signal,
        accept: [409],
      });
    } catch (error) {
      if (isAbort(error)) throw error;
      membership.error = error;
      missing.push('hospital');
    }
  }
  return { readiness: { ready: !missing.length, missing }, membership };
}
