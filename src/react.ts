/**
 * `doctor-gate/react`: `<DoctorGateReact>`, the gate as a React component (React 18 and 19), made
 * with `@lit/react`. Every input is set as a property on the client (also after server rendering
 * and hydration, where React itself sets none), and the `doctor-gate-*` events are `on…` props.
 *
 * Importing this module registers `<doctor-gate>` (guarded, like `doctor-gate/define`): the
 * component is of no use without it. In Node (server rendering) Lit's DOM shim takes the
 * registration and nothing touches a real DOM.
 */
import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import { DoctorGate } from './element/doctor-gate.js';
import type { DoctorGateEventMap } from './element/doctor-gate.js';

export type { DoctorGateEventProps, DoctorGateJsxProps } from './frameworks/react-jsx.js';

DoctorGate.define();

/** `@lit/react`'s event name, carrying the typed event of `type` for the `on…` prop's handler. */
const typed = <K extends keyof DoctorGateEventMap>(type: K) => type as EventName<DoctorGateEventMap[K]>;

/** The `on…` props of `<DoctorGateReact>` and the `doctor-gate-*` event each one listens to. */
export const doctorGateReactEvents = {
  onState: typed('doctor-gate-state'),
  onBeforeCreate: typed('doctor-gate-before-create'),
  onProvisioned: typed('doctor-gate-provisioned'),
  onOpen: typed('doctor-gate-open'),
  onClose: typed('doctor-gate-close'),
  onMessage: typed('doctor-gate-message'),
  onError: typed('doctor-gate-error'),
};

/**
 * `<doctor-gate>` for React: `<DoctorGateReact apiBase={…} tokenProvider={…} onProvisioned={(e) => e.detail.outcome} />`.
 * A `ref` gets the element (for `provision()`, `open()`, `close()`).
 */
export const DoctorGateReact = createComponent({
  react: React,
  tagName: 'doctor-gate',
  elementClass: DoctorGate,
  events: doctorGateReactEvents,
  displayName: 'DoctorGateReact',
});

/** The props `<DoctorGateReact>` takes. */
export type DoctorGateReactProps = React.ComponentProps<typeof DoctorGateReact>;
