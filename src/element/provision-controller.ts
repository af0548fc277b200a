import type { ReactiveController, ReactiveControllerHost, ReactiveElement } from 'lit';
import { safeParse } from 'zod/mini';
import { checkVendorSettings, configError, fillTemplate, settingsSchema, type Settings } from '../core/config.js';
import type { GateClient } from '../core/client.js';
import { createClient } from '../client.js';
import type { DoctorGateError } from '../core/errors.js';
import type { ClientOptions } from '../core/http-types.js';
import { parseDoctor } from '../core/provision.js';
import { knownResult, sharedProvision } from '../core/shared.js';
import type { Doctor, Lang, ProvisionResult } from '../core/types.js';
import { serverClient } from '../vendors/server.js';
import type { Emit, GateState } from './events.js';
import { attributeOf, badDoctorLang, uiLang, type GateInputs } from './inputs.js';
import { sessionStore } from './session-store.js';

/** The doctor events show: the vendor's own naming of them (server mode), else the page's. */
const shownDoctor = ({ vendor, http }: GateClient, doctor: Doctor): Doctor =>
  vendor.shownDoctor?.(http, doctor) ?? doctor;

/** The element a controller serves: its inputs, and Lit's controller host. */
export type GateHost = ReactiveControllerHost & ReactiveElement & GateInputs;

/** Everything one run needs, validated: made only by `ProvisionController.context()`. */
export interface Context {
  settings: Settings;
  client: GateClient;
  doctor: Doctor;
  lang: Lang;
  /** Aborted when the inputs change or the gate leaves the page. */
  signal: AbortSignal;
}

export interface ProvisionHooks {
  emit: Emit;
  state(): GateState;
  setState(state: GateState): void;
  /** New inputs close the app opened for the old ones. */
  closeApp(): void;
  /** Told of every request of this gate's client (the `debug` timeline). */
  onRequest: ClientOptions['onRequest'];
}

/**
 * The provisioning run of one gate, in the manner of `@lit/task`: a new `AbortController` whenever
 * the inputs change (the stale run's result is never applied), aborted on disconnect. The run itself
 * is shared with every gate on the page for the same doctor (`sharedProvision`), which is why this
 * is not a `Task`: a second `provision()` joins the run under way instead of aborting it.
 */
export class ProvisionController implements ReactiveController {
  readonly #host: GateHost;
  readonly #hooks: ProvisionHooks;
  #runs = new AbortController();
  #inputsChanged = false;
  #client?: { key: string; client: GateClient };
  /** The result last announced in `doctor-gate-provisioned`: a joined run announces it once. */
  provisioned?: ProvisionResult;

  constructor(host: GateHost, hooks: ProvisionHooks) {
    this.#host = host;
    this.#hooks = hooks;
    host.addController(this);
  }

