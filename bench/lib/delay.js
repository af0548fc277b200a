// (a) Added delay: from the click until the popup starts navigating to the vendor app.
//
// Signal, the same for every flow: the app document's `performance.timeOrigin` (its navigation
// start: when the page called window.open(url) or popup.location.replace(url)) minus the click's
// event time, both read in the browser's clock (opener and popup are same-site: one renderer).
// Not Playwright's `request`/`framenavigated` events: devtools' auto-attach holds a popup opened
// with a URL before its first request, but not one opened blank and navigated later, which
// flatters the gate by ~15–25 ms. This signal leans the other way, slightly against the gate:
// window.open(url) stamps its navigation start partway through the window.open call, while a
// popup opened blank (the gate's way, so that blockers let it through) can only be navigated
// once window.open has returned. The `floor-blank` row measures that pattern's own cost.
import {
  API_BASE,
  APP_TEMPLATE,
  PROVIDER,
  SERVER_PATH,
  TOKEN,
  countRequests,
  doctorData,
  launchUrl,
  sleep,
  uniqueId,
} from './util.js';

export const VARIANTS = [
  { key: 'floor', label: 'plain button, no check (the floor)', page: 'plain' },
  {
    key: 'floor-blank',
    label: 'plain button, popup opened blank then navigated (no check)',
    page: 'plain',
    blank: true,
    diagnostic: true,
  },
  { key: 'reference', label: "vendor's reference flow (seed 003)", page: 'reference' },
  { key: 'none', label: 'gate, `prefetch="none"`', page: 'gate', prefetch: 'none' },
  { key: 'intent', label: 'gate, `prefetch="intent"`, hover 200 ms', page: 'gate', prefetch: 'intent', hoverMs: 200 },
  {
    key: 'eager-50',
    label: 'gate, `prefetch="eager"`, click 50 ms after ready',
    page: 'gate',
    prefetch: 'eager',
    waitMs: 50,
  },
  {
    key: 'eager-1s',
    label: 'gate, `prefetch="eager"`, click 1 s after ready',
    page: 'gate',
    prefetch: 'eager',
    waitMs: 1000,
  },
  // Server mode: the same vendor and latency behind the EHR's handler (one more hop, on loopback).
  { key: 'server-none', label: 'server mode, `prefetch="none"`', page: 'server', prefetch: 'none', direct: 'none' },
  {
    key: 'server-intent',
    label: 'server mode, `prefetch="intent"`, hover 200 ms',
    page: 'server',
    prefetch: 'intent',
    hoverMs: 200,
    direct: 'intent',
  },
];
export const KINDS = ['known', 'new'];

const TRIAL_TIMEOUT_MS = 15_000;

/**
 * One click on a fresh page load, one popup, one measurement.
 * @returns {Promise<{ ok: true, ms: number, ... } | { ok: false, error: string }>}
 */
async function trial({ server, context, page }, variant, kind) {
  const id = uniqueId(kind);
  if (kind === 'known') await server.seed([{ providerId: PROVIDER, ...doctorData(id) }]);
  await server.clearLog();
  const query = new URLSearchParams({
    api: API_BASE,
    server: SERVER_PATH,
    token: TOKEN,
    provider: PROVIDER,
    doctor: id,
    url: launchUrl(id),
    app: APP_TEMPLATE,
    prefetch: variant.prefetch ?? '',
    blank: variant.blank ? '1' : '',
  });
  let popup;
  try {
    await page.mouse.move(1, 1);
    await page.goto(`${server.origin}/pages/${variant.page}.html?${query}`, { waitUntil: 'load' });
    const isGate = variant.page === 'gate' || variant.page === 'server';
    // Ready: the page has loaded and, for the gate, rendered its button.
    if (isGate)
      await page.evaluate(() =>
        customElements.whenDefined('doctor-gate').then(() => document.querySelector('doctor-gate').updateComplete),
      );
    const readyAt = performance.now();
    const box = await page.locator(isGate ? 'doctor-gate button' : '#open').boundingBox();
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    if (variant.hoverMs) {
      await page.mouse.move(x, y);
      await sleep(variant.hoverMs);
    }
    if (variant.waitMs) await sleep(variant.waitMs - (performance.now() - readyAt));
    const popupOpened = page.waitForEvent('popup', { timeout: TRIAL_TIMEOUT_MS });
    await page.mouse.click(x, y);
    popup = await popupOpened;
    await popup.waitForURL((url) => url.pathname === '/sandbox/app/speaknosis', {
      waitUntil: 'commit',
      timeout: TRIAL_TIMEOUT_MS,
    });
    const timing = await popup.evaluate(() => ({
      origin: performance.timeOrigin,
      fetchStart: performance.getEntriesByType('navigation')[0]?.fetchStart ?? NaN,
    }));
    const popupUrl = popup.url();
    const probe = await page.evaluate(() => window.__bench);
    const click = probe.clicks[0];
    if (!click) throw new Error('the click was not recorded');
    const fragment = new URLSearchParams(new URL(popupUrl).hash.split('?')[1] ?? '');
    if (fragment.get('doctorId') !== id)
      throw new Error(`the popup opened the app for ${fragment.get('doctorId')}, not ${id}`);

    const entries = await server.requests();
    const before = entries.filter((e) => Date.parse(e.time) < click.at - 1);
    const after = entries.filter((e) => !before.includes(e));
    return {
      ok: true,
      ms: timing.origin - click.at,
      // Secondary signal: when the app document's request began (includes devtools' attach pause).
      fetchMs: timing.origin + timing.fetchStart - click.at,
      gateState: click.gateState,
      // Diagnostics: where the time goes (server log times have 1 ms resolution).
      firstRequestMs: after.length ? Date.parse(after[0].time) - click.at : NaN,
      requestsBefore: countRequests(before),
      requestsAfter: countRequests(after),
      sinceProvisionStartMs: probe.checkingAt === null ? NaN : click.at - probe.checkingAt,
    };
  } catch (error) {
    return { ok: false, error: String(error?.message ?? error).split('\n')[0] };
  } finally {
    for (const other of context.pages()) if (other !== page) await other.close().catch(() => undefined);
  }
}

/**
 * Every variant for a known and a new doctor, `runs` times, interleaved (one trial of each per
 * round, the order rotated every round) so a noisy moment on a shared machine hits all alike.
 */
export async function measureDelays(env, { runs, onProgress }) {
  const results = Object.fromEntries(KINDS.map((kind) => [kind, Object.fromEntries(VARIANTS.map((v) => [v.key, []]))]));
  // One warm-up round (discarded): first popup, first script compile, first connection.
  for (const variant of VARIANTS) await trial(env, variant, 'new');
  for (let round = 0; round < runs; round++) {
    for (const kind of KINDS) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
      for (const variant of order) results[kind][variant.key].push(await trial(env, variant, kind));
    }
    onProgress?.(round + 1);
  }
  return results;
}
