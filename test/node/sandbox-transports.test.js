// The ways of running the sandbox: node:http (`handle`), Connect and Koa middleware, MSW in Node
// answering the real vendor URLs, and the Web-standard handler itself — the same scenarios through each.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, it } from 'node:test';

import { build } from 'esbuild';

import { connectMiddleware, createSandbox, fixtures, koaMiddleware } from '../../sandbox/index.js';
import { createClient, provisionDoctor } from '../../dist/core.js';
import { assertNoSecret } from './support/assert.js';
import { SANDBOX_MODES } from './support/modes.js';
import { JSON_HEADERS, listen, useSandbox } from './support/sandbox.js';
import { PX, SK, vendorApi } from './support/vendor-api.js';

const SK_AUTH = { Authorization: `Bearer ${fixtures.speaknosis.token}` };
const PX_AUTH = { Authorization: `Token ${fixtures.prescrypto.apiKey}` };
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

// One sandbox served by node:http for the handler's own behaviour; each mode below has its own.
const { origin } = await useSandbox();
const { call, callJson, postUsers } = vendorApi(origin);

describe('handle()', () => {
  it('returns false and leaves the response alone outside /sandbox/', async () => {
    for (const path of ['/', '/sandbox', '/sandboxes/x', '/src/index.ts?x=/sandbox/']) {
      const res = await call(path);
      assert.equal(res.status, 418, path);
      assert.equal(await res.text(), 'not the sandbox');
    }
  });

  it('answers 404 JSON for unknown paths under /sandbox/', async () => {
    for (const path of ['/sandbox/nope', '/sandbox/app/nope.js', '/sandbox/_control/nope', '/sandbox/app-api/nope']) {
      const { status, res, body } = await callJson(path);
      assert.equal(status, 404, path);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(body.error, 'not found');
    }
  });

  it('GET /sandbox/ describes the routes and the fixture credentials', async () => {
    const { status, body } = await callJson('/sandbox/');
    assert.equal(status, 200);
    assert.equal(body.vendors.speaknosis.apiBase, SK);
    assert.deepEqual(body.vendors.speaknosis.tokens.sk_demo_token, ['1001', '1002']);
    assert.ok('pk_demo_key' in body.vendors.prescrypto.keys);
    assert.ok(body.control['POST /sandbox/_control/reset']);
    assert.equal(body.ehr.smart.issuer, '/sandbox/ehr/smart');
    assert.deepEqual(body.ehr.smart.practitioners, ['pr-ana', 'pr-jordi', 'pr-sam', 'pr-hanna']);
  });

  it('turns a thrown error into a 500 JSON answer instead of crashing', async () => {
    const sandbox = createSandbox();
    // Break the store from outside: every Speaknosis call now throws inside the handler.
    /** @type {any} */ (sandbox.store.speaknosis).tokens = null;
    const { origin: base, stop } = await listen((req, res) => sandbox.handle(req, res));
    try {
      const res = await fetch(`${base}${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
      assert.equal(res.status, 500);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal((await res.json()).error, 'internal sandbox error');
      // The sandbox keeps serving.
      assert.equal((await fetch(`${base}/sandbox/_control/latency`)).status, 200);
    } finally {
      await stop();
    }
  });

  it('survives malformed percent-encoding and invalid JSON', async () => {
    const bad = await callJson(`${SK}/provider/1001/user/%E0%A4%A`, { headers: SK_AUTH });
    assert.equal(bad.status, 400);
    const ctl = await callJson('/sandbox/_control/latency', { method: 'POST', headers: JSON_HEADERS, body: '{nope' });
    assert.equal(ctl.status, 400);
    const px = await callJson(`${PX}%ZZ/`, { headers: PX_AUTH });
    assert.equal(px.status, 404);
  });

  it('refuses bodies over 5 MB with 413', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024 + 10);
    const { status, body } = await postUsers(big);
    assert.equal(status, 413);
    assert.deepEqual(body, { success: false, code: 413, response: 'request body too large' });
  });

  it('answers every vendor route as application/json; charset=utf-8', async () => {
    for (const [path, headers] of [
      [`${SK}/provider/1001/user/doc-ana`, SK_AUTH],
      [`${SK}/provider/1001/user/missing`, SK_AUTH],
      [PX, PX_AUTH],
      [PX, {}],
    ]) {
      const res = await call(/** @type {string} */ (path), { headers: /** @type {any} */ (headers) });
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      await res.arrayBuffer();
    }
  });
});

describe('middlewares', () => {
  it('connectMiddleware handles /sandbox/ and calls next() otherwise', async () => {
    const sandbox = createSandbox();
    const mw = connectMiddleware(sandbox);
    const { origin: base, stop } = await listen((req, res) => mw(req, res, () => res.end('next')));
    try {
      assert.equal(await (await fetch(`${base}/index.html`)).text(), 'next');
      const res = await fetch(`${base}${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).response.id, 'doc-ana');
    } finally {
      await stop();
    }
  });

  it('connectMiddleware reads the unmounted originalUrl when connect strips a mount path', async () => {
    const sandbox = createSandbox();
    const mw = connectMiddleware(sandbox);
    const { origin: base, stop } = await listen((req, res) => {
      const r = /** @type {any} */ (req);
      r.originalUrl = req.url;
      req.url = (req.url ?? '').replace(/^\/sandbox/, '') || '/';
      mw(req, res, () => res.end('next'));
    });
    try {
      const res = await fetch(`${base}/sandbox/`);
      assert.equal(res.status, 200);
      assert.equal((await res.json()).name, 'doctor-gate sandbox');
    } finally {
      await stop();
    }
  });

  it('koaMiddleware sets ctx.respond = false for /sandbox/ and awaits next() otherwise', async () => {
    const sandbox = createSandbox();
    const mw = koaMiddleware(sandbox);
    /** @type {any[]} */
    const contexts = [];
    const { origin: base, stop } = await listen(async (req, res) => {
      /** @type {{ req: any, res: any, respond?: boolean }} */
      const koaCtx = { req, res };
      contexts.push(koaCtx);
      let nextCalled = false;
      await mw(koaCtx, async () => {
        nextCalled = true;
      });
      if (nextCalled) res.end('next');
    });
    try {
      assert.equal(await (await fetch(`${base}/test/x.js`)).text(), 'next');
      assert.equal(contexts[0].respond, undefined);
      const res = await fetch(`${base}/sandbox/_control/latency`);
      assert.deepEqual(await res.json(), { ms: 0 });
      assert.equal(contexts[1].respond, false);
    } finally {
      await stop();
    }
  });

  it('instances are independent: no shared default state', async () => {
    const a = createSandbox();
    const b = createSandbox();
    a.store.speaknosis.providers.get('1001')?.delete('doc-ana');
    assert.equal(b.store.speaknosis.providers.get('1001')?.has('doc-ana'), true);
    a.reset();
    assert.equal(a.store.speaknosis.providers.get('1001')?.has('doc-ana'), true);
  });
});

