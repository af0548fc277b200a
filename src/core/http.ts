import { codeForStatus, DoctorGateError, isAbort, redact, type Step } from './errors.js';
import { safeParse, type ZodMiniType } from 'zod/mini';
import type { ClientOptions, HttpRequest, HttpResponse } from './http-types.js';
import { parseRetryAfter, sleep, unlessAborted } from './wait.js';

export type { ClientOptions, HttpRequest, HttpResponse } from './http-types.js';
export { parseRetryAfter, sleep } from './wait.js';

const MAX_RETRY_AFTER_MS = 30_000;

/** A short description of an error body (vendors answer strings, arrays or objects); the caller redacts it. */
function describeBody(body: unknown): string {
  const record = body as { response?: unknown; message?: unknown; detail?: unknown; details?: unknown } | null;
  if (typeof body === 'string') return body;
  // Vendors word an error under one of these keys (Prescrypto uses all three, in either language).
  const text = record?.response ?? record?.message ?? record?.detail ?? record?.details;
  if (typeof text === 'string') return text;
  return body === undefined ? '' : JSON.stringify(body);
}

/** Failures of the `tokenProvider` (no answer in time, a rejection, nothing): never retried automatically. */
const providerFailures = new WeakSet<DoctorGateError>();

/** The same failure, reported at the step whose request it blocked. */
const atStep = (error: DoctorGateError, step: Step): DoctorGateError => {
  const moved = new DoctorGateError(error.code, error.message, { step, status: error.status, cause: error.cause });
  providerFailures.add(moved);
  return moved;
};

/** Checks a vendor body against its schema; a mismatch is `bad-response`, never a crash later on. */
export function parseBody<T>(schema: ZodMiniType<T>, body: unknown, step: Step, status?: number): T {
  const result = safeParse(schema, body);
  if (!result.success) {
    throw new DoctorGateError('bad-response', `Unexpected response body from the vendor (${step})`, { step, status });
  }
  return result.data;
}

/**
 * The one HTTP seam: auth header, timeout, retries with backoff, typed errors.
 * POST is never retried here: the provisioning loop re-checks before re-creating instead.
 */
export class HttpClient {
  readonly options: Readonly<ClientOptions>;
  readonly #scheme: string;
  #token?: Promise<string>;
  #settled?: { pending: Promise<string>; value: string };
  /** Every credential this client used, and every secret its requests carried or got back. */
  readonly #secrets = new Set<string>();

  constructor(options: ClientOptions, scheme: 'Bearer' | 'Token') {
    this.options = options;
    this.#scheme = scheme;
    if (options.token) this.#secrets.add(options.token);
  }

