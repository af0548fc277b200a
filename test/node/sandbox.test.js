// The sandbox over real HTTP: node --test test/node/
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';

import { connectMiddleware, createSandbox, koaMiddleware } from '../../sandbox/index.js';

const SK = '/sandbox/speaknosis/v1/health';
const PX = '/sandbox/prescrypto/api/v2/medics/';
const SK_AUTH = { Authorization: 'Bearer sk_demo_token' };
const PX_AUTH = { Authorization: 'Token pk_demo_key' };
const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * Starts an http server around a sandbox (or any request listener) on port 0.
 * @param {import('../../sandbox/index.js').SandboxOptions} [options]
 */
async function startSandbox(options) {
  const sandbox = createSandbox(options);
  const server = http.createServer(async (req, res) => {
    const handled = await sandbox.handle(req, res);
    if (!handled) {
      res.statusCode = 418;
      res.end('not the sandbox');
    }
  });
  const base = await listen(server);
  return { sandbox, server, base, close: () => closeServer(server) };
}

/** @param {http.Server} server */
async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return `http://127.0.0.1:${address.port}`;
}

/** @param {http.Server} server */
function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve(undefined));
    server.closeAllConnections();
  });
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Timers alive in this process (the server runs in-process). */
const timerCount = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

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

describe('sandbox', () => {
  /** @type {Awaited<ReturnType<typeof startSandbox>>} */
  let ctx;
  /** @param {string} path @param {RequestInit} [init] */
  const call = (path, init) => fetch(ctx.base + path, init);
  /** @param {string} path @param {RequestInit} [init] */
  const callJson = async (path, init) => {
    const res = await call(path, init);
    return { res, status: res.status, body: await res.json() };
  };
  /** @param {string} path @param {unknown} body @param {string} [method] */
  const control = (path, body, method = 'POST') =>
    callJson(`/sandbox/_control/${path}`, {
      method,
      headers: JSON_HEADERS,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** @param {string} providerId @param {string} id */
  const skState = async (providerId, id) =>
    (await callJson(`/sandbox/_control/state?vendor=speaknosis&providerId=${providerId}&id=${encodeURIComponent(id)}`))
      .body;
  /** @param {string} email */
  const pxState = async (email) =>
    (await callJson(`/sandbox/_control/state?vendor=prescrypto&email=${encodeURIComponent(email)}`)).body;
  /** @param {unknown} users @param {string} [provider] @param {Record<string, string>} [auth] */
  const postUsers = (users, provider = '1001', auth = SK_AUTH) =>
    callJson(`${SK}/provider/${provider}/user`, {
      method: 'POST',
      headers: { ...auth, ...JSON_HEADERS },
      body: typeof users === 'string' ? users : JSON.stringify(users),
    });
  /** @param {Record<string, unknown>} medic @param {Record<string, string>} [auth] */
  const postMedic = (medic, auth = PX_AUTH) =>
    callJson(PX, { method: 'POST', headers: { ...auth, ...JSON_HEADERS }, body: JSON.stringify(medic) });
  /** @param {Partial<{ id: string, name: string, lastname: string, specialityId: unknown, lang: unknown, email: unknown }>} [over] */
  const user = (over = {}) => ({ id: 'doc-new', name: 'Nora', lastname: 'Díaz', specialityId: 1, lang: 'ES', ...over });

  before(async () => {
    ctx = await startSandbox();
  });
  after(() => ctx.close());
  beforeEach(() => ctx.sandbox.reset());

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
      const server = http.createServer((req, res) => sandbox.handle(req, res));
      const base = await listen(server);
      try {
        const res = await fetch(`${base}${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
        assert.equal(res.status, 500);
        assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
        assert.equal((await res.json()).error, 'internal sandbox error');
        // The sandbox keeps serving.
        assert.equal((await fetch(`${base}/sandbox/_control/latency`)).status, 200);
      } finally {
        await closeServer(server);
      }
    });

    it('survives malformed percent-encoding and invalid JSON', async () => {
      const bad = await callJson(`${SK}/provider/1001/user/%E0%A4%A`, { headers: SK_AUTH });
      assert.equal(bad.status, 400);
      const ctl = await callJson('/sandbox/_control/latency', { method: 'POST', body: '{nope' });
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
      const server = http.createServer((req, res) => mw(req, res, () => res.end('next')));
      const base = await listen(server);
      try {
        assert.equal(await (await fetch(`${base}/index.html`)).text(), 'next');
        const res = await fetch(`${base}${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
        assert.equal(res.status, 200);
        assert.equal((await res.json()).response.id, 'doc-ana');
      } finally {
        await closeServer(server);
      }
    });

    it('connectMiddleware reads the unmounted originalUrl when connect strips a mount path', async () => {
      const sandbox = createSandbox();
      const mw = connectMiddleware(sandbox);
      const server = http.createServer((req, res) => {
        const r = /** @type {any} */ (req);
        r.originalUrl = req.url;
        req.url = (req.url ?? '').replace(/^\/sandbox/, '') || '/';
        mw(req, res, () => res.end('next'));
      });
      const base = await listen(server);
      try {
        const res = await fetch(`${base}/sandbox/`);
        assert.equal(res.status, 200);
        assert.equal((await res.json()).name, 'doctor-gate sandbox');
      } finally {
        await closeServer(server);
      }
    });

    it('koaMiddleware sets ctx.respond = false for /sandbox/ and awaits next() otherwise', async () => {
      const sandbox = createSandbox();
      const mw = koaMiddleware(sandbox);
      /** @type {any[]} */
      const contexts = [];
      const server = http.createServer(async (req, res) => {
        /** @type {{ req: any, res: any, respond?: boolean }} */
        const koaCtx = { req, res };
        contexts.push(koaCtx);
        let nextCalled = false;
        await mw(koaCtx, async () => {
          nextCalled = true;
        });
        if (nextCalled) res.end('next');
      });
      const base = await listen(server);
      try {
        assert.equal(await (await fetch(`${base}/test/x.js`)).text(), 'next');
        assert.equal(contexts[0].respond, undefined);
        const res = await fetch(`${base}/sandbox/_control/latency`);
        assert.deepEqual(await res.json(), { ms: 0 });
        assert.equal(contexts[1].respond, false);
      } finally {
        await closeServer(server);
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

  describe('CORS', () => {
    it('is off by default: no Access-Control headers', async () => {
      const res = await call(`${SK}/provider/1001/user/doc-ana`, {
        headers: { ...SK_AUTH, Origin: 'http://ehr.test' },
      });
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      await res.arrayBuffer();
    });

    it('when on: reflects Origin, answers preflight 204, exposes Retry-After', async () => {
      const cors = await startSandbox({ cors: true });
      try {
        const pre = await fetch(`${cors.base}${SK}/provider/1001/user`, {
          method: 'OPTIONS',
          headers: {
            Origin: 'http://ehr.test',
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'authorization, content-type',
          },
        });
        assert.equal(pre.status, 204);
        assert.equal(pre.headers.get('access-control-allow-origin'), 'http://ehr.test');
        assert.equal(pre.headers.get('access-control-allow-methods'), 'GET, POST, PATCH, DELETE, OPTIONS');
        assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/);
        assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Content-Type/);

        await fetch(`${cors.base}/sandbox/_control/faults`, {
          method: 'POST',
          body: JSON.stringify({ faults: [{ status: 429, headers: { 'Retry-After': '2' } }] }),
        }).then((r) => r.arrayBuffer());
        const res = await fetch(`${cors.base}${SK}/provider/1001/user/doc-ana`, {
          headers: { ...SK_AUTH, Origin: 'http://ehr.test' },
        });
        assert.equal(res.status, 429);
        assert.equal(res.headers.get('access-control-allow-origin'), 'http://ehr.test');
        assert.match(res.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
        assert.equal(res.headers.get('retry-after'), '2');
        await res.arrayBuffer();
        // The preflight consumed no fault and left no log entry.
        const log = await (await fetch(`${cors.base}/sandbox/_control/log`)).json();
        assert.deepEqual(
          log.entries.map((/** @type {any} */ e) => e.method),
          ['GET'],
        );
      } finally {
        await cors.close();
      }
    });
  });

  describe('Speaknosis: GET and DELETE user', () => {
    it('GET an active user answers the envelope with the user', async () => {
      const { status, body } = await callJson(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
      assert.equal(status, 200);
      assert.deepEqual(body, {
        success: true,
        code: 200,
        response: {
          id: 'doc-ana',
          name: 'Ana',
          lastname: 'García',
          email: 'ana.garcia@clinic.example',
          specialityId: 1,
          lang: 'ES',
        },
      });
    });

    it('GET a missing or soft-deleted user answers 404 "user not found"', async () => {
      for (const id of ['nobody', 'doc-marta']) {
        const { status, body } = await callJson(`${SK}/provider/1001/user/${id}`, { headers: SK_AUTH });
        assert.equal(status, 404);
        assert.deepEqual(body, { success: false, code: 404, response: 'user not found' });
      }
    });

    it('users are scoped per provider', async () => {
      const { status } = await callJson(`${SK}/provider/1002/user/doc-ana`, { headers: SK_AUTH });
      assert.equal(status, 404);
    });

    it('DELETE soft-deletes; a second DELETE and a GET answer 404', async () => {
      const del = await callJson(`${SK}/provider/1001/user/doc-john`, { method: 'DELETE', headers: SK_AUTH });
      assert.equal(del.status, 200);
      assert.deepEqual(del.body, { success: true, code: 200, response: { id: 'doc-john', status: 'user deleted' } });
      assert.deepEqual(await skState('1001', 'doc-john'), {
        exists: true,
        active: false,
        user: {
          id: 'doc-john',
          name: 'John',
          lastname: 'Smith',
          email: 'john.smith@clinic.example',
          specialityId: 1,
          lang: 'EN',
          deleted: true,
        },
      });
      const again = await callJson(`${SK}/provider/1001/user/doc-john`, { method: 'DELETE', headers: SK_AUTH });
      assert.equal(again.status, 404);
      assert.deepEqual(again.body, { success: false, code: 404, response: 'user not found' });
      assert.equal((await callJson(`${SK}/provider/1001/user/doc-john`, { headers: SK_AUTH })).status, 404);
      assert.equal(
        (await callJson(`${SK}/provider/1001/user/ghost`, { method: 'DELETE', headers: SK_AUTH })).status,
        404,
      );
    });

    it('decodes each path segment once: unicode and %2F stay part of the id', async () => {
      const ids = ['dr/ñandú 1', 'Zoë😀', '100%', 'a?b#c'];
      const created = await postUsers(ids.map((id) => user({ id })));
      assert.equal(created.status, 201);
      for (const id of ids) {
        const { status, body } = await callJson(`${SK}/provider/1001/user/${encodeURIComponent(id)}`, {
          headers: SK_AUTH,
        });
        assert.equal(status, 200, id);
        assert.equal(body.response.id, id);
      }
      // '%252F' decodes once to the literal '%2F', which is a different id.
      assert.equal(
        (await callJson(`${SK}/provider/1001/user/dr%252F%C3%B1and%C3%BA%201`, { headers: SK_AUTH })).status,
        404,
      );
    });

    it('tolerates a trailing slash and answers 405 for other methods', async () => {
      assert.equal((await callJson(`${SK}/provider/1001/user/doc-ana/`, { headers: SK_AUTH })).status, 200);
      const put = await callJson(`${SK}/provider/1001/user/doc-ana`, { method: 'PUT', headers: SK_AUTH });
      assert.equal(put.status, 405);
      assert.equal(put.res.headers.get('allow'), 'GET, DELETE');
      assert.equal((await callJson(`${SK}/provider/1001/user`, { headers: SK_AUTH })).status, 405);
    });

    it('unknown paths under the Speaknosis base answer a 404 envelope', async () => {
      const { status, body } = await callJson(`${SK}/specialities`, { headers: SK_AUTH });
      assert.equal(status, 404);
      assert.equal(body.success, false);
      assert.equal(body.code, 404);
    });
  });

  describe('Speaknosis: auth', () => {
    it('missing or unknown token, or a wrong scheme → 401 "unauthorized"', async () => {
      /** @type {Record<string, string>[]} */
      const variants = [{}, { Authorization: 'Bearer nope' }, { Authorization: 'Token sk_demo_token' }];
      for (const headers of variants) {
        const { status, body } = await callJson(`${SK}/provider/1001/user/doc-ana`, { headers });
        assert.equal(status, 401);
        assert.deepEqual(body, { success: false, code: 401, response: 'unauthorized' });
      }
    });

    it('the Bearer scheme is case-insensitive', async () => {
      const { status } = await callJson(`${SK}/provider/1001/user/doc-ana`, {
        headers: { Authorization: 'bearer sk_demo_token' },
      });
      assert.equal(status, 200);
    });

    it('a known token on a provider it may not use → 403 "forbidden provider"', async () => {
      const expected = { success: false, code: 403, response: 'forbidden provider' };
      const a = await callJson(`${SK}/provider/2002/user/doc-ana`, { headers: SK_AUTH });
      assert.equal(a.status, 403);
      assert.deepEqual(a.body, expected);
      const b = await postUsers([user()], '1001', { Authorization: 'Bearer sk_other_token' });
      assert.equal(b.status, 403);
      assert.deepEqual(b.body, expected);
      assert.equal((await skState('1001', 'doc-new')).exists, false);
      const c = await postUsers([user()], '2002', { Authorization: 'Bearer sk_other_token' });
      assert.equal(c.status, 201);
    });
  });

  describe('Speaknosis: POST users', () => {
    it('creates a new user: 201 and "user created successfully"', async () => {
      const { status, body } = await postUsers([user({ email: 'nora@clinic.example' })]);
      assert.equal(status, 201);
      assert.deepEqual(body, {
        success: true,
        code: 201,
        response: [{ id: 'doc-new', name: 'Nora', lastname: 'Díaz', status: 'user created successfully' }],
      });
      const state = await skState('1001', 'doc-new');
      assert.equal(state.active, true);
      assert.equal(state.user.email, 'nora@clinic.example');
      const got = await callJson(`${SK}/provider/1001/user/doc-new`, { headers: SK_AUTH });
      assert.equal(got.body.response.lastname, 'Díaz');
    });

    it('an omitted email is stored as null', async () => {
      await postUsers([user()]);
      const got = await callJson(`${SK}/provider/1001/user/doc-new`, { headers: SK_AUTH });
      assert.equal(got.body.response.email, null);
    });

    it('reactivates a soft-deleted id with the new data: "updated and reactivated userId"', async () => {
      const { status, body } = await postUsers([
        { id: 'doc-marta', name: 'Marta', lastname: 'Puig i Vila', specialityId: 3, lang: 'EN' },
      ]);
      assert.equal(status, 201);
      assert.deepEqual(body.response, [
        { id: 'doc-marta', name: 'Marta', lastname: 'Puig i Vila', status: 'updated and reactivated userId' },
      ]);
      const got = await callJson(`${SK}/provider/1001/user/doc-marta`, { headers: SK_AUTH });
      assert.equal(got.status, 200);
      assert.equal(got.body.response.lastname, 'Puig i Vila');
      assert.equal(got.body.response.specialityId, 3);
      assert.equal(got.body.response.lang, 'EN');
    });

    it('an already active id: 409 with "user already exists", data unchanged', async () => {
      const { status, body } = await postUsers([user({ id: 'doc-ana', name: 'Changed' })]);
      assert.equal(status, 409);
      assert.deepEqual(body, {
        success: false,
        code: 409,
        response: [{ id: 'doc-ana', name: 'Changed', lastname: 'Díaz', status: 'user already exists' }],
      });
      assert.equal((await skState('1001', 'doc-ana')).user.name, 'Ana');
    });

    it('a mixed batch answers 201 with one status per item, in order', async () => {
      const { status, body } = await postUsers([
        user({ id: 'doc-ana' }),
        user({ id: 'doc-b1' }),
        user({ id: 'doc-marta' }),
        user({ id: 'doc-b1' }),
        user({ id: 'doc-bad', lang: 'DE' }),
      ]);
      assert.equal(status, 201);
      assert.equal(body.success, true);
      assert.deepEqual(
        body.response.map((/** @type {any} */ r) => r.status),
        [
          'user already exists',
          'user created successfully',
          'updated and reactivated userId',
          'user already exists',
          'invalid user: lang',
        ],
      );
      for (const item of body.response) assert.deepEqual(Object.keys(item), ['id', 'name', 'lastname', 'status']);
    });

    it('validates every item: "invalid user: <field>"; all invalid → 400 with the array', async () => {
      const cases = [
        [user({ id: '' }), 'id'],
        [user({ name: '  ' }), 'name'],
        [{ ...user(), lastname: undefined }, 'lastname'],
        [user({ specialityId: '1' }), 'specialityId'],
        [user({ specialityId: 1.5 }), 'specialityId'],
        [user({ lang: 'es' }), 'lang'],
        [user({ email: 42 }), 'email'],
        ['not an object', 'body'],
      ];
      const { status, body } = await postUsers(cases.map(([item]) => item));
      assert.equal(status, 400);
      assert.equal(body.success, false);
      assert.equal(body.code, 400);
      assert.deepEqual(
        body.response.map((/** @type {any} */ r) => r.status),
        cases.map(([, field]) => `invalid user: ${field}`),
      );
      assert.equal((await skState('1001', 'doc-new')).exists, false);
    });

    it('nothing created with invalid and existing items → 400', async () => {
      const { status } = await postUsers([user({ id: 'doc-ana' }), user({ lang: 'XX' })]);
      assert.equal(status, 400);
    });

    it('every lang of the seed is accepted', async () => {
      const langs = ['ES', 'EN', 'CA', 'PT', 'FR'];
      const { status, body } = await postUsers(langs.map((lang) => user({ id: `doc-${lang}`, lang })));
      assert.equal(status, 201);
      assert.ok(body.response.every((/** @type {any} */ r) => r.status === 'user created successfully'));
    });

    it('a non-array, invalid JSON or an empty array → 400 with a reason string', async () => {
      for (const raw of [JSON.stringify(user()), '{"id":', '[]', '', 'null']) {
        const { status, body } = await postUsers(raw);
        assert.equal(status, 400, raw);
        assert.equal(body.success, false);
        assert.equal(body.code, 400);
        assert.equal(typeof body.response, 'string');
        assert.ok(body.response.length > 0);
      }
    });

    it('more than 1000 items → 413 "too many users (max 1000)"; 1000 are fine', async () => {
      const many = (/** @type {number} */ n) => Array.from({ length: n }, (_, i) => user({ id: `bulk-${i}` }));
      const tooMany = await postUsers(many(1001));
      assert.equal(tooMany.status, 413);
      assert.deepEqual(tooMany.body, { success: false, code: 413, response: 'too many users (max 1000)' });
      assert.equal((await skState('1001', 'bulk-0')).exists, false);
      const ok = await postUsers(many(1000));
      assert.equal(ok.status, 201);
      assert.equal(ok.body.response.length, 1000);
    });
  });

  describe('Prescrypto: list', () => {
    const medicKeys = [
      'id',
      'name',
      'email',
      'hospital',
      'date_of_birth',
      'cedula_prof',
      'specialty_no',
      'specialty',
      'alma_mater',
      'female',
      'is_active',
      'specialty_verified',
      'campaign',
      'is_admin_membership',
    ];

    it('defaults to 15 per page with absolute next/previous from the Host header', async () => {
      const { status, body, res } = await callJson(PX, { headers: PX_AUTH });
      assert.equal(status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.deepEqual(Object.keys(body), ['count', 'next', 'previous', 'results']);
      assert.equal(body.count, 120);
      assert.equal(body.results.length, 15);
      assert.equal(body.next, `${ctx.base}${PX}?limit=15&offset=15`);
      assert.equal(body.previous, null);
      assert.deepEqual(
        body.results.map((/** @type {any} */ m) => m.id),
        Array.from({ length: 15 }, (_, i) => i + 1),
      );
    });

    it('medics have exactly the seed fields, never token or password', async () => {
      const { body } = await callJson(`${PX}?limit=100&offset=100`, { headers: PX_AUTH });
      for (const medic of body.results) assert.deepEqual(Object.keys(medic), medicKeys);
      const text = JSON.stringify(body);
      assert.doesNotMatch(text, /token|password|mt_/);
    });

    it('clamps limit to 100; page 2 holds Elena Vidal (110); links keep limit', async () => {
      const first = await callJson(`${PX}?limit=500`, { headers: PX_AUTH });
      assert.equal(first.body.results.length, 100);
      assert.equal(first.body.next, `${ctx.base}${PX}?limit=100&offset=100`);
      const second = await callJson(`${PX}?limit=100&offset=100`, { headers: PX_AUTH });
      assert.equal(second.body.results.length, 20);
      assert.equal(second.body.next, null);
      assert.equal(second.body.previous, `${ctx.base}${PX}?limit=100`);
      const elena = second.body.results.find((/** @type {any} */ m) => m.id === 110);
      assert.equal(elena.name, 'Elena Vidal');
      assert.equal(elena.email, 'elena.vidal@clinic.example');
      assert.equal(elena.is_active, true);
    });

    it('previous keeps an offset when one page back is not the start', async () => {
      const { body } = await callJson(`${PX}?offset=40&limit=10&search=x`, { headers: PX_AUTH });
      assert.equal(body.previous, `${ctx.base}${PX}?limit=10&offset=30&search=x`);
      assert.equal(body.next, `${ctx.base}${PX}?limit=10&offset=50&search=x`);
    });

    it('inactive fixtures are 7 and 113', async () => {
      const all = [
        ...(await callJson(`${PX}?limit=100`, { headers: PX_AUTH })).body.results,
        ...(await callJson(`${PX}?limit=100&offset=100`, { headers: PX_AUTH })).body.results,
      ];
      assert.equal(all.length, 120);
      assert.deepEqual(
        all.filter((m) => !m.is_active).map((m) => m.id),
        [7, 113],
      );
      assert.ok(
        all.every((m) => m.email === (m.id === 110 ? 'elena.vidal@clinic.example' : `medic${m.id}@clinic.example`)),
      );
    });

    it('uses X-Forwarded-Proto and the Host header for absolute links', async () => {
      const { body } = await callJson(`${PX}?limit=50`, {
        headers: { ...PX_AUTH, 'X-Forwarded-Proto': 'https' },
      });
      assert.ok(body.next.startsWith(`https://${new URL(ctx.base).host}/sandbox/prescrypto/`));
    });

    it('invalid limit/offset fall back to the defaults; the collection works without a trailing slash', async () => {
      const { body } = await callJson('/sandbox/prescrypto/api/v2/medics?limit=0&offset=-3', { headers: PX_AUTH });
      assert.equal(body.results.length, 15);
      assert.equal(body.results[0].id, 1);
    });

    it('only lists medics created with the caller token', async () => {
      const { body } = await callJson(PX, { headers: { Authorization: 'Token pk_other_key' } });
      assert.equal(body.count, 1);
      assert.equal(body.results[0].id, 500);
      assert.equal(body.results[0].email, 'taken@elsewhere.example');
      assert.equal(body.next, null);
    });

    it('missing or unknown key, or a medic token → 401 {"message":"Invalid Token"}', async () => {
      /** @type {Record<string, string>[]} */
      const variants = [
        {},
        { Authorization: 'Token nope' },
        { Authorization: 'Bearer pk_demo_key' },
        { Authorization: 'Token mt_1' },
      ];
      for (const headers of variants) {
        const { status, body } = await callJson(PX, { headers });
        assert.equal(status, 401);
        assert.deepEqual(body, { message: 'Invalid Token' });
      }
    });
  });

  describe('Prescrypto: detail', () => {
    it('GET /medics/:id/ with or without the trailing slash', async () => {
      for (const path of [`${PX}110/`, `${PX}110`]) {
        const { status, body } = await callJson(path, { headers: PX_AUTH });
        assert.equal(status, 200);
        assert.equal(body.name, 'Elena Vidal');
        assert.equal(body.token, undefined);
        assert.equal(body.password, undefined);
      }
    });

    it('404 {"message":"Not found"} when missing or created by another token', async () => {
      for (const [path, auth] of [
        [`${PX}999/`, PX_AUTH],
        [`${PX}500/`, PX_AUTH],
        [`${PX}1/`, { Authorization: 'Token pk_other_key' }],
        [`${PX}abc/`, PX_AUTH],
      ]) {
        const { status, body } = await callJson(/** @type {string} */ (path), { headers: /** @type {any} */ (auth) });
        assert.equal(status, 404);
        assert.deepEqual(body, { message: 'Not found' });
      }
    });
  });

  describe('Prescrypto: create', () => {
    const medic = { name: 'Nueva Médica', password: 'S3cret!pass', email: 'nueva@clinic.example' };

    it('201 with the medic, a fresh token and a pbkdf2 password hash, ids increasing', async () => {
      const a = await postMedic({ ...medic, hospital: 7, female: true, specialty: 'Pediatría' });
      assert.equal(a.status, 201);
      assert.deepEqual(Object.keys(a.body), [
        'id',
        'token',
        'name',
        'password',
        'email',
        'hospital',
        'date_of_birth',
        'cedula_prof',
        'specialty_no',
        'specialty',
        'alma_mater',
        'female',
        'is_active',
        'specialty_verified',
        'campaign',
        'is_admin_membership',
      ]);
      assert.equal(a.body.name, 'Nueva Médica');
      assert.equal(a.body.hospital, 7);
      assert.equal(a.body.female, true);
      assert.equal(a.body.is_active, true);
      assert.match(a.body.token, /^\S{20,}$/);
      assert.match(a.body.password, /^pbkdf2_sha256\$150000\$[^$]+\$[A-Za-z0-9+/=]+$/);
      assert.ok(!a.body.password.includes('S3cret!pass'));

      const b = await postMedic({ ...medic, email: 'otra@clinic.example' });
      assert.ok(Number.isInteger(a.body.id) && b.body.id > a.body.id && a.body.id > 120);
      assert.notEqual(a.body.token, b.body.token);

      // The token is returned only by the create call.
      const detail = await callJson(`${PX}${a.body.id}/`, { headers: PX_AUTH });
      assert.equal(detail.status, 200);
      assert.equal(detail.body.token, undefined);
      assert.equal(detail.body.password, undefined);
      const list = await callJson(`${PX}?limit=100&offset=100`, { headers: PX_AUTH });
      assert.equal(list.body.count, 122);
      assert.doesNotMatch(JSON.stringify(list.body), new RegExp(a.body.token));
      // ...and it works as the medic's credential for the app page.
      const who = await callJson('/sandbox/app-api/whoami?vendor=prescrypto', {
        headers: { Authorization: `Token ${a.body.token}` },
      });
      assert.equal(who.body.doctorId, a.body.id);
    });

    it('missing name, password or email → 400 DRF-style field errors', async () => {
      const { status, body } = await postMedic({});
      assert.equal(status, 400);
      assert.deepEqual(body, {
        password: ['This field is required.'],
        name: ['This field is required.'],
        email: ['This field is required.'],
      });
      const partial = await postMedic({ name: 'X', email: 'x@clinic.example' });
      assert.deepEqual(partial.body, { password: ['This field is required.'] });
      const invalid = await postMedic({
        ...medic,
        email: 'not-an-email',
        date_of_birth: '1990-02-30',
        female: 'maybe',
      });
      assert.equal(invalid.status, 400);
      assert.deepEqual(Object.keys(invalid.body).sort(), ['date_of_birth', 'email', 'female']);
      assert.equal((await pxState('not-an-email')).count, 0);
    });

    it('a duplicate email (any token, any case) → 400 with the seed body, nothing created', async () => {
      const expected = (/** @type {string} */ email) => [
        `duplicate key value violates unique constraint "medics_medic_email_c4aaaa6a_uniq"\nDETAIL: Key (email)=(${email}) already exists.\n`,
      ];
      const taken = await postMedic({ ...medic, email: 'Taken@Elsewhere.example' });
      assert.equal(taken.status, 400);
      assert.deepEqual(taken.body, expected('Taken@Elsewhere.example'));
      const own = await postMedic({ ...medic, email: 'medic3@clinic.example' });
      assert.deepEqual(own.body, expected('medic3@clinic.example'));
      assert.equal((await pxState('taken@elsewhere.example')).count, 1);
      assert.equal((await pxState('medic3@clinic.example')).count, 1);
      const list = await callJson(PX, { headers: PX_AUTH });
      assert.equal(list.body.count, 120);
    });

    it('a hospital the token does not administer → 400 with the permission message', async () => {
      const { status, body } = await postMedic({ ...medic, hospital: 9 });
      assert.equal(status, 400);
      assert.deepEqual(body, { message: 'You do not have sufficient permissions to assign this hospital: 9' });
      const other = await postMedic({ ...medic, hospital: 7 }, { Authorization: 'Token pk_other_key' });
      assert.deepEqual(other.body, { message: 'You do not have sufficient permissions to assign this hospital: 7' });
      assert.equal((await pxState(medic.email)).exists, false);
    });

    it('a non-object or unparsable body → 400', async () => {
      assert.equal((await postMedic(/** @type {any} */ ([medic]))).status, 400);
      const raw = await callJson(PX, { method: 'POST', headers: PX_AUTH, body: '{"name":' });
      assert.equal(raw.status, 400);
    });

    it('other methods → 405', async () => {
      assert.equal((await callJson(`${PX}1/`, { method: 'DELETE', headers: PX_AUTH })).status, 405);
      assert.equal((await callJson(PX, { method: 'PATCH', headers: PX_AUTH, body: '{}' })).status, 405);
    });
  });

  describe('Prescrypto: update', () => {
    /** @param {string} path @param {unknown} body @param {Record<string, string>} [auth] */
    const patch = (path, body, auth = PX_AUTH) =>
      callJson(path, { method: 'PATCH', headers: { ...auth, ...JSON_HEADERS }, body: JSON.stringify(body) });

    it('PATCH updates the given fields → 202 with the medic', async () => {
      const { status, body } = await patch(`${PX}7/`, {
        is_active: true,
        name: 'Daniel Hale Williams',
        token: 'x',
        id: 99,
      });
      assert.equal(status, 202);
      assert.equal(body.id, 7);
      assert.equal(body.name, 'Daniel Hale Williams');
      assert.equal(body.is_active, true);
      assert.equal(body.email, 'medic7@clinic.example');
      assert.equal(body.token, undefined);
      assert.equal((await pxState('medic7@clinic.example')).active, true);
      const deactivated = await patch(`${PX}8`, { is_active: false });
      assert.equal(deactivated.status, 202);
      assert.equal(deactivated.body.is_active, false);
    });

    it('PATCH of a medic of another token, or missing → 404', async () => {
      const a = await patch(`${PX}500/`, { name: 'x' });
      assert.equal(a.status, 404);
      assert.deepEqual(a.body, { message: 'Not found' });
      assert.equal((await patch(`${PX}4242/`, { name: 'x' })).status, 404);
      assert.equal((await patch(`${PX}1/`, { name: 'x' }, { Authorization: 'Token nope' })).status, 401);
    });

    it('PATCH to an email already taken → 400 duplicate body; own email is fine', async () => {
      const dup = await patch(`${PX}5/`, { email: 'TAKEN@elsewhere.example' });
      assert.equal(dup.status, 400);
      assert.match(dup.body[0], /^duplicate key value violates unique constraint/);
      assert.equal((await patch(`${PX}5/`, { email: 'MEDIC5@clinic.example' })).status, 202);
    });
  });

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
      await control('latency', { ms: 400 });
      await control('faults', { faults: [{ status: 500, times: 5 }] });
      const started = Date.now();
      assert.equal((await call('/sandbox/app/speaknosis')).status, 200);
      const who = await callJson('/sandbox/app-api/whoami?vendor=prescrypto', {
        headers: { Authorization: 'Token mt_1' },
      });
      assert.equal(who.status, 200);
      assert.ok(Date.now() - started < 350);
      assert.equal((await control('log', undefined, 'GET')).body.entries.length, 0);
      assert.equal((await control('faults', undefined, 'GET')).body.faults[0].times, 5);
    });
  });

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
      const slow = await startSandbox({ latencyMs: 120 });
      try {
        const t0 = Date.now();
        await fetch(`${slow.base}${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH }).then((r) => r.json());
        assert.ok(Date.now() - t0 >= 110);
        await fetch(`${slow.base}/sandbox/_control/latency`, { method: 'POST', body: '{"ms":0}' }).then((r) =>
          r.json(),
        );
        await fetch(`${slow.base}/sandbox/_control/reset`, { method: 'POST' }).then((r) => r.json());
        const latency = await fetch(`${slow.base}/sandbox/_control/latency`).then((r) => r.json());
        assert.deepEqual(latency, { ms: 120 });
      } finally {
        await slow.close();
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
      t0 = Date.now();
      await control('log', undefined, 'GET');
      assert.ok(Date.now() - t0 < 150, 'control not delayed');
    });

    it('rejects an invalid latency', async () => {
      for (const body of [{}, { ms: -1 }, { ms: 'soon' }, { ms: 1e9 }]) {
        assert.equal((await control('latency', body)).status, 400);
      }
    });

    it('a client leaving during the latency clears the timer and skips the handler', async () => {
      await control('latency', { ms: 5000 });
      const baseline = timerCount();
      const { req, done } = rawRequest(`${ctx.base}${SK}/provider/1001/user`, {
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
      await assert.rejects(fetch(`${ctx.base}${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH }));
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
      const { req, done } = rawRequest(`${ctx.base}${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
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
      for (const secret of ['sk_demo_token', 'pk_demo_key', 'hunter2', 'dXNlcjpwYXNz'])
        assert.ok(!text.includes(secret), secret);
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

  /** @param {unknown[]} users @param {number} ms */
  function postUsersWithTimeout(users, ms) {
    return fetch(`${ctx.base}${SK}/provider/1001/user`, {
      method: 'POST',
      headers: { ...SK_AUTH, ...JSON_HEADERS },
      body: JSON.stringify(users),
      signal: AbortSignal.timeout(ms),
    });
  }
});

/**
 * Polls until `check` is true (2 s at most).
 * @param {() => boolean | Promise<boolean>} check
 */
async function waitFor(check) {
  const deadline = Date.now() + 2000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await sleep(10);
  }
}

describe('delay and body-scoped faults', () => {
  it('a delay fault holds one matching request, then answers it normally', async () => {
    const { base, close } = await startSandbox();
    try {
      const added = await fetch(`${base}/sandbox/_control/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ faults: [{ match: { method: 'GET', path: 'doc-ana' }, kind: 'delay', ms: 300 }] }),
      });
      assert.equal(added.status, 200);
      const headers = { Authorization: 'Bearer sk_demo_token' };
      const user = (id) => `${base}/sandbox/speaknosis/v1/health/provider/1001/user/${id}`;
      const order = [];
      const held = fetch(user('doc-ana'), { headers }).then((r) => (order.push('held'), r.status));
      const other = fetch(user('doc-john'), { headers }).then((r) => (order.push('other'), r.status));
      assert.deepEqual(await Promise.all([held, other]), [200, 200]);
      assert.deepEqual(order, ['other', 'held']);
      const log = await (await fetch(`${base}/sandbox/_control/log?path=doc-ana`)).json();
      assert.deepEqual(
        log.entries.map((e) => [e.status, e.fault]),
        [[200, 'delay']],
      );
      const bad = await fetch(`${base}/sandbox/_control/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ kind: 'delay', ms: -1 }),
      });
      assert.equal(bad.status, 400);
    } finally {
      await close();
    }
  });

  it('match.body scopes a fault to requests whose body contains the text', async () => {
    const { base, close } = await startSandbox();
    try {
      await fetch(`${base}/sandbox/_control/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ match: { method: 'POST', body: 'doc-target' }, status: 503 }),
      });
      const post = (id) =>
        fetch(`${base}/sandbox/speaknosis/v1/health/provider/1001/user`, {
          method: 'POST',
          headers: { Authorization: 'Bearer sk_demo_token', 'Content-Type': 'application/json' },
          body: JSON.stringify([{ id, name: 'A', lastname: 'B', specialityId: 1, lang: 'ES' }]),
        }).then((r) => r.status);
      assert.equal(await post('doc-other'), 201);
      assert.equal(await post('doc-target'), 503);
      assert.equal(await post('doc-target'), 201);
    } finally {
      await close();
    }
  });
});