/** @param {string} url @param {Record<string, string>} form */
const postForm = (url, form) => fetch(url, { method: 'POST', headers: FORM, body: new URLSearchParams(form) });
const demoClient = { grant_type: 'client_credentials', client_id: 'demo-client', client_secret: 'demo-client-secret' };

for (const [name, start] of Object.entries(SANDBOX_MODES)) {
  describe(`sandbox through ${name}`, () => {
    const sandbox = createSandbox();
    /** @type {import('./support/modes.js').Mode} */
    let mode;
    before(async () => {
      mode = await start(sandbox);
    });
    after(() => mode.stop());
    beforeEach(() => mode.control('reset', {}));

    /** @param {string} id @param {Record<string, string>} [auth] @param {RequestInit} [init] */
    const getDoctor = (id, auth = SK_AUTH, init = {}) =>
      fetch(`${mode.speaknosis}/provider/${fixtures.speaknosis.providerId}/user/${id}`, { headers: auth, ...init });

    it('serves the seeded doctors of fixtures.speaknosis', async () => {
      for (const doctor of fixtures.speaknosis.doctors) {
        const res = await getDoctor(doctor.id);
        assert.equal(res.status, doctor.active ? 200 : 404, doctor.id);
        const body = await res.json();
        if (doctor.active) assert.equal(body.response.name, doctor.name);
      }
    });

    it('provisions a doctor with doctor-gate/core: created, then existing', async () => {
      const client = createClient('speaknosis', {
        apiBase: mode.speaknosis,
        providerId: Number(fixtures.speaknosis.providerId),
        token: fixtures.speaknosis.token,
        retryDelayMs: 10,
      });
      const doctor = { id: 'doc-modes', name: 'Inés', lastname: 'Mora', specialityId: 1, lang: 'ES' };
      assert.equal((await provisionDoctor(client, doctor)).outcome, 'created');
      assert.equal((await provisionDoctor(client, doctor)).outcome, 'existing');
    });

    it('token endpoint: client credentials → a Bearer token scoped to the client’s providers', async () => {
      const res = await postForm(mode.token, demoClient);
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'token_type']);
      assert.equal(body.token_type, 'Bearer');
      assert.equal((await getDoctor('doc-ana', { Authorization: `Bearer ${body.access_token}` })).status, 200);
      const other = await fetch(`${mode.speaknosis}/provider/2002/user/x`, {
        headers: { Authorization: `Bearer ${body.access_token}` },
      });
      assert.equal(other.status, 403, 'demo-client may not use provider 2002');
    });

    it('token endpoint: wrong secret or unknown client → 401; wrong grant or content type → 400', async () => {
      for (const form of [
        { ...demoClient, client_secret: 'nope' },
        { ...demoClient, client_id: 'nobody' },
        { grant_type: 'client_credentials' },
      ]) {
        const res = await postForm(mode.token, form);
        assert.equal(res.status, 401, JSON.stringify(form));
        assert.equal((await res.json()).error, 'invalid_client');
      }
      const grant = await postForm(mode.token, { ...demoClient, grant_type: 'password' });
      assert.equal(grant.status, 400);
      assert.equal((await grant.json()).error, 'unsupported_grant_type');
      const json = await fetch(mode.token, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(demoClient),
      });
      assert.equal(json.status, 400);
      assert.equal((await json.json()).error, 'invalid_request');
      assert.equal((await fetch(mode.token)).status, 405);
    });

    it('token endpoint: expire-tokens makes minted tokens answer 401, a new one works', async () => {
      const first = (await (await postForm(mode.token, demoClient)).json()).access_token;
      const auth = (/** @type {string} */ t) => ({ Authorization: `Bearer ${t}` });
      assert.equal((await getDoctor('doc-ana', auth(first))).status, 200);
      assert.deepEqual(await mode.control('expire-tokens', { clientId: 'other-client' }), { expired: 0 });
      assert.deepEqual(await mode.control('expire-tokens', {}), { expired: 1 });
      const expired = await getDoctor('doc-ana', auth(first));
      assert.equal(expired.status, 401);
      const second = (await (await postForm(mode.token, demoClient)).json()).access_token;
      assert.notEqual(second, first);
      assert.equal((await getDoctor('doc-ana', auth(second))).status, 200);
      assert.equal((await getDoctor('doc-ana')).status, 200, 'the fixture token never expires');
    });

    it('the log keeps the token request but neither the client secret nor the token', async () => {
      const token = (await (await postForm(mode.token, demoClient)).json()).access_token;
      await getDoctor('doc-ana', { Authorization: `Bearer ${token}` });
      const { entries } = await mode.control('log');
      assert.equal(entries.length, 2);
      assert.match(entries[0].path, /\/api\/iam\/integration\/token$/);
      const text = JSON.stringify(entries);
      assertNoSecret(text, ['demo-client-secret', token]);
    });

    it('Prescrypto pagination links start with the base the caller used', async () => {
      const res = await fetch(`${mode.prescrypto}/api/v2/medics/?limit=5`, { headers: PX_AUTH });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.count, fixtures.prescrypto.medics.length);
      assert.equal(body.next, `${mode.prescrypto}/api/v2/medics/?limit=5&offset=5`);
    });

    it('status fault: 503 with Retry-After, then the real answer', async () => {
      await mode.control('faults', { status: 503, headers: { 'Retry-After': '1' }, match: { path: 'doc-ana' } });
      const res = await getDoctor('doc-ana');
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal((await res.json()).response, 'injected fault');
      assert.equal((await getDoctor('doc-ana')).status, 200);
    });

    it('drop: the request fails as a network error', async () => {
      await mode.control('faults', { kind: 'drop' });
      await assert.rejects(getDoctor('doc-ana'), TypeError);
      assert.equal((await getDoctor('doc-ana')).status, 200);
    });

    it('hang: no answer until the client gives up', async () => {
      await mode.control('faults', { kind: 'hang' });
      // Not AbortSignal.timeout(): its timer is unref'd, and under MSW nothing else keeps Node alive.
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      await assert.rejects(getDoctor('doc-ana', SK_AUTH, { signal: controller.signal }), /abort/i);
      assert.equal((await getDoctor('doc-ana')).status, 200);
    });

    it('malformed, wrong-shape 2xx and 204 bodies', async () => {
      await mode.control('faults', [
        { kind: 'malformed' },
        { status: 200, body: { success: true, code: 200, response: 'not a user' } },
        { status: 204 },
      ]);
      const malformed = await getDoctor('doc-ana');
      assert.equal(malformed.status, 200);
      await assert.rejects(malformed.json(), SyntaxError);
      const shape = await getDoctor('doc-ana');
      assert.deepEqual(await shape.json(), { success: true, code: 200, response: 'not a user' });
      const empty = await getDoctor('doc-ana');
      assert.equal(empty.status, 204);
      assert.equal(await empty.text(), '');
    });

    it('redirect: status and Location as given; a followed redirect lands where it points', async () => {
      await mode.control('faults', [
        { kind: 'redirect', status: 307, location: 'https://evil.example/steal' },
        { kind: 'redirect', status: 302, location: `${mode.speaknosis}/provider/1001/user/doc-john` },
      ]);
      const manual = await getDoctor('doc-ana', SK_AUTH, { redirect: 'manual' });
      assert.equal(manual.status, 307);
      assert.equal(manual.headers.get('location'), 'https://evil.example/steal');
      await manual.arrayBuffer();
      const followed = await getDoctor('doc-ana');
      assert.equal(followed.status, 200);
      assert.equal(followed.redirected, true);
      assert.equal((await followed.json()).response.id, 'doc-john');
    });

    it('doctor-status: the create happens, one doctor’s status text is the one given', async () => {
      await mode.control('faults', { kind: 'doctor-status', status: 'pending review', doctor: 'doc-b' });
      const users = ['doc-a', 'doc-b'].map((id) => ({ id, name: 'N', lastname: 'L', specialityId: 1, lang: 'ES' }));
      const res = await fetch(`${mode.speaknosis}/provider/1001/user`, {
        method: 'POST',
        headers: { ...SK_AUTH, 'Content-Type': 'application/json' },
        body: JSON.stringify(users),
      });
      assert.equal(res.status, 201);
      const statuses = (await res.json()).response.map((/** @type {any} */ r) => [r.id, r.status]);
      assert.deepEqual(statuses, [
        ['doc-a', 'user created successfully'],
        ['doc-b', 'pending review'],
      ]);
      const { entries } = await mode.control('log?method=POST');
      assert.equal(entries[0].fault, 'doctor-status');
    });

    it('echo-credential and {credential}: the body and Location repeat the caller’s secret', async () => {
      await mode.control('faults', [
        { kind: 'echo-credential' },
        { kind: 'redirect', location: 'https://evil.example/?t={credential}' },
        { kind: 'echo-credential', status: 400, match: { path: 'iam/integration/token' } },
      ]);
      const echoed = await getDoctor('doc-ana');
      assert.equal(echoed.status, 401);
      assert.match((await echoed.json()).response, new RegExp(fixtures.speaknosis.token));
      const redirect = await getDoctor('doc-ana', SK_AUTH, { redirect: 'manual' });
      assert.equal(redirect.headers.get('location'), `https://evil.example/?t=${fixtures.speaknosis.token}`);
      await redirect.arrayBuffer();
      const token = await postForm(mode.token, demoClient);
      assert.equal(token.status, 400);
      assert.match(JSON.stringify(await token.json()), /demo-client-secret/);
    });
  });
}

