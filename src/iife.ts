import { DoctorGate } from './element/doctor-gate.js';
import { clearProvisionCache, DoctorGateError, provisionDoctor } from './core.js';
// The page's client provisions one doctor. Back-office work is for `doctor-gate/core`: deactivation
// (offboarding, reconcile) and batch provisioning (`provisionDoctors`, which needs a vendor credential
// a page should not hold); a SMART Practitioner is mapped where it is verified, on the server
// (`doctorFromPractitioner` in `doctor-gate/core` and `doctor-gate/server`).
import { createClient } from './vendors/create-client.js';
import { registerStrings } from './element/i18n.js';

/** The drop-in: registers the tag and exposes the core API as `window.DoctorGate`. */
DoctorGate.define();

export { DoctorGate, DoctorGateError, createClient, provisionDoctor, clearProvisionCache, registerStrings };
