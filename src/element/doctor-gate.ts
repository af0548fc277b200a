import {
  ReactiveElement,
  type PropertyDeclaration,
  type PropertyDeclarations,
  type PropertyValues,
} from '@lit/reactive-element';
import { safeParse } from 'zod/mini';
import { checkVendorSettings, configError, fillTemplate, settingsSchema, type Settings } from '../core/config.js';
import type { GateClient } from '../core/client.js';
import { createClient } from '../client.js';
import { DoctorGateError, isAbort, type ErrorCode, type Step } from '../core/errors.js';
import { parseDoctor } from '../core/provision.js';
import { knownResult, prefetchCheck, sharedProvision, type ResultStore } from '../core/shared.js';
import { LANGS, type Doctor, type Lang, type Outcome, type ProvisionResult, type VendorName } from '../core/types.js';
import { vendors } from '../vendors/index.js';
import { translate, type UiKey } from './i18n.js';
import { styles } from './styles.js';

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
  message: string;
  step: Step;
  status?: number;
  retryable: boolean;
}

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

/**
 * Inputs that do not change who is provisioned where: a run under way survives them (a framework
 * passing a new `tokenProvider` function on every render must not abort it).
 */
const KEEPS_RUN: ReadonlySet<PropertyKey> = new Set([
  'token',
  'tokenProvider',
  'timeout',
  'retries',
  'sessionTtl',
  'prefetch',
]);

/** Frameworks pass a new `doctor` object on every render: only a different value is a change. */
const changedValue = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);

interface Context {
  settings: Settings;
  client: GateClient;
  doctor: Doctor;
  signal: AbortSignal;
}

const POPUP_POLL_MS = 400;

/**
 * Remembers provisioned doctors in `sessionStorage` for `ttlMs`, so a reload skips the check.
 * Only the outcome and the account id are kept: never a token or a password.
 */
function sessionStore(ttlMs: number): ResultStore {
  const prefix = 'doctor-gate:';
  return {
    get(key) {
      try {
        const saved = JSON.parse(sessionStorage.getItem(prefix + key) ?? 'null') as {
          expires: number;
          result: ProvisionResult;
        } | null;
        if (saved && saved.expires > Date.now()) return saved.result;
        sessionStorage.removeItem(prefix + key);
      } catch {
        // Storage may be disabled or full: the page-life memory still works.
      }
      return undefined;
    },
    set(key, { outcome, doctor, account }) {
      try {
        const kept = { outcome, doctor, account: account['id'] === undefined ? {} : { id: account['id'] } };
        sessionStorage.setItem(prefix + key, JSON.stringify({ expires: Date.now() + ttlMs, result: kept }));
      } catch {
        // As above.
      }
    },
  };
}

const preconnected = new Set<string>();

/** One `<link rel="preconnect">` per origin per page; none for the page's own origin. */
function preconnect(origin: string, anonymous: boolean): void {
  const key = `${anonymous}|${origin}`;
  if (origin === location.origin || origin === 'null' || preconnected.has(key)) return;
  preconnected.add(key);
  const link = document.createElement('link');
  link.rel = 'preconnect';
  link.href = origin;
  if (anonymous) link.crossOrigin = 'anonymous';
  document.head.append(link);
}

/** Inputs are the declared properties that are not internal state (`_state`, `_status`, …). */
const isInput = (name: PropertyKey): boolean =>
  DoctorGate.elementProperties.has(name) && !DoctorGate.getPropertyOptions(name).state;

/**
 * The attribute a page sets for a field a `config` error names: the field's own property, or the
 * `doctor…` property of a doctor field (`id` is `doctor-id`); fields with no attribute keep their name.
 */
function attributeOf(field: string): string {
  const property = field === 'hasCredential' ? 'token' : `doctor${field.charAt(0).toUpperCase()}${field.slice(1)}`;
  for (const name of [field, property]) {
    const { attribute } = DoctorGate.elementProperties.get(name) ?? {};
    if (typeof attribute === 'string') return attribute;
    if (attribute === undefined && DoctorGate.elementProperties.has(name)) return name.toLowerCase();
  }
  return field;
}

/** Appends a new `tag` element with `attributes` to `parent`. */
function child<K extends keyof HTMLElementTagNameMap>(
  parent: Node,
  tag: K,
  attributes: Record<string, string>,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return parent.appendChild(element);
}

/** Numbers the gates so each popup has its own window name: a gate must never reuse (or close) another's. */
let gateCount = 0;