describe('the Web-standard handler itself', () => {
  const sandbox = createSandbox({ cors: true });
  const at = (/** @type {string} */ path, /** @type {RequestInit} */ init = {}) =>
    sandbox.fetch(new Request(`http://sandbox.invalid${path}`, init));

  it('answers only under /sandbox/: anything else is a JSON 404', async () => {
    for (const path of ['/', '/sandbox', '/v1/health/provider/1001/user/doc-ana']) {
      const res = await at(path);
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).error, 'not found');
    }
  });

  it('CORS preflight: Private Network Access is granted when asked, and takes no fault', async () => {
    await at('/sandbox/_control/faults', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ status: 500 }),
    });
    const res = await at('/sandbox/speaknosis/v1/health/provider/1001/user', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://ehr.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Private-Network': 'true',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://ehr.example');
    assert.equal(res.headers.get('access-control-allow-private-network'), 'true');
    assert.equal((await (await at('/sandbox/_control/faults')).json()).faults.length, 1);
  });

  it('a streamed (chunked) body over 5 MB is refused with 413 and logged as such', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(120);
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent++ < 6) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await at('/sandbox/prescrypto/api/v2/medics/', {
      method: 'POST',
      headers: PX_AUTH,
      body,
      // A stream body needs duplex: 'half' (and has no Content-Length: the limit counts bytes).
      duplex: 'half',
    });
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { detail: 'request body too large' });
    const { entries } = await (await at('/sandbox/_control/log?method=POST')).json();
    assert.equal(entries.at(-1).status, 413);
  });
});

