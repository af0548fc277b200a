// The core against a hostile vendor (issue 12): answers that lie, redirect, echo secrets, and a
// tokenProvider that never answers. The sandbox over real HTTP; a second server plays the other origin.
import { test, describe, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { listen, useSandbox } from './support/sandbox.js';
import * as core from '../../dist/core.js';

const { createClient, provisionDoctor, DoctorGateError } = core;

const sandbox = await useSandbox();
const { origin, faults } = sandbox;
const log = (method = '') => sandbox.log('', method);
const userState = (id) => sandbox.state({ vendor: 'speaknosis', providerId: '1001', id });

/** The other origin: answers every request as if it were the vendor, and records what it got. */
const evil = {
  hits: [],
  ...(await listen((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      evil.hits.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      const id = decodeURIComponent(req.url.split('/').pop());
      res.setHeader('Content-Type', 'application/json');
      res.statusCode = req.method === 'POST' ? 201 : 200;
      res.end(
        JSON.stringify(
          req.method === 'POST'
            ? {
                success: true,
                code: 201,
                response: JSON.parse(body || '[]').map((d) => ({ ...d, status: 'user created successfully' })),
              }
            : { success: true, code: 200, response: { id } },
        ),
      );
    });
  })),
};
after(() => evil.stop());
beforeEach(() => {
  evil.hits.length = 0;
});

const API = () => `${origin}/sandbox/speaknosis/v1/health`;
const client = (options = {}) =>
  createClient('speaknosis', { apiBase: API(), providerId: 1001, token: 'sk_demo_token', retryDelayMs: 5, ...options });
const doctor = (id) => ({ id, name: 'Lucía', lastname: 'Gómez', specialityId: 1, lang: 'ES' });
const failure = (promise) =>
  promise.then(
    (result) => assert.fail(`expected a failure, got ${JSON.stringify(result)}`),
    (error) => error,
  );

describe('the Speaknosis check: only the documented envelope for that id is "existing"', () => {
  const lies = [
    [
      '200 {"success":false,"code":404,…}',
      { status: 200, body: { success: false, code: 404, response: 'user not found' } },
    ],
    ['an empty 200', { status: 200, body: '' }],
    ['200 {"foo":1}', { status: 200, body: { foo: 1 } }],
    ['a 204', { status: 204 }],
    ['200 with a string response', { status: 200, body: { success: true, code: 200, response: 'ok' } }],
    ['the envelope for another id', { status: 200, body: { success: true, code: 200, response: { id: 'doc-ana' } } }],
  ];
  for (const [name, fault] of lies) {
    test(`${name} → bad-response at the check, not retryable, nothing created`, async () => {
      const id = `lie-${name.length}`;
      await faults({ match: { method: 'GET', path: id }, times: 5, kind: 'status', ...fault });
      const error = await failure(provisionDoctor(client(), doctor(id)));
      assert.ok(error instanceof DoctorGateError, String(error));
      assert.deepEqual([error.code, error.step, error.retryable], ['bad-response', 'check', false]);
      assert.equal((await log('POST')).length, 0);
      assert.equal((await log('GET')).length, 1, 'not retried');
    });
  }

  test('the real envelope for the id is "existing"', async () => {
    assert.equal((await provisionDoctor(client(), doctor('doc-ana'))).outcome, 'existing');
  });
});

describe('per-doctor statuses: only the documented ones count, matched exactly', () => {
  const answerWith = (id, status, code = 201) => ({
    match: { method: 'POST', body: id },
    kind: 'status',
    status: code,
    body: { success: code === 201, code, response: [{ id, name: 'Lucía', lastname: 'Gómez', status }] },
  });
  for (const status of [
    'user not created: email already exists for another user',
    'User Already Exists',
    'user already exists for another provider',
    'created',
  ]) {
    test(`a 201 saying "${status}" → create-failed, never existing or created`, async () => {
      const id = `status-${status.length}`;
      await faults(answerWith(id, status));
      const error = await failure(provisionDoctor(client(), doctor(id)));
      assert.deepEqual([error.code, error.step], ['create-failed', 'create']);
    });
  }

  test('the exact "user already exists" of a 409 (a race with another tab) is existing', async () => {
    await faults(answerWith('race-1', 'user already exists', 409));
    assert.equal((await provisionDoctor(client(), doctor('race-1'))).outcome, 'existing');
  });

  test('the documented statuses give created and reactivated', async () => {
    assert.equal((await provisionDoctor(client(), doctor('brand-new'))).outcome, 'created');
    assert.equal((await provisionDoctor(client(), doctor('doc-marta'))).outcome, 'reactivated');
  });
});

