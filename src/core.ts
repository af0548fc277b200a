/**
 * `doctor-gate/core` and `window.DoctorGate`: the framework-free core (no DOM; runs in Node),
 * the built-in vendors, and `createClient`, which looks a vendor up by name.
 */
export * from './core/index.js';
import { vendorFrom } from './vendors/create-client.js';
import { bindVendor, type GateClient, type GateClientOptions } from './core/gate-client.js';
import type { VendorName } from './core/types.js';
import type { Vendor } from './core/vendor.js';
import { lifecycleVendors } from './vendors/lifecycle.js';

/**
 * A client for `vendor` (a name from the built-in registry, or a vendor module of your own),
 * bound to its API, credential and scope; the built-in vendors here also deactivate accounts
 * (`deprovisionDoctor`, `reconcileDoctors`).
 */
export function createClient(vendor: VendorName | Vendor, options: GateClientOptions): GateClient {
  return bindVendor(vendorFrom(lifecycleVendors, vendor), options);
}
export { lifecycleVendors as vendors };
export { speaknosisLifecycle as speaknosis, prescryptoLifecycle as prescrypto } from './vendors/lifecycle.js';
