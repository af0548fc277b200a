import * as z from 'zod/mini';
import { codeForStatus, DoctorGateError, ERROR_CODES, errorWith, STEPS, type Step } from './errors.js';
import type { BeforeCreate } from './provision.js';
import type { Vendor } from './vendor.js';
import { OUTCOMES, READINESS_GAPS, type ProvisionResult } from './types.js';
import { HttpClient, type ClientOptions, type HttpResponse } from './http.js';
import { bool } from './schema.js';

// Server mode's transport: the gate talks only to the EHR's own `doctor-gate/server` handler,
// which holds the vendor credential and names the doctor from its session. `GET` checks and gives a
// signed ticket; `POST` answers a fresh launch for one opening, or that a creation is needed, which
// the page consents to (`doctor-gate-before-create`) before it asks again with `{ create: true }`.

/** A ticket or a prefetched launch older than this is not used (the handler's tickets last as long). */
const FRESH_MS = 30_000;

const record = z.looseObject({});
const text = z.string().check(z.minLength(1), z.maxLength(4096));
const checkAnswer = z.object({ found: bool, active: bool, doctor: record, ticket: text });
// The launch is checked by hand against the keys the vendor's app needs (a record schema costs the drop-in).
const provisionAnswer = z.object({
  outcome: z.enum(OUTCOMES),
  doctor: record,
  account: record,
  launch: record,
  // What the doctor still lacks in the vendor app (Prescrypto), as the handler found it.
  readiness: z.object({ ready: bool, missing: z.array(z.enum(READINESS_GAPS)) }),
});
const errorAnswer = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    step: z.enum(STEPS),
    source: z.optional(z.enum(['server', 'vendor'])),
  }),
});

type Check = z.infer<typeof checkAnswer>;
type PostAnswer = z.infer<typeof provisionAnswer> | (Check & { needsCreation: true });

/** One opening's worth: the provisioning result and the launch values it alone may use. */
export interface ServerOpening {
  result: ProvisionResult;
  launch: Record<string, string>;
}

export interface ServerClientOptions {
  /** The handler's URL (absolute, or a path on this page's origin). */
  server: string;
  /** The vendor whose app opens: the launch values its app URL takes must all be in a launch. */
  vendor: Pick<Vendor, 'appUrl' | 'knowsInactive'>;
  timeoutMs?: number;
  retries?: number;
  fetch?: typeof fetch;
  /** Told of every request once answered (the `debug` timeline). */
  onRequest?: ClientOptions['onRequest'];
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

const unexpected = (step: Step) =>
  new DoctorGateError('bad-response', `${SERVER} answered unexpectedly`, { step, source: 'server' });

const SERVER = 'The doctor-gate server';
/** The launch values a launch may carry (the credentials a vendor's app URL takes, and the doctor's id). */
const LAUNCH_KEYS = ['token', 'medicToken', 'doctorId'];
/** Every error status: the handler's body names its own code, which the gate keeps. */
const ERROR_STATUSES = Array.from({ length: 200 }, (_, i) => 400 + i);

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
  readonly #http: HttpClient;

