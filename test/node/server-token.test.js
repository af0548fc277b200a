// speaknosisToken (doctor-gate/server) over real HTTP, against the sandbox's token endpoint
// (POST /sandbox/speaknosis/api/iam/integration/token) with the fixture client.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DoctorGateError, speaknosisToken } from '../../dist/server.js';
import { fixtures } from '../../sandbox/index.js';
import { rejection } from './support/assert.js';
import { listen, useSandbox } from './support/sandbox.js';

const { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } = fixtures.speaknosis;
const TOKEN_PATH = '/sandbox/speaknosis/api/iam/integration/token';

const sandbox = await useSandbox();
const tokenUrl = `${sandbox.origin}${TOKEN_PATH}`;

/** The token endpoint's requests as the sandbox logged them (the secret redacted), and how many minted. */
const tokenRequests = () => sandbox.log(TOKEN_PATH);
const minted = async () => (await tokenRequests()).filter((entry) => entry.status === 200).length;

const source = (options = {}) =>
  speaknosisToken({ tokenUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });

describe('speaknosisToken: client credentials', () => {
  test('POSTs the form the vendor documents and returns the access token', async () => {
    const token = await source()();
    assert.match(token, /^sk_iam_/);
    const [request] = await tokenRequests();
    // The sandbox accepted the form (it refuses any other content type) and logged it, secret redacted.
    assert.equal(request.status, 200);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request.body)), {
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: '[redacted]',
    });
    // The token works on the doctor API at once.
    const user = await fetch(`${sandbox.origin}/sandbox/speaknosis/v1/health/provider/1001/user/nobody`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(user.status, 404);
  });

  test('mints once for many callers, concurrent or later', async () => {
    const tokens = source();
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens()));
    const later = await tokens();
    assert.equal(new Set([...all, later]).size, 1);
    assert.equal(await minted(), 1);
  });

  test('fetches a new token after ttlMs', async () => {
    const tokens = source({ ttlMs: 30 });
    const first = await tokens();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const second = await tokens();
    assert.notEqual(first, second);
    assert.equal(await minted(), 2);
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
    assert.equal(await minted(), 2);
  });

  test('honours expires_in when the endpoint gives it', async () => {
    // The sandbox, like the seed, gives no expires_in: this vendor answer is the sandbox's, with one added.
    const withExpiry = async (url, init) => {
      const answer = await (await fetch(url, init)).json();
      return Response.json({ ...answer, expires_in: 0.05 });
    };
    const tokens = source({ fetch: withExpiry });
    const first = await tokens();
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.notEqual(await tokens(), first);
    assert.equal(await minted(), 2);
  });
});

describe('speaknosisToken: the caller that causes a mint hears of its call', () => {
  const hearer = () => {
    const calls = [];
    return { calls, ask: { onCall: (call) => calls.push(call) } };
  };

  test('one mint shared by concurrent callers is told once, to the caller that started it', async () => {
    const tokens = source();
    const [a, b, c] = [hearer(), hearer(), hearer()];
    const [token] = await Promise.all([tokens(a.ask), tokens(b.ask), tokens(c.ask)]);
    assert.equal(a.calls.length, 1);
    assert.deepEqual({ ...a.calls[0], ms: 0 }, { method: 'POST', path: TOKEN_PATH, status: 200, ms: 0 });
    assert.ok(Number.isInteger(a.calls[0].ms) && a.calls[0].ms >= 0);
    assert.deepEqual([b.calls, c.calls], [[], []]);
    // Cached: nothing to tell. After invalidate, the next asker causes (and hears of) the mint.
    const later = hearer();
    await tokens(later.ask);
    assert.deepEqual(later.calls, []);
    tokens.invalidate(token);
    await tokens(later.ask);
    assert.equal(later.calls.length, 1);
    assert.equal(await minted(), 2);
    assert.doesNotMatch(JSON.stringify([a, b, c, later]), new RegExp(`${token}|${CLIENT_SECRET}|sk_iam_`));
  });

  test('a refusal is told with its status, a silent endpoint as aborted; a listener that throws changes nothing', async () => {
    const refused = hearer();
    assert.equal((await rejection(source({ clientSecret: 'wrong-secret-heard' })(refused.ask))).code, 'unauthorized');
    assert.deepEqual({ ...refused.calls[0], ms: 0 }, { method: 'POST', path: TOKEN_PATH, status: 401, ms: 0 });
    assert.doesNotMatch(JSON.stringify(refused.calls), /wrong-secret-heard/);

    const app = await listen(() => {});
    try {
      const silent = hearer();
      const tokens = speaknosisToken({
        tokenUrl: `${app.origin}/t?x=1`,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        timeoutMs: 100,
      });
      assert.equal((await rejection(tokens(silent.ask))).code, 'timeout');
      assert.deepEqual({ ...silent.calls[0], ms: 0 }, { method: 'POST', path: '/t', failure: 'aborted', ms: 0 });
    } finally {
      await app.stop();
    }

    const throwing = { onCall: () => assert.fail('listener broke') };
    assert.match(await source()(throwing), /^sk_iam_/);
  });
});

describe('speaknosisToken: failures never show the secret or a token', () => {
  test('a wrong secret is unauthorized, and the secret is not in the error', async () => {
    const secret = 'wrong-secret-of-demo-client';
    const error = await rejection(source({ clientSecret: secret })());
    assert.ok(error instanceof DoctorGateError);
    assert.equal(error.code, 'unauthorized');
    assert.equal(error.status, 401);
    assert.doesNotMatch(`${error.message} ${String(error.cause ?? '')}`, new RegExp(secret));
    assert.equal(await minted(), 0);
  });

  test('a vendor that echoes the secret in its 401 body: the secret is still not in the error', async () => {
    const secret = 'wrong-secret-that-the-vendor-echoes';
    await sandbox.faults({
      match: { method: 'POST', path: TOKEN_PATH },
      status: 401,
      body: { error: 'invalid_client', client_secret: secret, error_description: `bad secret ${secret}` },
    });
    const error = await rejection(source({ clientSecret: secret })());
    assert.equal(error.code, 'unauthorized');
    assert.ok(
      (await tokenRequests()).every((entry) => entry.fault),
      'the echoing answer was the one given',
    );
    assert.doesNotMatch(`${error.message} ${String(error.cause ?? '')}`, new RegExp(secret));
  });

  test('a failed mint is not cached: the next call asks again', async () => {
    let calls = 0;
    const flaky = async (url, init) => (++calls === 1 ? new Response('busy', { status: 503 }) : fetch(url, init));
    const tokens = source({ fetch: flaky });
    const error = await rejection(tokens());
    assert.equal(error.code, 'server');
    assert.equal(error.retryable, true);
    assert.match(await tokens(), /^sk_iam_/);
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
      [{ tokenUrl: tokenUrl, clientId: '', clientSecret: CLIENT_SECRET }, 'clientId'],
      [{ tokenUrl: tokenUrl, clientId: CLIENT_ID, clientSecret: 42 }, 'clientSecret'],
      [{ tokenUrl: tokenUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ttlMs: -1 }, 'ttlMs'],
    ]) {
      assert.throws(
        () => speaknosisToken(options),
        (error) => error.code === 'config' && error.fields.includes(field) && !error.message.includes(CLIENT_SECRET),
      );
    }
  });
});
