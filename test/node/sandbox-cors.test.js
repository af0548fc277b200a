// Other origins: the vendor APIs answer any page (that is what an EHR page calls), the control API
// changes and shows nothing to a page of another origin — only to this machine's pages and the
// origins the sandbox was started with — and takes only JSON where it changes state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { setupServer } from 'msw/node';

import { createSandbox, koaMiddleware, sandboxHandlers } from '../../sandbox/index.js';
import { CLI, startSandboxProcess } from './support/process.js';
import { JSON_HEADERS, listen, sandboxControl, serveSandbox, useSandbox } from './support/sandbox.js';
import { SK, SK_AUTH, vendorApi } from './support/vendor-api.js';

const FOREIGN = 'https://evil.example';
const DOCTOR = `${SK}/provider/1001/user/doc-ana`;

// The sandbox as `doctor-gate sandbox` runs it: CORS on.
const served = await useSandbox({ cors: true });
const { origin } = served;
const { call } = vendorApi(origin);

/** A control request as a page would send it: `{ res, status, text }`. */
const controlFrom = async (
  /** @type {string | null} */ pageOrigin,
  /** @type {string} */ path,
  /** @type {RequestInit} */ init = {},
) => {
  const headers = new Headers(init.headers);
  if (pageOrigin !== null) headers.set('Origin', pageOrigin);
  const res = await fetch(`${origin}/sandbox/_control/${path}`, { ...init, headers });
  return { res, status: res.status, text: await res.text() };
};
/** A preflight for a JSON POST to the control API from `pageOrigin`. */
const preflight = (/** @type {string} */ pageOrigin, path = 'faults', base = origin) =>
  fetch(`${base}/sandbox/_control/${path}`, {
    method: 'OPTIONS',
    headers: {
      Origin: pageOrigin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    },
  });
const FAULT = JSON.stringify({ faults: [{ status: 500 }] });
const allowOriginOf = (/** @type {Response} */ res) => res.headers.get('access-control-allow-origin');

/** What the control API holds, read in process: nothing a refused request may change. */
const snapshot = async () => ({
  faults: (await served.control('faults')).faults,
  log: await served.log(),
  latency: await served.control('latency'),
  ana: await served.state({ vendor: 'speaknosis', providerId: '1001', id: 'doc-ana' }),
});

