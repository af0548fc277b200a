import type { DoctorGateError, ErrorCode, ErrorSource, Step } from '../core/errors.js';
import type { Doctor, Outcome, Readiness } from '../core/types.js';

export type GateState = 'idle' | 'checking' | 'creating' | 'ready' | 'open' | 'error';
export type GateMode = 'popup' | 'iframe' | 'none';
export type CloseReason = 'user' | 'api' | 'disconnected';

export interface StateDetail {
  state: GateState;
  previous: GateState;
}
export interface BeforeCreateDetail {
  doctor: Doctor;
  reactivation: boolean | null;
}
export interface ProvisionedDetail {
  outcome: Outcome;
  doctor: Doctor;
  account: Record<string, unknown>;
  /** Whether the doctor can work in the app now, and what is missing (Prescrypto). */
  readiness: Readiness;
}
export interface OpenDetail {
  mode: GateMode;
}
export interface CloseDetail {
  mode: GateMode;
  reason: CloseReason;
}
export interface MessageDetail {
  data: unknown;
}
export interface ErrorDetail {
  code: ErrorCode;
  /** What the gate shows (today: the localized text; the developer's message is being split off). */
  message: string;
  step: Step;
  /** Who failed: `page`, `vendor`, `server` or `browser`. */
  source: ErrorSource;
  status?: number;
  retryable: boolean;
  /** Server mode: the handler's `X-Request-Id` of the failing answer. */
  requestId?: string;
}

/** The `doctor-gate-error` detail of a failure, with its message already in the UI language. */
export const errorDetail = (failure: DoctorGateError, message: string): ErrorDetail => ({
  code: failure.code,
  message,
  step: failure.step,
  source: failure.source,
  ...(failure.requestId === undefined ? {} : { requestId: failure.requestId }),
  ...(failure.status === undefined ? {} : { status: failure.status }),
  retryable: failure.retryable,
});

/** Every event of the gate with its detail type. */
export interface DoctorGateEventMap {
  'doctor-gate-state': CustomEvent<StateDetail>;
  'doctor-gate-before-create': CustomEvent<BeforeCreateDetail>;
  'doctor-gate-provisioned': CustomEvent<ProvisionedDetail>;
  'doctor-gate-open': CustomEvent<OpenDetail>;
  'doctor-gate-close': CustomEvent<CloseDetail>;
  'doctor-gate-message': CustomEvent<MessageDetail>;
  'doctor-gate-error': CustomEvent<ErrorDetail>;
}

/** How the gate's controllers send an event: through the element's one `emit`. */
export type Emit = <K extends keyof DoctorGateEventMap>(
  type: K,
  detail: DoctorGateEventMap[K]['detail'],
  cancelable?: boolean,
) => boolean;

/** The one way events leave the gate: bubbling, composed, typed. */
export function emitFrom(target: EventTarget): Emit {
  return (type, detail, cancelable = false) =>
    target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
}

declare global {
  // Events bubble out of the shadow root: listeners on the element, `document` and `window` are all typed.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends DoctorGateEventMap {}
}
