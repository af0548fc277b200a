import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { isDebug } from '../core/debug.js';
import type { RequestEntry } from '../core/http-types.js';
import type { RunLog } from './events.js';
import type { Context } from './provision-controller.js';

/** A random id (a run's, a window name's suffix): unique across gates and copies of the drop-in on one page. */
export const randomId = (): string =>
  Array.from(crypto.getRandomValues(new Uint32Array(2)), (n) => n.toString(36)).join('');

/**
 * The runs of one gate and their `debug` timeline. Every run (a `provision()`, an `open()`, a
 * rejected input) gets an id that its events carry as `runId`. With `debug` on (or `setDebug`,
 * or `DoctorGate.debug` on the drop-in's global), a run is one collapsed console group of
 * `console.debug` entries — inputs, requests, events — each naming the run; an entry outside a
 * run (a removal) names the run before. Nothing is written otherwise, and no entry holds a
 * credential, the doctor's data or an app message.
 */
export class DebugController implements ReactiveController, RunLog {
  readonly #host: ReactiveControllerHost & { debug?: boolean };
  runId = randomId();
  /** Runs under way: an `open()` during a `provision()` joins its run. */
  #depth = 0;
  /** The run's console group is open. */
  #grouped = false;

  constructor(host: ReactiveControllerHost & { debug?: boolean }) {
    (this.#host = host).addController(this);
  }

  /** Leaving the page aborts the gate's runs: the timeline says why they stop. */
  hostDisconnected(): void {
    this.#log('disconnected');
  }

  /** A run starts (inside one, joins it): a new id for its events. */
  begin(): void {
    if (this.#depth++) return;
    this.runId = randomId();
    if ((this.#grouped = !!this.#host.debug || isDebug())) console.groupCollapsed(`<doctor-gate> ${this.runId}`);
  }

  /** The run is over. */
  end(): void {
    if (!--this.#depth && this.#grouped) {
      this.#grouped = false;
      console.groupEnd();
    }
  }

  /** Every entry names its run, also outside one (an intent check, a removal). */
  #log(...entry: unknown[]): void {
    if (this.#grouped || this.#host.debug || isDebug()) console.debug(`<doctor-gate> ${this.runId}`, ...entry);
  }

  /** The inputs of the run, resolved: the settings (no credential in them) and the doctor's id. */
  inputs({ settings, doctor }: Context): void {
    this.#log('inputs', { ...settings, doctor: doctor.id });
  }

  /** A request as the HTTP client reports it: method, URL path, status (0: no answer), milliseconds. */
  request = (entry: RequestEntry): void => this.#log(entry);

  /** An event, without its doctor, account (a medic token) or app message. */
  event(type: string, detail: object): void {
    const { doctor: _, account: __, data: ___, ...shown } = detail as Record<string, unknown>;
    this.#log(type, shown);
  }
}
