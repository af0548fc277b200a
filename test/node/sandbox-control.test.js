// The sandbox's control API over real HTTP: reset, latency, faults, the request log, seed and state.
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';

import { assertNoSecret, timerCount, waitFor } from './support/assert.js';
import { JSON_HEADERS, serveSandbox, useSandbox } from './support/sandbox.js';
import { PX, PX_AUTH, SK, SK_AUTH, answeredBeforeVendor, user, vendorApi } from './support/vendor-api.js';

const { origin } = await useSandbox();
const { call, callJson, control, skState, pxState, postUsers, postMedic } = vendorApi(origin);

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A raw request without fetch's pool and timers, which the client can destroy at will.
 * @param {string} url @param {{ method?: string, headers?: Record<string, string>, body?: string }} [init]
 */
function rawRequest(url, init = {}) {
  const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false });
  const done = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
  });
  done.catch(() => {});
  req.end(init.body);
  return { req, done };
}

/** @param {unknown[]} users @param {number} ms */
function postUsersWithTimeout(users, ms) {
  return fetch(`${origin}${SK}/provider/1001/user`, {
    method: 'POST',
    headers: { ...SK_AUTH, ...JSON_HEADERS },
    body: JSON.stringify(users),
    signal: AbortSignal.timeout(ms),
  });
}

