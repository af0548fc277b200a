import type { ReactiveController } from 'lit';
import { DoctorGateError, isAbort } from '../core/errors.js';
import { randomId } from './debug-controller.js';
import type { CloseReason } from './events.js';
import type { Context, GateHost, ProvisionController } from './provision-controller.js';

const POPUP_POLL_MS = 400;

/** One opening of the app: the window it owns, and what it listens to once the app is in it. */
interface Opening {
  mode: 'popup' | 'iframe';
  popup?: Window;
  /** The app's window and origin, once navigated to the launch URL. */
  target?: Window;
  origin?: string;
  /** Ends this opening's listeners and `closed` polling. */
  watching: AbortController;
}

/**
 * The opened app: the popup or the iframe, from the click to its close. Each opening owns its
 * window: a stale one (replaced, closed, or for old inputs) never touches a newer one.
 */
export class AppController implements ReactiveController {
  readonly #host: GateHost;
  readonly #run: ProvisionController;
  /** A random part per gate, so window names never collide across gates or copies of the drop-in on one page. */
  readonly #windowSuffix = randomId();
  #current?: Opening;
  /** The iframe to render, with the `allow` it must carry before it navigates; undefined when not framed. */
  frame?: { allow: string };

  constructor(host: GateHost, run: ProvisionController) {
    (this.#host = host).addController(this);
    this.#run = run;
  }

  hostDisconnected(): void {
    // A framework moving the element fires disconnect and connect in the same task: wait one microtask.
    queueMicrotask(() => this.#host.isConnected || this.close('disconnected'));
  }

  /**
   * Provision, then open the app. Called inside a click: the requests leave first, then the popup
   * opens synchronously (blockers let it through), and is navigated when the doctor is ready.
   */
  async open(context: Context): Promise<void> {
    const { mode } = context.settings;
    const current = this.#current;
    if (current?.popup && !current.popup.closed) return current.popup.focus();
    // Framed, or being framed: a second click is the same opening.
    if (current?.mode === 'iframe') return;
    // This attempt's own abort (a blocked popup), besides the run's (removal, new inputs).
    const attempt = new AbortController();
    const signal = AbortSignal.any([context.signal, attempt.signal]);
    // Ready already (a remembered result, or an answered check, and the credential at hand; in
    // server mode a launch fetched before the click): the popup opens straight on the app, in the
    // click, with no blank page in between.
    const readyUrl = mode === 'popup' ? this.#run.readyUrl(context) : undefined;
    // Otherwise the requests leave now, before `window.open` blocks the page for tens of ms.
    const run = this.#run.provision({ ...context, signal });
    run.catch(() => undefined);
    const opening: Opening | undefined = mode === 'none' ? undefined : { mode, watching: new AbortController() };
    if (opening?.mode === 'popup') {
      const { name, features } = context.vendor.popup;
      // Synchronously inside the click: the only way popup blockers let it through.
      const popup = window.open(readyUrl ?? 'about:blank', `${name}-${this.#windowSuffix}`, features);
      if (!popup) {
        attempt.abort();
        return void this.#host._report(
          new DoctorGateError('popup-blocked', 'The browser blocked the popup', { step: 'open' }),
        );
      }
      if (!readyUrl) this.#preparing(popup);
      opening.popup = popup;
    }
    if (opening) this.#current = opening;
    try {
      const result = await run;
      if (!opening) return;
      const url = readyUrl ?? (await this.#run.openingUrl(context, result));
      signal.throwIfAborted();
      if (this.#current !== opening) return; // closed or replaced meanwhile
      const origin = new URL(url, location.href).origin;
      let target: Window | null | undefined = opening.popup;
      if (target) {
        if (target.closed) return this.#end(opening, 'user');
        // The opener link is kept on purpose: without it Chromium lets the gate neither close nor
        // navigate a cross-origin popup (close(), removal, new inputs), nor the app message the gate.
        if (!readyUrl) target.location.replace(url);
      } else {
        // With no `src`, a bare `allow="microphone"` would grant the EHR's own origin: name the app's.
        this.frame = { allow: `microphone ${origin}; screen-wake-lock ${origin}` };
        this.#host.requestUpdate();
        await this.#host.updateComplete;
        if (this.#current !== opening) return;
        target = this.#host.renderRoot.querySelector('iframe')?.contentWindow;
        // Navigated by location, so the credential-bearing URL never sits in a `src` attribute.
        target?.location.replace(url);
      }
      if (target) this.#watch(opening, target, origin);
    } catch (error) {
      if (opening) this.#end(opening, 'api');
      if (!isAbort(error)) this.#host._report(error, 'open');
    }
  }

  /** Closes the popup or iframe, if open. */
  close(reason: CloseReason): void {
    if (this.#current) this.#end(this.#current, reason);
  }

  /** Posts to the opened app with its exact origin as target (never `'*'`); false when nothing is open. */
  postMessage(data: unknown): boolean {
    const { target, origin } = this.#current ?? {};
    if (!target || !origin || target.closed) return false;
    target.postMessage(data, origin);
    return true;
  }

  /** Forwards messages from the opened app only, and notices a popup the doctor closed. */
  #watch(opening: Opening, target: Window, origin: string): void {
    opening.target = target;
    opening.origin = origin;
    const { signal } = opening.watching;
    const host = this.#host;
    window.addEventListener(
      'message',
      (event: MessageEvent) => {
        if (event.origin === origin && event.source === target) host._emit('doctor-gate-message', { data: event.data });
      },
      { signal },
    );
    if (opening.mode === 'popup') {
      const timer = setInterval(() => target.closed && this.#end(opening, 'user'), POPUP_POLL_MS);
      // Not `{ signal }`: listeners tied to a signal are removed before its own abort event fires.
      signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    }
    host._moveTo('open');
    host._emit('doctor-gate-open', { mode: opening.mode });
  }

  /** Ends `opening` if it is still the current one: a stale opening never closes a newer window. */
  #end(opening: Opening, reason: CloseReason): void {
    if (this.#current !== opening) return;
    this.#current = undefined;
    opening.watching.abort();
    if (opening.popup && !opening.popup.closed) opening.popup.close();
    if (this.frame) {
      this.frame = undefined;
      this.#host.requestUpdate();
    }
    if (!opening.target) return; // never opened: nothing to announce
    const host = this.#host;
    if (host.state === 'open') host._moveTo(this.#run.provisioned ? 'ready' : 'idle');
    host._emit('doctor-gate-close', { mode: opening.mode, reason });
  }

  /** A small localized page while the popup waits, written as text (safe under Trusted Types). */
  #preparing(popup: Window): void {
    try {
      const doc = popup.document;
      doc.title = doc.body.textContent = this.#host._strings.term('preparing');
      doc.body.style.cssText = 'font:16px system-ui;margin:40vh 0;text-align:center';
    } catch {
      // A reused, already cross-origin window: nothing to write.
    }
  }
}
