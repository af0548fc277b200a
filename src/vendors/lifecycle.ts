// The vendors with what offboarding and reconcile need besides the first login: deactivation
// (each vendor's soft delete) and how a listed account is named. Kept out of the drop-in, which
// only provisions; `doctor-gate/core`, the CLI and the server use these.
import { DoctorGateError } from '../core/errors.js';
import type { HttpClient } from '../core/http.js';
import type { Found, VendorName } from '../core/types.js';
import type { Listed } from '../core/vendor.js';
import { emailKey, medicPages, prescrypto, toFound } from './prescrypto.js';
import { speaknosis } from './speaknosis.js';
import type { Vendor } from '../core/vendor.js';

const accountId: Vendor['accountId'] = (found) => String(found.account['id']);

/** Speaknosis: the seed's soft delete, `DELETE …/user/{id}`; a later POST of the id reactivates it. */
export const speaknosisLifecycle: Vendor = {
  ...speaknosis,
  accountId,
  async deactivate(http, found, scope, signal) {
    const { status } = await http.request({
      method: 'DELETE',
      path: ['provider', scope.providerId!, 'user', String(found.account['id'])],
      step: 'create',
      signal,
      accept: [404],
    });
    return status === 404 ? 'not-found' : 'deactivated';
  },
};

/** Prescrypto: `PATCH {is_active: false}` (202), undone by a reactivation. */
export const prescryptoLifecycle: Vendor = {
  ...prescrypto,
  accountId,
  membershipPending: (account, hospital) => account['hospital'] !== hospital,

  // Reconcile lists the medics once (the same walk as `index`) and finds roster rows in it.
  async list(http, _scope, signal) {
    const all: Listed[] = [];
    for await (const results of medicPages(http, signal))
      for (const medic of results) all.push({ id: String(medic.id), found: toFound(medic) });
    return all;
  },

  lookup(listing) {
    const byId = new Map<string, Found>();
    const byEmail = new Map<string, Found>();
    for (const { id, found } of listing) {
      byId.set(id, found);
      const email = found.account['email'];
      if (typeof email === 'string' && email) byEmail.set(emailKey(email), found);
    }
    return (doctor) =>
      byId.get(String(doctor.id ?? '').trim()) ??
      (typeof doctor.email === 'string' ? byEmail.get(emailKey(doctor.email)) : undefined) ??
      null;
  },
  // A batch (`provisionDoctors`) lists the medics once instead of walking the list for every
  // doctor; lookups then follow `findMedic`: the medic id first, else the email.
  async index(http, scope, signal) {
    return this.lookup!(await this.list!(http, scope, signal));
  },
  deactivate: (http, found, _scope, signal) => deactivateMedic(http, String(found.account['id']), signal),
};

export const lifecycleVendors: Record<VendorName, Vendor> = {
  speaknosis: speaknosisLifecycle,
  prescrypto: prescryptoLifecycle,
};

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
