// createGateHandler (doctor-gate/server) for Speaknosis, served with toNodeListener over real
// HTTP, against the sandbox over real HTTP.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createGateHandler, speaknosisToken, toNodeListener } from '../../dist/server.js';
import { CLIENT_ID, CLIENT_SECRET, listen, serveSandbox, serveTokenEndpoint } from './server-helpers.js';

const TOKEN = 'sk_demo_token';
const USER_PATH = '/sandbox/speaknosis/v1/health/provider/1001/user';

/** Signed-in doctors by session cookie: what the EHR's backend knows. */
const SESSIONS = {
  ana: { id: 'doc-ana', name: 'Ana', lastname: 'García', specialityId: 1, lang: 'ES' },
  newcomer: { id: 'doc-new-1', name: 'Nuria', lastname: 'Nueva', specialityId: 2, lang: 'CA' },
  other: { id: 'doc-new-2', name: 'Otto', lastname: 'Otro', specialityId: 1, lang: 'EN' },
};

/** The EHR's own session lookup: a cookie, never anything the page says about the doctor. */
const doctorOfSession = (request) => {
  const session = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get('Cookie') ?? '')?.[1];
  return SESSIONS[session] ?? null;
};

let sandbox;
const servers = [];
before(async () => (sandbox = await serveSandbox()));
after(async () => Promise.all([sandbox.stop(), ...servers.map((server) => server.stop())]));
beforeEach(() => sandbox.reset());

/** A handler on the sandbox, served over HTTP; `call(session, init)` asks it as the page would. */
async function gate(options = {}) {
  const handler = createGateHandler({
    vendor: 'speaknosis',
    apiBase: `${sandbox.origin}/sandbox/speaknosis/v1/health`,
    providerId: '1001',
    credential: TOKEN,
    doctorFor: doctorOfSession,
    retries: 0,
    timeoutMs: 2000,
    ...options,
  });
  const server = await listen(toNodeListener(handler));
  servers.push(server);
  const call = async (session, init = {}, query = '') => {
    const headers = { ...(session ? { Cookie: `session=${session}` } : {}), ...init.headers };
    const response = await fetch(`${server.origin}/ehr/doctor-gate${query}`, { ...init, headers });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
  return { handler, call };
}

const state = async (id) => sandbox.control(`state?vendor=speaknosis&providerId=1001&id=${encodeURIComponent(id)}`);
const posts = async () => (await sandbox.log(USER_PATH)).filter((entry) => entry.method === 'POST');

describe('server mode: who the doctor is', () => {
  test('no session → 401 and not one vendor request, for GET and POST', async () => {
    const { call } = await gate();
    for (const method of ['GET', 'POST']) {
      const { status, body } = await call(undefined, { method });
      assert.equal(status, 401);
      assert.deepEqual(body, {
        error: {
          code: 'unauthorized',
          message: 'No signed-in doctor for this request',
          step: 'check',
          retryable: false,
        },
      });
    }
    assert.deepEqual(await sandbox.log('/sandbox/speaknosis'), []);
  });

  test("the request's own doctor fields are ignored: the session's doctor is provisioned", async () => {
    const { call } = await gate();
    const { status, body } = await call(
      'newcomer',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Doctor-Id': 'doc-john' },
        body: JSON.stringify({ id: 'doc-evil', doctor: { id: 'doc-evil' }, doctorId: 'doc-evil' }),
      },
      '?doctorId=doc-evil&id=doc-evil',
    );
    assert.equal(status, 200);
    assert.equal(body.doctor.id, 'doc-new-1');
    assert.equal(body.launch.doctorId, 'doc-new-1');
    assert.equal((await state('doc-evil')).exists, false);
    assert.equal((await state('doc-new-1')).active, true);
    for (const entry of await sandbox.log('/sandbox/speaknosis')) {
      assert.doesNotMatch(`${entry.path} ${JSON.stringify(entry.body)}`, /doc-evil|doc-john/);
    }
  });

  test('a cross-site request is refused before the session is even looked up', async () => {
    let asked = 0;
    const { call } = await gate({ doctorFor: (request) => (asked++, doctorOfSession(request)) });
    const { status, body } = await call('ana', { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site' } });
    assert.equal(status, 403);
    assert.equal(body.error.code, 'forbidden');
    assert.equal(asked, 0);
    assert.deepEqual(await sandbox.log('/sandbox/speaknosis'), []);
    assert.equal((await call('ana', { headers: { 'Sec-Fetch-Site': 'same-origin' } })).status, 200);
  });

  test('a doctorFor that throws is a 500 without its text; an invalid doctor is config, never sent', async () => {
    const throwing = await gate({
      doctorFor: () => {
        throw new Error(`database down, password=${TOKEN}`);
      },
    });
    const thrown = await throwing.call('ana');
    assert.equal(thrown.status, 500);
    assert.deepEqual(thrown.body.error, {
      code: 'server',
      message: 'doctorFor failed',
      step: 'check',
      retryable: false,
    });

    const invalid = await gate({
      doctorFor: () => ({ id: 'doc-x', name: 'No Lastname', specialityId: 1, lang: 'ES' }),
    });
    const refused = await invalid.call('ana', { method: 'POST' });
    assert.equal(refused.status, 500);
    assert.equal(refused.body.error.code, 'config');
    assert.match(refused.body.error.message, /lastname/);
    assert.deepEqual(await sandbox.log('/sandbox/speaknosis'), []);
  });

  test('other methods → 405 with Allow, nothing sent', async () => {
    const { call } = await gate();
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const { status, headers, body } = await call('ana', { method });
      assert.equal(status, 405, method);
      assert.equal(headers.get('Allow'), 'GET, POST');
      assert.equal(body.error.code, 'config');
    }
    assert.deepEqual(await sandbox.log('/sandbox/speaknosis'), []);
  });
});

describe('server mode: check and provision', () => {
  test('GET checks only: found or not, never created, no credential in the answer', async () => {
    const { call } = await gate();
    const missing = await call('newcomer');
    assert.equal(missing.status, 200);
    assert.deepEqual(missing.body, { found: false, active: false, doctor: SESSIONS.newcomer });
    const existing = await call('ana');
    assert.deepEqual(existing.body, { found: true, active: true, doctor: SESSIONS.ana });
    assert.equal(existing.headers.get('Cache-Control'), 'no-store');
    assert.deepEqual(await posts(), []);
    assert.equal((await state('doc-new-1')).exists, false);
    for (const answer of [missing, existing]) assert.doesNotMatch(JSON.stringify(answer.body), /sk_/);
  });

  test('POST creates once, then answers existing; the token only in launch', async () => {
    const { call } = await gate();
    const first = await call('newcomer', { method: 'POST' });
    assert.equal(first.status, 200);
    assert.equal(first.body.outcome, 'created');
    assert.deepEqual(first.body.launch, { token: TOKEN, doctorId: 'doc-new-1' });
    assert.deepEqual(first.body.doctor, SESSIONS.newcomer);
    assert.equal(first.body.account.id, 'doc-new-1');
    const second = await call('newcomer', { method: 'POST' });
    assert.equal(second.body.outcome, 'existing');
    assert.equal((await posts()).length, 1);
    for (const { body } of [first, second]) {
      const { launch: _launch, ...rest } = body;
      assert.doesNotMatch(JSON.stringify(rest), new RegExp(TOKEN));
    }
  });

  test('concurrent POSTs for one doctor → one create, one account', async () => {
    const { call } = await gate();
    const answers = await Promise.all(Array.from({ length: 6 }, () => call('newcomer', { method: 'POST' })));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      answers.map(() => 200),
    );
    assert.equal((await posts()).length, 1);
    assert.ok(answers.every((answer) => ['created', 'existing'].includes(answer.body.outcome)));
    assert.equal((await state('doc-new-1')).active, true);
  });

  test('concurrent POSTs through two handlers (two server processes) still make one account', async () => {
    const [one, two] = [await gate(), await gate()];
    const answers = await Promise.all([one.call('other', { method: 'POST' }), two.call('other', { method: 'POST' })]);
    assert.deepEqual(answers.map((answer) => answer.body.outcome).sort(), ['created', 'existing']);
    assert.equal((await state('doc-new-2')).active, true);
  });

  test('a soft-deleted doctor is reactivated by POST, reported found: false by GET', async () => {
    const { call } = await gate({ doctorFor: () => ({ ...SESSIONS.ana, id: 'doc-marta', name: 'Marta' }) });
    assert.deepEqual((await call('any')).body.found, false);
    const { body } = await call('any', { method: 'POST' });
    assert.equal(body.outcome, 'reactivated');
  });
});

