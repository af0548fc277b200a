/**
 * `doctor-gate/global`: the type of `window.DoctorGate`, which the drop-in
 * (`dist/doctor-gate.iife.js`) sets. Types only, for pages that load the drop-in with a
 * `<script src>`: `/// <reference types="doctor-gate/global" />` in any `.d.ts` or script.
 * Also types the tag (`document.querySelector('doctor-gate')`) and its events on every target.
 */
import type * as DropIn from './iife.js';
import type { DoctorGate } from './element/doctor-gate.js';

/** What `window.DoctorGate` holds: the element class and the core API; `debug = true` turns every gate's timeline on. */
export type DoctorGateGlobal = typeof DropIn & { debug?: boolean };

declare global {
  interface Window {
    /** Set by the drop-in `doctor-gate.iife.js`: the element class and the core API. */
    DoctorGate: DoctorGateGlobal;
  }
  interface HTMLElementTagNameMap {
    'doctor-gate': DoctorGate;
  }
}