/**
 * Makes sure the doctor's user exists at a clinical vendor, then opens the vendor app.
 *
 * @summary Checks, creates or reactivates the doctor's vendor user, then opens the vendor app in a popup or an iframe.
 * @tagname doctor-gate
 *
 * @attr {'idle' | 'checking' | 'creating' | 'ready' | 'open' | 'error'} state - Reflected, read-only: the gate's state (set by the gate, never read back).
 * @slot - The button's label (default: "Open <vendor>" in the doctor's language).
 * @csspart button - The button that opens the app.
 * @csspart status - The live status or error text.
 * @csspart frame - The iframe, in `mode="iframe"`.
 * @cssprop --doctor-gate-accent - Button background.
 * @cssprop --doctor-gate-on-accent - Button text color.
 * @cssprop --doctor-gate-radius - Corner radius of the button and frame.
 * @cssprop --doctor-gate-error-color - Color of error messages.
 * @cssprop --doctor-gate-muted-color - Color of progress messages.
 * @cssprop --doctor-gate-font - Font shorthand.
 * @cssprop --doctor-gate-frame-width - Iframe width (default 100%).
 * @cssprop --doctor-gate-frame-height - Iframe height (default 650px).
 * @cssprop --doctor-gate-frame-border - Iframe border.
 *
 * @fires {CustomEvent<StateDetail>} doctor-gate-state - Every state change.
 * @fires {CustomEvent<BeforeCreateDetail>} doctor-gate-before-create - Cancelable; before the vendor user is created or reactivated.
 * @fires {CustomEvent<ProvisionedDetail>} doctor-gate-provisioned - The doctor's user is ready at the vendor.
 * @fires {CustomEvent<OpenDetail>} doctor-gate-open - The popup or iframe was opened with the launch URL.
 * @fires {CustomEvent<CloseDetail>} doctor-gate-close - The popup or iframe is gone.
 * @fires {CustomEvent<MessageDetail>} doctor-gate-message - A message from the opened app (origin and source checked).
 * @fires {CustomEvent<ErrorDetail>} doctor-gate-error - Anything failed.
 */
export class DoctorGate extends ReactiveElement {
  static override styles = styles;

  static override properties: PropertyDeclarations = {
    vendor: { reflect: false },
    apiBase: { attribute: 'api-base' },
    token: {},
    tokenProvider: { attribute: false },
    providerId: { attribute: 'provider-id' },
    doctorId: { attribute: 'doctor-id' },
    doctorName: { attribute: 'doctor-name' },
    doctorLastname: { attribute: 'doctor-lastname' },
    doctorEmail: { attribute: 'doctor-email' },
    specialityId: { attribute: 'speciality-id', type: Number },
    doctorLang: { attribute: 'doctor-lang' },
    doctor: { attribute: false, hasChanged: changedValue },
    medicToken: { attribute: false },
    mode: {},
    appUrl: { attribute: 'app-url' },
    appointmentId: { attribute: 'appointment-id' },
    reportExampleId: { attribute: 'report-example-id' },
    prefetch: {},
    timeout: { type: Number },
    retries: { type: Number },
    sessionTtl: { attribute: 'session-ttl', type: Number },
    _state: { state: true },
    _status: { state: true },
    _framed: { state: true },
    _frameAllow: { state: true },
  };

  /** Registers `<doctor-gate>` (or another tag); a second call is a no-op. */
  static define(tag = 'doctor-gate'): void {
    if (!customElements.get(tag)) customElements.define(tag, this);
  }

