import { DoctorGate } from './element/doctor-gate.js';
import {
  clearProvisionCache,
  createClient,
  doctorFromPractitioner,
  DoctorGateError,
  provisionDoctor,
  provisionDoctors,
} from './core.js';
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
