import { DoctorGate } from './element/doctor-gate.js';
import { clearProvisionCache, DoctorGateError, provisionDoctor } from './core.js';
// The page's client provisions one doctor, and a FHIR `Practitioner` the page already holds maps to
// that doctor. Back-office work is for `doctor-gate/core`: deactivation (offboarding, reconcile) and
// batch provisioning (`provisionDoctors`, which needs a vendor credential a page should not hold).
import { doctorFromPractitioner } from './core/practitioner.js';
import { createClient } from './vendors/create-client.js';
import { registerStrings } from './element/i18n.js';

/** The drop-in: registers the tag and exposes the core API as `window.DoctorGate`. */
DoctorGate.define();

export {
  DoctorGate,
  DoctorGateError,
  createClient,
  provisionDoctor,
  clearProvisionCache,
  registerStrings,
  doctorFromPractitioner,
};
