// The sandbox's stand-in vendor app: its page, its script, and the whoami API it calls.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';

import { useSandbox } from './support/sandbox.js';
import { answeredBeforeVendor, vendorApi } from './support/vendor-api.js';

const { origin } = await useSandbox();
const { call, callJson, control } = vendorApi(origin);

describe('stand-in app', () => {
  it('serves the same page for both vendors, with a strict CSP and no inline script', async () => {
    const html = await readFile(new URL('../../sandbox/app.html', import.meta.url), 'utf8');
    for (const vendor of ['speaknosis', 'prescrypto']) {
      const res = await call(`/sandbox/app/${vendor}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(await res.text(), html);
    }
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/i);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
    assert.doesNotMatch(html, /<style/i);
    assert.match(html, /Send message/);
    const js = await call('/sandbox/app/app.js');
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    const css = await call('/sandbox/app/app.css');
    assert.match(css.headers.get('content-type') ?? '', /text\/css/);
    await Promise.all([js.text(), css.text()]);
  });

  it('the page script posts with a pinned targetOrigin, never "*", and sends the credential in a header', async () => {
    const js = await readFile(new URL('../../sandbox/app.js', import.meta.url), 'utf8');
    assert.doesNotMatch(js, /postMessage\([^)]*['"]\*['"]/);
    assert.doesNotMatch(js, /\.(innerHTML|outerHTML)\s*=|document\.write|insertAdjacentHTML/);
    assert.match(js, /sandbox-app:ready/);
    assert.match(js, /sandbox-app:ping/);
    assert.match(js, /Authorization/);
    assert.match(js, /location\.origin/);
  });

  it('whoami (Speaknosis) tells whether the doctor exists and is active, without secrets', async () => {
    const ask = (/** @type {string} */ id, token = 'sk_demo_token') =>
      callJson(`/sandbox/app-api/whoami?vendor=speaknosis&doctorId=${encodeURIComponent(id)}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
    const ana = await ask('doc-ana');
    assert.deepEqual(ana.body, {
      vendor: 'speaknosis',
      doctorId: 'doc-ana',
      exists: true,
      active: true,
      name: 'Ana García',
      providerId: '1001',
    });
    const marta = await ask('doc-marta');
    assert.equal(marta.body.exists, true);
    assert.equal(marta.body.active, false);
    const nobody = await ask('nobody');
    assert.equal(nobody.status, 200);
    assert.equal(nobody.body.exists, false);
    const wrong = await ask('doc-ana', 'sk_other_token');
    assert.equal(wrong.body.exists, false);
    const unknown = await ask('doc-ana', 'bad');
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.exists, false);
    for (const r of [ana, marta, nobody, unknown]) assert.doesNotMatch(JSON.stringify(r.body), /sk_|token":/);
  });

  it('whoami (Prescrypto) resolves a medic token, or 401 "unknown medic token"', async () => {
    const ask = (/** @type {string} */ token) =>
      callJson('/sandbox/app-api/whoami?vendor=prescrypto', { headers: { Authorization: `Token ${token}` } });
    const elena = await ask('mt_110');
    assert.deepEqual(elena.body, {
      vendor: 'prescrypto',
      doctorId: 110,
      exists: true,
      active: true,
      name: 'Elena Vidal',
    });
    assert.equal((await ask('mt_7')).body.active, false);
    const bad = await ask('pk_demo_key');
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error, 'unknown medic token');
    assert.doesNotMatch(JSON.stringify(bad.body), /pk_demo_key/);
  });

  it('app routes are not delayed, faulted or logged', async () => {
    await control('latency', { ms: 60_000 });
    const appRoutes = async () => {
      assert.equal((await call('/sandbox/app/speaknosis')).status, 200);
      const who = await callJson('/sandbox/app-api/whoami?vendor=prescrypto', {
        headers: { Authorization: 'Token mt_1' },
      });
      assert.equal(who.status, 200);
    };
    // Answered while a vendor request sent before them is still kept by the latency.
    assert.ok(await answeredBeforeVendor(origin, appRoutes));
    await control('log', undefined, 'DELETE');
    await control('faults', { faults: [{ status: 500, times: 5 }] });
    await appRoutes();
    assert.equal((await control('log', undefined, 'GET')).body.entries.length, 0);
    assert.equal((await control('faults', undefined, 'GET')).body.faults[0].times, 5);
  });
});