  hostConnected(): void {
    if (this.#runs.signal.aborted) this.#runs = new AbortController();
  }

  /** Leaving the page ends the runs quietly; a move (disconnect and connect in one task) does not. */
  hostDisconnected(): void {
    queueMicrotask(() => this.#host.isConnected || this.#runs.abort());
  }

  /** Noted at the moment a property is set, so a call in the same task runs for the new inputs. */
  inputsChanged(): void {
    this.#inputsChanged = true;
  }

  /** Validates every input once; the only place attributes and properties become a client and a doctor. */
  context(): Context {
    this.#applyInputs();
    const host = this.#host;
    const properties = (host.constructor as typeof ReactiveElement).elementProperties;
    const server = host.server || undefined;
    // Server mode: `server` takes the API base's place (the same URL rule), with no credential or scope.
    const parsed = safeParse(settingsSchema, {
      vendor: host.vendor,
      apiBase: server ?? host.apiBase,
      mode: host.mode,
      appUrl: host.appUrl || undefined,
      prefetch: host.prefetch,
      timeout: host.timeout,
      retries: host.retries,
      sessionTtl: host.sessionTtl,
      providerId: server || host.providerId == null || host.providerId === '' ? undefined : String(host.providerId),
      hasCredential: !!server || !!host.token || typeof host.tokenProvider === 'function',
      appointmentId: host.appointmentId,
      reportExampleId: host.reportExampleId,
    });
    const fields = parsed.success
      ? server
        ? []
        : checkVendorSettings(parsed.data.vendor, parsed.data)
      : parsed.error.issues.map((issue) => (server && issue.path[0] === 'apiBase' ? 'server' : String(issue.path[0])));
    if (badDoctorLang(host)) fields.push('doctorLang');
    if (!parsed.success || fields.length) throw configError(fields.map((field) => attributeOf(field, properties)));
    const settings = parsed.data;
    const client = this.#clientFor(settings, server);
    const lang = uiLang(host);
    const fromAttributes: Doctor = {
      id: host.doctorId,
      name: host.doctorName,
      lastname: host.doctorLastname,
      email: host.doctorEmail || undefined,
      specialityId: host.specialityId,
      lang,
    };
    const merged = { ...fromAttributes, ...host.doctor } as Doctor;
    for (const field of Object.keys(merged)) if (merged[field] === undefined) delete merged[field];
    try {
      return { settings, client, doctor: parseDoctor(client, merged), lang, signal: this.#runs.signal };
    } catch (error) {
      throw configError(((error as DoctorGateError).fields ?? []).map((field) => attributeOf(field, properties)));
    }
  }

  /** Check, then create or reactivate if needed; announces the result once and moves the state. */
  async provision({ client, doctor, signal }: Context): Promise<ProvisionResult> {
    const { emit, setState, state } = this.#hooks;
    const ttl = this.#host.sessionTtl;
    const result = await sharedProvision(client, doctor, {
      signal,
      store: ttl > 0 ? sessionStore(ttl) : undefined,
      beforeCreate: (detail) =>
        emit('doctor-gate-before-create', { ...detail, doctor: shownDoctor(client, detail.doctor) }, true),
      onStep: (step) => setState(step === 'check' ? 'checking' : 'creating'),
    });
    signal.throwIfAborted();
    const shown = shownDoctor(client, result.doctor);
    if (this.provisioned !== result) {
      this.provisioned = result;
      emit('doctor-gate-provisioned', { outcome: result.outcome, doctor: shown, account: result.account });
    }
    if (state() !== 'open') setState('ready');
    return shown === result.doctor ? result : { ...result, doctor: shown };
  }

  /** The launch URL when the gate is ready and the credential known, synchronously; else undefined. */
  readyUrl(context: Context): string | undefined {
    const result = knownResult(context.client, context.doctor);
    const credential = context.client.http.credentialNow();
    if (!result || credential === undefined) return undefined;
    try {
      return this.launchUrl(context, result, credential);
    } catch {
      return undefined; // e.g. no medic token yet: the normal path reports it
    }
  }

  /** Server mode, a doctor already found: the launch's `POST` leaves now, in the click (`openingUrl` joins it). */
  launchEarly({ client, doctor }: Context): void {
    const known = knownResult(client, doctor);
    if (known) client.vendor.prepareLaunch?.(client.http, known.account).catch(() => undefined);
  }

  /** The launch URL at the moment of opening: in server mode after the handler's `POST` gave the launch. */
  async openingUrl(context: Context, result: ProvisionResult): Promise<string> {
    await context.client.vendor.prepareLaunch?.(context.client.http, result.account);
    return this.launchUrl(context, result, await context.client.http.credential());
  }

  /** The launch URL, built at the moment of opening and never stored or logged. */
  launchUrl({ settings, client, doctor, lang }: Context, result: ProvisionResult, credential: string): string {
    const vendorValues = client.vendor.launchValues({
      credential,
      account: result.account,
      medicToken: this.#host.medicToken,
    });
    return fillTemplate(settings.appUrl ?? client.vendor.appUrl, {
      providerId: settings.providerId,
      doctorId: doctor.id ?? (result.account['id'] === undefined ? undefined : String(result.account['id'])),
      lang,
      view: settings.mode === 'iframe' ? 'iframe' : 'analysis',
      appointmentId: settings.appointmentId,
      reportExampleId: settings.reportExampleId,
      token: undefined,
      medicToken: undefined,
      ...vendorValues,
    });
  }

  /** One client per API, scope and credential source; a new `tokenProvider` function gets a new client, not a new run. */
  #clientFor(settings: Settings, server?: string): GateClient {
    const { token, tokenProvider } = this.#host;
    const key = [
      settings.vendor,
      server,
      settings.apiBase,
      settings.providerId,
      settings.timeout,
      settings.retries,
    ].join('\n');
    const cached = this.#client;
    if (
      cached?.key === key &&
      cached.client.http.options.token === token &&
      cached.client.http.options.tokenProvider === tokenProvider
    )
      return cached.client;
    const client = server
      ? serverClient(settings.vendor, {
          server,
          timeoutMs: settings.timeout,
          retries: settings.retries,
          onRequest: this.#hooks.onRequest,
        })
      : createClient(settings.vendor, {
          onRequest: this.#hooks.onRequest,
          apiBase: settings.apiBase,
          providerId: settings.providerId,
          token,
          tokenProvider,
          timeoutMs: settings.timeout,
          retries: settings.retries,
        });
    this.#client = { key, client };
    return client;
  }

  /** New inputs: the run for the old ones is aborted (its result is never applied) and its app closed. */
  #applyInputs(): void {
    if (!this.#inputsChanged) return;
    this.#inputsChanged = false;
    this.#runs.abort();
    this.#runs = new AbortController();
    this.provisioned = undefined;
    // At once, also while still provisioning: a click in the same task must not find the old opening.
    this.#hooks.closeApp();
    if (this.#hooks.state() !== 'error') this.#hooks.setState('idle');
  }
}