  /** Resolves `apiBase` against the page when it is a same-origin path. */
  get base(): URL {
    const here = (globalThis as { location?: { href: string } }).location?.href;
    return new URL(this.options.apiBase.replace(/\/*$/, '/'), here);
  }

  /** Marks a value as secret (a medic token a creation returned): `redact` removes it from then on. */
  addSecret(value: unknown): void {
    if (typeof value === 'string' && value) this.#secrets.add(value);
  }

  /** `text` without any credential, password or token this client knows of: for every message, log and report. */
  redact(text: string): string {
    return redact(text, this.#secrets);
  }

  /**
   * The current credential, for the vendor launch URL that carries it. A `tokenProvider` gets
   * `timeoutMs` to answer like a request; a failure is reported at `step` and never cached, so
   * the next attempt asks the provider again.
   */
  credential(step: Step = 'open'): Promise<string> {
    return this.#credential().catch((error: unknown) => {
      throw error instanceof DoctorGateError ? atStep(error, step) : error;
    });
  }

  #credential(): Promise<string> {
    const { token, tokenProvider } = this.options;
    if (this.#token) return this.#token;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answer = tokenProvider
      ? Promise.race([
          Promise.resolve().then(tokenProvider),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new DoctorGateError('timeout', `The tokenProvider did not answer within ${timeoutMs} ms`)),
              timeoutMs,
            );
          }),
        ])
      : Promise.resolve(token);
    const pending = answer.then(
      (value) => {
        clearTimeout(timer);
        if (typeof value !== 'string' || !value) {
          throw new DoctorGateError('unauthorized', 'No API token: the token or tokenProvider gave nothing');
        }
        this.#secrets.add(value);
        return value;
      },
      (cause: unknown) => {
        clearTimeout(timer);
        if (cause instanceof DoctorGateError) throw cause;
        // The provider's own error may quote anything: only its code travels on.
        throw new DoctorGateError('unauthorized', 'The tokenProvider failed');
      },
    );
    // A failed (or timed-out) provider call is not cached: the next request asks again.
    pending.then(
      (value) => (this.#settled = { pending, value }),
      () => {
        if (this.#token === pending) this.#token = undefined;
      },
    );
    return (this.#token = pending);
  }

  /**
   * The credential when it is already known, synchronously: a request can then leave inside the
   * click, before opening a popup blocks the page. A refresh makes it unknown again.
   */
  credentialNow(): string | undefined {
    const { token, tokenProvider } = this.options;
    if (!tokenProvider) return token || undefined;
    return this.#settled && this.#settled.pending === this.#token ? this.#settled.value : undefined;
  }

  #url(request: HttpRequest): URL {
    const base = this.base;
    if (request.url) {
      const url = new URL(request.url, base);
      // A vendor-given link must not carry our credential to another origin.
      if (url.origin !== base.origin) {
        throw new DoctorGateError('bad-response', 'The vendor linked to another origin', { step: request.step });
      }
      return url;
    }
    const segments = (request.path ?? []).map(String);
    // "." and ".." survive encoding and would be resolved away by the URL parser: refuse them.
    if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
      throw new DoctorGateError('config', 'A path segment is empty, "." or ".."', { step: request.step });
    }
    const path = segments.map(encodeURIComponent).join('/');
    const url = new URL(path + (request.trailingSlash ? '/' : ''), base);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
    return url;
  }

  /**
   * How long to wait before retry number `attempt + 1` after `error`, or undefined when it must not
   * be retried: not retryable, out of retries, or a `Retry-After` too long to wait. The one retry
   * rule for single requests, the provisioning loop and batch chunks.
   */
  retryDelay(error: unknown, attempt: number, retries = this.options.retries ?? 3): number | undefined {
    if (!(error instanceof DoctorGateError) || !error.retryable || attempt >= retries) return undefined;
    // A provider that failed is asked again on the next click, not four times in this one.
    if (providerFailures.has(error)) return undefined;
    if ((error.retryAfterMs ?? 0) > MAX_RETRY_AFTER_MS) return undefined;
    // Exponential backoff with jitter, never shorter than what the server asked for.
    const backoff = (this.options.retryDelayMs ?? 300) * 2 ** attempt * (0.5 + Math.random() / 2);
    return Math.max(error.retryAfterMs ?? 0, backoff);
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const retriesAllowed = request.method === 'POST' ? 0 : undefined;
    for (const secret of request.secrets ?? []) this.addSecret(secret);
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      // In session mode the cookie is the credential: there is no token to wait for.
      const credential = this.options.session ? Promise.resolve('') : this.#credential();
      const known = this.options.session ? '' : this.credentialNow();
      try {
        // With the credential at hand, fetch is called right now rather than a microtask later.
        return await (known === undefined
          ? unlessAborted(credential, request.signal).then(
              (value) => this.#send(request, value),
              (error: unknown) => {
                throw error instanceof DoctorGateError ? atStep(error, request.step) : error;
              },
            )
          : this.#send(request, known));
      } catch (error) {
        if (!(error instanceof DoctorGateError)) throw error;
        if (error.code === 'unauthorized' && this.options.tokenProvider && !refreshed && error.status === 401) {
          // One refresh per request; concurrent requests that failed with the same token share it.
          refreshed = true;
          if (this.#token === credential) this.#token = undefined;
          attempt--;
          continue;
        }
        const wait = this.retryDelay(error, attempt, retriesAllowed);
        if (wait === undefined) throw error;
        await sleep(wait, request.signal);
      }
    }
  }

  async #send(request: HttpRequest, credential: string): Promise<HttpResponse> {
    const { step, signal } = request;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    // One controller per request, aborted by its own timer or by the run. Not `AbortSignal.any` with
    // `AbortSignal.timeout`: WebKit sometimes never aborts a fetch given that signal once the time is up.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort(signal!.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const { session } = this.options;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (!session) headers['Authorization'] = `${this.#scheme} ${credential}`;
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    let status = 0;
    let text: string;
    let responseHeaders: Headers | undefined;
    try {
      const response = await (this.options.fetch ?? fetch)(this.#url(request), {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: controller.signal,
        credentials: session ? 'same-origin' : 'omit',
        referrerPolicy: 'no-referrer',
        // Never followed: a redirect could take the credential and the doctor's data to another origin.
        redirect: 'manual',
      });
      status = response.status;
      // A browser shows a redirect as an opaque response with status 0; Node as the 3xx itself.
      if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
        throw new DoctorGateError('bad-response', `The vendor answered with a redirect (HTTP ${status})`, {
          step,
          status: status || undefined,
        });
      }
      responseHeaders = response.headers;
      text = await response.text();
    } catch (error) {
      if (error instanceof DoctorGateError) throw error;
      if (signal?.aborted) throw signal.reason ?? error;
      // Told by our timer, not the error's name: WebKit rejects a timed-out fetch with `AbortError`.
      if (timedOut) throw new DoctorGateError('timeout', `No answer within ${timeoutMs} ms`, { step, cause: error });
      if (isAbort(error)) throw error;
      throw new DoctorGateError('network', 'The vendor API could not be reached', {
        step,
        status: status || undefined,
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const expected = (status >= 200 && status < 300) || request.accept?.includes(status);
    let body: unknown = text || undefined;
    try {
      if (text) body = JSON.parse(text);
    } catch {
      // An error page from a proxy is still an error of its status; only an expected answer must be JSON.
      if (expected) {
        throw new DoctorGateError('bad-response', `The vendor answered HTTP ${status} with a body that is not JSON`, {
          step,
          status,
        });
      }
    }
    if (expected) return { status, body, headers: responseHeaders };
    // Built from the status; a snippet of the body only with every known secret taken out first.
    const snippet = this.redact(describeBody(body)).slice(0, 200);
    throw new DoctorGateError(codeForStatus(status), `HTTP ${status}${snippet ? `: ${snippet}` : ''}`, {
      step,
      status,
      retryAfterMs: parseRetryAfter(responseHeaders?.get('Retry-After') ?? null),
    });
  }
}
