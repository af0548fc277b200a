import { html, LitElement, type PropertyValues } from 'lit';
import { errorWith, isAbort, toGateError, type DoctorGateError, type Step } from '../core/errors.js';
import type { Doctor, ProvisionResult, VendorName } from '../core/types.js';
import { AppController } from './app-controller.js';
import { DebugController } from './debug-controller.js';
import { emitFrom, errorDetail, type GateMode, type GateState } from './events.js';
import type { UiKey } from './i18n.js';
import {
  statusOf,
  decimalAttribute,
  DEFAULTS,
  numberAttribute,
  unalias,
  withAliases,
  type GateInputs,
} from './inputs.js';
import { warmUp } from './warm-up.js';
import { ProvisionController, type GateHost } from './provision-controller.js';
import { StringsController } from './strings-controller.js';
import { frameTemplate, noticeTemplate } from './templates.js';
import { styles } from './styles.js';

export type * from './events.js';

/** Inputs are the declared properties that are not internal state (`_state`, `_status`). */
const isInput = (name: PropertyKey): boolean =>
  DoctorGate.elementProperties.has(name) && !DoctorGate.getPropertyOptions(name).state;

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
 * @csspart notice - What the doctor still lacks to work in the app (Prescrypto: a verified speciality, a hospital), shown while the app opens anyway.
 * @csspart frame - The iframe, in `mode="iframe"`.
 * @cssprop --doctor-gate-accent - Button background.
 * @cssprop --doctor-gate-on-accent - Button text color.
 * @cssprop --doctor-gate-radius - Corner radius of the button and frame.
 * @cssprop --doctor-gate-error-color - Color of error messages.
 * @cssprop --doctor-gate-muted-color - Color of progress messages.
 * @cssprop --doctor-gate-font - Font shorthand.
 * @cssprop --doctor-gate-frame-width - Iframe width (default 320px, Speaknosis's "MD" size).
 * @cssprop --doctor-gate-frame-height - Iframe height (default 220px, Speaknosis's "MD" size).
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
export class DoctorGate extends LitElement implements GateInputs, GateHost {
  static override styles = styles;
  /** Lit's static declaration; each field below is `declare`d so no class field shadows Lit's accessor. */
  static override properties = {
    vendor: { useDefault: true },
    server: {},
    apiBase: { attribute: 'api-base' },
    token: {},
    tokenProvider: { attribute: false },
    providerId: { attribute: 'provider-id' },
    doctorId: { attribute: 'doctor-id' },
    doctorName: { attribute: 'doctor-name' },
    doctorLastname: { attribute: 'doctor-lastname' },
    doctorEmail: { attribute: 'doctor-email' },
    specialityId: { attribute: 'speciality-id', converter: decimalAttribute },
    doctorLang: { attribute: 'doctor-lang' },
    doctor: { attribute: false },
    medicToken: { attribute: false },
    hospital: { attribute: false },
    mode: { useDefault: true },
    appUrl: { attribute: 'app-url' },
    appointmentId: { attribute: 'appointment-id' },
    reportExampleId: { attribute: 'report-example-id' },
    prefetch: { useDefault: true },
    timeout: { converter: numberAttribute, useDefault: true },
    retries: { converter: numberAttribute, useDefault: true },
    sessionTtl: { attribute: 'session-ttl', converter: numberAttribute, useDefault: true },
    debug: { type: Boolean, useDefault: true },
    _state: { state: true },
    _status: { state: true },
  };

  /** Registers `<doctor-gate>` (or another tag); a second call is a no-op. */
  static define(tag = 'doctor-gate'): void {
    if (!customElements.get(tag)) customElements.define(tag, this);
  }

  /** `speaknosis` (default) or `prescrypto`. */
  declare vendor: VendorName;
  /** Server mode: URL of the EHR's `doctor-gate/server` handler (same rules as `api-base`); no API base, credential or provider id then. */
  declare server?: string;
  /** Base URL of the vendor API: https, loopback, or a same-origin path. */
  declare apiBase?: string;
  /** API credential. Prefer `tokenProvider`. Never written back to an attribute. */
  declare token?: string;
  /** Returns the API credential; called before the first request and once more after a 401. */
  declare tokenProvider?: () => Promise<string>;
  /** Speaknosis medical-center id. */
  declare providerId?: string;
  /** Speaknosis: the doctor's user id (the EHR's own id). Prescrypto: the medic id, when known. */
  declare doctorId?: string;
  /** The doctor's first name, sent on creation. */
  declare doctorName?: string;
  /** The doctor's last name, sent on creation. */
  declare doctorLastname?: string;
  /** The doctor's email, sent on creation (optional for Speaknosis). */
  declare doctorEmail?: string;
  /** Speaknosis speciality id: a positive integer, written in decimal digits. */
  declare specialityId?: number;
  /** `ES` `EN` `CA` `PT` `FR` (any case; `es-MX` counts as `ES`): the doctor's language and the gate's UI language. */
  declare doctorLang?: string;
  /** The doctor's fields plus vendor-specific ones; wins over attributes. */
  declare doctor?: Doctor;
  /** Prescrypto medic token saved by the page at creation, for the deeplink login. */
  declare medicToken?: string;
  /** Prescrypto hospital id: the medic's membership there is ensured, so the medic can prescribe. */
  declare hospital?: number;
  /** `popup` (default), `iframe`, or `none` (provision only). */
  declare mode: GateMode;
  /** Launch URL template overriding the vendor's. */
  declare appUrl?: string;
  /** Optional Speaknosis launch parameter `{appointmentId}`. */
  declare appointmentId?: string;
  /** Optional Speaknosis launch parameter `{reportExampleId}`. */
  declare reportExampleId?: string;
  /** `intent` (default), `eager` or `none`: work done before the click. */
  declare prefetch: 'intent' | 'eager' | 'none';
  /** Milliseconds per request (default 10000). */
  declare timeout: number;
  /** Retries of a retryable failure (default 3). */
  declare retries: number;
  /** Opt-in: milliseconds to remember a provisioned doctor in `sessionStorage` (default 0: page memory only). */
  declare sessionTtl: number;
  /** Writes a redacted timeline of each run (inputs, requests, events, errors) with `console.debug`. */
  declare debug: boolean;

  declare private _state: GateState;
  declare private _status?: { key: UiKey; value?: string };

  constructor() {
    super();
    // Through the accessors Lit makes: the defaults are recorded (`useDefault`) and nothing reflects.
    Object.assign(this, DEFAULTS);
    this.debug = false;
    this._state = 'idle';
  }
  /** @internal */
  readonly _debug = new DebugController(this);
  /** @internal */
  readonly _strings = new StringsController(this);
  /** @internal */
  readonly _emit = emitFrom(this, this._debug);
  readonly #run = new ProvisionController(this);
  readonly #app = new AppController(this, this.#run);

  /** `idle` `checking` `creating` `ready` `open` `error`; reflected to the `state` attribute. */
  get state(): GateState {
    return this._state;
  }

  /**
   * Check, then create or reactivate if needed. Shared with every gate on the page for the same doctor.
   * Rejects with the `DoctorGateError` the `doctor-gate-error` event reports, `displayMessage` included.
   */
  async provision(): Promise<ProvisionResult> {
    this._debug.begin();
    try {
      const context = this.#run.context();
      this._debug.inputs(context);
      return await this.#run.provision(context);
    } catch (error) {
      throw isAbort(error) ? error : this._report(error);
    } finally {
      this._debug.end();
    }
  }

  /**
   * Provision, then open the app. Never rejects: failures are `doctor-gate-error` events.
   * Called inside a click, the popup opens at once and is navigated when the doctor is ready.
   */
  async open(): Promise<void> {
    this._debug.begin();
    try {
      const context = this.#run.context();
      this._debug.inputs(context);
      // Called at once: inside a click, the popup must open in this very task. It never rejects.
      await this.#app.open(context);
    } catch (error) {
      this._report(error);
    } finally {
      this._debug.end();
    }
  }

  /** Closes the popup or iframe, if open. */
  close(): void {
    this.#app.close('api');
  }

  /** Posts `data` to the opened app, to the launch URL's exact origin (never `'*'`); false when nothing is open. */
  postMessage(data: unknown): boolean {
    return this.#app.postMessage(data);
  }

  /** Also each kebab-case attribute's lowercase run-together alias (`apibase`), as React 19's server renderer writes camelCase props. */
  static override get observedAttributes(): string[] {
    return withAliases(super.observedAttributes);
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(unalias(name), old, value);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A bare tag (a server-rendered one before hydration sets its properties) has nothing to check
    // yet: its defaults are not changes (`useDefault`). A click on it reports what is missing.
    if (![...changed.keys()].some(isInput)) return;
    // Validated here, in the same update, so a bad input shows at once and a fix clears it; an unset
    // input gets its default back, and new run arguments abort the run for the old ones.
    try {
      this.#run.context();
    } catch (error) {
      return void this._report(error);
    }
    if (this._state === 'error') this._moveTo('idle');
    if (this.prefetch === 'eager') queueMicrotask(() => this.isConnected && this.provision().catch(() => undefined));
  }

  protected override render() {
    const busy = this._state === 'checking' || this._state === 'creating';
    const status = this._status;
    return html`<button
        part="button"
        type="button"
        aria-busy=${busy}
        @click=${this.#onClick}
        @pointerenter=${this.#onIntent}
        @pointerdown=${this.#onIntent}
        @focus=${this.#onIntent}
      >
        <slot>${this._strings.term('open')}</slot></button
      ><span part="status" role=${this._state === 'error' ? 'alert' : 'status'}
        >${status ? this._strings.term(status.key, status.value) : ''}</span
      >${noticeTemplate(this.#run.provisioned?.readiness.missing, this._strings.term)}${frameTemplate(
        this.#app.frame,
        this._strings.term,
      )}`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('_state' as keyof DoctorGate)) this.setAttribute('state', this._state);
  }

  #onClick(): void {
    void this.open();
  }

  #onIntent(): void {
    if (this.prefetch !== 'intent' || this._state !== 'idle') return;
    try {
      warmUp(this.#run.context());
    } catch {
      // Reported already by the config check; the click reports it again.
    }
  }

  /** @internal Moves to `state` and announces it. */
  _moveTo(state: GateState): void {
    const previous = this._state;
    if (state !== 'error') this._status = state === 'idle' ? undefined : { key: state === 'open' ? 'opened' : state };
    if (previous === state) return;
    this._state = state;
    // Reflected at once so listeners of the event read the new attribute too.
    this.setAttribute('state', state);
    this._emit('doctor-gate-state', { state, previous });
  }

  /** @internal Shows and announces a failure; returns it with the text shown, for `provision()` to reject with. */
  _report(error: unknown, step?: Step): DoctorGateError {
    const failure = toGateError(error, step);
    const status = statusOf(failure, DoctorGate.elementProperties);
    // A copy: a run shared by gates in other languages rejects each with its own text.
    const shown = errorWith(failure, { displayMessage: this._strings.term(status.key, status.value) });
    this._status = status;
    this._moveTo('error');
    this._emit('doctor-gate-error', errorDetail(shown));
    return shown;
  }
}