  /** `speaknosis` (default) or `prescrypto`. */
  declare vendor: VendorName;
  /** Base URL of the vendor API: https, loopback, or a same-origin path. */
  declare apiBase: string | undefined;
  /** API credential. Prefer `tokenProvider`. Never written back to an attribute. */
  declare token: string | undefined;
  /** Returns the API credential; called before the first request and once more after a 401. */
  declare tokenProvider: (() => Promise<string>) | undefined;
  /** Speaknosis medical-center id. */
  declare providerId: string | undefined;
  /** Speaknosis: the doctor's user id (the EHR's own id). Prescrypto: the medic id, when known. */
  declare doctorId: string | undefined;
  /** The doctor's first name, sent on creation. */
  declare doctorName: string | undefined;
  /** The doctor's last name, sent on creation. */
  declare doctorLastname: string | undefined;
  /** The doctor's email, sent on creation (optional for Speaknosis). */
  declare doctorEmail: string | undefined;
  /** Speaknosis speciality id (integer). */
  declare specialityId: number | undefined;
  /** `ES` `EN` `CA` `PT` `FR`: the doctor's language and the gate's UI language. */
  declare doctorLang: string | undefined;
  /** The doctor's fields plus vendor-specific ones; wins over attributes. */
  declare doctor: Doctor | undefined;
  /** Prescrypto medic token saved by the page at creation, for the deeplink login. */
  declare medicToken: string | undefined;
  /** `popup` (default), `iframe`, or `none` (provision only). */
  declare mode: GateMode;
  /** Launch URL template overriding the vendor's. */
  declare appUrl: string | undefined;
  /** Optional Speaknosis launch parameter `{appointmentId}`. */
  declare appointmentId: string | undefined;
  /** Optional Speaknosis launch parameter `{reportExampleId}`. */
  declare reportExampleId: string | undefined;
  /** `intent` (default), `eager` or `none`: work done before the click. */
  declare prefetch: 'intent' | 'eager' | 'none';
  /** Milliseconds per request (default 10000). */
  declare timeout: number;
  /** Retries of a retryable failure (default 3). */
  declare retries: number;
  /** Opt-in: milliseconds to remember a provisioned doctor in `sessionStorage` (default 0: page memory only). */
  declare sessionTtl: number;

  declare private _state: GateState;
  declare private _status: { key: UiKey; value?: string } | undefined;
  declare private _framed: boolean;
  declare private _frameAllow: string;

  /** Aborts this gate's runs: replaced when the inputs change, aborted on disconnect. */
  #runs = new AbortController();
  #inputsChanged = false;
  #client?: { key: string; client: GateClient };
  #provisioned?: ProvisionResult;
  #window?: Window;
  #openMode?: GateMode;
  #opened = new AbortController();
  readonly #windowSuffix = ++gateCount;
  #button?: HTMLButtonElement;
  #label?: Text;
  #status?: HTMLSpanElement;

  constructor() {
    super();
    this.vendor = 'speaknosis';
    this.mode = 'popup';
    this.prefetch = 'intent';
    this.timeout = 10_000;
    this.retries = 3;
    this.sessionTtl = 0;
    this._state = 'idle';
    this._framed = false;
    this._frameAllow = 'microphone; screen-wake-lock';
  }

