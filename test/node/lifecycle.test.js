// The doctor's lifecycle in the core, against the sandbox over real HTTP: readiness and the
// hospital membership (Prescrypto), offboarding at both vendors, reconcile, and its audit trail.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createSandbox } from '../../sandbox/index.js';
import { sandboxControl, serveSandbox } from './support/sandbox.js';

const serve = (sandbox) => serveSandbox({ sandbox });
/** The control API's JSON answer, whatever its status (a test may expect a refusal). */
const controlAt = async (origin, path, body) => (await sandboxControl(origin).request(path, body)).body;
import {
  createClient,
  deprovisionDoctor,
  provisionDoctor,
  reconcileDoctors,
  withAudit,
  DoctorGateError,
  WRITE_ACTIONS,
} from '../../dist/core.js';

let stop;
let origin;
const sandbox = createSandbox();
before(async () => ({ origin, stop } = await serve(sandbox)));
after(() => stop());
beforeEach(() => sandbox.reset());

const control = (path, body) => controlAt(origin, path, body);
const WRITES = new Set(['POST', 'PATCH', 'DELETE']);
/** The writes the sandbox received at a vendor API (never the control API). */
const vendorWrites = async () =>
  (await control('log')).entries.filter((e) => WRITES.has(e.method) && !e.path.includes('/_control/'));
/** Control requests need a JSON content type (else 415): the control client sends it and throws on a refusal. */
const clearLog = () => sandboxControl(origin).clearLog();
const faults = (...list) => control('faults', { faults: list });

const speaknosis = (options = {}) =>
  createClient('speaknosis', {
    apiBase: `${origin}/sandbox/speaknosis/v1/health`,
    providerId: '1001',
    token: 'sk_demo_token',
    retryDelayMs: 1,
    ...options,
  });
const prescrypto = (options = {}) =>
  createClient('prescrypto', {
    apiBase: `${origin}/sandbox/prescrypto`,
    token: 'pk_demo_key',
    retryDelayMs: 1,
    ...options,
  });
const medic = (id) => sandbox.store.prescrypto.medics.get(Number(id));
const memberships = (medicId) =>
  [...sandbox.store.prescrypto.memberships.values()].filter((m) => m.medic === Number(medicId));
const seedMedic = async (fields) =>
  (await control('seed', { prescrypto: [{ key: 'pk_demo_key', name: 'Seed Medic', ...fields }] })).prescrypto[0];
let counter = 0;
const email = (prefix = 'medic') => `${prefix}.${Date.now().toString(36)}.${counter++}@clinic.example`;

