/**
 * `doctor-gate/core` and `window.DoctorGate`: the framework-free core (no DOM; runs in Node),
 * the built-in vendors, and `createClient`, which looks a vendor up by name.
 */
export * from './core/index.js';
export { createClient } from './vendors/create-client.js';
export { vendors } from './vendors/index.js';
export { speaknosis } from './vendors/speaknosis.js';
export { prescrypto } from './vendors/prescrypto.js';
