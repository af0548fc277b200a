import {
  DoctorGateError,
  isAbort,
  type Account,
  type Doctor,
  type ErrorCode,
  type Outcome,
  type Readiness,
  type Step,
} from '../core/index.js';
import type { Launch } from './launch.js';

/**
 * The body of every failed answer: the element's own error codes, the precise (redacted) message,
 * and who failed: the vendor behind the handler, or the handler itself (`server`: signed out,
 * refused, misconfigured).
 */
export interface GateErrorBody {
  error: { code: ErrorCode; message: string; step: Step; retryable: boolean; source: 'server' | 'vendor' };
}

/** `GET`: the check alone, and a signed ticket of it that a `POST` within 30 s may give back. */
export interface CheckAnswer {
  found: boolean;
  active: boolean;
  doctor: Doctor;
  ticket: string;
}

/** `POST` without the page's consent for a doctor who is missing or inactive: nothing was created. */
export interface CreationNeeded extends CheckAnswer {
  needsCreation: true;
}

/** `POST`: the doctor's account is ready. */
export interface ProvisionAnswer {
  outcome: Outcome;
  doctor: Doctor;
  /** The vendor's account, without any token or password. */
  account: Account;
  /** Fresh for this answer: one opening's worth. */
  launch: Launch;
  /** Whether the doctor can work in the vendor app now, and what is missing (Prescrypto). */
  readiness: Readiness;
}

/** HTTP status per code when the failure carries no vendor status of its own. */
const STATUS_OF: Record<ErrorCode, number> = {
  // A doctor or option the server gave is wrong: the server's fault, not the browser's.
  config: 500,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
  'rate-limited': 429,
  server: 502,
  network: 502,
  timeout: 504,
  'bad-response': 502,
  'create-failed': 502,
  'popup-blocked': 500,
  cancelled: 409,
};

const HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  // Answers name a doctor and may carry a launch credential: never cached, never sniffed.
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** A JSON answer with the handler's fixed headers and the request's id. */
export function json(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...HEADERS, 'X-Request-Id': requestId, ...headers },
  });
}

/**
 * A failure as an answer: the vendor's status when it gave one (so 503 stays retryable and 500
 * does not), else the code's; `Retry-After` passed on; the message redacted.
 */
export function errorAnswer(
  error: unknown,
  step: Step,
  redact: (text: string) => string,
  requestId: string,
  extraHeaders: Record<string, string> = {},
): { response: Response; body: GateErrorBody } {
  const failure = asGateError(error, step);
  const status =
    failure.status !== undefined && failure.status >= 400 && failure.status <= 599
      ? failure.status
      : STATUS_OF[failure.code];
  const headers: Record<string, string> =
    failure.retryAfterMs === undefined
      ? { ...extraHeaders }
      : { ...extraHeaders, 'Retry-After': String(Math.ceil(failure.retryAfterMs / 1000)) };
  const body: GateErrorBody = {
    error: {
      code: failure.code,
      message: redact(failure.message),
      step: failure.step,
      retryable: failure.retryable,
      source: failure.source === 'vendor' ? 'vendor' : 'server',
    },
  };
  return { response: json(status, body, requestId, headers), body };
}

/**
 * The error to report. The core wraps a failing credential source as `unauthorized`; the
 * source's own error (a token endpoint that is down is `server`, not a refusal) is reported
 * instead. Anything not ours is a bug, reported without its text.
 */
function asGateError(error: unknown, step: Step): DoctorGateError {
  if (error instanceof DoctorGateError) {
    return error.cause instanceof DoctorGateError ? error.cause : error;
  }
  if (isAbort(error)) return new DoctorGateError('timeout', 'The request was aborted', { step, source: 'server' });
  return new DoctorGateError('server', 'The doctor-gate handler failed', { step, status: 500, source: 'server' });
}
