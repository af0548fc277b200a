import * as z from 'zod/mini';
import { codeForStatus, DoctorGateError, ERROR_CODES, STEPS, type Step } from './errors.js';
import type { BeforeCreate } from './provision.js';
import { OUTCOMES, type ProvisionResult } from './types.js';
import { parseRetryAfter, sleep } from './wait.js';

// Server mode's transport: the gate talks only to the EHR's own `doctor-gate/server` handler,
// which holds the vendor credential and names the doctor from its session. `GET` checks and gives a
// signed ticket; `POST` answers a fresh launch for one opening, or that a creation is needed, which
// the page consents to (`doctor-gate-before-create`) before it asks again with `{ create: true }`.

/** A ticket or a prefetched launch older than this is not used (the handler's tickets last as long). */
const FRESH_MS = 30_000;

const record = z.looseObject({});
const text = z.string().check(z.minLength(1), z.maxLength(4096));
const checkAnswer = z.object({ found: z.boolean(), active: z.boolean(), doctor: record, ticket: text });
const provisionAnswer = z.object({
  outcome: z.enum(OUTCOMES),
  doctor: record,
  account: record,
  launch: z.record(z.string(), text),
});
const postAnswer = z.union([provisionAnswer, z.extend(checkAnswer, { needsCreation: z.literal(true) })]);
const errorAnswer = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string().check(z.maxLength(2000)),
    step: z.enum(STEPS),
    source: z.optional(z.enum(['server', 'vendor'])),
  }),
});

type Check = z.infer<typeof checkAnswer>;
type PostAnswer = z.infer<typeof postAnswer>;

/** One opening's worth: the provisioning result and the launch values it alone may use. */
export interface ServerOpening {
  result: ProvisionResult;
  launch: Record<string, string>;
}

export interface ServerClientOptions {
  /** The handler's URL (absolute, or a path on this page's origin). */
  server: string;
  /** Launch values the vendor's app needs: an answer without one of them is `bad-response`. */
  launchKeys: readonly string[];
  /** Whether before-create can tell a reactivation from a creation. */
  knowsInactive: boolean;
  timeoutMs?: number;
  retries?: number;
  fetch?: typeof fetch;
}

/** What the page holds per handler URL for a short while, shared by every gate on the page. */
interface Held {
  ticket?: Check & { at: number };
  opening?: ServerOpening & { at: number };
  prefetching?: Promise<void>;
}
const held = new Map<string, Held>();

/** Forgets every ticket and prefetched launch (`clearProvisionCache()`; a page that switched doctors). */
export function forgetServerAnswers(): void {
  held.clear();
}

const fresh = <T extends { at: number }>(value: T | undefined): value is T =>
  value !== undefined && Date.now() - value.at < FRESH_MS;

export interface ServerProvision {
  signal?: AbortSignal;
  beforeCreate?: (info: BeforeCreate) => boolean | Promise<boolean>;
  onStep?: (step: 'check' | 'create') => void;
}

/** The gate's client of one `doctor-gate/server` handler. */
export class ServerClient {
  readonly options: Readonly<ServerClientOptions>;
  /** The handler's URL, resolved against the page. */
  readonly url: string;

  constructor(options: ServerClientOptions) {
    this.options = options;
    const here = (globalThis as { location?: { href: string } }).location?.href;
    this.url = new URL(options.server, here).href;
  }

