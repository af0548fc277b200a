import { DoctorGate } from './element/doctor-gate.js';
import { clearProvisionCache, DoctorGateError, provisionDoctor, provisionDoctors } from './api.js';
// The page's client provisions; deactivation (offboarding, reconcile) is back-office work for `doctor-gate/core`.
import { createClient } from './client.js';
import { registerStrings } from './element/i18n.js';

/** The drop-in: registers the tag and exposes the core API as `window.DoctorGate`. */
DoctorGate.define();

export {
  DoctorGate,
  DoctorGateError,
  createClient,
  provisionDoctor,
  provisionDoctors,
  clearProvisionCache,
  registerStrings,
};
