import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import '../../src/define.js';
import { clearProvisionCache, type DoctorGate } from '../../src/index.js';
import type { HeldRequest } from '../../sandbox/index.js';

export const API = '/sandbox/speaknosis/v1/health';
export const TOKEN = 'sk_demo_token';
export const PROVIDER = '1001';
export const APP = '/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}';

let counter = 0;
/** A doctor id no other test uses: tests share one sandbox and run in parallel. */
export const uid = (prefix = 'doc') =>
  `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

export interface LogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: string;
  status: number;
  fault?: string;
  auth: string | null;
  body: unknown;
}

/** The sandbox's control API: `GET` without a body, else `POST` of `body` as JSON; its JSON answer. */
export async function control<T = unknown>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/sandbox/_control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`sandbox control ${path}: ${response.status}`);
  return response.json() as Promise<T>;
}

/** Requests the sandbox received whose raw path contains `fragment` (one doctor's, in practice). */
export async function requests(fragment: string, method?: string): Promise<LogEntry[]> {
  const query = new URLSearchParams({ path: fragment, ...(method ? { method } : {}) });
  const { entries } = await control<{ entries: LogEntry[] }>(`log?${query}`);
  return entries;
}

export interface Fault {
  match?: { method?: string; path?: string; body?: string };
  times?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  kind?: 'status' | 'drop' | 'hang' | 'malformed' | 'delay' | 'hold';
  ms?: number;
  after?: boolean;
}

export const faults = (...list: Fault[]) => control('faults', { faults: list });

/** A request the sandbox keeps, answer-less, until `release()`: the sandbox's own type. */
export type { HeldRequest } from '../../sandbox/index.js';

export interface Hold {
  /** The `hold` fault's id. */
  id: number;
  /** Resolves once `count` (default 1) requests are held by this fault: the request arrived and waits. */
  arrived(count?: number): Promise<HeldRequest[]>;
  /**
   * Lets the held requests proceed (answered for real, or with `then`) and withdraws the fault, so
   * no later request is held by it. Resolves to how many were held.
   */
  release(then?: Omit<Fault, 'match' | 'times'>): Promise<number>;
}

/** Holds still open: the hook below releases them after each test, whatever the test did. */
const openHolds = new Set<number>();

/**
 * Holds the next matching request(s) at the sandbox until `release()`: a test sees the state
 * "while the check is in flight" for as long as it likes, instead of racing a `delay`. No test
 * leaves a request held: every hold still open is released after each test.
 */
export async function hold(fault: Pick<Fault, 'match' | 'times' | 'ms'>): Promise<Hold> {
  const { faults: queued } = (await faults({ ...fault, kind: 'hold' })) as { faults: { id: number }[] };
  const id = queued.at(-1)!.id;
  openHolds.add(id);
  return {
    id,
    async arrived(count = 1) {
      const { held } = await control<{ held: HeldRequest[] }>('held/wait', { id, count, timeoutMs: 10_000 }).catch(
        () => {
          throw new Error(`hold ${JSON.stringify(fault.match)}: fewer than ${count} request(s) arrived in 10 s`);
        },
      );
      return held;
    },
    async release(then) {
      openHolds.delete(id);
      const { released } = await control<{ released: number }>('release', { id, ...(then ? { then } : {}) });
      return released;
    },
  };
}

// A root hook: it runs after every test of every file that imports these helpers.
afterEach(async () => {
  const ids = [...openHolds];
  openHolds.clear();
  for (const id of ids) await control('release', { id });
});

export const seedSpeaknosis = (users: Record<string, unknown>[]) =>
  control('seed', {
    speaknosis: users.map((u) => ({
      providerId: PROVIDER,
      name: 'Seed',
      lastname: 'User',
      specialityId: 1,
      lang: 'ES',
      ...u,
    })),
  });

export const userState = async (id: string, providerId = PROVIDER) =>
  control<{ exists: boolean; active: boolean }>(
    `state?${new URLSearchParams({ vendor: 'speaknosis', providerId, id })}`,
  );

/**
 * The launch values of the opened popup, once it is on the sandbox's app: Speaknosis reads them
 * from the fragment, Prescrypto from the query.
 */
export async function launchOf(popup: Window): Promise<URLSearchParams> {
  let href = '';
  await waitFor(() => {
    try {
      href = popup.location.href;
      return href.includes('/sandbox/app/');
    } catch {
      return false;
    }
  });
  const url = new URL(href);
  return new URLSearchParams(url.hash ? url.hash.replace(/^#\/pop-up\/\?/, '') : url.search);
}

/** Events of the gate, recorded in order from the moment of the call. */
export function record(el: HTMLElement) {
  const events: CustomEvent[] = [];
  for (const type of ['state', 'before-create', 'provisioned', 'open', 'close', 'message', 'error']) {
    el.addEventListener(`doctor-gate-${type}`, (event) => events.push(event as CustomEvent));
  }
  return {
    events,
    types: () => events.map((event) => event.type.replace('doctor-gate-', '')),
    states: () => events.filter((e) => e.type === 'doctor-gate-state').map((e) => e.detail.state as string),
    of: (type: string) => events.filter((e) => e.type === `doctor-gate-${type}`).map((e) => e.detail),
  };
}

export interface GateOptions {
  doctorId?: string;
  attrs?: Record<string, string | undefined>;
}

/** A gate for a Speaknosis doctor on the sandbox, with every attribute a page would set. */
export async function gate({ doctorId = uid(), attrs = {} }: GateOptions = {}): Promise<DoctorGate> {
  const el = document.createElement('doctor-gate');
  const all: Record<string, string | undefined> = {
    'api-base': API,
    token: TOKEN,
    'provider-id': PROVIDER,
    'doctor-id': doctorId,
    'doctor-name': 'Ana',
    'doctor-lastname': 'García',
    'speciality-id': '1',
    'doctor-lang': 'EN',
    'app-url': APP,
    prefetch: 'none',
    ...attrs,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) el.setAttribute(name, value);
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  host.append(el);
  await el.updateComplete;
  return el;
}

export const until = <T extends Event = CustomEvent>(el: EventTarget, type: string) => oneEvent(el, type) as Promise<T>;

/** Waits for a condition polled every 20 ms (for effects outside the gate's events). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (!(await condition())) {
    if (performance.now() - start > timeoutMs) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Records `window.open` calls (the real one still runs) and whether the gate opened before any answer. */
export function watchWindowOpen() {
  const original = window.open;
  const calls: { url: string | URL | undefined; args: unknown[]; win: Window | null }[] = [];
  window.open = function (this: Window, ...args: Parameters<typeof window.open>) {
    const win = original.apply(this, args);
    calls.push({ url: args[0], args, win });
    return win;
  } as typeof window.open;
  return {
    calls,
    restore() {
      window.open = original;
      for (const call of calls) call.win?.close();
    },
  };
}

/** A real mouse click on the gate's button (user activation), the way a doctor clicks. */
export async function click(el: DoctorGate): Promise<void> {
  const box = el.shadowRoot!.querySelector('button')!.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)] });
}

/**
 * A real click, and what `during` returns right after the gate handled it: the gate's state at that
 * moment, not after the driver's round trip (WebDriver and BiDi return later than CDP).
 */
export async function clickAnd<T>(el: DoctorGate, during: () => T): Promise<T> {
  let seen: { value: T } | undefined;
  el.addEventListener('click', () => (seen = { value: during() }), { once: true });
  await click(el);
  await waitFor(() => seen !== undefined);
  return seen!.value;
}

/** Collects unhandled rejections between `before` and `after` of the calling suite. */
export function watchUnhandledRejections(): unknown[] {
  const reasons: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => reasons.push(event.reason);
  before(() => window.addEventListener('unhandledrejection', onUnhandled));
  after(() => window.removeEventListener('unhandledrejection', onUnhandled));
  return reasons;
}

/**
 * For a suite whose tests open popups and start shared runs: each test gets its own `window.open`
 * watch, and after it its popups are closed, the page's runs cleared, and an unhandled rejection
 * fails it. Returns the current test's watch.
 */
export function isolateEachTest(): () => ReturnType<typeof watchWindowOpen> {
  const unhandled = watchUnhandledRejections();
  let popups: ReturnType<typeof watchWindowOpen>;
  beforeEach(() => (popups = watchWindowOpen()));
  afterEach(async () => {
    popups.restore();
    clearProvisionCache();
    // Let any stray rejection surface before asserting there was none.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(unhandled.map(String)).to.deep.equal([]);
  });
  return () => popups;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Everything written to the console while `run` runs, one string per call. */
export async function consoleDuring(run: () => Promise<void>): Promise<string[]> {
  const written: string[] = [];
  const originals = CONSOLE_METHODS.map((name) => [name, console[name]] as const);
  for (const name of CONSOLE_METHODS)
    console[name] = (...args: unknown[]) => void written.push(args.map(String).join(' '));
  try {
    await run();
  } finally {
    for (const [name, fn] of originals) console[name] = fn as never;
  }
  return written;
}