describe('doctor-gate/sandbox for a browser bundle (MSW in the browser)', () => {
  it('imports no Node built-in at load time: the Node adapter and app files load on use', async () => {
    const { metafile } = await build({
      entryPoints: [fileURLToPath(new URL('../../sandbox/index.js', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      splitting: true,
      outdir: '/nonexistent',
      write: false,
      external: ['node:*'],
      metafile: true,
      logLevel: 'silent',
    });
    const [entry] = Object.entries(metafile.outputs).filter(([, out]) => out.entryPoint);
    assert.ok(entry);
    /** Node built-ins reached from the entry by static imports only (dynamic ones load on use). */
    const staticNode = new Set();
    const seen = new Set();
    const walk = (/** @type {string} */ file) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const imp of metafile.outputs[file]?.imports ?? []) {
        if (imp.kind !== 'import-statement') continue;
        if (imp.external) staticNode.add(imp.path);
        else walk(imp.path);
      }
    };
    walk(entry[0]);
    assert.deepEqual(
      [...staticNode].filter((path) => path.startsWith('node:')),
      [],
    );
    const dynamic = Object.values(metafile.outputs).flatMap((out) => out.imports.map((imp) => imp.path));
    assert.ok(
      dynamic.includes('node:http') || dynamic.includes('node:fs/promises'),
      'the Node parts are still there, lazily',
    );
  });
});

describe('fault definitions for the new kinds', () => {
  it('rejects a redirect without location or with a non-redirect status, and an empty doctor-status', async () => {
    const sandbox = createSandbox();
    for (const fault of [
      { kind: 'redirect' },
      { kind: 'redirect', status: 200, location: '/x' },
      { kind: 'doctor-status' },
      { kind: 'doctor-status', status: 201 },
      { kind: 'doctor-status', status: 'x', doctor: 5 },
    ]) {
      const res = await sandbox.fetch(
        new Request('http://sandbox.invalid/sandbox/_control/faults', {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify(fault),
        }),
      );
      assert.equal(res.status, 400, JSON.stringify(fault));
    }
  });

  it('a doctor-status fault waits for a Speaknosis create: a GET does not take it', async () => {
    const sandbox = createSandbox();
    const call = (/** @type {string} */ path, /** @type {RequestInit} */ init = {}) =>
      sandbox.fetch(new Request(`http://sandbox.invalid/sandbox/${path}`, init));
    await call('_control/faults', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ kind: 'doctor-status', status: 'odd' }),
    });
    assert.equal((await call('speaknosis/v1/health/provider/1001/user/doc-ana', { headers: SK_AUTH })).status, 200);
    const faults = await (await call('_control/faults')).json();
    assert.equal(faults.faults.length, 1);
  });
});
