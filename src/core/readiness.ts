// Readiness: whether a provisioned doctor can work in the vendor app, after ensuring what the
// gate can ensure (a Prescrypto hospital membership). Never fails the provisioning itself.
import type { GateClient } from './client.js';
import { isAbort } from './errors.js';
import { fullyReady, type Account, type Doctor, type Readiness } from './types.js';
import type { VendorScope } from './vendor.js';

/** The client's scope, with the doctor's own `hospital` (a roster column) when the client names none. */
export function scopeFor(client: GateClient, doctor?: Doctor): VendorScope {
  const own = doctor?.['hospital'];
  return client.scope.hospital === undefined && typeof own === 'number'
    ? { ...client.scope, hospital: own }
    : client.scope;
}

/** The account's readiness; a failure to tell (or to add the membership) counts as "hospital" missing. */
export async function readinessOf(
  client: GateClient,
  account: Account,
  signal?: AbortSignal,
  doctor?: Doctor,
): Promise<Readiness> {
  const { vendor, http } = client;
  if (!vendor.readiness) return fullyReady();
  try {
    return (await vendor.readiness(http, account, scopeFor(client, doctor), signal)).readiness;
  } catch (error) {
    if (isAbort(error)) throw error;
    // The vendor reports its own membership failures; anything else is a gap it could not rule out.
    return { ready: false, missing: ['hospital'] };
  }
}
