import { codeForStatus, DoctorGateError, isAbort, type Step } from './errors.js';
import { safeParse, type ZodMiniType } from 'zod/mini';

/** What every vendor client is built from. */
export interface ClientOptions {
  /** Base URL of the vendor API. https, loopback, or a same-origin path. */
  apiBase: string;
  token?: string;
  /** Returns a fresh credential; called before the first request and once more after a 401. */
  tokenProvider?: () => Promise<string>;
  fetch?: typeof fetch;
  /** Per request, default 10 000 ms. */
  timeoutMs?: number;
  /** Retries of a retryable failure, default 3. */
  retries?: number;
  /** First backoff step, default 300 ms; doubles each retry, with jitter. */
  retryDelayMs?: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path segments after `apiBase`; each is `encodeURIComponent`-encoded here, never by callers. */
  path?: readonly (string | number)[];
  trailingSlash?: boolean;
  query?: Record<string, string | number>;
  /** An absolute URL the vendor gave (a `next` page); must share `apiBase`'s origin. */
  url?: string;
  body?: unknown;
  step: Step;
  signal?: AbortSignal;
  /** Statuses the caller handles itself instead of getting an error (e.g. 404 on a check). */
  accept?: readonly number[];
}

export interface HttpResponse {
  status: number;
  body: unknown;
}

const MAX_RETRY_AFTER_MS = 30_000;

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A short, credential-free description of an error body (vendors answer strings, arrays or objects). */
function describeBody(body: unknown): string {
  const record = body as { response?: unknown; message?: unknown } | null;
  const text =
    typeof body === 'string'
      ? body
      : typeof record?.response === 'string'
        ? record.response
        : typeof record?.message === 'string'
          ? record.message
          : body === undefined
            ? ''
            : JSON.stringify(body);
  return text.slice(0, 200);
}

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

  constructor(options: ClientOptions, scheme: 'Bearer' | 'Token') {
    this.options = options;
    this.#scheme = scheme;
  }

  /** Resolves `apiBase` against the page when it is a same-origin path. */
  get base(): URL {
    const here = (globalThis as { location?: { href: string } }).location?.href;
    return new URL(this.options.apiBase.replace(/\/*$/, '/'), here);
  }

  /** The current credential, for the vendor launch URL that carries it. */
  credential(): Promise<string> {
    const { token, tokenProvider } = this.options;
    if (this.#token) return this.#token;
    const pending = (tokenProvider ? Promise.resolve().then(tokenProvider) : Promise.resolve(token)).then(
      (value) => {
        if (typeof value !== 'string' || !value) {
          throw new DoctorGateError('unauthorized', 'No API token: the token or tokenProvider gave nothing');
        }
        return value;
      },
      (cause: unknown) => {
        throw new DoctorGateError('unauthorized', 'tokenProvider failed', { cause });
      },
    );
    // A failed provider call is not cached: the next request asks again.
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
    if ((error.retryAfterMs ?? 0) > MAX_RETRY_AFTER_MS) return undefined;
    // Exponential backoff with jitter, never shorter than what the server asked for.
    const backoff = (this.options.retryDelayMs ?? 300) * 2 ** attempt * (0.5 + Math.random() / 2);
    return Math.max(error.retryAfterMs ?? 0, backoff);
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const retriesAllowed = request.method === 'POST' ? 0 : undefined;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const credential = this.credential();
      const known = this.credentialNow();
      try {
        // With the credential at hand, fetch is called right now rather than a microtask later.
        return await (known === undefined
          ? credential.then((value) => this.#send(request, value))
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
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `${this.#scheme} ${credential}`,
    };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    let status = 0;
    let text: string;
    let retryAfter: string | null = null;
    try {
      const response = await (this.options.fetch ?? fetch)(this.#url(request), {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: combined,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
      status = response.status;
      retryAfter = response.headers.get('Retry-After');
      text = await response.text();
    } catch (error) {
      if (error instanceof DoctorGateError) throw error;
      if (signal?.aborted) throw signal.reason ?? error;
      if (timeout.aborted) {
        throw new DoctorGateError('timeout', `No answer within ${timeoutMs} ms`, { step, cause: error });
      }
      if (isAbort(error)) throw error;
      throw new DoctorGateError('network', 'The vendor API could not be reached', {
        step,
        status: status || undefined,
        cause: error,
      });
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
    if (expected) return { status, body };
    throw new DoctorGateError(codeForStatus(status), `HTTP ${status}: ${describeBody(body)}`, {
      step,
      status,
      retryAfterMs: parseRetryAfter(retryAfter),
    });
  }
}