describe('redirects are never followed', () => {
  test('a 302 on the check to another origin that answers 200 → bad-response; nothing reaches that origin', async () => {
    await faults({
      match: { method: 'GET', path: 'redir-check' },
      kind: 'status',
      status: 302,
      headers: { Location: `${evil.origin}/provider/1001/user/redir-check` },
    });
    const error = await failure(provisionDoctor(client(), doctor('redir-check')));
    assert.deepEqual([error.code, error.step, error.status, error.retryable], ['bad-response', 'check', 302, false]);
    assert.deepEqual(evil.hits, []);
    assert.equal((await log('POST')).length, 0);
  });

  test('a 307 on the create → bad-response; the doctor is not re-POSTed to the other origin', async () => {
    await faults({
      match: { method: 'POST', body: 'redir-create' },
      kind: 'status',
      status: 307,
      headers: { Location: `${evil.origin}/provider/1001/user` },
    });
    const error = await failure(provisionDoctor(client(), doctor('redir-create')));
    assert.deepEqual([error.code, error.step, error.status], ['bad-response', 'create', 307]);
    assert.deepEqual(evil.hits, []);
    assert.equal((await userState('redir-create')).exists, false);
  });

  for (const status of [301, 308]) {
    test(`a same-origin ${status} is refused too (strict everywhere, as in a browser)`, async () => {
      await faults({
        match: { method: 'GET', path: `same-${status}` },
        kind: 'status',
        status,
        headers: { Location: `${API()}/provider/1001/user/doc-ana` },
      });
      const error = await failure(provisionDoctor(client(), doctor(`same-${status}`)));
      assert.deepEqual([error.code, error.status], ['bad-response', status]);
      assert.equal((await log('GET')).length, 1, 'the Location was not fetched');
    });
  }
});

