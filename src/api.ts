/**
 * `doctor-gate/core` and `window.DoctorGate`: the framework-free core (no DOM; runs in Node),
 * the built-in vendors, and `createClient`, which looks a vendor up by name.
 */
export * from './core/index.js';
import { clientFactory } from './client.js';
import { lifecycleVendors } from './vendors/lifecycle.js';

/**
 * A client for `vendor` (a name from the built-in registry, or a vendor module of your own),
 * bound to its API, credential and scope; the built-in vendors here also deactivate accounts
 * (`deprovisionDoctor`, `reconcileDoctors`).
 */
export const createClient = clientFactory(lifecycleVendors);
export { lifecycleVendors as vendors };
export { speaknosisLifecycle as speaknosis, prescryptoLifecycle as prescrypto } from './vendors/lifecycle.js';
