import type { ReactiveController, ReactiveElement } from 'lit';
import { safeParse } from 'zod/mini';
import { checkVendorSettings, configError, fillTemplate, settingsSchema, type Settings } from '../core/config.js';
import type { GateClient } from '../core/gate-client.js';
import { createClient } from '../vendors/create-client.js';
import type { DoctorGateError, Step } from '../core/errors.js';
import { parseDoctor } from '../core/provision.js';
import { ServerClient } from '../core/server-client.js';
import { knownResult, sharedProvision } from '../core/page-runs.js';
import type { Doctor, Lang, ProvisionResult } from '../core/types.js';
import type { Vendor } from '../core/vendor.js';
import { vendors } from '../vendors/index.js';
import type { Emit, GateState } from './events.js';
import type { DebugController } from './debug-controller.js';
import { attributeOf, badDoctorLang, restoreDefaults, runArgs, uiLang, type GateInputs } from './inputs.js';
import { sessionStore } from './session-store.js';
import type { StringsController } from './strings-controller.js';

/**
 * The element as its controllers see it: its inputs and state, and the gate's own ways to move its
 * state, send an event, report a failure, speak, and note the run (internal, not for pages).
 */
export interface GateHost extends ReactiveElement, GateInputs {
  readonly state: GateState;
  /** Closes the popup or iframe, if open. */
  close(): void;
  /** @internal Moves to `state` and announces it. */
  _moveTo(state: GateState): void;
  /** @internal The gate's one way to send an event. */
  readonly _emit: Emit;
  /** @internal Shows and announces a failure. */
  _report(error: unknown, step?: Step): DoctorGateError;
  /** @internal */
  readonly _strings: StringsController;
  /** @internal */
  readonly _debug: DebugController;
}

/**
 * How the gate reaches the vendor: directly, with a client holding the API credential, or through
 * the EHR's own `doctor-gate/server` handler, which names the doctor from its session.
 */
export type Transport = GateClient | ServerClient;

/** Everything one run needs, validated: made only by `ProvisionController.context()`. */
export interface Context {
  settings: Settings;
  /** The vendor whose app opens: its popup, launch template and label. */
  vendor: Vendor;
  transport: Transport;
  /** The page's doctor (direct mode); server mode never sends it, and shows the handler's. */
  doctor: Doctor;
  lang: Lang;
  /** Aborted when the inputs change or the gate leaves the page. */
  signal: AbortSignal;
}

/**
 * The provisioning run of one gate, in the manner of `@lit/task`: the run's arguments (`runArgs`)
 * are compared where a run is made, and new ones get a new `AbortController` (the stale run's
 * result is never applied); aborted on disconnect. The run itself
 * is shared with every gate on the page for the same doctor (`sharedProvision`), which is why this
 * is not a `Task`: a second `provision()` joins the run under way instead of aborting it.
 */
export class ProvisionController implements ReactiveController {
  readonly #host: GateHost;
  #runs = new AbortController();
  /** The arguments of the current run. */
  #args?: readonly unknown[];
  #client?: { key: string; transport: Transport };
  /** Server mode: each result's launch, for the one opening that asked for it. */
  readonly #launches = new WeakMap<ProvisionResult, Record<string, string>>();
  /** The result last announced in `doctor-gate-provisioned`: a joined run announces it once. */
  provisioned?: ProvisionResult;

