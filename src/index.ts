/**
 * doctor-gate: the element class, the framework-free core and the types. No side effects:
 * import `doctor-gate/define` (or call `DoctorGate.define()`) to register the tag.
 */
export { DoctorGate } from './element/doctor-gate.js';
export type {
  GateState,
  GateMode,
  CloseReason,
  StateDetail,
  BeforeCreateDetail,
  ProvisionedDetail,
  OpenDetail,
  CloseDetail,
  MessageDetail,
  ErrorDetail,
  RunDetail,
  DoctorGateEventMap,
} from './element/doctor-gate.js';
export { gateEvent } from './element/events.js';
export type { DoctorGateProperties } from './frameworks/properties.js';
export { registerStrings } from './element/i18n.js';
export type { UiKey, UiStrings } from './element/i18n.js';
export * from './core.js';
