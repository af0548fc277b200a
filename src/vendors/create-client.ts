import { bindVendor, type GateClient, type GateClientOptions } from '../core/gate-client.js';
import { DoctorGateError } from '../core/errors.js';
import type { VendorName } from '../core/types.js';
import type { Vendor } from '../core/vendor.js';
import { vendors } from './index.js';

/**
 * A client for `vendor` (a name from the built-in registry, or a vendor module of your own),
 * bound to its API, credential and scope. Sits above the core and the vendors, which it joins.
 */
export function createClient(vendor: VendorName | Vendor, options: GateClientOptions): GateClient {
  const impl = typeof vendor === 'string' ? (vendors as Partial<Record<string, Vendor>>)[vendor] : vendor;
  if (!impl)
    throw new DoctorGateError('config', `Unknown vendor: ${String(vendor)}`, { step: 'config', fields: ['vendor'] });
  return bindVendor(impl, options);
}
