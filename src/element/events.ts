import type { DoctorGateError, ErrorCode, ErrorSource, Step } from '../core/errors.js';
import type { Doctor, Outcome, Readiness } from '../core/types.js';

export type GateState = 'idle' | 'checking' | 'creating' | 'ready' | 'open' | 'error';
export type GateMode = 'popup' | 'iframe' | 'none';
export type CloseReason = 'user' | 'api' | 'disconnected';

/** What every event's detail carries: the run it belongs to, as the `debug` timeline names it. */
export interface RunDetail {
  /** The id of the `provision()`, `open()` or click this event belongs to; the same in the `debug` timeline. */
  runId: string;
}
export interface StateDetail extends RunDetail {
  state: GateState;
  previous: GateState;
}
export interface BeforeCreateDetail extends RunDetail {
  doctor: Doctor;
  reactivation: boolean | null;
}
export interface ProvisionedDetail extends RunDetail {
  outcome: Outcome;
  doctor: Doctor;
  account: Record<string, unknown>;
  /** Whether the doctor can work in the app now, and what is missing (Prescrypto). */
  readiness: Readiness;
}
export interface OpenDetail extends RunDetail {
  mode: GateMode;
}
export interface CloseDetail extends RunDetail {
  mode: GateMode;
  reason: CloseReason;
}
export interface MessageDetail extends RunDetail {
  data: unknown;
}
export interface ErrorDetail extends RunDetail {
  code: ErrorCode;
  /** For the developer: English, naming the input or the request (method, URL path) and its status; never a credential. */
  message: string;
  /** What the gate shows the doctor, in the doctor's language. */
  displayMessage: string;
  step: Step;
  /** Who failed: `page`, `vendor`, `server` or `browser`. */
  source: ErrorSource;
  status?: number;
  retryable: boolean;
  /** Server mode: the handler's `X-Request-Id` of the failing answer. */
  requestId?: string;
}

/** The `doctor-gate-error` detail of a failure whose `displayMessage` is set (`runId` is added by `emit`). */
export const errorDetail = (failure: DoctorGateError): Omit<ErrorDetail, 'runId'> => {
  // The error's own fields, less the internal ones; `message` is not enumerable on an Error.
  const { name: _, fields: __, retryAfterMs: ___, ...detail } = failure;
  return { ...detail, message: failure.message } as Omit<ErrorDetail, 'runId'>;
};

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

/** How the gate's controllers send an event: through the element's one `emit`, which adds the `runId`. */
export type Emit = <K extends keyof DoctorGateEventMap>(
  type: K,
  detail: Omit<DoctorGateEventMap[K]['detail'], 'runId'>,
  cancelable?: boolean,
) => boolean;

/** The run events belong to, and where they are noted (the `debug` timeline). */
export interface RunLog {
  readonly runId: string;
  event(type: string, detail: object): void;
}

/** The one way events leave the gate: bubbling, composed, typed, with the run's id; noted in `run` first. */
export function emitFrom(target: EventTarget, run: RunLog): Emit {
  return (type, detail, cancelable = false) => {
    run.event(type, detail);
    return target.dispatchEvent(
      new CustomEvent(type, { detail: { ...detail, runId: run.runId }, bubbles: true, composed: true, cancelable }),
    );
  };
}

/**
 * Types an event a framework hands over as a plain `Event` (Angular's `$event` on a custom
 * element): `gateEvent<'doctor-gate-error'>($event).detail.code`. A cast, checked by type only.
 */
export const gateEvent = <K extends keyof DoctorGateEventMap>(event: Event): DoctorGateEventMap[K] =>
  event as DoctorGateEventMap[K];

declare global {
  // Events bubble out of the shadow root: listeners on the element, `document` and `window` are all typed.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends DoctorGateEventMap {}
}
