// (b) requests sent by many gates on one page; (c) time to upgrade many gates.
import { API_BASE, APP_TEMPLATE, PROVIDER, TOKEN, countRequests, median, uniqueId } from './util.js';

async function openManyPage({ server, page }) {
  const query = new URLSearchParams({ api: API_BASE, token: TOKEN, provider: PROVIDER, app: APP_TEMPLATE });
  await page.goto(`${server.origin}/pages/many.html?${query}`, { waitUntil: 'load' });
  await page.evaluate(() => customElements.whenDefined('doctor-gate'));
}

/**
 * `n` gates for one doctor or for `n` doctors (all new), `provision()` called on every one at
 * once; and the same buttons running the vendor's reference flow each. Counted from the sandbox log.
 */
export async function measureRequests(env, { sizes }) {
  const rows = [];
  for (const n of sizes) {
    for (const same of n === 1 ? [true] : [true, false]) {
      const row = { n, same, distinct: same ? 1 : n };
      for (const flow of ['gate', 'reference']) {
        await openManyPage(env);
        const prefix = uniqueId(`many${n}`);
        await env.server.clearLog();
        const outcomes = await env.page.evaluate(
          ([fn, count, idPrefix, one]) => window[fn](count, idPrefix, one),
          [flow === 'gate' ? 'benchProvision' : 'benchReferenceProvision', n, prefix, same],
        );
        const entries = await env.server.requests();
        row[flow] = {
          ...countRequests(entries),
          failed: outcomes.filter((o) => String(o).startsWith('error')).length,
          outcomes: tally(outcomes),
        };
      }
      rows.push(row);
    }
  }
  return rows;
}

const tally = (list) => list.reduce((acc, item) => ((acc[item] = (acc[item] ?? 0) + 1), acc), {});

/**
 * Creating and inserting `n` gates until every one has rendered (updateComplete), measured in the
 * page with performance.now(); a fresh page each repeat, so each is a page's first gates.
 */
export async function measureUpgrade(env, { sizes, repeats }) {
  const rows = [];
  for (const n of sizes) {
    const rendered = [];
    const laidOut = [];
    let requests = 0;
    let missing = 0;
    for (let r = 0; r < repeats; r++) {
      await openManyPage(env);
      await env.server.clearLog();
      const result = await env.page.evaluate(
        ([count, prefix]) => window.benchUpgrade(count, prefix),
        [n, uniqueId(`up${n}`)],
      );
      rendered.push(result.rendered);
      laidOut.push(result.laidOut);
      missing += n - result.buttons;
      requests += (await env.server.requests()).length;
    }
    rows.push({
      n,
      rendered: median(rendered),
      laidOut: median(laidOut),
      max: Math.max(...rendered),
      requests,
      missing,
    });
  }
  return rows;
}
