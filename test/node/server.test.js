// createGateHandler (doctor-gate/server) for Speaknosis, served with toNodeListener over real
// HTTP, against the sandbox over real HTTP: who the doctor is, check and provision, options.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createGateHandler } from '../../dist/server.js';
import { speaknosisSuite, withoutTicket } from './support/server.js';

const { TOKEN, SESSIONS, doctorOfSession, gate, sandbox, state, posts } = speaknosisSuite();

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
          source: 'server',
        },
      });
    }
    assert.deepEqual(await sandbox.log('/sandbox/speaknosis'), []);
  });

  test("the request's own doctor fields are ignored: the session's doctor is provisioned", async () => {
    const { call } = await gate();
    const evil = { id: 'doc-evil', doctor: { id: 'doc-evil' }, doctorId: 'doc-evil' };
    const ask = (body) =>
      call(
        'newcomer',
        { method: 'POST', headers: { 'X-Doctor-Id': 'doc-john' }, body: JSON.stringify(body) },
        '?doctorId=doc-evil&id=doc-evil',
      );
    const needed = await ask(evil);
    assert.equal(needed.body.needsCreation, true);
    assert.equal(needed.body.doctor.id, 'doc-new-1');
    const { status, body } = await ask({ ...evil, create: true, ticket: needed.body.ticket });
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
      source: 'server',
    });

    const invalid = await gate({
      doctorFor: () => ({ id: 'doc-x', name: 'No Lastname', specialityId: 1, lang: 'ES' }),
    });
    const refused = await invalid.provision('ana');
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
    assert.deepEqual(withoutTicket(missing.body), { found: false, active: false, doctor: SESSIONS.newcomer });
    const existing = await call('ana');
    assert.deepEqual(withoutTicket(existing.body), { found: true, active: true, doctor: SESSIONS.ana });
    assert.equal(existing.headers.get('Cache-Control'), 'no-store');
    assert.deepEqual(await posts(), []);
    assert.equal((await state('doc-new-1')).exists, false);
    for (const answer of [missing, existing]) assert.doesNotMatch(JSON.stringify(answer.body), /sk_/);
  });

  test('POST creates once, then answers existing; the token only in launch', async () => {
    const { provision } = await gate();
    const first = await provision('newcomer');
    assert.equal(first.status, 200);
    assert.equal(first.body.outcome, 'created');
    assert.deepEqual(first.body.launch, { token: TOKEN, doctorId: 'doc-new-1' });
    assert.deepEqual(first.body.doctor, SESSIONS.newcomer);
    assert.equal(first.body.account.id, 'doc-new-1');
    const second = await provision('newcomer');
    assert.equal(second.body.outcome, 'existing');
    assert.equal((await posts()).length, 1);
    for (const { body } of [first, second]) {
      const { launch: _launch, ...rest } = body;
      assert.doesNotMatch(JSON.stringify(rest), new RegExp(TOKEN));
    }
  });

  test('concurrent POSTs for one doctor → one create, one account', async () => {
    const { provision } = await gate();
    const answers = await Promise.all(Array.from({ length: 6 }, () => provision('newcomer')));
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
    const answers = await Promise.all([one.provision('other'), two.provision('other')]);
    assert.deepEqual(answers.map((answer) => answer.body.outcome).sort(), ['created', 'existing']);
    assert.equal((await state('doc-new-2')).active, true);
  });

  test('a soft-deleted doctor is reactivated by POST, reported found: false by GET', async () => {
    const { call, provision } = await gate({ doctorFor: () => ({ ...SESSIONS.ana, id: 'doc-marta', name: 'Marta' }) });
    assert.deepEqual((await call('any')).body.found, false);
    const { body } = await provision('any');
    assert.equal(body.outcome, 'reactivated');
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