  /** `idle` `checking` `creating` `ready` `open` `error`; reflected to the `state` attribute. */
  get state(): GateState {
    return this._state;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.#runs.signal.aborted) this.#runs = new AbortController();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A framework moving the element fires disconnect and connect in the same task: wait one microtask.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#runs.abort();
      this.#closeApp('disconnected');
    });
  }

  /** Notes, at the moment a property is set, that the inputs changed: a call in the same task must see it. */
  override requestUpdate(name?: PropertyKey, oldValue?: unknown, options?: PropertyDeclaration): void {
    // Lit's own constructor calls this with no name, before this class's fields exist.
    if (name !== undefined && isInput(name) && !KEEPS_RUN.has(name)) {
      // Lit calls this on every set; only a real change (by the property's own test) counts.
      const declaration = options ?? DoctorGate.getPropertyOptions(name);
      const changed = declaration.hasChanged ?? ((value: unknown, old: unknown) => !Object.is(value, old));
      if (changed(this[name as keyof this], oldValue)) this.#inputsChanged = true;
    }
    super.requestUpdate(name, oldValue, options);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (![...changed.keys()].some(isInput)) return;
    // Validated here, in the same update, so a bad input shows at once and a fix clears it.
    try {
      this.#context();
    } catch (error) {
      this.#report(error);
      return;
    }
    if (this._state === 'error') this.#setState('idle');
    if (this.prefetch === 'eager') queueMicrotask(() => this.isConnected && this.provision().catch(() => undefined));
  }

  /** New inputs: the run for the old ones is aborted (its result is never applied) and its app closed. */
  #applyInputs(): void {
    if (!this.#inputsChanged) return;
    this.#inputsChanged = false;
    this.#runs.abort();
    this.#runs = new AbortController();
    this.#provisioned = undefined;
    if (this._state === 'open') this.#closeApp('api');
    if (this._state !== 'error') this.#setState('idle');
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('_state' as keyof DoctorGate)) this.setAttribute('state', this._state);
  }

  /** Check, then create or reactivate if needed. Shared with every gate on the page for the same doctor. */
  async provision(): Promise<ProvisionResult> {
    try {
      return await this.#provision(this.#context());
    } catch (error) {
      if (!isAbort(error)) this.#report(error);
      throw error;
    }
  }

  /**
   * Provision, then open the app. Never rejects: failures are `doctor-gate-error` events.
   * Called inside a click, the popup opens at once and is navigated when the doctor is ready.
   */
  async open(): Promise<void> {
    let context: Context;
    try {
      context = this.#context();
    } catch (error) {
      this.#report(error);
      return;
    }
    const { mode } = context.settings;
    if (this.#window && !this.#window.closed) return this.#window.focus();
    if (this._framed) return;
    // This attempt's own abort (a blocked popup), besides the gate's (removal, new inputs).
    const attempt = new AbortController();
    const signal = AbortSignal.any([context.signal, attempt.signal]);
    // Ready already (a remembered result, or an answered check, and the credential at hand):
    // the popup opens straight on the app, in the click, with no blank page in between.
    const readyUrl = mode === 'popup' ? this.#readyUrl(context) : undefined;
    // Otherwise the requests leave now, before `window.open` blocks the page for tens of ms.
    const run = this.#provision({ ...context, signal });
    run.catch(() => undefined);
    let popup: Window | undefined;
    if (mode === 'popup') {
      // Synchronously inside the click: the only way popup blockers let it through.
      const { name, features } = context.client.vendor.popup;
      popup = window.open(readyUrl ?? 'about:blank', `${name}-${this.#windowSuffix}`, features) ?? undefined;
      if (!popup) {
        attempt.abort();
        this.#report(new DoctorGateError('popup-blocked', 'The browser blocked the popup', { step: 'open' }));
        return;
      }
      if (!readyUrl) this.#preparing(popup);
      this.#window = popup;
    }
    try {
      const result = await run;
      if (mode === 'none') return;
      const url = readyUrl ?? this.#launchUrl(context, result, await context.client.http.credential());
      signal.throwIfAborted();
      let target: Window | null;
      if (popup) {
        if (popup.closed) return this.#closeApp('user');
        // The opener link is kept on purpose: without it Chromium lets the gate neither close nor
        // navigate a cross-origin popup (close(), removal, new inputs), nor the app message the gate.
        if (!readyUrl) popup.location.replace(url);
        target = popup;
      } else {
        // With no `src`, a bare `allow="microphone"` would grant the EHR's own origin: name the app's.
        const origin = new URL(url, location.href).origin;
        this._frameAllow = `microphone ${origin}; screen-wake-lock ${origin}`;
        this._framed = true;
        await this.updateComplete;
        const frame = this.renderRoot.querySelector('iframe');
        target = frame?.contentWindow ?? null;
        // Navigated by location, so the credential-bearing URL never sits in a `src` attribute.
        target?.location.replace(url);
      }
      if (target) this.#watch(target, new URL(url, location.href).origin, mode);
    } catch (error) {
      if (popup && this.#window === popup) {
        popup.close();
        this.#window = undefined;
      }
      if (!isAbort(error)) this.#report(error, 'open');
    }
  }

  /** Closes the popup or iframe, if open. */
  close(): void {
    this.#closeApp('api');
  }

  /**
   * The shadow tree is three nodes, built once here and kept current by `update`: Lit's reactive
   * properties without lit-html's template engine, which would cost the drop-in 3 KB gzip.
   */
  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = super.createRenderRoot();
    const button = child(root, 'button', { part: 'button', type: 'button' });
    button.addEventListener('click', () => void this.open());
    for (const type of ['pointerenter', 'pointerdown', 'focus']) button.addEventListener(type, () => this.#onIntent());
    this.#label = child(button, 'slot', {}).appendChild(document.createTextNode(''));
    this.#button = button;
    this.#status = child(root, 'span', { part: 'status' });
    return root;
  }

  protected override update(changed: PropertyValues<this>): void {
    super.update(changed);
    const state = this._state;
    const status = this._status;
    this.#button!.setAttribute('aria-busy', String(state === 'checking' || state === 'creating'));
    this.#label!.data = this.#t('open');
    this.#status!.setAttribute('role', state === 'error' ? 'alert' : 'status');
    this.#status!.textContent = status ? this.#t(status.key, status.value) : '';
    const frame = this.renderRoot.querySelector('iframe');
    const title = this.#t('frame');
    if (!this._framed) frame?.remove();
    else if (frame) frame.title = title;
    // `allow` is in place before the frame is in the document: the policy is fixed when it navigates.
    else
      child(this.renderRoot, 'iframe', {
        part: 'frame',
        title,
        allow: this._frameAllow,
        referrerpolicy: 'no-referrer',
      });
  }

  #onIntent(): void {
    if (this.prefetch !== 'intent' || this._state !== 'idle') return;
    try {
      const { client, doctor, settings } = this.#context();
      // Check only: no doctor data leaves the page before the doctor acts.
      prefetchCheck(client, doctor).catch(() => undefined);
      // Warm the connections the click will need: the API (CORS, no credentials) and the app.
      preconnect(client.http.base.origin, true);
      if (settings.mode !== 'none')
        preconnect(new URL(fillTemplate(settings.appUrl ?? client.vendor.appUrl, {}), location.href).origin, false);
    } catch {
      // Reported already by the config check; the click reports it again.
    }
  }

  get #lang(): Lang {
    const wanted = (this.doctorLang ?? this.closest('[lang]')?.getAttribute('lang') ?? '').slice(0, 2).toUpperCase();
    return (LANGS as readonly string[]).includes(wanted) ? (wanted as Lang) : 'ES';
  }

  #t(key: UiKey, value?: string): string {
    const label = (vendors[this.vendor] ?? vendors.speaknosis).label;
    return translate(this.#lang, key, value ?? label);
  }

  /** Validates every input once; the only place attributes and properties become a client and a doctor. */
  #context(): Context {
    this.#applyInputs();
    const settingsInput = {
      vendor: this.vendor,
      apiBase: this.apiBase,
      mode: this.mode,
      appUrl: this.appUrl || undefined,
      prefetch: this.prefetch,
      timeout: this.timeout,
      retries: this.retries,
      sessionTtl: this.sessionTtl,
      providerId: this.providerId == null || this.providerId === '' ? undefined : String(this.providerId),
      hasCredential: !!this.token || typeof this.tokenProvider === 'function',
      appointmentId: this.appointmentId,
      reportExampleId: this.reportExampleId,
    };
    const parsed = safeParse(settingsSchema, settingsInput);
    const fields = parsed.success
      ? checkVendorSettings(parsed.data.vendor, parsed.data)
      : parsed.error.issues.map((issue) => String(issue.path[0]));
    if (!parsed.success || fields.length) throw configError(fields.map(attributeOf));
    const settings = parsed.data;
    const key = [settings.vendor, settings.apiBase, settings.providerId, settings.timeout, settings.retries].join('\n');
    if (
      this.#client?.key !== key ||
      this.#client.client.http.options.token !== this.token ||
      this.#client.client.http.options.tokenProvider !== this.tokenProvider
    ) {
      const client = createClient(settings.vendor, {
        apiBase: settings.apiBase,
        providerId: settings.providerId,
        token: this.token,
        tokenProvider: this.tokenProvider,
        timeoutMs: settings.timeout,
        retries: settings.retries,
      });
      this.#client = { key, client };
    }
    const client = this.#client.client;
    const fromAttributes: Doctor = {
      id: this.doctorId,
      name: this.doctorName,
      lastname: this.doctorLastname,
      email: this.doctorEmail || undefined,
      specialityId: this.specialityId,
      lang: this.#lang,
    };
    const merged = { ...fromAttributes, ...this.doctor } as Doctor;
    for (const field of Object.keys(merged)) if (merged[field] === undefined) delete merged[field];
    let doctor: Doctor;
    try {
      doctor = parseDoctor(client, merged);
    } catch (error) {
      throw configError(((error as DoctorGateError).fields ?? []).map(attributeOf));
    }
    return { settings, client, doctor, signal: this.#runs.signal };
  }

  async #provision({ client, doctor, signal }: Context): Promise<ProvisionResult> {
    const result = await sharedProvision(client, doctor, {
      signal,
      store: this.sessionTtl > 0 ? sessionStore(this.sessionTtl) : undefined,
      beforeCreate: (detail) => this.#emit('doctor-gate-before-create', detail, true),
      onStep: (step) => this.#setState(step === 'check' ? 'checking' : 'creating'),
    });
    signal.throwIfAborted();
    if (this.#provisioned !== result) {
      this.#provisioned = result;
      this.#emit('doctor-gate-provisioned', {
        outcome: result.outcome,
        doctor: result.doctor,
        account: result.account,
      });
    }
    if (this._state !== 'open') this.#setState('ready');
    return result;
  }

  /** The launch URL when the gate is ready and the credential known, synchronously; else undefined. */
  #readyUrl(context: Context): string | undefined {
    const result = knownResult(context.client, context.doctor);
    const credential = context.client.http.credentialNow();
    if (!result || credential === undefined) return undefined;
    try {
      return this.#launchUrl(context, result, credential);
    } catch {
      return undefined; // e.g. no medic token yet: the normal path reports it
    }
  }

  /** The launch URL, built at the moment of opening and never stored or logged. */
  #launchUrl({ settings, client, doctor }: Context, result: ProvisionResult, credential: string): string {
    const vendorValues = client.vendor.launchValues({
      credential,
      account: result.account,
      medicToken: this.medicToken,
    });
    return fillTemplate(settings.appUrl ?? client.vendor.appUrl, {
      providerId: settings.providerId,
      doctorId: doctor.id ?? (result.account['id'] === undefined ? undefined : String(result.account['id'])),
      lang: this.#lang,
      view: settings.mode === 'iframe' ? 'iframe' : 'analysis',
      appointmentId: settings.appointmentId,
      reportExampleId: settings.reportExampleId,
      token: undefined,
      medicToken: undefined,
      ...vendorValues,
    });
  }

  /** Forwards messages from the opened app only, and notices a popup the doctor closed. */
  #watch(target: Window, origin: string, mode: GateMode): void {
    this.#opened.abort();
    const opened = (this.#opened = new AbortController());
    this.#openMode = mode;
    window.addEventListener(
      'message',
      (event: MessageEvent) => {
        if (event.origin === origin && event.source === target) this.#emit('doctor-gate-message', { data: event.data });
      },
      { signal: opened.signal },
    );
    if (mode === 'popup') {
      const timer = setInterval(() => target.closed && this.#closeApp('user'), POPUP_POLL_MS);
      opened.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    }
    this.#setState('open');
    this.#emit('doctor-gate-open', { mode });
  }

  #closeApp(reason: CloseReason): void {
    const mode = this.#openMode;
    const wasOpen = !!mode;
    this.#opened.abort();
    this.#openMode = undefined;
    if (this.#window && !this.#window.closed) this.#window.close();
    this.#window = undefined;
    this._framed = false;
    if (!wasOpen) return;
    if (this._state === 'open') this.#setState(this.#provisioned ? 'ready' : 'idle');
    this.#emit('doctor-gate-close', { mode, reason });
  }

  /** A small localized page while the popup waits, written as text (safe under Trusted Types). */
  #preparing(popup: Window): void {
    try {
      const doc = popup.document;
      doc.title = this.#t('preparing');
      doc.body.textContent = this.#t('preparing');
      doc.body.style.cssText =
        'font:16px system-ui,sans-serif;display:grid;place-items:center;height:90vh;color:#4a5560';
    } catch {
      // A reused, already cross-origin window: nothing to write.
    }
  }

  #setState(state: GateState): void {
    const previous = this._state;
    if (state !== 'error') this._status = state === 'idle' ? undefined : { key: state === 'open' ? 'opened' : state };
    if (previous === state) return;
    this._state = state;
    // Reflected at once so listeners of the event read the new attribute too.
    this.setAttribute('state', state);
    this.#emit('doctor-gate-state', { state, previous });
  }

  #report(error: unknown, step?: Step): void {
    const failure =
      error instanceof DoctorGateError
        ? error
        : new DoctorGateError('bad-response', String(error), { step: step ?? 'check', cause: error });
    // Vendor field errors name doctor fields: show the attribute the page sets for them.
    const value = failure.code === 'config' ? failure.fields?.map(attributeOf).join(', ') : undefined;
    const message = this.#t(failure.code, value);
    this._status = { key: failure.code, value };
    this.#setState('error');
    this.#emit('doctor-gate-error', {
      code: failure.code,
      message,
      step: failure.step,
      ...(failure.status === undefined ? {} : { status: failure.status }),
      retryable: failure.retryable,
    });
  }

  /** The one way events leave the gate: bubbling, composed, typed. */
  #emit<K extends keyof DoctorGateEventMap>(
    type: K,
    detail: DoctorGateEventMap[K]['detail'],
    cancelable = false,
  ): boolean {
    return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends DoctorGateEventMap {}
}
