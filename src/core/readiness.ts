// Readiness: whether a provisioned doctor can work in the vendor app, after ensuring what the
// gate can ensure (a Prescrypto hospital membership). Never fails the provisioning itself: a
// vendor's readiness step reports what it could not ensure as missing.
import type { GateClient } from './gate-client.js';
import { fullyReady, type Account, type Readiness } from './types.js';
import type { VendorScope } from './vendor.js';

/** The account's readiness; vendors without a readiness step are ready once provisioned. */
export async function readinessOf(
  client: GateClient,
  account: Account,
  signal?: AbortSignal,
  scope: VendorScope = client.scope,
): Promise<Readiness> {
  const { vendor, http } = client;
  return vendor.readiness ? (await vendor.readiness(http, account, scope, signal)).readiness : fullyReady();
}