  constructor(host: GateHost) {
    (this.#host = host).addController(this);
  }

  hostConnected(): void {
    if (this.#runs.signal.aborted) this.#runs = new AbortController();
  }

  /** Leaving the page ends the runs quietly; a move (disconnect and connect in one task) does not. */
  hostDisconnected(): void {
    queueMicrotask(() => this.#host.isConnected || this.#runs.abort());
  }

  /** Validates every input once; the only place attributes and properties become a client and a doctor. */
  context(): Context {
    const host = this.#host;
    // Also here, not only in an update: a call in the same task as the change sees the new inputs.
    restoreDefaults(host);
    const args = runArgs(host);
    if (this.#args?.some((arg, i) => !Object.is(arg, args[i]))) this.#newRun();
    this.#args = args;
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
    const transport = this.#transportFor(settings, server);
    const vendor = vendors[settings.vendor];
    const lang = uiLang(host);
    const base = { settings, vendor, transport, lang, signal: this.#runs.signal };
    // Server mode: the page's doctor fields are never sent; the handler names the doctor.
    if (transport instanceof ServerClient) return { ...base, doctor: {} };
    const client = transport;
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
      return { ...base, doctor: parseDoctor(client, merged) };
    } catch (error) {
      throw configError(((error as DoctorGateError).fields ?? []).map((field) => attributeOf(field, properties)));
    }
  }

  /** Check, then create or reactivate if needed; announces the result once and moves the state. */
  async provision({ transport, doctor, signal }: Context): Promise<ProvisionResult> {
    const host = this.#host;
    const beforeCreate = (detail: { doctor: Doctor; reactivation: boolean | null }) =>
      host._emit('doctor-gate-before-create', detail, true);
    const onStep = (step: 'check' | 'create') => host._moveTo(step === 'check' ? 'checking' : 'creating');
    let result: ProvisionResult;
    if (transport instanceof ServerClient) {
      // Every call is its own request for a fresh launch: nothing remembered stands in for the handler.
      const opening = await transport.provision({ signal, beforeCreate, onStep });
      result = opening.result;
      this.#launches.set(result, opening.launch);
    } else {
      const ttl = host.sessionTtl;
      result = await sharedProvision(transport, doctor, {
        signal,
        store: ttl > 0 ? sessionStore(ttl) : undefined,
        beforeCreate,
        onStep,
      });
    }
    signal.throwIfAborted();
    if (this.provisioned !== result) {
      this.provisioned = result;
      host._emit('doctor-gate-provisioned', {
        outcome: result.outcome,
        doctor: result.doctor,
        account: result.account,
        readiness: result.readiness,
      });
    }
    if (host.state !== 'open') host._moveTo('ready');
    return result;
  }

  /**
   * The launch URL when the gate can open at once, synchronously: a remembered result with the
   * credential at hand (direct), or a launch the handler gave before the click and nobody used (server).
   */
  readyUrl(context: Context): string | undefined {
    const { transport } = context;
    if (transport instanceof ServerClient) {
      const held = transport.heldOpening();
      return held && this.launchUrl(context, held.result, held.launch);
    }
    const result = knownResult(transport, context.doctor);
    const credential = transport.http.credentialNow();
    if (!result || credential === undefined) return undefined;
    try {
      return this.launchUrl(context, result, this.#vendorValues(context, result, credential));
    } catch {
      return undefined; // e.g. no medic token yet: the normal path reports it
    }
  }

  /** The launch URL at the moment of opening: in server mode, with the launch of this result's own `POST`, once. */
  async openingUrl(context: Context, result: ProvisionResult): Promise<string> {
    const { transport } = context;
    if (!(transport instanceof ServerClient)) {
      const credential = await transport.http.credential();
      return this.launchUrl(context, result, this.#vendorValues(context, result, credential));
    }
    // Set by the `POST` that gave `result`, always before this; used once.
    const launch = this.#launches.get(result)!;
    this.#launches.delete(result);
    return this.launchUrl(context, result, launch);
  }

  /** Direct mode: the vendor's launch values (credentials) for `result`. */
  #vendorValues({ vendor }: Context, result: ProvisionResult, credential: string) {
    return vendor.launchValues({ credential, account: result.account, medicToken: this.#host.medicToken });
  }

  /** The launch URL, built at the moment of opening and never stored or logged. */
  launchUrl(
    { settings, vendor, doctor, lang }: Context,
    result: ProvisionResult,
    launchValues: Record<string, string | undefined>,
  ): string {
    return fillTemplate(settings.appUrl ?? vendor.appUrl, {
      providerId: settings.providerId,
      doctorId: doctor.id ?? (result.account['id'] === undefined ? undefined : String(result.account['id'])),
      lang,
      view: settings.mode === 'iframe' ? 'iframe' : 'analysis',
      appointmentId: settings.appointmentId,
      reportExampleId: settings.reportExampleId,
      token: undefined,
      medicToken: undefined,
      ...launchValues,
    });
  }

  /** One transport per API, scope and credential source; a new `tokenProvider` function gets a new client, not a new run. */
  #transportFor(settings: Settings, server?: string): Transport {
    const { token, tokenProvider } = this.#host;
    const key = [
      settings.vendor,
      server,
      settings.apiBase,
      settings.providerId,
      settings.timeout,
      settings.retries,
      this.#host.hospital,
    ].join('\n');
    const cached = this.#client;
    if (
      cached?.key === key &&
      (cached.transport instanceof ServerClient ||
        (cached.transport.http.options.token === token &&
          cached.transport.http.options.tokenProvider === tokenProvider))
    )
      return cached.transport;
    const vendor = vendors[settings.vendor];
    const transport: Transport = server
      ? new ServerClient({
          server,
          vendor,
          timeoutMs: settings.timeout,
          retries: settings.retries,
          onRequest: this.#host._debug.request,
        })
      : createClient(settings.vendor, {
          onRequest: this.#host._debug.request,
          apiBase: settings.apiBase,
          providerId: settings.providerId,
          token,
          tokenProvider,
          timeoutMs: settings.timeout,
          retries: settings.retries,
          hospital: this.#host.hospital,
        });
    this.#client = { key, transport };
    return transport;
  }

  /** New inputs: the run for the old ones is aborted (its result is never applied) and its app closed. */
  #newRun(): void {
    this.#runs.abort();
    this.#runs = new AbortController();
    this.provisioned = undefined;
    // At once, also while still provisioning: a click in the same task must not find the old opening.
    this.#host.close();
    if (this.#host.state !== 'error') this.#host._moveTo('idle');
  }
}