// A timeout per test: on a gate that hangs, the test fails instead of hanging too.
describe('a tokenProvider that never settles, or fails', { timeout: 5000 }, () => {
  test('gets `timeout` ms, then a timeout at the check; it is not cached and not retried', async () => {
    let calls = 0;
    const hanging = client({
      token: undefined,
      timeoutMs: 150,
      retries: 3,
      tokenProvider: () => (calls++, new Promise(() => {})),
    });
    const error = await failure(provisionDoctor(hanging, doctor('hang-1')));
    assert.deepEqual([error.code, error.step], ['timeout', 'check']);
    assert.equal(calls, 1, 'one call per attempt, not one per retry');
    assert.equal((await log()).length, 0, 'no request without a credential');
    // The stuck promise was dropped: the next attempt asks the provider again.
    await failure(provisionDoctor(hanging, doctor('hang-1')));
    assert.equal(calls, 2);
  });

  test('a rejecting provider is unauthorized at the check, called once, and its message is not repeated', async () => {
    let calls = 0;
    const failing = client({
      token: undefined,
      retries: 3,
      tokenProvider: async () => {
        calls++;
        throw new Error('backend said: sk_leaked_in_provider_error');
      },
    });
    const error = await failure(provisionDoctor(failing, doctor('prov-fail')));
    assert.deepEqual([error.code, error.step], ['unauthorized', 'check']);
    assert.equal(calls, 1);
    assert.doesNotMatch(error.message, /sk_leaked/);
  });

  test('a provider that hangs on the refresh after a 401 on the create is a timeout at the create, asked twice in all', async () => {
    let calls = 0;
    const provider = () => (calls++ === 0 ? Promise.resolve('sk_demo_token') : new Promise(() => {}));
    await faults({ match: { method: 'POST', body: 'prov-create' }, kind: 'status', status: 401 });
    const error = await failure(
      provisionDoctor(client({ token: undefined, timeoutMs: 150, tokenProvider: provider }), doctor('prov-create')),
    );
    assert.deepEqual([error.code, error.step], ['timeout', 'create']);
    assert.equal(calls, 2);
    assert.equal((await log('POST')).length, 1);
  });

  test('an abort while the provider hangs rejects at once with the AbortError', async () => {
    const controller = new AbortController();
    const run = provisionDoctor(
      client({ token: undefined, timeoutMs: 60_000, tokenProvider: () => new Promise(() => {}) }),
      doctor('prov-abort'),
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(run, { name: 'AbortError' });
  });
});

describe('vendor bodies never echo a secret into a message', () => {
  test('a 401 body "invalid token sk_demo_token" → the message has no token', async () => {
    await faults({ match: { method: 'GET' }, kind: 'status', status: 401, body: 'invalid token sk_demo_token' });
    const error = await failure(provisionDoctor(client(), doctor('echo-401')));
    assert.equal(error.code, 'unauthorized');
    assert.doesNotMatch(error.message, /sk_demo_token/);
  });

  test('a 500 repeating the token raw, URL-encoded and JSON-escaped → none of them in the message', async () => {
    // A well-formed token whose URL-encoded form differs from it.
    const token = 'sk_demo+token/x==';
    const leaky = createClient('speaknosis', {
      apiBase: API(),
      providerId: 1001,
      token,
      retries: 0,
      fetch: async () =>
        new Response(
          JSON.stringify({ message: `db error for token ${token} ${encodeURIComponent(token)}`, echo: { token } }),
          { status: 500 },
        ),
    });
    const error = await failure(provisionDoctor(leaky, doctor('echo-500')));
    assert.equal(error.code, 'server');
    for (const form of [token, encodeURIComponent(token), JSON.stringify(token).slice(1, -1)])
      assert.ok(!error.message.includes(form), error.message);
  });

  test('property: a secret planted anywhere in a vendor body never survives into the error message', async () => {
    const secret = fc.string({ minLength: 8, maxLength: 40, unit: 'grapheme' }).filter((s) => s.trim().length >= 8);
    const text = fc.string({ maxLength: 60 });
    const shape = fc.constantFrom('raw', 'message', 'response', 'nested', 'encoded', 'array');
    await fc.assert(
      fc.asyncProperty(
        secret,
        text,
        text,
        shape,
        fc.constantFrom(400, 401, 403, 404, 409, 429, 500, 503),
        async (s, before, after, kind, status) => {
          const planted = `${before}${kind === 'encoded' ? encodeURIComponent(s) : s}${after}`;
          const body =
            kind === 'raw' || kind === 'encoded'
              ? planted
              : JSON.stringify(
                  kind === 'message'
                    ? { message: planted }
                    : kind === 'response'
                      ? { success: false, response: planted }
                      : kind === 'array'
                        ? [planted]
                        : { detail: { deep: [planted] } },
                );
          const c = createClient('speaknosis', {
            apiBase: 'https://api.example',
            providerId: 1,
            token: s,
            retries: 0,
            fetch: async () => new Response(body, { status }),
          });
          const error = await c.http.request({ method: 'GET', path: ['x'], step: 'check' }).catch((e) => e);
          if (status === 404 && !(error instanceof DoctorGateError)) return true;
          assert.ok(error instanceof DoctorGateError);
          assert.ok(!error.message.includes(s), `${JSON.stringify(s)} in ${JSON.stringify(error.message)}`);
          assert.ok(!error.message.includes(encodeURIComponent(s)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('property: redact() leaves no secret in any text, whatever it holds around it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 4, maxLength: 24 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.string(), { maxLength: 6 }),
        (secrets, parts) => {
          // Secrets appear raw, URL-encoded and JSON-escaped between arbitrary text.
          const text = parts.join(secrets[0]) + encodeURIComponent(secrets.at(-1)) + JSON.stringify(secrets[0]);
          const out = core.redact(text, secrets);
          for (const s of secrets) {
            assert.ok(!out.includes(s), `${JSON.stringify(s)} survived in ${JSON.stringify(out)}`);
            assert.ok(!out.includes(encodeURIComponent(s)));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('Prescrypto: a password sent and a medic token received are never repeated', () => {
  const prescryptoClient = () =>
    createClient('prescrypto', { apiBase: `${origin}/sandbox/prescrypto`, token: 'pk_demo_key', retries: 0 });
  const medic = (password) => ({ name: 'Inés Peña', email: `ines.${Date.now()}@clinic.example`, password });

  test('a 400 field error and a 500 that quote the password → neither message has it', async () => {
    const password = 'Very-Secret-Pass-77';
    await faults({
      match: { method: 'POST', body: 'ines.' },
      kind: 'status',
      status: 400,
      body: { name: [`bad name, password ${password}`] },
    });
    const refused = await failure(provisionDoctor(prescryptoClient(), medic(password)));
    assert.equal(refused.code, 'config');
    assert.doesNotMatch(refused.message, /Very-Secret-Pass/);
    await faults({
      match: { method: 'POST', body: 'ines.' },
      kind: 'status',
      status: 500,
      body: `insert failed: ${password}`,
    });
    const crashed = await failure(provisionDoctor(prescryptoClient(), medic(password)));
    assert.equal(crashed.code, 'server');
    assert.doesNotMatch(crashed.message, /Very-Secret-Pass/);
  });

  test('a medic token a creation returned is cut from a later error that repeats it', async () => {
    const client = prescryptoClient();
    const created = await provisionDoctor(client, medic());
    const token = created.account.token;
    assert.equal(typeof token, 'string');
    await faults({
      match: { method: 'GET' },
      kind: 'status',
      status: 500,
      body: { message: `medic token ${token} leaked` },
    });
    const error = await failure(provisionDoctor(client, { name: 'Otro', email: 'otro@clinic.example' }));
    assert.equal(error.code, 'server');
    assert.ok(!error.message.includes(token), error.message);
    assert.ok(!error.message.includes('pk_demo_key'));
  });
});
