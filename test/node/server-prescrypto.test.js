// createGateHandler (doctor-gate/server) for Prescrypto against the sandbox over real HTTP:
// the medic token saved at creation, returned for an existing medic, never the API key or a password.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { createGateHandler, memoryMedicTokens, sqlMedicTokens, toNodeListener } from '../../dist/server.js';
import { listen, useSandbox } from './support/sandbox.js';
import { pageHeaders, provisionAsPage, withoutTicket } from './support/server.js';

const API_KEY = 'pk_demo_key';
const PASSWORD = 'Doctor-Passw0rd!-never-echoed';

const SESSIONS = {
  newcomer: { name: 'Rosa', lastname: 'Nueva', email: 'rosa.nueva@clinic.example', password: PASSWORD },
  elena: { name: 'Elena', lastname: 'Vidal', email: 'elena.vidal@clinic.example' },
  inactive: { name: 'Medic 7', email: 'medic7@clinic.example' },
  elsewhere: { name: 'Taken', email: 'taken@elsewhere.example' },
  // The EHR's data gives Elena's medic id to another doctor.
  wrongId: { id: '110', name: 'Other', email: 'other.doctor@clinic.example' },
  rightIdOtherCase: { id: '110', name: 'Elena', email: 'Elena.Vidal@Clinic.Example' },
};
const doctorOfSession = (request) =>
  SESSIONS[/(?:^|;\s*)session=([^;]+)/.exec(request.headers.get('Cookie') ?? '')?.[1]] ?? null;

// PGlite first: its start-up holds the event loop for seconds, which would outlast keep-alive sockets.
const db = await PGlite.create();
const sandbox = await useSandbox();
const api = `${sandbox.origin}/sandbox/prescrypto/`;
const servers = [];
after(() => Promise.all([db.close(), ...servers.map((server) => server.stop())]));

async function gate(medicTokens = memoryMedicTokens()) {
  const handler = createGateHandler({
    vendor: 'prescrypto',
    apiBase: `${sandbox.origin}/sandbox/prescrypto`,
    credential: API_KEY,
    doctorFor: doctorOfSession,
    medicTokens,
    retries: 0,
  });
  const server = await listen(toNodeListener(handler));
  servers.push(server);
  const ask = async (session, init = {}) => {
    const headers = { Cookie: `session=${session}`, ...(init.method === 'POST' ? pageHeaders(server.origin) : {}) };
    const response = await fetch(`${server.origin}/ehr/doctor-gate`, { ...init, headers });
    return { status: response.status, body: await response.json() };
  };
  // A POST as the gate makes it: asks, and creates once the page's before-create went through.
  const call = (session, method = 'GET') =>
    method === 'POST' ? provisionAsPage((s, init) => ask(s, { body: '{}', ...init }), session) : ask(session);
  return { call, medicTokens };
}

/** No answer may carry the API key, a password (or its hash), or the medic token outside `launch`. */
function assertNoSecrets({ body }) {
  const { launch, ...rest } = body;
  const text = JSON.stringify(rest);
  assert.doesNotMatch(text, new RegExp(`${API_KEY}|${PASSWORD}|pbkdf2|"password"|"token"`));
  if (launch) {
    assert.deepEqual(Object.keys(launch), ['medicToken']);
    assert.ok(!text.includes(launch.medicToken));
  }
}