describe('server mode: vendor faults keep the element’s codes and statuses', () => {
  const cases = [
    ['503', { status: 503 }, 503, 'server', true],
    ['500', { status: 500 }, 500, 'server', false],
    ['429 with Retry-After', { status: 429, headers: { 'Retry-After': '7' } }, 429, 'rate-limited', true],
    ['403', { status: 403 }, 403, 'forbidden', false],
    ['401 on a fixed token', { status: 401 }, 401, 'unauthorized', false],
    ['a dropped connection', { kind: 'drop' }, 502, 'network', true],
    ['no answer', { kind: 'hang' }, 504, 'timeout', true],
    ['a body that is not JSON', { kind: 'malformed' }, 502, 'bad-response', false],
  ];
  for (const [name, fault, status, code, retryable] of cases) {
    test(`${name} on the check → ${status} ${code}`, async () => {
      const { call } = await gate({ timeoutMs: 300 });
      for (const method of ['GET', 'POST']) {
        await sandbox.faults({ match: { method: 'GET', path: '/user/' }, ...fault });
        const answer = await call('newcomer', { method });
        assert.equal(answer.status, status, method);
        assert.equal(answer.body.error.code, code);
        assert.equal(answer.body.error.step, 'check');
        assert.equal(answer.body.error.retryable, retryable);
        if (fault.headers) assert.equal(answer.headers.get('Retry-After'), '7');
      }
      assert.deepEqual(await posts(), []);
    });
  }

  test('a per-doctor status that is not a success → 502 create-failed at step create', async () => {
    const { call } = await gate();
    await sandbox.faults({
      match: { method: 'POST' },
      status: 201,
      body: { success: true, code: 201, response: [{ id: 'doc-new-1', status: 'quota exceeded' }] },
    });
    const { status, body } = await call('newcomer', { method: 'POST' });
    assert.equal(status, 502);
    assert.deepEqual(body.error.code, 'create-failed');
    assert.equal(body.error.step, 'create');
  });

  test('a vendor body that echoes the token is redacted from the message', async () => {
    const { call } = await gate();
    await sandbox.faults({ match: { method: 'GET' }, status: 500, body: { message: `bad token ${TOKEN}` } });
    const { body } = await call('ana');
    assert.equal(body.error.code, 'server');
    assert.doesNotMatch(body.error.message, new RegExp(TOKEN));
    assert.match(body.error.message, /\[redacted\]/);
  });

  test('a credential function that never answers → 504 timeout, nothing sent', async () => {
    const { call } = await gate({ credential: () => new Promise(() => {}), timeoutMs: 200 });
    const { status, body } = await call('ana');
    assert.equal(status, 504);
    assert.equal(body.error.code, 'timeout');
    assert.deepEqual(await sandbox.log('/sandbox/speaknosis'), []);
  });
});

