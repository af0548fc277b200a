import { DoctorGate } from './element/doctor-gate.js';

/** Registers `<doctor-gate>`; importing this module twice, or next to the IIFE, is harmless. */
DoctorGate.define();

declare global {
  interface HTMLElementTagNameMap {
    'doctor-gate': DoctorGate;
  }
}

export { DoctorGate };
