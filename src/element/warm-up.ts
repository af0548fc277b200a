import { fillTemplate } from '../core/config.js';
import { prefetchCheck } from '../core/page-runs.js';
import { ServerClient } from '../core/server-client.js';
import type { Context } from './provision-controller.js';

const preconnected = new Set<string>();

/** One `<link rel="preconnect">` per origin per page; none for the page's own origin. */
export function preconnect(origin: string, anonymous: boolean): void {
  const key = `${anonymous}|${origin}`;
  if (origin === location.origin || origin === 'null' || preconnected.has(key)) return;
  preconnected.add(key);
  const link = document.createElement('link');
  link.rel = 'preconnect';
  link.href = origin;
  if (anonymous) link.crossOrigin = 'anonymous';
  document.head.append(link);
}

/**
 * On the doctor's intent (hover, focus, press): a check only — no doctor data leaves the page and
 * nothing is created before the doctor acts — and warm connections to the API and the app.
 */
export function warmUp({ transport, doctor, settings, vendor }: Context): void {
  if (transport instanceof ServerClient) transport.prefetch().catch(() => undefined);
  else {
    prefetchCheck(transport, doctor).catch(() => undefined);
    // The API is called with CORS and no credentials: an anonymous connection.
    preconnect(transport.http.base.origin, true);
  }
  if (settings.mode !== 'none')
    preconnect(new URL(fillTemplate(settings.appUrl ?? vendor.appUrl, {}), location.href).origin, false);
}
