/**
 * React 19 JSX typing for the raw `<doctor-gate>` tag. Types only, shipped with `doctor-gate/react`
 * so projects without React never load React's types: `/// <reference types="doctor-gate/react" />`
 * in any `.d.ts` of the app, or `import type {} from 'doctor-gate/react'`.
 *
 * React 19 sets a prop as a property when the element has it (`tokenProvider`, `doctor`, `apiBase`…)
 * and turns a function prop named `on` + the event name, as written, into a listener:
 * `ondoctor-gate-provisioned={(event) => …}` listens to `doctor-gate-provisioned`.
 */
import type { HTMLAttributes, RefAttributes } from 'react';
import type { DoctorGate, DoctorGateEventMap } from '../element/doctor-gate.js';
import type { DoctorGateProperties } from './properties.js';

/** `ondoctor-gate-state`, `ondoctor-gate-provisioned`, …: each typed with its event's detail. */
export type DoctorGateEventProps = {
  [K in keyof DoctorGateEventMap as `on${K}`]?: (event: DoctorGateEventMap[K]) => void;
};

/** The props of `<doctor-gate>` in React 19 JSX. */
export interface DoctorGateJsxProps
  extends HTMLAttributes<DoctorGate>, RefAttributes<DoctorGate>, DoctorGateProperties, DoctorGateEventProps {}

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'doctor-gate': DoctorGateJsxProps;
    }
  }
}
