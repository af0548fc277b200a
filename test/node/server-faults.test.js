// createGateHandler (doctor-gate/server) for Speaknosis against the sandbox over real HTTP:
// vendor faults mapped to the element's codes, and the credential as a speaknosisToken source.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { REDACTED } from '../../dist/core.js';
import { speaknosisToken } from '../../dist/server.js';
import { CLIENT_ID, CLIENT_SECRET, serveTokenEndpoint, speaknosisSuite } from './server-helpers.js';

const { TOKEN, gate, sandbox, posts } = speaknosisSuite();

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
    assert.ok(body.error.message.includes(REDACTED), body.error.message);
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
