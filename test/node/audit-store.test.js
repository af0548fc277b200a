// sqlAuditLog on PGlite (real Postgres, in process): append-only, one row per record, no secret.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { createSandbox } from '../../sandbox/index.js';
import { serveSandbox } from './support/sandbox.js';

const serve = (sandbox) => serveSandbox({ sandbox });
import { DoctorGateError, sqlAuditLog, createGateHandler, memoryMedicTokens } from '../../dist/server.js';

const record = (overrides = {}) => ({
  at: new Date().toISOString(),
  actor: 'doctor:1',
  vendor: 'prescrypto',
  api: 'https://api.example',
  action: 'create',
  doctorId: '1',
  outcome: 'success',
  ...overrides,
});

describe('sqlAuditLog on PGlite', () => {
  let db;
  before(async () => (db = await PGlite.create()));
  after(() => db.close());

  test('appends one row per record, creating the table on first use', async () => {
    const audit = sqlAuditLog(db);
    await audit(record());
    await audit(record({ action: 'membership', outcome: 'failure', code: 'forbidden', status: 403, requestId: 'r-1' }));
    const { rows } = await db.query(
      'SELECT action, outcome, code, status, request_id FROM doctor_gate_audit ORDER BY id',
    );
    assert.deepEqual(rows, [
      { action: 'create', outcome: 'success', code: null, status: null, request_id: null },
      { action: 'membership', outcome: 'failure', code: 'forbidden', status: 403, request_id: 'r-1' },
    ]);
  });

  test('UPDATE, DELETE and TRUNCATE are refused by the database itself', async () => {
    const audit = sqlAuditLog(db, { table: 'audit_guarded' });
    await audit(record());
    await assert.rejects(db.query(`UPDATE audit_guarded SET outcome = 'failure'`), /append-only/);
    await assert.rejects(db.query('DELETE FROM audit_guarded'), /append-only/);
    await assert.rejects(db.query('TRUNCATE audit_guarded'), /append-only/);
    const { rows } = await db.query('SELECT count(*)::int AS n, min(outcome) AS outcome FROM audit_guarded');
    assert.deepEqual(rows, [{ n: 1, outcome: 'success' }]);
  });

  test('an action outside the list is refused; a bad table name is a config error before any query', async () => {
    const audit = sqlAuditLog(db, { table: 'audit_checked' });
    await assert.rejects(audit(record({ action: 'drop table' })));
    assert.throws(
      () => sqlAuditLog(db, { table: 'x; DROP TABLE y' }),
      (e) => e instanceof DoctorGateError && e.code === 'config',
    );
    assert.throws(
      () => sqlAuditLog({}),
      (e) => e.code === 'config',
    );
  });

  test('the handler audits a real provisioning into the table, and no column holds a secret', async () => {
    const sandbox = createSandbox();
    const { origin, stop } = await serve(sandbox);
    try {
      const medicTokens = memoryMedicTokens();
      const handler = createGateHandler({
        vendor: 'prescrypto',
        apiBase: `${origin}/sandbox/prescrypto`,
        credential: 'pk_demo_key',
        doctorFor: () => ({ name: 'Audit Medic', email: 'audit.medic@clinic.example', password: 'Sup3r-secret-pw' }),
        medicTokens,
        hospital: 7,
        audit: sqlAuditLog(db, { table: 'audit_handler' }),
      });
      const post = (body) =>
        handler(
          new Request('http://ehr.example/gate', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Origin: 'http://ehr.example', 'X-Request-Id': 'req-00042' },
            body: JSON.stringify(body),
          }),
        );
      // The page's consent: a creation is asked for with the ticket of the answer that said it is needed.
      const needed = await (await post({})).json();
      assert.equal(needed.needsCreation, true);
      const answer = await post({ create: true, ticket: needed.ticket });
      assert.equal(answer.status, 200);
      const body = await answer.json();
      assert.deepEqual(body.readiness, { ready: false, missing: ['specialty-verification'] });
      // The sink is told without being awaited by the request: wait until the rows are there.
      let rows = [];
      for (let i = 0; i < 100 && rows.length < 4; i++) {
        ({ rows } = await db.query('SELECT * FROM audit_handler ORDER BY id'));
        if (rows.length < 4) await new Promise((resolve) => setImmediate(resolve));
      }
      assert.deepEqual(
        rows.map((r) => r.action),
        ['check', 'create', 'membership', 'launch'],
      );
      const medicId = String(body.account.id);
      assert.ok(rows.every((r) => r.request_id === 'req-00042' && r.api === origin));
      assert.ok(rows.slice(1).every((r) => r.doctor_id === medicId));
      const medicToken = sandbox.store.prescrypto.medics.get(Number(medicId)).token;
      const text = JSON.stringify(rows);
      for (const secret of ['pk_demo_key', 'Sup3r-secret-pw', medicToken, 'audit.medic@clinic.example'])
        assert.ok(!text.includes(secret), `the audit holds no ${secret.slice(0, 3)}…`);
    } finally {
      await stop();
    }
  });
});
