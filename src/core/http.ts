import {
  codeForStatus,
  DoctorGateError,
  errorWith,
  isAbort,
  redact,
  type ErrorCode,
  type ErrorOptions,
  type Step,
} from './errors.js';
import { safeParse, type ZodMiniType } from 'zod/mini';
import type { ClientOptions, HttpRequest, HttpResponse } from './http-types.js';
import { describeBody, notAToken } from './http-text.js';
import { parseRetryAfter, sleep, unlessAborted } from './wait.js';

export type { ClientOptions, HttpRequest, HttpResponse, RequestEntry } from './http-types.js';
export { parseRetryAfter, sleep } from './wait.js';
export { notAToken } from './http-text.js';

const MAX_RETRY_AFTER_MS = 30_000;

/** A failure of the `tokenProvider`, reported at the step whose request it blocked: the page's, never retried automatically. */
const atStep = (error: DoctorGateError, step: Step): DoctorGateError => errorWith(error, { step, source: 'page' });

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
    // The page's own credential source failed: nothing was sent, and no vendor refused anything.
    const fail = (what: string, code: ErrorCode = 'unauthorized') =>
      new DoctorGateError(code, `The ${tokenProvider ? 'tokenProvider' : 'token'} ${what}; nothing was sent`, {
        source: 'page',
      });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answer = tokenProvider
      ? Promise.race([
          Promise.resolve().then(tokenProvider),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(fail(`did not answer within ${timeoutMs} ms`, 'timeout')), timeoutMs);
          }),
        ])
      : Promise.resolve(token);
    const pending = answer.then(
      (value) => {
        clearTimeout(timer);
        const kind = notAToken(value);
        // An error page or "no session" in an Authorization header would only muddle the vendor's answer.
        if (kind) throw fail(`gave ${kind}, not a token`);
        this.#secrets.add(value!);
        return value!;
      },
      (cause: unknown) => {
        clearTimeout(timer);
        if (cause instanceof DoctorGateError) throw cause;
        // Its own error may quote anything: only its name travels on.
        throw fail(`threw ${(cause as Error | null)?.name ?? typeof cause}`);
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
    // A token that is not one takes the long way, where it fails.
    if (!tokenProvider) return notAToken(token) ? undefined : token;
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
    if (error.source === 'page') return undefined;
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
    const { step, signal, method } = request;
    const url = this.#url(request);
    const where = `${method} ${url.pathname}`;
    const source = this.options.source ?? 'vendor';
    const fail = (code: ErrorCode, what: string, status?: number, more?: ErrorOptions) =>
      new DoctorGateError(code, `${where}: ${what}`, { step, status, source, ...more });
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const started = Date.now();
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
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method,
        headers,
        // No body for undefined: `JSON.stringify(undefined)` is undefined.
        body: JSON.stringify(request.body),
        signal: controller.signal,
        credentials: session ? 'same-origin' : 'omit',
        referrerPolicy: 'no-referrer',
        // Never followed: a redirect could take the credential and the doctor's data to another origin.
        redirect: 'manual',
      });
      status = response.status;
      // A browser shows a redirect as an opaque response with status 0; Node as the 3xx itself.
      if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
        throw fail('bad-response', `redirected (HTTP ${status}), which is never followed`, status || undefined);
      }
      text = await response.text();
    } catch (error) {
      if (error instanceof DoctorGateError) throw error;
      if (signal?.aborted) throw signal.reason ?? error;
      // Told by our timer, not the error's name: WebKit rejects a timed-out fetch with `AbortError`.
      if (timedOut) throw fail('timeout', `no answer within ${timeoutMs} ms`, undefined, { cause: error });
      if (isAbort(error)) throw error;
      throw fail('network', 'no answer (offline, DNS, TLS or CORS)', status || undefined, {
        source: 'browser',
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.options.onRequest?.({ method, path: url.pathname, status, ms: Date.now() - started });
    }
    const { ok } = response;
    let body: unknown = text || undefined;
    let json = true;
    try {
      if (text) body = JSON.parse(text);
    } catch {
      json = false;
    }
    // Only the EHR's own handler names its answers; a vendor's header could repeat anything (a credential).
    const requestId = (source === 'server' && response.headers.get('X-Request-Id')) || undefined;
    // Nothing there (an error page, or a POST to a collection that does not exist): the URL is wrong.
    if (status === 404 && (!json || !request.accept?.includes(404))) {
      const input = source === 'server' ? 'server' : 'api-base';
      throw fail('config', `HTTP 404${json ? '' : ', not JSON'}: is ${input} right?`, 404, {
        source: 'page',
        fields: [input],
      });
    }
    if (ok && !json) throw fail('bad-response', `HTTP ${status} with a body that is not JSON`, status);
    // An expected error status with a proxy's error page: the caller reads it as that status.
    if (ok || request.accept?.includes(status)) return { status, body: json ? body : undefined, where, requestId };
    // Built from the status; a snippet of the body only with every known secret taken out first.
    const snippet = this.redact(describeBody(body)).slice(0, 200);
    throw fail(codeForStatus(status), `HTTP ${status}${snippet ? `: ${snippet}` : ''}`, status, {
      retryAfterMs: parseRetryAfter(response.headers.get('Retry-After')),
      requestId,
    });
  }

  /** Checks a body against its schema; a mismatch is `bad-response` naming the request, never a crash later on. */
  parse<T>(schema: ZodMiniType<T>, { status, body, where, requestId }: HttpResponse, step: Step): T {
    const result = safeParse(schema, body);
    if (result.success) return result.data;
    throw new DoctorGateError('bad-response', `${where}: HTTP ${status}, a body of the wrong shape`, {
      step,
      status,
      source: this.options.source ?? 'vendor',
      requestId,
    });
  }
}
