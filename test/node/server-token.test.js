// speaknosisToken (doctor-gate/server) over real HTTP. Until the sandbox has its token endpoint,
// these run against the Hono stand-in in server-helpers.js (marked "[token stub]"): after the
// merge, point `tokenUrl` at the sandbox's POST /api/iam/integration/token instead.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DoctorGateError, speaknosisToken } from '../../dist/server.js';
import { CLIENT_ID, CLIENT_SECRET, listen, rejection, serveTokenEndpoint } from './server-helpers.js';

let endpoint;
before(async () => (endpoint = await serveTokenEndpoint()));
after(() => endpoint.stop());
beforeEach(() => {
  endpoint.state.minted = 0;
  endpoint.state.requests.length = 0;
});

const source = (options = {}) =>
  speaknosisToken({ tokenUrl: endpoint.tokenUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });

describe('[token stub] speaknosisToken: client credentials', () => {
  test('POSTs the form the vendor documents and returns the access token', async () => {
    const token = await source()();
    assert.match(token, /^sk_minted_1_/);
    const [request] = endpoint.state.requests;
    assert.equal(request.type, 'application/x-www-form-urlencoded');
    assert.deepEqual(request.form, {
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
  });

  test('mints once for many callers, concurrent or later', async () => {
    const tokens = source();
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens()));
    const later = await tokens();
    assert.equal(new Set([...all, later]).size, 1);
    assert.equal(endpoint.state.minted, 1);
  });

  test('fetches a new token after ttlMs', async () => {
    const tokens = source({ ttlMs: 30 });
    const first = await tokens();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const second = await tokens();
    assert.notEqual(first, second);
    assert.equal(endpoint.state.minted, 2);
  });

  test('invalidate(refused) after a 401: one new token for every caller that had the refused one', async () => {
    const tokens = source();
    const refused = await tokens();
    tokens.invalidate(refused);
    tokens.invalidate(refused);
    const [a, b] = await Promise.all([tokens(), tokens()]);
    assert.equal(a, b);
    assert.notEqual(a, refused);
    // A late caller still holding the old token does not throw away the new one.
    tokens.invalidate(refused);
    assert.equal(await tokens(), a);
    assert.equal(endpoint.state.minted, 2);
  });

  test('honours expires_in when the endpoint gives it', async () => {
    const short = await serveTokenEndpoint({ expiresIn: 0.05 });
    try {
      const tokens = speaknosisToken({ tokenUrl: short.tokenUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      const first = await tokens();
      await new Promise((resolve) => setTimeout(resolve, 80));
      assert.notEqual(await tokens(), first);
      assert.equal(short.state.minted, 2);
    } finally {
      await short.stop();
    }
  });
});

describe('[token stub] speaknosisToken: failures never show the secret or a token', () => {
  test('a wrong secret is unauthorized, and the echoed secret is not in the error', async () => {
    const secret = 'wrong-secret-that-the-vendor-echoes';
    const error = await rejection(source({ clientSecret: secret })());
    assert.ok(error instanceof DoctorGateError);
    assert.equal(error.code, 'unauthorized');
    assert.equal(error.status, 401);
    assert.doesNotMatch(`${error.message} ${String(error.cause ?? '')}`, new RegExp(secret));
  });

  test('a failed mint is not cached: the next call asks again', async () => {
    let calls = 0;
    const flaky = async (url, init) => (++calls === 1 ? new Response('busy', { status: 503 }) : fetch(url, init));
    const tokens = source({ fetch: flaky });
    const error = await rejection(tokens());
    assert.equal(error.code, 'server');
    assert.equal(error.retryable, true);
    assert.match(await tokens(), /^sk_minted_/);
  });

  test('a 2xx of the wrong shape is bad-response, without quoting the body', async () => {
    const app = await listen((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'tok_leaky_value', token_type: 'MAC' }));
    });
    try {
      const error = await rejection(
        speaknosisToken({ tokenUrl: `${app.origin}/t`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })(),
      );
      assert.equal(error.code, 'bad-response');
      assert.doesNotMatch(error.message, /tok_leaky_value|MAC/);
    } finally {
      await app.stop();
    }
  });

  test('a redirect is refused, not followed with the secret', async () => {
    let followed = 0;
    const target = await listen((req, res) => (followed++, res.end('{}')));
    const app = await listen((req, res) => res.writeHead(307, { Location: `${target.origin}/steal` }).end());
    try {
      const error = await rejection(
        speaknosisToken({ tokenUrl: `${app.origin}/t`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })(),
      );
      assert.equal(error.code, 'bad-response');
      assert.equal(followed, 0);
    } finally {
      await Promise.all([app.stop(), target.stop()]);
    }
  });

  test('an endpoint that never answers times out', async () => {
    const app = await listen(() => {});
    try {
      const error = await rejection(
        speaknosisToken({
          tokenUrl: `${app.origin}/t`,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          timeoutMs: 100,
        })(),
      );
      assert.equal(error.code, 'timeout');
    } finally {
      await app.stop();
    }
  });

  test('bad options are a config error naming the fields, never their values', () => {
    for (const [options, field] of [
      [{ tokenUrl: 'http://vendor.example/token', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, 'tokenUrl'],
      [{ tokenUrl: endpoint.tokenUrl, clientId: '', clientSecret: CLIENT_SECRET }, 'clientId'],
      [{ tokenUrl: endpoint.tokenUrl, clientId: CLIENT_ID, clientSecret: 42 }, 'clientSecret'],
      [{ tokenUrl: endpoint.tokenUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ttlMs: -1 }, 'ttlMs'],
    ]) {
      assert.throws(
        () => speaknosisToken(options),
        (error) => error.code === 'config' && error.fields.includes(field) && !error.message.includes(CLIENT_SECRET),
      );
    }
  });
});