  get #held(): Held {
    let state = held.get(this.url);
    if (!state) held.set(this.url, (state = {}));
    return state;
  }

  /** A launch fetched before the click and not used yet, synchronously: a click can open with it at once. */
  heldOpening(): ServerOpening | undefined {
    const { opening } = this.#held;
    return fresh(opening) ? opening : undefined;
  }

  /**
   * Before the click (`prefetch="intent"`): the check, then, for a doctor who exists, the launch
   * the click will use (the handler's ticket spares that `POST` a second vendor check). Creates nothing.
   */
  prefetch(): Promise<void> {
    const state = this.#held;
    if (this.heldOpening() || state.prefetching) return state.prefetching ?? Promise.resolve();
    // Checked lately and missing: the click asks before-create, then creates; nothing to fetch now.
    if (fresh(state.ticket) && !state.ticket.active) return Promise.resolve();
    const run = (async () => {
      const parsed = z.safeParse(checkAnswer, await this.#call('GET', undefined, 'check'));
      if (!parsed.success) throw this.#unexpected('check');
      const check = this.#remember(parsed.data);
      if (!check.active) return;
      const answer = await this.#post({ ticket: check.ticket }, 'check');
      if ('launch' in answer) state.opening = { ...this.#opening(answer), at: Date.now() };
    })();
    state.prefetching = run;
    run.then(
      () => state.prefetching === run && (state.prefetching = undefined),
      () => state.prefetching === run && (state.prefetching = undefined),
    );
    return run;
  }

  /**
   * Provisions the session's doctor for one opening: a fresh launch, never one another opening
   * used. A creation is asked of `beforeCreate` first, and only then requested.
   */
  async provision({ signal, beforeCreate, onStep }: ServerProvision = {}): Promise<ServerOpening> {
    const state = this.#held;
    // Taken synchronously, so the click that saw it with `heldOpening()` is the one that uses it.
    const ready = this.heldOpening();
    state.opening = undefined;
    if (ready) return ready;
    onStep?.('check');
    if (state.prefetching) await state.prefetching.catch(() => undefined);
    signal?.throwIfAborted();
    const later = this.heldOpening();
    state.opening = undefined;
    if (later) return later;
    const ticket = fresh(state.ticket) ? state.ticket : undefined;
    let answer: PostAnswer =
      ticket && !ticket.active
        ? { ...ticket, needsCreation: true }
        : await this.#post({ ...(ticket ? { ticket: ticket.ticket } : {}) }, 'check', signal);
    // A second "creation needed" after consent means the session changed doctor meanwhile: that
    // doctor is asked about too, once.
    for (let round = 0; !('launch' in answer); round++) {
      if (round === 2) {
        throw new DoctorGateError('bad-response', 'The doctor-gate server asked for a creation again', {
          step: 'create',
          source: 'server',
        });
      }
      const info = { doctor: answer.doctor, reactivation: this.options.knowsInactive ? answer.found : null };
      const allowed = await (beforeCreate?.(info) ?? true);
      if (!allowed) throw new DoctorGateError('cancelled', 'The page cancelled the creation', { step: 'create' });
      signal?.throwIfAborted();
      onStep?.('create');
      answer = await this.#post({ create: true, ticket: answer.ticket }, 'create', signal);
    }
    return this.#opening(answer);
  }

  #remember(check: Check): Check {
    this.#held.ticket = { ...check, at: Date.now() };
    return check;
  }

  #opening(answer: z.infer<typeof provisionAnswer>): ServerOpening {
    // What the doctor is now is known: an older ticket says nothing more.
    this.#held.ticket = undefined;
    const missing = this.options.launchKeys.filter((key) => !answer.launch[key]);
    if (missing.length) {
      throw new DoctorGateError('bad-response', `The doctor-gate server's launch lacks ${missing.join(', ')}`, {
        step: 'open',
        source: 'server',
      });
    }
    const launch = Object.fromEntries(this.options.launchKeys.map((key) => [key, answer.launch[key]!]));
    return { result: { outcome: answer.outcome, doctor: answer.doctor, account: answer.account }, launch };
  }

  async #post(body: { create?: true; ticket?: string }, step: Step, signal?: AbortSignal): Promise<PostAnswer> {
    const answer = z.safeParse(postAnswer, await this.#call('POST', body, step, signal));
    if (!answer.success) throw this.#unexpected(step);
    if ('needsCreation' in answer.data) this.#remember(answer.data);
    return answer.data;
  }

  #unexpected(step: Step): DoctorGateError {
    return new DoctorGateError('bad-response', 'Unexpected answer from the doctor-gate server', {
      step,
      source: 'server',
    });
  }

  /** One request with the session cookie (same-origin), a timeout, and retries of what is safe to repeat. */
  async #call(method: 'GET' | 'POST', body: object | undefined, step: Step, signal?: AbortSignal): Promise<unknown> {
    const { timeoutMs = 10_000, retries = 3 } = this.options;
    // A POST that may create is never repeated blindly: the handler re-checks on the next click.
    const allowed = method === 'POST' && (body as { create?: boolean }).create ? 0 : retries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(method, body, step, timeoutMs, signal);
      } catch (error) {
        const failure = error as DoctorGateError;
        if (!(error instanceof DoctorGateError) || !failure.retryable || attempt >= allowed) throw error;
        await sleep(Math.max(failure.retryAfterMs ?? 0, 300 * 2 ** attempt * (0.5 + Math.random() / 2)), signal);
      }
    }
  }

  async #once(method: string, body: object | undefined, step: Step, timeoutMs: number, signal?: AbortSignal) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), controller.abort()), timeoutMs);
    const onAbort = () => controller.abort(signal!.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    let response: Response;
    let text: string;
    try {
      response = await (this.options.fetch ?? fetch)(this.url, {
        method,
        headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        // The EHR's session cookie is the credential; the handler never redirects.
        credentials: 'same-origin',
        redirect: 'error',
        cache: 'no-store',
        signal: controller.signal,
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      if (timedOut) {
        throw new DoctorGateError('timeout', `The doctor-gate server gave no answer within ${timeoutMs} ms`, {
          step,
          source: 'server',
        });
      }
      throw new DoctorGateError('network', 'The doctor-gate server could not be reached', { step, cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const requestId = response.headers.get('X-Request-Id')?.slice(0, 128) || undefined;
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const { status } = response;
    if (status >= 200 && status < 300 && parsed !== undefined) return parsed;
    const failure = z.safeParse(errorAnswer, parsed);
    const retryAfterMs = parseRetryAfter(response.headers.get('Retry-After'));
    if (failure.success) {
      const { code, message, step: at, source } = failure.data.error;
      throw new DoctorGateError(code, message, {
        step: at,
        status,
        source: source ?? 'server',
        requestId,
        retryAfterMs,
      });
    }
    throw new DoctorGateError(
      status < 300 ? 'bad-response' : codeForStatus(status),
      `The doctor-gate server answered HTTP ${status} with no error of its own (${method} ${new URL(this.url).pathname})`,
      { step, status, source: 'server', requestId, retryAfterMs },
    );
  }
}
