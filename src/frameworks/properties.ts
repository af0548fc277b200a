import type { LitElement } from 'lit';
import type { DoctorGate } from '../element/doctor-gate.js';

/**
 * What a page or a framework sets on `<doctor-gate>`: every writable property of the element
 * (attributes in camelCase, plus `tokenProvider` and `doctor`), all optional. Derived from the
 * class, so a new property is typed here without an edit. The members its controllers use
 * (`_`-prefixed, internal) are not among them.
 */
export type DoctorGateProperties = Partial<
  Omit<
    DoctorGate,
    | keyof LitElement
    | Extract<keyof DoctorGate, `_${string}`>
    | 'state'
    | 'provision'
    | 'open'
    | 'close'
    | 'postMessage'
  >
>;