  constructor(options: ServerClientOptions) {
    this.options = options;
    const here = (globalThis as { location?: { href: string } }).location?.href;
    this.url = new URL(options.server, here).href;
    const { timeoutMs, retries, fetch, onRequest } = options;
    this.#http = new HttpClient(
      { apiBase: this.url, session: true, source: 'server', timeoutMs, retries, fetch, onRequest },
      'Bearer',
    );
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
    // Checked lately: the click's POST gives that ticket back (missing: after before-create).
    if (this.heldOpening() || state.prefetching || fresh(state.ticket)) return Promise.resolve(state.prefetching);
    const run = (async () => {
      const parsed = z.safeParse(checkAnswer, await this.#call('GET', undefined, 'check'));
      if (!parsed.success) throw unexpected('check');
      const check = this.#remember(parsed.data);
      if (!check.active) return;
      const answer = await this.#post({ ticket: check.ticket }, 'check');
      if ('launch' in answer) state.opening = { ...this.#opening(answer), at: Date.now() };
    })();
    state.prefetching = run;
    const done = () => state.prefetching === run && (state.prefetching = undefined);
    run.then(done, done);
    return run;
  }

  /**
   * Provisions the session's doctor for one opening: a fresh launch, never one another opening
   * used. A creation is asked of `beforeCreate` first, and only then requested.
   */
  async provision({ signal, beforeCreate, onStep }: ServerProvision = {}): Promise<ServerOpening> {
    const state = this.#held;
    // Taken synchronously, so the click that saw it with `heldOpening()` is the one that uses it.
    const ready = this.#take();
    if (ready) return ready;
    onStep?.('check');
    // A check under way (the hover's) is waited for rather than repeated, and its launch used.
    // Otherwise no await: inside a click the request leaves before the popup opens.
    if (state.prefetching) {
      await state.prefetching.catch(() => undefined);
      signal?.throwIfAborted();
      const later = this.#take();
      if (later) return later;
    }
    const ticket = fresh(state.ticket) ? state.ticket : undefined;
    let answer: PostAnswer =
      ticket && !ticket.active
        ? { ...ticket, needsCreation: true }
        : await this.#post({ ticket: ticket?.ticket }, 'check', signal);
    // A second "creation needed" after consent means the session changed doctor meanwhile: that
    // doctor is asked about too, once.
    for (let round = 0; !('launch' in answer); round++) {
      if (round === 2) throw unexpected('create');
      const info = { doctor: answer.doctor, reactivation: this.options.vendor.knowsInactive ? answer.found : null };
      // A synchronous answer stays synchronous, so the creation leaves inside the click too.
      const answered = beforeCreate?.(info) ?? true;
      if (!(typeof answered === 'boolean' ? answered : await answered))
        throw new DoctorGateError('cancelled', 'The page cancelled the creation', { step: 'create' });
      signal?.throwIfAborted();
      onStep?.('create');
      answer = await this.#post({ create: true, ticket: answer.ticket }, 'create', signal);
    }
    return this.#opening(answer);
  }

  /** The held launch, if still fresh, now no longer held: one opening's only. */
  #take(): ServerOpening | undefined {
    const opening = this.heldOpening();
    this.#held.opening = undefined;
    return opening;
  }

  #remember(check: Check): Check {
    this.#held.ticket = { ...check, at: Date.now() };
    return check;
  }

  #opening(answer: z.infer<typeof provisionAnswer>): ServerOpening {
    // What the doctor is now is known: an older ticket says nothing more.
    this.#held.ticket = undefined;
    const launch: Record<string, string> = {};
    for (const key of LAUNCH_KEYS.filter((each) => this.options.vendor.appUrl.includes(`{${each}}`))) {
      const value = answer.launch[key];
      if (typeof value !== 'string' || !value) throw unexpected('open');
      launch[key] = value;
    }
    // The launch's credentials stay out of the result, which the page and events see.
    const { launch: _given, ...result } = answer;
    return { result, launch };
  }

  async #post(body: { create?: true; ticket?: string }, step: Step, signal?: AbortSignal): Promise<PostAnswer> {
    const given = await this.#call('POST', body, step, signal);
    const needed = (given as { needsCreation?: unknown } | null)?.needsCreation === true;
    const answer = z.safeParse(needed ? checkAnswer : provisionAnswer, given);
    if (!answer.success) throw unexpected(step);
    if (!needed) return answer.data as z.infer<typeof provisionAnswer>;
    return { ...this.#remember(answer.data as Check), needsCreation: true };
  }

  /**
   * One request through the core's HTTP seam in session mode: the EHR's cookie (same-origin), no
   * `Authorization`, a timeout, and retries of a GET (a POST is never repeated blindly).
   */
  async #call(method: 'GET' | 'POST', body: object | undefined, step: Step, signal?: AbortSignal) {
    let answer: HttpResponse;
    try {
      // Every error status is accepted, so the handler's answer, JSON or not, is judged below.
      answer = await this.#http.request({ method, url: this.url, body, step, signal, accept: ERROR_STATUSES });
    } catch (error) {
      // No answer at all (the page's wrong `server` URL, the network, a timeout): at this step,
      // without the browser's own error.
      throw error instanceof DoctorGateError ? errorWith(error, { step, cause: undefined }) : error;
    }
    const { status, body: given, requestId, where } = answer;
    if (status < 400) return given;
    const known = z.safeParse(errorAnswer, given);
    const {
      code,
      message,
      step: at,
      source = 'server',
    } = known.success
      ? known.data.error
      : { code: codeForStatus(status), message: `${SERVER} answered with no error body` };
    // The handler's own words, after the request they answered: who refused is the server.
    throw new DoctorGateError(code, `${where}: HTTP ${status}: ${message}`, {
      step: at ?? step,
      status,
      source,
      requestId,
    });
  }
}