// [token stub] The token endpoint is the Hono stand-in until the sandbox has POST
// /api/iam/integration/token; after the merge, point `tokenUrl` at the sandbox's endpoint.
describe('[token stub] server mode with speaknosisToken: client credentials on the server', () => {
  let endpoint;
  before(async () => (endpoint = await serveTokenEndpoint({ sandbox })));
  after(() => endpoint.stop());
  beforeEach(() => (endpoint.state.minted = 0));
  const withToken = () =>
    gate({
      credential: speaknosisToken({ tokenUrl: endpoint.tokenUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
    });

  test('one token is minted for many requests, and is the one in launch', async () => {
    const { call } = await withToken();
    const answers = await Promise.all([
      call('ana'),
      call('newcomer'),
      call('other', { method: 'POST' }),
      call('ana', { method: 'POST' }),
    ]);
    const launched = answers[2].body.launch.token;
    assert.match(launched, /^sk_minted_1_/);
    assert.equal(answers[3].body.launch.token, launched);
    assert.equal(endpoint.state.minted, 1);
    for (const { body } of answers) assert.doesNotMatch(JSON.stringify(body), new RegExp(CLIENT_SECRET));
  });

  test('a vendor 401 drops the token: one new one is fetched and the request succeeds', async () => {
    const { call } = await withToken();
    await call('ana');
    await sandbox.faults({ match: { method: 'GET', path: '/user/' }, status: 401 });
    const { status, body } = await call('newcomer', { method: 'POST' });
    assert.equal(status, 200);
    assert.equal(body.outcome, 'created');
    assert.match(body.launch.token, /^sk_minted_2_/);
    assert.equal(endpoint.state.minted, 2);
  });

  test('a second 401 is final: unauthorized, with no token or secret in the answer', async () => {
    const { call } = await withToken();
    await sandbox.faults({ match: { method: 'GET', path: '/user/' }, status: 401, times: 2 });
    const { status, body } = await call('ana');
    assert.equal(status, 401);
    assert.equal(body.error.code, 'unauthorized');
    assert.equal(endpoint.state.minted, 2);
    assert.doesNotMatch(JSON.stringify(body), /sk_minted|demo-client-secret/);
  });

  test('refused client credentials → 401 unauthorized, the secret nowhere, no vendor request', async () => {
    const { call } = await gate({
      credential: speaknosisToken({
        tokenUrl: endpoint.tokenUrl,
        clientId: CLIENT_ID,
        clientSecret: 'wrong-secret-xyz',
      }),
    });
    const { status, body } = await call('ana');
    assert.equal(status, 401);
    assert.equal(body.error.code, 'unauthorized');
    assert.doesNotMatch(JSON.stringify(body), /wrong-secret-xyz/);
    assert.deepEqual(await sandbox.log('/sandbox/speaknosis/v1'), []);
  });
});

describe('createGateHandler options', () => {
  const base = () => ({
    vendor: 'speaknosis',
    apiBase: 'https://api-qa.speaknosis.com/v1/health',
    providerId: '1001',
    credential: TOKEN,
    doctorFor: () => null,
  });
  test('bad options are a config error at creation, naming the field, not its value', () => {
    for (const [change, field] of [
      [{ providerId: undefined }, 'providerId'],
      [{ apiBase: 'http://api.example/v1' }, 'apiBase'],
      [{ apiBase: '/relative' }, 'apiBase'],
      [{ credential: '' }, 'credential'],
      [{ doctorFor: 'not a function' }, 'doctorFor'],
      [{ vendor: 'other' }, 'vendor'],
      [{ vendor: 'prescrypto' }, 'medicTokens'],
      [{ timeoutMs: 5 }, 'timeoutMs'],
    ]) {
      assert.throws(
        () => createGateHandler({ ...base(), ...change }),
        (error) => error.code === 'config' && error.fields.includes(field) && !error.message.includes(TOKEN),
        field,
      );
    }
  });
});
