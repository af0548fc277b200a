// Readiness: whether a provisioned doctor can work in the vendor app, after ensuring what the
// gate can ensure (a Prescrypto hospital membership). Never fails the provisioning itself.
import type { GateClient } from './client.js';
import { isAbort } from './errors.js';
import { fullyReady, type Account, type Readiness } from './types.js';

/** The account's readiness; a failure to tell (or to add the membership) counts as "hospital" missing. */
export async function readinessOf(client: GateClient, account: Account, signal?: AbortSignal): Promise<Readiness> {
  const { vendor, http, scope, audit } = client;
  if (!vendor.readiness) return fullyReady();
  try {
    const { readiness, membership } = await vendor.readiness(http, account, scope, signal);
    if (membership) audit?.note('membership', account['id'], membership.error);
    return readiness;
  } catch (error) {
    if (isAbort(error)) throw error;
    // The vendor reports its own membership failures; anything else is a gap it could not rule out.
    return { ready: false, missing: ['hospital'] };
  }
}
