// createGateHandler (doctor-gate/server) for Speaknosis against the sandbox over real HTTP:
// vendor faults mapped to the element's codes, and the credential as a speaknosisToken source.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REDACTED } from '../../dist/core.js';
import { speaknosisToken } from '../../dist/server.js';
import { fixtures } from '../../sandbox/index.js';
import { speaknosisSuite } from './support/server.js';

const { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } = fixtures.speaknosis;

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
      // A short timeout only where no answer is the case: elsewhere a slow, loaded machine must not turn
      // the vendor's answer into a timeout.
      const { call } = await gate({ timeoutMs: code === 'timeout' ? 300 : 10_000 });
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
    const { provision } = await gate();
    await sandbox.faults({
      match: { method: 'POST' },
      status: 201,
      body: { success: true, code: 201, response: [{ id: 'doc-new-1', status: 'quota exceeded' }] },
    });
    const { status, body } = await provision('newcomer');
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

// The sandbox's own token endpoint, with the fixture client: the handler mints as in production.
describe('server mode with speaknosisToken: client credentials on the server', () => {
  const TOKEN_PATH = '/sandbox/speaknosis/api/iam/integration/token';
  const tokenUrl = () => `${sandbox.origin}${TOKEN_PATH}`;
  /** Tokens the sandbox minted since the last reset (its log redacts the secret). */
  const minted = async () => (await sandbox.log(TOKEN_PATH)).filter((entry) => entry.status === 200).length;
  const withToken = () =>
    gate({ credential: speaknosisToken({ tokenUrl: tokenUrl(), clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }) });

  test('one token is minted for many requests, and is the one in launch', async () => {
    const { call, provision } = await withToken();
    const answers = await Promise.all([call('ana'), call('newcomer'), provision('other'), provision('ana')]);
    const launched = answers[2].body.launch.token;
    assert.match(launched, /^sk_iam_/);
    assert.notEqual(launched, TOKEN);
    assert.equal(answers[3].body.launch.token, launched);
    assert.equal(await minted(), 1);
    for (const { body } of answers) assert.doesNotMatch(JSON.stringify(body), new RegExp(CLIENT_SECRET));
  });

  test('a vendor 401 drops the token: one new one is fetched and the request succeeds', async () => {
    const { provision } = await withToken();
    const first = await provision('ana');
    await sandbox.faults({ match: { method: 'GET', path: '/user/' }, status: 401 });
    const { status, body } = await provision('newcomer');
    assert.equal(status, 200);
    assert.equal(body.outcome, 'created');
    assert.match(body.launch.token, /^sk_iam_/);
    assert.notEqual(body.launch.token, first.body.launch.token);
    assert.equal(await minted(), 2);
  });

  test('after the vendor expires its tokens (401 for real), the handler mints once more and goes on', async () => {
    const { call, provision } = await withToken();
    const first = await provision('ana');
    assert.equal(first.status, 200);
    assert.deepEqual(await sandbox.control('expire-tokens', {}), { expired: 1 });
    // The old token is refused by the doctor API now.
    const refused = await fetch(`${sandbox.origin}/sandbox/speaknosis/v1/health/provider/1001/user/doc-ana`, {
      headers: { Authorization: `Bearer ${first.body.launch.token}` },
    });
    assert.equal(refused.status, 401);
    const answers = await Promise.all([call('ana'), provision('newcomer')]);
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 200],
    );
    assert.notEqual(answers[1].body.launch.token, first.body.launch.token);
    assert.equal(await minted(), 2);
    const statuses = (await sandbox.log('/sandbox/speaknosis/v1')).map((entry) => entry.status);
    assert.ok(statuses.includes(401), 'the vendor refused the expired token first');
  });

  test('a second 401 is final: unauthorized, with no token or secret in the answer', async () => {
    const { call } = await withToken();
    await sandbox.faults({ match: { method: 'GET', path: '/user/' }, status: 401, times: 2 });
    const { status, body } = await call('ana');
    assert.equal(status, 401);
    assert.equal(body.error.code, 'unauthorized');
    assert.equal(await minted(), 2);
    assert.doesNotMatch(JSON.stringify(body), /sk_iam_|demo-client-secret/);
  });

  test('refused client credentials → 401 unauthorized, the secret nowhere, no vendor request', async () => {
    const { call } = await gate({
      credential: speaknosisToken({
        tokenUrl: tokenUrl(),
        clientId: CLIENT_ID,
        clientSecret: 'wrong-secret-xyz',
      }),
    });
    const { status, body } = await call('ana');
    assert.equal(status, 401);
    assert.equal(body.error.code, 'unauthorized');
    assert.doesNotMatch(JSON.stringify(body), /wrong-secret-xyz/);
    assert.deepEqual(await sandbox.log('/sandbox/speaknosis/v1'), []);
    assert.equal((await sandbox.log(TOKEN_PATH))[0].status, 401);
  });
});