describe('readiness (Prescrypto)', () => {
  test('a verified, active medic with a hospital is ready, and nothing is written', async () => {
    await clearLog();
    const result = await provisionDoctor(prescrypto(), { id: '1', name: 'Medic 1', email: 'medic1@clinic.example' });
    assert.equal(result.outcome, 'existing');
    assert.deepEqual(result.readiness, { ready: true, missing: [] });
    assert.deepEqual(await vendorWrites(), []);
  });

  test('an unverified speciality is missing', async () => {
    const result = await provisionDoctor(prescrypto(), { id: '5', name: 'Medic 5', email: 'medic5@clinic.example' });
    assert.deepEqual(result.readiness, { ready: false, missing: ['specialty-verification'] });
  });

  test('a new medic without a hospital lacks the verification and the hospital', async () => {
    const result = await provisionDoctor(prescrypto(), { name: 'New Medic', email: email() });
    assert.equal(result.outcome, 'created');
    assert.deepEqual(result.readiness, { ready: false, missing: ['specialty-verification', 'hospital'] });
  });

  test('with a hospital configured, the membership is created once and counts as present', async () => {
    const id = await seedMedic({ email: email(), specialty_verified: true });
    const client = prescrypto({ hospital: 7 });
    const result = await provisionDoctor(client, { id: String(id), name: 'Seed Medic', email: medic(id).email });
    assert.deepEqual(result.readiness, { ready: true, missing: [] });
    assert.equal(memberships(id).length, 1);
    assert.deepEqual(
      {
        medic: memberships(id)[0].medic,
        hospital: memberships(id)[0].hospital,
        type: memberships(id)[0].type_membership,
      },
      { medic: id, hospital: 7, type: 'MEMBER' },
    );
    // The medic now shows the hospital: a second provisioning writes nothing.
    await clearLog();
    const again = await provisionDoctor(client, { id: String(id), name: 'Seed Medic', email: medic(id).email });
    assert.deepEqual(again.readiness, { ready: true, missing: [] });
    assert.deepEqual(await vendorWrites(), []);
  });

  test('two concurrent calls: one creates the membership, the other gets 409 and counts it as present', async () => {
    const id = await seedMedic({ email: email(), specialty_verified: true });
    // Both runs start from the same answered check (hospital none), so both POST the membership.
    const found = { active: true, account: { id, hospital: null, is_active: true, specialty_verified: true } };
    await clearLog();
    const doctor = { id: String(id), name: 'Seed Medic', email: medic(id).email };
    const [a, b] = await Promise.all([
      provisionDoctor(prescrypto({ hospital: 7 }), doctor, { found }),
      provisionDoctor(prescrypto({ hospital: 7 }), doctor, { found }),
    ]);
    assert.deepEqual(a.readiness, { ready: true, missing: [] });
    assert.deepEqual(b.readiness, { ready: true, missing: [] });
    const posts = (await vendorWrites()).filter((e) => e.path.includes('/memberships'));
    assert.deepEqual(posts.map((e) => e.status).sort(), [201, 409]);
    assert.equal(memberships(id).length, 1);
  });

  test('a reactivation the vendor did not apply leaves "active" missing', async () => {
    const result = await provisionDoctor(
      prescrypto(),
      { id: '7', name: 'Medic 7', email: 'medic7@clinic.example' },
      {},
    );
    assert.equal(result.outcome, 'reactivated');
    assert.equal(result.readiness.missing.includes('active'), false);
    const id = await seedMedic({ email: email(), is_active: false, specialty_verified: true, hospital: 7 });
    const stale = { ...sandbox.store.prescrypto.medics.get(id), is_active: false };
    const { key: _k, token: _t, passwordHash: _p, ...body } = stale;
    await faults({ match: { method: 'PATCH' }, status: 202, body });
    const unchanged = await provisionDoctor(prescrypto(), { id: String(id), name: 'Seed Medic', email: stale.email });
    assert.deepEqual(unchanged.readiness, { ready: false, missing: ['active'] });
  });

  test('a membership the vendor refuses (403 {"detail": "UNAUTHORIZED MEDIC"}) is "hospital" missing, not a failure', async () => {
    const id = await seedMedic({ email: email(), specialty_verified: true });
    await faults({
      match: { method: 'POST', path: '/memberships' },
      status: 403,
      body: { detail: 'UNAUTHORIZED MEDIC' },
    });
    const records = [];
    const client = withAudit(prescrypto({ hospital: 7 }), (record) => records.push(record));
    const result = await provisionDoctor(client, { id: String(id), name: 'Seed Medic', email: medic(id).email });
    assert.deepEqual(result.readiness, { ready: false, missing: ['hospital'] });
    const membership = records.find((r) => r.action === 'membership');
    assert.deepEqual(
      { outcome: membership.outcome, code: membership.code, status: membership.status, doctorId: membership.doctorId },
      { outcome: 'failure', code: 'forbidden', status: 403, doctorId: String(id) },
    );
  });

  test('a bad hospital id is a config error before any request', async () => {
    await clearLog();
    assert.throws(
      () => prescrypto({ hospital: -3 }),
      (error) => error instanceof DoctorGateError && error.code === 'config',
    );
    assert.throws(
      () => prescrypto({ hospital: 'x' }),
      (error) => error.fields?.includes('hospital'),
    );
    assert.deepEqual(
      (await control('log')).entries.filter((e) => !e.path.includes('_control')),
      [],
    );
  });

  test('Speaknosis: always ready once provisioned', async () => {
    const result = await provisionDoctor(speaknosis(), {
      id: 'doc-ana',
      name: 'Ana',
      lastname: 'García',
      specialityId: 1,
      lang: 'ES',
    });
    assert.deepEqual(result.readiness, { ready: true, missing: [] });
  });

  test('error bodies are read by status and key, in either language', async () => {
    await faults({ match: { method: 'GET' }, status: 401, body: { detail: 'Token inválido.' } });
    await assert.rejects(
      provisionDoctor(prescrypto(), { id: '1', name: 'M', email: 'medic1@clinic.example' }),
      (error) => {
        assert.equal(error.code, 'unauthorized');
        assert.match(error.message, /Token inválido/);
        return true;
      },
    );
    await faults({ match: { method: 'POST' }, status: 400, body: { details: 'Algo salió mal' } });
    await assert.rejects(provisionDoctor(prescrypto(), { name: 'M', email: email() }), (error) => {
      assert.equal(error.code, 'config');
      assert.deepEqual(error.fields, undefined, 'details is the error text, not a field');
      assert.match(error.message, /Algo salió mal/);
      return true;
    });
  });
});

