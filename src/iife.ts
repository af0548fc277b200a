import { DoctorGate } from './element/doctor-gate.js';
import {
  clearProvisionCache,
  doctorFromPractitioner,
  DoctorGateError,
  provisionDoctor,
  provisionDoctors,
} from './core.js';
// The page's client provisions; deactivation (offboarding, reconcile) is back-office work for `doctor-gate/core`.
import { createClient } from './vendors/create-client.js';
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
  doctorFromPractitioner,
  registerStrings,
};
