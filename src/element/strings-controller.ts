import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { onStringsChange } from './i18n.js';

/** Re-renders its host whenever the page registers UI strings (`registerStrings`), while it is connected. */
export class StringsController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #unsubscribe?: () => void;

  constructor(host: ReactiveControllerHost) {
    (this.#host = host).addController(this);
  }

  hostConnected(): void {
    this.#unsubscribe = onStringsChange(() => this.#host.requestUpdate());
  }

  hostDisconnected(): void {
    // A removed gate is not kept alive (nor re-rendered) by the page's later registrations.
    this.#unsubscribe?.();
  }
}