describe('deprovisionDoctor', () => {
  test('Speaknosis: active → deactivated (DELETE, a soft delete), then the gate reactivates it', async () => {
    const client = speaknosis();
    assert.deepEqual(await deprovisionDoctor(client, 'doc-ana'), { outcome: 'deactivated', accountId: 'doc-ana' });
    assert.equal(sandbox.store.speaknosis.providers.get('1001').get('doc-ana').deleted, true);
    // Speaknosis answers a soft-deleted user like an unknown one: nothing to send.
    await clearLog();
    assert.deepEqual(await deprovisionDoctor(client, 'doc-ana'), { outcome: 'not-found' });
    assert.deepEqual(await deprovisionDoctor(client, 'doc-nobody'), { outcome: 'not-found' });
    assert.deepEqual(await vendorWrites(), []);
    const again = await provisionDoctor(client, {
      id: 'doc-ana',
      name: 'Ana',
      lastname: 'García',
      specialityId: 1,
      lang: 'ES',
    });
    assert.equal(again.outcome, 'reactivated');
    assert.equal(sandbox.store.speaknosis.providers.get('1001').get('doc-ana').deleted, false);
  });

  test('Prescrypto: active → deactivated (PATCH 202), inactive → already-inactive, unknown → not-found', async () => {
    const client = prescrypto();
    assert.deepEqual(await deprovisionDoctor(client, 2), { outcome: 'deactivated', accountId: '2' });
    assert.equal(medic(2).is_active, false);
    await clearLog();
    assert.deepEqual(await deprovisionDoctor(client, '2'), { outcome: 'already-inactive', accountId: '2' });
    assert.deepEqual(await deprovisionDoctor(client, '99999'), { outcome: 'not-found' });
    // Another key's medic is not this key's to close.
    assert.deepEqual(await deprovisionDoctor(client, '500'), { outcome: 'not-found' });
    assert.deepEqual(await vendorWrites(), []);
    const again = await provisionDoctor(client, { id: '2', name: 'Medic 2', email: 'medic2@clinic.example' });
    assert.equal(again.outcome, 'reactivated');
    assert.equal(medic(2).is_active, true);
  });

  test('a bad id is a config error and nothing is sent', async () => {
    await clearLog();
    for (const [client, id] of [
      [prescrypto(), 'abc'],
      [prescrypto(), ''],
      [speaknosis(), '..'],
      [speaknosis(), ' '],
      [speaknosis(), undefined],
    ]) {
      await assert.rejects(deprovisionDoctor(client, id), (error) => error.code === 'config');
    }
    assert.deepEqual(
      (await control('log')).entries.filter((e) => !e.path.includes('_control')),
      [],
    );
  });

  test('a transient failure is retried; a refused key is typed and never echoes the key', async () => {
    await faults({ match: { method: 'PATCH' }, status: 503 });
    assert.equal((await deprovisionDoctor(prescrypto(), 3)).outcome, 'deactivated');
    await faults({
      kind: 'echo-credential',
      match: { method: 'GET' },
      status: 401,
      body: { message: 'bad {credential}' },
    });
    await assert.rejects(deprovisionDoctor(prescrypto(), 4), (error) => {
      assert.equal(error.code, 'unauthorized');
      assert.doesNotMatch(error.message, /pk_demo_key/);
      return true;
    });
  });
});

