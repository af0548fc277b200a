import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VendorName } from '../core/types.js';
import { vendors } from '../vendors/index.js';
import { onStringsChange, translate, type UiKey } from './i18n.js';
import { uiLang } from './inputs.js';

/** The host the strings speak for: its language (`doctor-lang`, else the page's) and its vendor's name. */
type StringsHost = ReactiveControllerHost & Element & { vendor: VendorName; doctorLang?: string };

/**
 * The gate's UI text, in the manner of a localize controller: `term(key)` in the doctor's language,
 * and a re-render whenever the page registers strings (`registerStrings`) while it is connected.
 */
export class StringsController implements ReactiveController {
  readonly #host: StringsHost;
  #unsubscribe?: () => void;

  constructor(host: StringsHost) {
    (this.#host = host).addController(this);
  }

  hostConnected(): void {
    this.#unsubscribe = onStringsChange(() => this.#host.requestUpdate());
  }

  hostDisconnected(): void {
    // A removed gate is not kept alive (nor re-rendered) by the page's later registrations.
    this.#unsubscribe?.();
  }

  /** The text for `key`, `value` in its place (the vendor's name when not given). */
  term = (key: UiKey, value?: string): string =>
    translate(uiLang(this.#host), key, value ?? (vendors[this.#host.vendor] ?? vendors.speaknosis).label);
}
