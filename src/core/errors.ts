/** Every way a provisioning or an open can fail, as a stable machine-readable code. */
export const ERROR_CODES = [
  'config',
  'unauthorized',
  'forbidden',
  'conflict',
  'rate-limited',
  'server',
  'network',
  'timeout',
  'bad-response',
  'create-failed',
  'popup-blocked',
  'cancelled',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The steps of a run an error can belong to. */
export const STEPS = ['config', 'check', 'create', 'open'] as const;
export type Step = (typeof STEPS)[number];

/** Who failed: the page (configuration, its `tokenProvider`), the vendor API, the EHR's own server handler, or the browser. */
export const ERROR_SOURCES = ['page', 'vendor', 'server', 'browser'] as const;
export type ErrorSource = (typeof ERROR_SOURCES)[number];

export interface ErrorOptions {
  step?: Step;
  /** Who failed; by default derived from the code (`config` → page, `network`/`popup-blocked` → browser, else vendor). */
  source?: ErrorSource;
  /** Server mode: the handler's `X-Request-Id` of the failing answer. */
  requestId?: string;
  /** What the gate showed the doctor, in the doctor's language (set by the element). */
  displayMessage?: string;
  status?: number;
  /** Server-requested wait before a retry, from `Retry-After`. */
  retryAfterMs?: number;
  /** Attribute or field names a `config` error is about. */
  fields?: string[];
  cause?: unknown;
}

const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['network', 'timeout', 'rate-limited']);

/**
 * An error as a value: a code, the step it happened in, who failed, and whether trying again can
 * help. `message` is for the developer: English, naming the input or the request (method and URL
 * path, never a query or a credential) and its status; `displayMessage` is what the gate showed.
 */
export class DoctorGateError extends Error {
  readonly code: ErrorCode;
  readonly step: Step;
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly fields?: string[];
  readonly source: ErrorSource;
  readonly requestId?: string;
  readonly displayMessage?: string;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'DoctorGateError';
    this.code = code;
    this.step = options.step ?? 'config';
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.fields = options.fields;
    this.source = options.source ?? defaultSource(code);
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.displayMessage !== undefined) this.displayMessage = options.displayMessage;
    // 502–504 are transient gateway failures; a plain 500 is a bug on the vendor's side.
    this.retryable =
      RETRYABLE.has(code) ||
      (code === 'server' && options.status !== undefined && options.status >= 502 && options.status <= 504);
  }
}

/** The same failure with some options changed (the step it blocked, the text a gate showed). */
export const errorWith = (error: DoctorGateError, changes: ErrorOptions): DoctorGateError =>
  new DoctorGateError(error.code, error.message, { ...error, cause: error.cause, ...changes });

function defaultSource(code: ErrorCode): ErrorSource {
  if (code === 'config' || code === 'cancelled') return 'page';
  if (code === 'network' || code === 'popup-blocked') return 'browser';
  return 'vendor';
}

/** The error of a run that was aborted on purpose (element removed, inputs changed): never reported. */
export const isAbort = (error: unknown): boolean => (error as { name?: string } | null)?.name === 'AbortError';

/** Maps an HTTP status to an error code, once, for every vendor. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server';
  return 'config';
}

/** What a secret is replaced with in any text the gate or the CLI shows, logs or writes. */
export const REDACTED = '***';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` with every secret removed: as given, URL-encoded (path, query, form) and JSON-escaped, the
 * forms in which a vendor's body may repeat it. Repeated until none is left, since a removal can
 * bring two halves of a secret together.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  if (!forms.size) return text;
  // Longest first, so a secret is never half-replaced by a shorter one it contains.
  const source = [...forms]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
  const found = new RegExp(source);
  for (let round = 0; round < 16 && found.test(text); round++) text = text.replace(new RegExp(source, 'g'), REDACTED);
  return found.test(text) ? REDACTED : text;
}

/** Any failure as a `DoctorGateError`; a foreign one's text may quote anything: only its name, the error itself as `cause`. */
export const toGateError = (error: unknown, step?: Step): DoctorGateError =>
  error instanceof DoctorGateError
    ? error
    : new DoctorGateError('bad-response', `Unexpected ${(error as Error | null)?.name}`, {
        step: step ?? 'check',
        cause: error,
      });