const speaknosisDoctor = (id, extra = {}) => ({ id, name: 'N', lastname: 'L', specialityId: 1, lang: 'EN', ...extra });

describe('reconcileDoctors', () => {
  test('Speaknosis: plans, then creates, reactivates, deactivates and prunes; a re-run writes nothing', async () => {
    const roster = [
      speaknosisDoctor('doc-new-1'),
      speaknosisDoctor('doc-new-2'),
      speaknosisDoctor('doc-marta'), // soft-deleted: a POST reactivates it
      speaknosisDoctor('doc-john', { active: false }),
      speaknosisDoctor('doc-gone', { active: false }),
      { id: 'bad' },
    ];
    let told;
    const result = await reconcileDoctors(speaknosis(), roster, {
      prune: true,
      known: ['doc-ana', 'doc-never'],
      confirm: (plan) => ((told = plan), true),
    });
    assert.equal(told, result.plan, 'the plan is told before any write');
    assert.deepEqual(Object.fromEntries(Object.entries(result.plan.counts).filter(([, n]) => n)), {
      create: 3,
      deactivate: 1,
      prune: 1,
      none: 1,
      invalid: 1,
    });
    assert.deepEqual(
      result.results.map((r) => [r.id, r.action, r.outcome]),
      [
        ['doc-new-1', 'create', 'created'],
        ['doc-new-2', 'create', 'created'],
        ['doc-marta', 'create', 'reactivated'],
        ['doc-john', 'deactivate', 'deactivated'],
        ['doc-gone', 'none', 'unchanged'],
        ['bad', 'invalid', 'failed'],
        ['doc-ana', 'prune', 'deactivated'],
      ],
    );
    const users = sandbox.store.speaknosis.providers.get('1001');
    const active = [...users.values()]
      .filter((u) => !u.deleted)
      .map((u) => u.id)
      .sort();
    assert.deepEqual(active, ['doc-marta', 'doc-new-1', 'doc-new-2']);
    // One POST for the three, one DELETE each for the two deactivations.
    assert.deepEqual((await vendorWrites()).map((e) => e.method).sort(), ['DELETE', 'DELETE', 'POST']);

    await clearLog();
    const again = await reconcileDoctors(speaknosis(), roster, { prune: true, known: ['doc-ana', 'doc-never'] });
    assert.equal(again.plan.writes, 0);
    assert.equal(again.applied, false);
    assert.deepEqual(await vendorWrites(), []);
  });

  test('prune never touches a doctor whose roster row is invalid', async () => {
    // doc-ana's row lacks fields; doc-john is named nowhere: only doc-john is pruned.
    const speak = await reconcileDoctors(speaknosis(), [{ id: 'doc-ana', name: 'Ana' }], {
      prune: true,
      known: ['doc-ana', 'doc-john'],
    });
    assert.deepEqual(
      speak.results.map((r) => [r.id, r.action]),
      [
        ['doc-ana', 'invalid'],
        ['doc-john', 'prune'],
      ],
    );
    assert.equal(sandbox.store.speaknosis.providers.get('1001').get('doc-ana').deleted, false);
    // Prescrypto: a row with a bad field still names its medic, which is kept.
    const pres = await reconcileDoctors(prescrypto(), [{ id: '3', name: 'Medic 3', email: 'not an email' }], {
      prune: true,
      dryRun: true,
    });
    assert.ok(!pres.plan.rows.some((row) => row.action === 'prune' && row.id === '3'));
    assert.ok(pres.plan.counts.prune > 100, 'the others are planned for pruning');
  });

  test('a dry run plans and sends no write', async () => {
    await clearLog();
    const result = await reconcileDoctors(
      speaknosis(),
      [speaknosisDoctor('doc-dry'), speaknosisDoctor('doc-ana', { active: false })],
      {
        dryRun: true,
      },
    );
    assert.deepEqual([result.plan.counts.create, result.plan.counts.deactivate], [1, 1]);
    assert.equal(result.applied, false);
    assert.deepEqual(await vendorWrites(), []);
    assert.ok(
      (await control('log')).entries.some((e) => e.method === 'GET'),
      'the plan checked',
    );
  });

  test('a refused confirmation sends no write', async () => {
    await clearLog();
    const result = await reconcileDoctors(speaknosis(), [speaknosisDoctor('doc-no')], { confirm: () => false });
    assert.equal(result.applied, false);
    assert.deepEqual(await vendorWrites(), []);
  });

  test("Prescrypto with prune: the key's active medics become exactly the roster's active ones", async () => {
    const roster = [
      { id: '1', name: 'Medic 1', email: 'medic1@clinic.example' },
      { id: '7', name: 'Medic 7', email: 'medic7@clinic.example' }, // inactive: reactivated
      { id: '2', name: 'Medic 2', email: 'medic2@clinic.example', active: false },
      { name: 'Brand New', email: email('brand') },
    ];
    const result = await reconcileDoctors(prescrypto(), roster, { prune: true, concurrency: 16 });
    assert.deepEqual(
      [
        result.plan.counts.create,
        result.plan.counts.reactivate,
        result.plan.counts.deactivate,
        result.plan.counts.prune,
      ],
      [1, 1, 1, 116],
    );
    const active = [...sandbox.store.prescrypto.medics.values()]
      .filter((m) => m.key === 'pk_demo_key' && m.is_active)
      .map((m) => m.email)
      .sort();
    assert.deepEqual(active, [roster[3].email, 'medic1@clinic.example', 'medic7@clinic.example'].sort());
    // Another key's medic is untouched.
    assert.equal(medic(500).is_active, true);
    const created = result.results.find((r) => r.outcome === 'created');
    assert.ok(created);
  });

  test("property: after reconcile with prune, the active set is the roster's, and the audit has one record per write", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ active: fc.boolean(), inRoster: fc.boolean(), rosterActive: fc.boolean() }), {
          maxLength: 8,
        }),
        fc.array(fc.boolean(), { maxLength: 4 }),
        async (existing, newcomers) => {
          sandbox.reset();
          const run = counter++;
          const key = `pk_prop_${run}`;
          const seeded = existing.map((m, k) => ({
            key,
            name: `P ${k}`,
            email: `p${run}.${k}@prop.example`,
            is_active: m.active,
          }));
          await control('seed', { tokens: { prescrypto: { [key]: [] } }, prescrypto: seeded });
          const roster = [
            ...existing.flatMap((m, k) =>
              m.inRoster ? [{ name: `P ${k}`, email: seeded[k].email, active: m.rosterActive }] : [],
            ),
            ...newcomers.map((active, k) => ({ name: `New ${k}`, email: `n${run}.${k}@prop.example`, active })),
          ];
          await clearLog();
          const records = [];
          const client = withAudit(
            createClient('prescrypto', { apiBase: `${origin}/sandbox/prescrypto`, token: key }),
            (record) => records.push(record),
          );
          await reconcileDoctors(client, roster, { prune: true });
          const active = [...sandbox.store.prescrypto.medics.values()]
            .filter((m) => m.key === key && m.is_active)
            .map((m) => m.email)
            .sort();
          const wanted = roster
            .filter((d) => d.active)
            .map((d) => d.email)
            .sort();
          assert.deepEqual(active, wanted);
          const writes = await vendorWrites();
          assert.equal(records.filter((r) => WRITE_ACTIONS.has(r.action)).length, writes.length);
          for (const record of records) assert.doesNotMatch(JSON.stringify(record), new RegExp(key));
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('readiness in sessionStorage', () => {
  test('a remembered result keeps what was missing; an unknown gap read back is dropped with the entry', async () => {
    const { sessionResultStore } = await import('../../dist/core.js');
    const map = new Map();
    const storage = {
      getItem: (k) => (map.has(k) ? map.get(k) : null),
      setItem: (k, v) => map.set(k, String(v)),
      removeItem: (k) => map.delete(k),
    };
    const store = sessionResultStore(storage, 60_000);
    const readiness = { ready: false, missing: ['specialty-verification', 'hospital'] };
    store.set('k', { outcome: 'created', doctor: {}, account: { id: 4, token: 'mt_4' }, readiness });
    assert.deepEqual(store.get('k', {}).readiness, readiness);
    const [key, text] = [...map.entries()][0];
    map.set(key, text.replace('hospital', 'ceo'));
    assert.equal(store.get('k', {}), undefined);
  });
});

describe('sandbox: Prescrypto memberships', () => {
  const call = (method, path, body, key = 'pk_demo_key') =>
    fetch(`${origin}/sandbox/prescrypto/api/v2/${path}`, {
      method,
      headers: { Authorization: `Token ${key}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  test('create (201), duplicate (409, Spanish details), soft delete (204) and undo (202)', async () => {
    const id = await seedMedic({ email: email() });
    const created = await call('POST', 'management/memberships/', {
      medic: id,
      hospital: 7,
      type_membership: 'MEMBER',
    });
    assert.equal(created.status, 201);
    const membership = await created.json();
    assert.deepEqual(membership, {
      id: membership.id,
      medic: id,
      hospital: 7,
      type_membership: 'MEMBER',
      is_deleted: false,
    });
    assert.equal(medic(id).hospital, 7, 'the medic shows its active hospital');
    const duplicate = await call('POST', 'management/memberships/', {
      medic: id,
      hospital: 7,
      type_membership: 'ADMIN',
    });
    assert.equal(duplicate.status, 409);
    assert.deepEqual(await duplicate.json(), {
      details: 'Membresía ya existe porfavor edite en lugar de intentar crearla de nuevo',
    });
    assert.equal((await call('DELETE', `management/memberships/${membership.id}/`)).status, 204);
    assert.equal(medic(id).hospital, null, 'no active membership left');
    const undone = await call('PATCH', `management/memberships/${membership.id}/`, { is_deleted: false });
    assert.equal(undone.status, 202);
    assert.equal((await undone.json()).is_deleted, false);
    assert.equal(medic(id).hospital, 7);
  });

  test('the error bodies vary by endpoint: 403 detail, 404 detail, 401 detail in Spanish', async () => {
    const mine = await seedMedic({ email: email() });
    const other = await call('POST', 'management/memberships/', { medic: 500, hospital: 7, type_membership: 'MEMBER' });
    assert.deepEqual([other.status, await other.json()], [403, { detail: 'UNAUTHORIZED MEDIC' }]);
    const unknown = await call('POST', 'management/memberships/', {
      medic: mine,
      hospital: 999,
      type_membership: 'MEMBER',
    });
    assert.deepEqual([unknown.status, await unknown.json()], [404, { detail: 'No encontrado.' }]);
    const badKey = await call('GET', 'management/memberships/', undefined, 'nope');
    assert.deepEqual([badKey.status, await badKey.json()], [401, { detail: 'Token inválido.' }]);
    const hospital = await call('POST', 'hospitals/', { name: 'Clínica Norte' });
    assert.equal(hospital.status, 201);
    const { id: hospitalId } = await hospital.json();
    const joined = await call('POST', 'management/memberships/', {
      medic: mine,
      hospital: hospitalId,
      type_membership: 'ADMIN',
    });
    assert.equal(joined.status, 201);
  });
});