describe('server mode, Prescrypto: the medic token', () => {
  test('saved at creation, returned in launch, and again for the existing medic', async () => {
    const { call, medicTokens } = await gate();
    const created = await call('newcomer', 'POST');
    assert.equal(created.status, 200);
    assert.equal(created.body.outcome, 'created');
    const { medicToken } = created.body.launch;
    assert.match(medicToken, /^mt_/);
    const id = String(created.body.account.id);
    assert.equal(await medicTokens.get({ vendor: 'prescrypto', api, doctor: id }), medicToken);

    const again = await call('newcomer', 'POST');
    assert.equal(again.body.outcome, 'existing');
    assert.deepEqual(again.body.launch, { medicToken });
    const creates = (await sandbox.log('/api/v2/medics')).filter((entry) => entry.method === 'POST');
    assert.equal(creates.length, 1);
    for (const answer of [created, again]) assertNoSecrets(answer);
  });

  test('an existing medic without a saved token is a clear error; with one, it opens', async () => {
    const { call, medicTokens } = await gate();
    const missing = await call('elena', 'POST');
    assert.equal(missing.status, 500);
    assert.equal(missing.body.error.code, 'config');
    assert.equal(missing.body.error.step, 'open');
    assert.match(missing.body.error.message, /No saved Prescrypto medic token for medic 110.*medicTokens\.set/);
    assertNoSecrets(missing);

    await medicTokens.set({ vendor: 'prescrypto', api, doctor: '110' }, 'mt_110');
    const opened = await call('elena', 'POST');
    assert.equal(opened.body.outcome, 'existing');
    assert.deepEqual(opened.body.launch, { medicToken: 'mt_110' });
  });

  test('an inactive medic is reactivated and opens with the saved token', async () => {
    const { call, medicTokens } = await gate();
    await medicTokens.set({ vendor: 'prescrypto', api, doctor: '7' }, 'mt_7');
    const checked = await call('inactive');
    assert.deepEqual(withoutTicket(checked.body), { found: true, active: false, doctor: SESSIONS.inactive });
    const { body } = await call('inactive', 'POST');
    assert.equal(body.outcome, 'reactivated');
    assert.deepEqual(body.launch, { medicToken: 'mt_7' });
  });

  test("a medic found by id whose email is not the doctor's is a conflict: nothing opened, nothing sent", async () => {
    const { call, medicTokens } = await gate();
    await medicTokens.set({ vendor: 'prescrypto', api, doctor: '110' }, 'mt_elena');
    for (const method of ['GET', 'POST']) {
      const { status, body } = await call('wrongId', method);
      assert.equal(status, 409, method);
      assert.equal(body.error.code, 'conflict');
      assert.match(body.error.message, /medic 110 has another email/);
      assert.doesNotMatch(JSON.stringify(body), /mt_elena/);
    }
    const writes = (await sandbox.log('/sandbox/prescrypto')).filter((entry) => entry.method !== 'GET');
    assert.deepEqual(writes, []);
    // The same email in another case is the same doctor.
    const { body } = await call('rightIdOtherCase', 'POST');
    assert.equal(body.outcome, 'existing');
    assert.deepEqual(body.launch, { medicToken: 'mt_elena' });
  });

  test('GET never creates and never carries a token', async () => {
    const { call } = await gate();
    const { status, body } = await call('newcomer');
    assert.equal(status, 200);
    const { password: _password, ...shown } = SESSIONS.newcomer;
    assert.deepEqual(withoutTicket(body), { found: false, active: false, doctor: shown });
    assertNoSecrets({ body });
    assert.equal((await sandbox.control('state?vendor=prescrypto&email=rosa.nueva@clinic.example')).exists, false);
  });

  test("an email taken by another key's medic → conflict with the vendor's 400", async () => {
    const { call } = await gate();
    const { status, body } = await call('elsewhere', 'POST');
    assert.equal(status, 400);
    assert.equal(body.error.code, 'conflict');
    assertNoSecrets({ body });
  });

  test('a vendor 500 that echoes the request body does not leak the password', async () => {
    const { call } = await gate();
    await sandbox.faults({
      match: { method: 'POST' },
      status: 500,
      body: { password: PASSWORD, email: SESSIONS.newcomer.email, note: `key ${API_KEY}` },
    });
    const { status, body } = await call('newcomer', 'POST');
    assert.equal(status, 500);
    assert.equal(body.error.code, 'server');
    assertNoSecrets({ body });
  });
});

describe('server mode, Prescrypto: a failing store', () => {
  test('a store that cannot save is a 500 server error that says so, without its own text', async () => {
    const broken = {
      get: async () => undefined,
      set: async () => {
        throw new Error(`connection refused for postgres://app:${PASSWORD}@db`);
      },
      delete: async () => undefined,
    };
    const { call } = await gate(broken);
    const { status, body } = await call('newcomer', 'POST');
    assert.equal(status, 500);
    assert.equal(body.error.code, 'server');
    assert.match(body.error.message, /medicTokens: saving the new medic token failed/);
    assertNoSecrets({ body });
  });
});

describe('server mode, Prescrypto: sqlMedicTokens on PGlite, encrypted', () => {
  test('the token saved at creation is encrypted at rest and read back for the existing medic', async () => {
    const { call } = await gate(sqlMedicTokens(db, { encryptionKey: randomBytes(32) }));
    const created = await call('newcomer', 'POST');
    const { medicToken } = created.body.launch;
    const { rows } = await db.query('SELECT vendor, api, doctor, token FROM doctor_gate_medic_tokens');
    assert.equal(rows.length, 1);
    assert.deepEqual(
      [rows[0].vendor, rows[0].api, rows[0].doctor],
      ['prescrypto', api, String(created.body.account.id)],
    );
    assert.ok(!rows[0].token.includes(medicToken));
    const again = await call('newcomer', 'POST');
    assert.deepEqual(again.body, { ...again.body, outcome: 'existing', launch: { medicToken } });
  });
});