describe('CORS', () => {
  it('is off by default: no Access-Control headers', async () => {
    const { origin: plain, stop } = await serveSandbox();
    try {
      const res = await fetch(`${plain}${DOCTOR}`, { headers: { ...SK_AUTH, Origin: 'http://ehr.test' } });
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      await res.arrayBuffer();
    } finally {
      await stop();
    }
  });

  it('when on: the vendor APIs reflect any Origin, answer preflight 204, expose Retry-After', async () => {
    const pre = await fetch(`${origin}${SK}/provider/1001/user`, {
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

    await served.faults({ status: 429, headers: { 'Retry-After': '2' } });
    const res = await call(DOCTOR, { headers: { ...SK_AUTH, Origin: 'http://ehr.test' } });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://ehr.test');
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
    assert.equal(res.headers.get('retry-after'), '2');
    await res.arrayBuffer();
    // The preflight consumed no fault and left no log entry.
    assert.deepEqual(
      (await served.log()).map((/** @type {any} */ e) => e.method),
      ['GET'],
    );
  });
});

describe('the control API and a page of another origin', () => {
  it('a text/plain POST to _control/faults changes nothing, and no answer names that origin', async () => {
    const before = await snapshot();
    // What any web page can send without a preflight.
    const sent = await controlFrom(FOREIGN, 'faults', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: FAULT,
    });
    assert.equal(sent.status, 403);
    assert.equal(allowOriginOf(sent.res), null);
    assert.deepEqual(await snapshot(), before);
    // The next vendor request is answered for real, to that page too: vendor routes serve any origin.
    const next = await call(DOCTOR, { headers: { ...SK_AUTH, Origin: FOREIGN } });
    assert.equal(next.status, 200);
    assert.equal(allowOriginOf(next), FOREIGN);
    assert.equal((await next.json()).response.id, 'doc-ana');
  });

  it('no request of that origin changes anything, whatever its type or route', async () => {
    // A fault the sandbox must keep, and a doctor a reset would bring back.
    await served.faults({ match: { path: '/nothing-matches' }, status: 500 });
    await fetch(`${origin}${DOCTOR}`, { method: 'DELETE', headers: SK_AUTH }).then((r) => r.arrayBuffer());
    const before = await snapshot();
    for (const [path, init] of /** @type {[string, RequestInit][]} */ ([
      ['faults', { method: 'POST', headers: JSON_HEADERS, body: FAULT }],
      ['faults', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' }],
      ['faults', { method: 'DELETE', headers: JSON_HEADERS }],
      ['reset', { method: 'POST', headers: JSON_HEADERS, body: '{}' }],
      ['reset', { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, body: '--x--' }],
      ['latency', { method: 'POST', headers: JSON_HEADERS, body: '{"ms":5000}' }],
      ['log', { method: 'DELETE' }],
      ['seed', { method: 'POST', headers: JSON_HEADERS, body: '{"prescrypto":[]}' }],
      ['expire-tokens', { method: 'POST', headers: JSON_HEADERS, body: '{}' }],
    ])) {
      for (const pageOrigin of [FOREIGN, 'null', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example']) {
        const sent = await controlFrom(pageOrigin, path, init);
        assert.equal(sent.status, 403, `${pageOrigin} ${init.method} ${path}`);
        assert.equal(allowOriginOf(sent.res), null);
      }
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('its preflight to the control API is refused: 403 and no CORS header', async () => {
    for (const path of ['faults', 'reset', 'log', 'state']) {
      const res = await preflight(FOREIGN, path);
      assert.equal(res.status, 403, path);
      assert.equal(allowOriginOf(res), null);
      assert.equal(res.headers.get('access-control-allow-methods'), null);
      assert.equal(res.headers.get('access-control-allow-headers'), null);
      await res.arrayBuffer();
    }
  });

  it('control reads (state, log) show it nothing and carry no Access-Control-Allow-Origin', async () => {
    await fetch(`${origin}${DOCTOR}`, { headers: SK_AUTH }).then((r) => r.arrayBuffer());
    for (const path of ['state?vendor=speaknosis&providerId=1001&id=doc-ana', 'log', 'faults', 'latency']) {
      const read = await controlFrom(FOREIGN, path);
      assert.equal(read.status, 403, path);
      assert.equal(allowOriginOf(read.res), null);
      assert.doesNotMatch(read.text, /doc-ana|Ana|entries|faults|"ms"/);
    }
  });
});

describe('pages on this machine, any port', () => {
  const LOOPBACK = [
    'http://127.0.0.1:5999',
    'http://localhost:3000',
    'https://localhost',
    'http://127.42.0.1:8080',
    'http://[::1]:5173',
  ];

  for (const pageOrigin of LOOPBACK) {
    it(`${pageOrigin}: preflight, JSON control and reads are answered for it`, async () => {
      const pre = await preflight(pageOrigin);
      assert.equal(pre.status, 204);
      assert.equal(allowOriginOf(pre), pageOrigin);
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Content-Type/);
      const sent = await controlFrom(pageOrigin, 'faults', { method: 'POST', headers: JSON_HEADERS, body: FAULT });
      assert.equal(sent.status, 200);
      assert.equal(allowOriginOf(sent.res), pageOrigin);
      assert.equal((await call(DOCTOR, { headers: SK_AUTH })).status, 500, 'the fault was queued');
      const log = await controlFrom(pageOrigin, 'log');
      assert.equal(log.status, 200);
      assert.equal(allowOriginOf(log.res), pageOrigin);
      assert.equal(JSON.parse(log.text).entries.length, 1);
    });
  }

  it('a state-changing request that is not application/json is 415 and changes nothing', async () => {
    await served.faults({ match: { path: '/nothing-matches' }, status: 500 });
    const before = await snapshot();
    for (const pageOrigin of ['http://127.0.0.1:5999', null]) {
      for (const [path, init] of /** @type {[string, RequestInit][]} */ ([
        ['faults', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: FAULT }],
        ['faults', { method: 'POST', body: FAULT }],
        ['faults', { method: 'DELETE' }],
        ['reset', { method: 'POST' }],
        ['latency', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'ms=9' }],
        ['log', { method: 'DELETE', headers: { 'Content-Type': 'text/json' } }],
      ])) {
        const sent = await controlFrom(pageOrigin, path, init);
        assert.equal(sent.status, 415, `${pageOrigin} ${init.method} ${path}`);
        assert.match(JSON.parse(sent.text).error, /Content-Type: application\/json/);
        // This machine's page may read why.
        assert.equal(allowOriginOf(sent.res), pageOrigin);
      }
    }
    assert.deepEqual(await snapshot(), before);
    // application/json with a charset is JSON.
    const charset = await controlFrom(null, 'faults', {
      method: 'DELETE',
      headers: { 'Content-Type': 'Application/JSON; charset=utf-8' },
    });
    assert.equal(charset.status, 200);
    assert.deepEqual((await served.control('faults')).faults, []);
  });
});

describe('allowOrigins (--allow-origin) adds origins', () => {
  it('createSandbox({ allowOrigins }): that origin may use the control API, others still may not', async () => {
    const ehr = await serveSandbox({ cors: true, allowOrigins: ['https://ehr.example/'] });
    try {
      const pre = await preflight('https://ehr.example', 'faults', ehr.origin);
      assert.equal(pre.status, 204);
      assert.equal(allowOriginOf(pre), 'https://ehr.example');
      for (const [pageOrigin, status] of /** @type {[string, number][]} */ ([
        ['https://ehr.example', 200],
        ['https://ehr.example:8443', 403],
        ['http://ehr.example', 403],
        ['https://other.example', 403],
      ])) {
        const res = await fetch(`${ehr.origin}/sandbox/_control/latency`, {
          method: 'POST',
          headers: { ...JSON_HEADERS, Origin: pageOrigin },
          body: '{"ms":1}',
        });
        assert.equal(res.status, status, pageOrigin);
        assert.equal(allowOriginOf(res), status === 200 ? pageOrigin : null);
        await res.arrayBuffer();
      }
    } finally {
      await ehr.stop();
    }
  });

  it('refuses an entry that is not an http(s) origin', () => {
    for (const entry of ['ehr.example', 'https://ehr.example/app', '*', 'null', 'ftp://ehr.example', 42]) {
      assert.throws(
        () => createSandbox({ allowOrigins: /** @type {any} */ ([entry]) }),
        (error) => error instanceof TypeError && /allowOrigins/.test(error.message),
        String(entry),
      );
    }
  });

  it('doctor-gate sandbox --allow-origin https://ehr.example allows that one, and says so', async () => {
    const run = startSandboxProcess([CLI, 'sandbox', '--port', '0', '--allow-origin', 'https://ehr.example']);
    try {
      const base = await run.base;
      assert.match(run.output(), /JSON requests from pages on this machine, https:\/\/ehr\.example only/);
      const post = (/** @type {string} */ pageOrigin, /** @type {Record<string, string>} */ headers) =>
        fetch(`${base}/sandbox/_control/faults`, {
          method: 'POST',
          headers: { ...headers, Origin: pageOrigin },
          body: FAULT,
        });
      const allowed = await post('https://ehr.example', JSON_HEADERS);
      assert.equal(allowed.status, 200);
      assert.equal(allowOriginOf(allowed), 'https://ehr.example');
      const other = await post(FOREIGN, { 'Content-Type': 'text/plain' });
      assert.equal(other.status, 403);
      assert.equal(allowOriginOf(other), null);
      const plain = await post('https://ehr.example', { 'Content-Type': 'text/plain' });
      assert.equal(plain.status, 415);
      const faults = await (await fetch(`${base}/sandbox/_control/faults`)).json();
      assert.equal(faults.faults.length, 1, 'only the allowed JSON request queued a fault');
    } finally {
      run.child.kill('SIGTERM');
    }
    assert.equal((await run.exited).code, 0);
  });
});

describe('the ways the sandbox runs still serve their own pages', () => {
  it('npm start: the Vite dev server (Connect middleware) serves the demo page’s control calls', async () => {
    const { createServer } = await import('vite');
    const vite = await createServer({
      configFile: new URL('../../vite.config.ts', import.meta.url).pathname,
      server: { port: 0, strictPort: false, hmr: false },
      logLevel: 'silent',
    });
    await vite.listen();
    try {
      const address = /** @type {import('node:net').AddressInfo} */ (vite.httpServer?.address());
      const page = `http://127.0.0.1:${address.port}`;
      const post = (/** @type {string} */ path, /** @type {string} */ pageOrigin, /** @type {RequestInit} */ init) =>
        fetch(`${page}/sandbox/_control/${path}`, {
          ...init,
          method: 'POST',
          headers: { ...init.headers, Origin: pageOrigin },
        });
      // What demo/demo.ts sends: a reset and a latency, from the page's own origin.
      assert.equal((await post('reset', page, { headers: JSON_HEADERS })).status, 200);
      assert.equal((await post('latency', page, { headers: JSON_HEADERS, body: '{"ms":0}' })).status, 200);
      assert.equal((await post('faults', FOREIGN, { headers: JSON_HEADERS, body: FAULT })).status, 403);
      assert.equal(
        (await post('faults', page, { headers: { 'Content-Type': 'text/plain' }, body: FAULT })).status,
        415,
      );
      const doctor = await fetch(`${page}${DOCTOR}`, { headers: SK_AUTH });
      assert.equal(doctor.status, 200, 'no fault was queued');
      await doctor.arrayBuffer();
    } finally {
      await vite.close();
    }
  });

  it('@web/test-runner (Koa middleware): a test page on localhost controls it', async () => {
    const mw = koaMiddleware(createSandbox());
    const { origin: page, stop } = await listen((req, res) =>
      mw({ req, res }, async () => void res.writeHead(418).end()),
    );
    try {
      const testPage = 'http://localhost:8000';
      const { control } = sandboxControl(page, (url, init) =>
        fetch(url, { ...init, headers: { ...init.headers, Origin: testPage } }),
      );
      await control('faults', { faults: [{ status: 503 }] });
      assert.equal((await control('faults')).faults.length, 1);
      await control('faults', undefined, 'DELETE');
      assert.deepEqual((await control('faults')).faults, []);
    } finally {
      await stop();
    }
  });

  it('MSW: the vendor URLs answer, and the control API through the sandbox’s own fetch', async () => {
    const sandbox = createSandbox();
    const server = setupServer(...sandboxHandlers({ sandbox }));
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const { control } = sandboxControl('http://sandbox.invalid', (url, init) =>
        sandbox.fetch(new Request(url, init)),
      );
      await control('faults', { faults: [{ status: 503 }] });
      const api = 'https://api-qa.speaknosis.com/v1/health/provider/1001/user/doc-ana';
      assert.equal((await fetch(api, { headers: SK_AUTH })).status, 503);
      assert.equal((await fetch(api, { headers: SK_AUTH })).status, 200);
      const plain = await sandbox.fetch(
        new Request('http://sandbox.invalid/sandbox/_control/reset', { method: 'POST', body: '{}' }),
      );
      assert.equal(plain.status, 415);
    } finally {
      server.close();
    }
  });
});