describe('control: reset and latency', () => {
  it('reset restores fixtures, clears faults and the log, restores latency', async () => {
    await postUsers([user()]);
    await callJson(`${SK}/provider/1001/user/doc-ana`, { method: 'DELETE', headers: SK_AUTH });
    await postMedic({ name: 'R', password: 'p', email: 'r@clinic.example' });
    await control('latency', { ms: 50 });
    await control('faults', { faults: [{ match: { path: '/nothing-matches' } }] });
    const reset = await control('reset', undefined);
    assert.equal(reset.status, 200);
    assert.equal((await skState('1001', 'doc-new')).exists, false);
    assert.equal((await skState('1001', 'doc-ana')).active, true);
    assert.equal((await pxState('r@clinic.example')).exists, false);
    assert.deepEqual((await control('latency', undefined, 'GET')).body, { ms: 0 });
    assert.deepEqual((await control('faults', undefined, 'GET')).body.faults, []);
    assert.deepEqual((await control('log', undefined, 'GET')).body.entries, []);
    const created = await postMedic({ name: 'R', password: 'p', email: 'r2@clinic.example' });
    assert.equal(created.body.id, 501);
  });

  it('reset goes back to the initial latency given to createSandbox', async () => {
    const slow = await serveSandbox({ latencyMs: 120 });
    try {
      const t0 = Date.now();
      await fetch(`${slow.origin}${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH }).then((r) => r.json());
      assert.ok(Date.now() - t0 >= 110);
      assert.deepEqual(await slow.latency(0), { ms: 0 });
      await slow.control('reset', {});
      const latency = await fetch(`${slow.origin}/sandbox/_control/latency`).then((r) => r.json());
      assert.deepEqual(latency, { ms: 120 });
    } finally {
      await slow.stop();
    }
  });

  it('latency delays vendor answers but not control routes', async () => {
    assert.deepEqual((await control('latency', { ms: 200 })).body, { ms: 200 });
    let t0 = Date.now();
    await callJson(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
    assert.ok(Date.now() - t0 >= 190, 'vendor answer delayed');
    t0 = Date.now();
    await callJson(`${PX}1/`, { headers: PX_AUTH });
    assert.ok(Date.now() - t0 >= 190, 'prescrypto answer delayed');
    await control('latency', { ms: 60_000 });
    assert.ok(await answeredBeforeVendor(origin, () => control('log', undefined, 'GET')), 'control not delayed');
  });

  it('rejects an invalid latency', async () => {
    for (const body of [{}, { ms: -1 }, { ms: 'soon' }, { ms: 1e9 }]) {
      assert.equal((await control('latency', body)).status, 400);
    }
  });

  it('a client leaving during the latency clears the timer and skips the handler', async () => {
    await control('latency', { ms: 5000 });
    const baseline = timerCount();
    const { req, done } = rawRequest(`${origin}${SK}/provider/1001/user`, {
      method: 'POST',
      headers: { ...SK_AUTH, ...JSON_HEADERS },
      body: JSON.stringify([user({ id: 'doc-late' })]),
    });
    await waitFor(async () => (await control('log', undefined, 'GET')).body.entries.length === 1);
    await waitFor(() => timerCount() > baseline);
    req.destroy();
    await done.catch(() => {});
    await waitFor(() => timerCount() <= baseline);
    const [entry] = (await control('log', undefined, 'GET')).body.entries;
    assert.equal(entry.aborted, true);
    assert.equal(entry.status, null);
    assert.equal((await skState('1001', 'doc-late')).exists, false);
  });
});

describe('control: faults', () => {
  it('status fault: status, body, headers; then the real answer', async () => {
    const added = await control('faults', {
      faults: [
        {
          match: { method: 'GET', path: '/user/doc-ana' },
          status: 503,
          body: { success: false, code: 503, response: 'maintenance' },
          headers: { 'Retry-After': '1' },
        },
      ],
    });
    assert.equal(added.status, 200);
    const first = await callJson(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
    assert.equal(first.status, 503);
    assert.equal(first.res.headers.get('retry-after'), '1');
    assert.deepEqual(first.body, { success: false, code: 503, response: 'maintenance' });
    const second = await callJson(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
    assert.equal(second.status, 200);
  });

  it('default body, raw text body, times, and FIRST matching fault wins', async () => {
    await control('faults', {
      faults: [
        { match: { method: 'POST' }, status: 502 },
        { match: { path: 'medics' }, times: 2, status: 500, body: 'upstream exploded' },
        { status: 504 },
      ],
    });
    const list = (await control('faults', undefined, 'GET')).body.faults;
    assert.equal(list.length, 3);
    assert.equal(list[1].times, 2);

    // A Speaknosis GET skips the POST-only fault and the "medics" one: the catch-all answers.
    const a = await callJson(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
    assert.equal(a.status, 504);
    assert.deepEqual(a.body, { success: false, code: 504, response: 'injected fault' });
    // A POST takes the first fault even though later ones match too.
    const b = await postMedic({ name: 'F', password: 'p', email: 'f@clinic.example' });
    assert.equal(b.status, 502);
    assert.equal((await control('faults', undefined, 'GET')).body.faults.length, 1);
  });

  it('matches in queue order, decrements times and removes used faults', async () => {
    await control('faults', {
      faults: [{ match: { path: 'medics' }, times: 2, status: 500, body: 'upstream exploded' }, { status: 504 }],
    });
    const a = await call(`${PX}1/`, { headers: PX_AUTH });
    assert.equal(a.status, 500);
    assert.match(a.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await a.text(), 'upstream exploded');
    assert.equal((await control('faults', undefined, 'GET')).body.faults[0].times, 1);
    const b = await callJson(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
    assert.equal(b.status, 504, 'speaknosis path does not match "medics"');
    assert.equal(await call(`${PX}1/`, { headers: PX_AUTH }).then((r) => r.status), 500);
    assert.equal(await call(`${PX}1/`, { headers: PX_AUTH }).then((r) => r.status), 200);
    assert.deepEqual((await control('faults', undefined, 'GET')).body.faults, []);
  });

  it('matches a decoded path substring too, and methods case-insensitively', async () => {
    await control('faults', { faults: [{ match: { method: 'get', path: '/user/dr ñ' }, status: 429 }] });
    assert.equal((await call(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH })).status, 200);
    const hit = await call(`${SK}/provider/1001/user/${encodeURIComponent('dr ñ')}`, { headers: SK_AUTH });
    assert.equal(hit.status, 429);
  });

  it('DELETE clears the queue', async () => {
    await control('faults', { faults: [{ status: 500 }, { status: 501 }] });
    assert.deepEqual((await control('faults', undefined, 'DELETE')).body, { faults: [] });
    assert.equal((await call(`${PX}1/`, { headers: PX_AUTH })).status, 200);
  });

  it('drop destroys the connection without an answer', async () => {
    await control('faults', { faults: [{ kind: 'drop' }] });
    await assert.rejects(fetch(`${origin}${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH }));
    const [entry] = (await control('log', undefined, 'GET')).body.entries;
    assert.equal(entry.fault, 'drop');
    assert.equal(entry.status, null);
  });

  it('malformed answers 200 application/json with broken JSON', async () => {
    await control('faults', { faults: [{ kind: 'malformed' }] });
    const res = await call(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    const text = await res.text();
    assert.equal(text, '{"success": tru');
    assert.throws(() => JSON.parse(text));
  });

  it('hang never answers, keeps the socket until the client leaves, and leaves no timer', async () => {
    await control('faults', { faults: [{ kind: 'hang' }] });
    const baseline = timerCount();
    const { req, done } = rawRequest(`${origin}${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
    let answered = false;
    done.then(
      () => (answered = true),
      () => {},
    );
    await waitFor(async () =>
      (await control('log', undefined, 'GET')).body.entries.some((/** @type {any} */ e) => e.fault === 'hang'),
    );
    await sleep(150);
    assert.equal(answered, false);
    assert.ok(!req.destroyed, 'the server kept the socket');
    assert.ok(timerCount() <= baseline, 'no timer for a hang');
    req.destroy();
    await done.catch(() => {});
    // The next request is served normally.
    assert.equal((await call(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH })).status, 200);
  });

  it('hang: a fetch with a timeout gives up and the sandbox keeps serving', async () => {
    await control('faults', { faults: [{ kind: 'hang', match: { method: 'POST' } }] });
    await assert.rejects(postUsersWithTimeout([user()], 200), /abort|timeout/i);
    assert.equal((await skState('1001', 'doc-new')).exists, false, 'a hang before the handler changes nothing');
  });

  it('after: true runs the real handler first, then answers the fault (status)', async () => {
    await control('faults', { faults: [{ match: { method: 'POST' }, status: 502, after: true }] });
    const lost = await postUsers([user()]);
    assert.equal(lost.status, 502);
    assert.deepEqual(lost.body, { success: false, code: 502, response: 'injected fault' });
    assert.equal((await skState('1001', 'doc-new')).active, true, 'the create happened');
    const retry = await postUsers([user()]);
    assert.equal(retry.status, 409);
    const [entry] = (await control('log?method=POST', undefined, 'GET')).body.entries;
    assert.equal(entry.fault, 'status');
    assert.equal(entry.after, true);
    assert.equal(entry.realStatus, 201);
    assert.equal(entry.status, 502);
  });

  it('after: true with drop: the medic is created but the answer is lost', async () => {
    await control('faults', { faults: [{ match: { method: 'POST', path: '/medics' }, kind: 'drop', after: true }] });
    await assert.rejects(postMedic({ name: 'Lost', password: 'pw', email: 'lost@clinic.example' }));
    const state = await pxState('lost@clinic.example');
    assert.equal(state.exists, true);
    assert.equal(state.count, 1);
    const again = await postMedic({ name: 'Lost', password: 'pw', email: 'lost@clinic.example' });
    assert.equal(again.status, 400);
  });

  it('rejects invalid fault definitions', async () => {
    for (const body of [
      { faults: [] },
      { faults: [{ kind: 'explode' }] },
      { faults: [{ times: 0 }] },
      { faults: [{ status: 99 }] },
      { faults: [{ headers: { 'Bad Header': 'x' } }] },
      { faults: [{ match: 'POST' }] },
      { faults: 'x' },
    ]) {
      assert.equal((await control('faults', body)).status, 400, JSON.stringify(body));
    }
    assert.deepEqual((await control('faults', undefined, 'GET')).body.faults, []);
  });
});

describe('control: log', () => {
  it('records vendor requests with raw path and query, the auth scheme only, redacted passwords', async () => {
    await callJson(`${SK}/provider/1001/user/dr%2Fana?x=1`, { headers: SK_AUTH });
    await postMedic({
      name: 'Logged',
      password: 'hunter2',
      email: 'logged@clinic.example',
      nested: { password: 'x' },
    });
    await callJson(PX, { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    await callJson('/sandbox/_control/state?vendor=speaknosis&providerId=1001&id=x');
    const { body } = await control('log', undefined, 'GET');
    assert.equal(body.entries.length, 3, 'control and app routes are not logged');
    const [get, post, basic] = body.entries;
    assert.deepEqual(Object.keys(get).sort(), ['auth', 'body', 'method', 'path', 'query', 'seq', 'status', 'time']);
    assert.equal(get.path, `${SK}/provider/1001/user/dr%2Fana`);
    assert.equal(get.query, 'x=1');
    assert.equal(get.auth, 'Bearer');
    assert.equal(get.status, 404);
    assert.equal(get.body, null);
    assert.ok(!Number.isNaN(Date.parse(get.time)));
    assert.equal(post.auth, 'Token');
    assert.equal(post.status, 201);
    assert.deepEqual(post.body, {
      name: 'Logged',
      password: '[redacted]',
      email: 'logged@clinic.example',
      nested: { password: '[redacted]' },
    });
    assert.equal(basic.auth, 'other');
    assert.ok(post.seq > get.seq && basic.seq > post.seq);
    const text = JSON.stringify(body);
    assertNoSecret(text, ['sk_demo_token', 'pk_demo_key', 'hunter2', 'dXNlcjpwYXNz']);
  });

  it('redacts passwords in bodies that are not valid JSON', async () => {
    await callJson(PX, { method: 'POST', headers: PX_AUTH, body: '{"name":"x","password":"hunter2",' });
    const [entry] = (await control('log', undefined, 'GET')).body.entries;
    assert.equal(typeof entry.body, 'string');
    assert.ok(!entry.body.includes('hunter2'));
  });

  it('filters by path substring and method; DELETE clears', async () => {
    await callJson(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
    await postUsers([user()]);
    await callJson(PX, { headers: PX_AUTH });
    const byPath = await control('log?path=speaknosis', undefined, 'GET');
    assert.equal(byPath.body.entries.length, 2);
    const byMethod = await control('log?method=post', undefined, 'GET');
    assert.equal(byMethod.body.entries.length, 1);
    assert.deepEqual(byMethod.body.entries[0].body, [user()]);
    const both = await control('log?path=/medics/&method=GET', undefined, 'GET');
    assert.equal(both.body.entries.length, 1);
    assert.equal((await control('log', undefined, 'DELETE')).status, 200);
    assert.deepEqual((await control('log', undefined, 'GET')).body.entries, []);
  });
});

describe('control: seed and state', () => {
  it('seeds Speaknosis users (active or deleted) and Prescrypto medics', async () => {
    const { status, body } = await control('seed', {
      speaknosis: [
        { providerId: 1002, id: 'doc-seed', name: 'Seed', lastname: 'One', specialityId: 2, lang: 'PT' },
        {
          providerId: '1001',
          id: 'doc-gone',
          name: 'Gone',
          lastname: 'Two',
          specialityId: 1,
          lang: 'FR',
          deleted: true,
        },
      ],
      prescrypto: [
        { key: 'pk_demo_key', name: 'Seeded Medic', email: 'seeded@clinic.example', is_active: false },
        { key: 'pk_new_key', name: 'Fresh Key', email: 'fresh@clinic.example' },
      ],
    });
    assert.equal(status, 200);
    assert.equal(body.speaknosis, 2);
    assert.deepEqual(body.prescrypto, [501, 502]);

    const seeded = await callJson(`${SK}/provider/1002/user/doc-seed`, { headers: SK_AUTH });
    assert.equal(seeded.body.response.lang, 'PT');
    assert.equal((await callJson(`${SK}/provider/1001/user/doc-gone`, { headers: SK_AUTH })).status, 404);
    const reactivated = await postUsers([user({ id: 'doc-gone' })]);
    assert.equal(reactivated.body.response[0].status, 'updated and reactivated userId');

    const medic = await pxState('SEEDED@clinic.example');
    assert.equal(medic.exists, true);
    assert.equal(medic.active, false);
    assert.equal(medic.count, 1);
    assert.equal(medic.medic.id, 501);
    assert.equal(medic.medic.token, undefined);
    assert.equal(medic.medic.password, undefined);
    const mine = await callJson(PX, { headers: { Authorization: 'Token pk_new_key' } });
    assert.equal(mine.body.count, 1);
    const who = await callJson('/sandbox/app-api/whoami?vendor=prescrypto', {
      headers: { Authorization: 'Token mt_502' },
    });
    assert.equal(who.body.name, 'Fresh Key');
  });

  it('seeds extra tokens and keys', async () => {
    await control('seed', { tokens: { speaknosis: { sk_extra: ['3003'] }, prescrypto: { pk_admin9: [9] } } });
    const created = await postUsers([user()], '3003', { Authorization: 'Bearer sk_extra' });
    assert.equal(created.status, 201);
    const medic = await postMedic(
      { name: 'H', password: 'p', email: 'h@clinic.example', hospital: 9 },
      { Authorization: 'Token pk_admin9' },
    );
    assert.equal(medic.status, 201);
  });

  it('rejects invalid seeds atomically', async () => {
    const bad = await control('seed', {
      speaknosis: [
        { providerId: '1001', id: 'ok-1', name: 'A', lastname: 'B' },
        { providerId: '1001', id: '', name: 'A', lastname: 'B' },
      ],
    });
    assert.equal(bad.status, 400);
    assert.equal((await skState('1001', 'ok-1')).exists, false);
    assert.equal((await control('seed', [])).status, 400);
    assert.equal((await control('seed', { prescrypto: [{ key: 'pk_demo_key', name: 'x' }] })).status, 400);
  });

  it('state answers exists/active/user and exists/active/medic/count', async () => {
    assert.deepEqual(await skState('1001', 'nobody'), { exists: false, active: false, user: null });
    const marta = await skState('1001', 'doc-marta');
    assert.equal(marta.exists, true);
    assert.equal(marta.active, false);
    const seven = await pxState('medic7@clinic.example');
    assert.equal(seven.exists, true);
    assert.equal(seven.active, false);
    assert.equal(seven.count, 1);
    assert.deepEqual(await pxState('nobody@clinic.example'), { exists: false, active: false, medic: null, count: 0 });
    const byId = await callJson('/sandbox/_control/state?vendor=prescrypto&id=110');
    assert.equal(byId.body.medic.name, 'Elena Vidal');
    assert.equal((await callJson('/sandbox/_control/state?vendor=other')).status, 400);
    assert.equal((await callJson('/sandbox/_control/state?vendor=speaknosis')).status, 400);
  });

  it('control routes answer 405 for a wrong method', async () => {
    assert.equal((await callJson('/sandbox/_control/reset')).status, 405);
    assert.equal((await callJson('/sandbox/_control/state', { method: 'POST', body: '{}' })).status, 405);
  });
});

describe('hold, delay and body-scoped faults', () => {
  it('a hold fault keeps one matching request while another is answered, then answers it normally', async () => {
    const added = await fetch(`${origin}/sandbox/_control/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ faults: [{ match: { method: 'GET', path: 'doc-ana' }, kind: 'hold' }] }),
    });
    assert.equal(added.status, 200);
    const headers = { Authorization: 'Bearer sk_demo_token' };
    const user = (id) => `${origin}/sandbox/speaknosis/v1/health/provider/1001/user/${id}`;
    const order = [];
    const held = fetch(user('doc-ana'), { headers }).then((r) => (order.push('held'), r.status));
    assert.equal((await control('held/wait', {})).status, 200);
    const other = fetch(user('doc-john'), { headers }).then((r) => (order.push('other'), r.status));
    assert.equal(await other, 200);
    assert.deepEqual((await control('release', {})).body, { released: 1, withdrawn: 0 });
    assert.deepEqual(await Promise.all([held, other]), [200, 200]);
    assert.deepEqual(order, ['other', 'held']);
    const log = await (await fetch(`${origin}/sandbox/_control/log?path=doc-ana`)).json();
    assert.deepEqual(
      log.entries.map((e) => [e.status, e.fault, e.held]),
      [[200, 'hold', 'released']],
    );
  });

  it('a delay fault answers the matching request normally after its ms; a negative ms is refused', async () => {
    assert.equal((await control('faults', { match: { path: 'doc-ana' }, kind: 'delay', ms: 20 })).status, 200);
    const { status } = await callJson(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
    assert.equal(status, 200);
    const log = await (await fetch(`${origin}/sandbox/_control/log?path=doc-ana`)).json();
    assert.deepEqual(
      log.entries.map((e) => [e.status, e.fault]),
      [[200, 'delay']],
    );
    const bad = await fetch(`${origin}/sandbox/_control/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'delay', ms: -1 }),
    });
    assert.equal(bad.status, 400);
  });

  it('match.body scopes a fault to requests whose body contains the text', async () => {
    await fetch(`${origin}/sandbox/_control/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ match: { method: 'POST', body: 'doc-target' }, status: 503 }),
    });
    const post = (id) =>
      fetch(`${origin}/sandbox/speaknosis/v1/health/provider/1001/user`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sk_demo_token', 'Content-Type': 'application/json' },
        body: JSON.stringify([{ id, name: 'A', lastname: 'B', specialityId: 1, lang: 'ES' }]),
      }).then((r) => r.status);
    assert.equal(await post('doc-other'), 201);
    assert.equal(await post('doc-target'), 503);
    assert.equal(await post('doc-target'), 201);
  });
});
