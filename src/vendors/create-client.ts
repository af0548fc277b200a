import { bindVendor, type GateClient, type GateClientOptions } from '../core/gate-client.js';
import { DoctorGateError } from '../core/errors.js';
import type { VendorName } from '../core/types.js';
import type { Vendor } from '../core/vendor.js';
import { vendors } from './index.js';

/** The vendor `vendor` names in `registry` (or the vendor module given itself); `config` error when unknown. */
export function vendorFrom(registry: Record<VendorName, Vendor>, vendor: VendorName | Vendor): Vendor {
  const impl = typeof vendor === 'string' ? (registry as Partial<Record<string, Vendor>>)[vendor] : vendor;
  if (!impl)
    throw new DoctorGateError('config', `Unknown vendor: ${String(vendor)}`, { step: 'config', fields: ['vendor'] });
  return impl;
}

/**
 * A client for `vendor` (a name from the built-in registry, or a vendor module of your own),
 * bound to its API, credential and scope. Sits above the core and the vendors, which it joins.
 * These vendors provision; `doctor-gate/core`'s `createClient` also deactivates (offboarding, reconcile).
 */
export function createClient(vendor: VendorName | Vendor, options: GateClientOptions): GateClient {
  return bindVendor(vendorFrom(vendors, vendor), options);
}
