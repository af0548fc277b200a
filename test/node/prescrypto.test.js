// The core against the Prescrypto sandbox in Node, over real HTTP on a random port.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { useSandbox } from './support/sandbox.js';
import {
  createClient,
  provisionDoctor,
  provisionDoctors,
  parseDoctor,
  fillTemplate,
  prescrypto,
  DoctorGateError,
} from '../../dist/core.js';

const sandbox = await useSandbox();
const { origin, control, faults } = sandbox;
const MEDICS = '/sandbox/prescrypto/api/v2/medics';

const state = (query) => sandbox.state({ vendor: 'prescrypto', ...query });
const seedMedics = async (medics) =>
  (await control('seed', { prescrypto: medics.map((m) => ({ key: 'pk_demo_key', name: 'Seed Medic', ...m })) }))
    .prescrypto;

let counter = 0;
const email = (prefix = 'medic') => `${prefix}.${Date.now().toString(36)}.${counter++}@clinic.example`;

/**
 * The real fetch, observed: every call (method, URL, body) and how many were in flight at once,
 * overall and per medic id (a `/medics/{id}/` URL) — counted until the body has been read.
 */
function observedFetch() {
  const calls = [];
  const perMedic = new Map();
  const stats = { inFlight: 0, max: 0, medicOverlap: 0 };
  const impl = async (input, init = {}) => {
    const url = String(input);
    calls.push({ method: init.method ?? 'GET', url, body: typeof init.body === 'string' ? init.body : null });
    const medic = /\/medics\/(\d+)\//.exec(new URL(url).pathname)?.[1];
    stats.max = Math.max(stats.max, ++stats.inFlight);
    if (medic) {
      const now = (perMedic.get(medic) ?? 0) + 1;
      perMedic.set(medic, now);
      if (now > 1) stats.medicOverlap++;
    }
    try {
      const response = await fetch(input, init);
      const buffer = await response.arrayBuffer();
      return new Response(buffer.byteLength ? buffer : null, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      stats.inFlight--;
      if (medic) perMedic.set(medic, perMedic.get(medic) - 1);
    }
  };
  return { impl, calls, stats };
}

const client = (options = {}) =>
  createClient('prescrypto', {
    apiBase: `${origin}/sandbox/prescrypto`,
    token: 'pk_demo_key',
    retryDelayMs: 10,
    ...options,
  });

/** A client whose requests are observed; `seen.calls` lists them. */
function observedClient(options = {}) {
  const seen = observedFetch();
  return { seen, client: client({ fetch: seen.impl, ...options }) };
}

const listCalls = (calls) => calls.filter((c) => c.method === 'GET' && new URL(c.url).pathname === `${MEDICS}/`);
const queryOf = (call) => Object.fromEntries(new URL(call.url).searchParams);

describe('finding a medic', () => {
  test('Elena Vidal, on page 2, is existing after two list pages and nothing else', async () => {
    const { seen, client: c } = observedClient();
    const result = await provisionDoctor(c, { name: 'Elena', lastname: 'Vidal', email: 'elena.vidal@clinic.example' });
    assert.equal(result.outcome, 'existing');
    assert.equal(result.account.id, 110);
    assert.equal(result.account.email, 'elena.vidal@clinic.example');
    assert.ok(!('token' in result.account));
    assert.ok(!('password' in result.account));
    assert.deepEqual(
      seen.calls.map((call) => call.method),
      ['GET', 'GET'],
    );
    assert.deepEqual(seen.calls.map(queryOf), [
      { limit: '100', offset: '0' },
      { limit: '100', offset: '100' },
    ]);
  });

  test('the walk follows `next` and stops at the page that has the medic', async () => {
    // 120 fixtures + 100 seeded: three pages, the third never needed.
    await seedMedics(Array.from({ length: 100 }, (_, i) => ({ email: `filler.${i}@clinic.example` })));
    const page2 = await (
      await fetch(`${origin}${MEDICS}/?limit=100&offset=100`, { headers: { Authorization: 'Token pk_demo_key' } })
    ).json();
    assert.ok(page2.next, 'the fixture has a third page');
    const { seen, client: c } = observedClient();
    await provisionDoctor(c, { name: 'Elena', email: 'elena.vidal@clinic.example' });
    assert.equal(listCalls(seen.calls).length, 2);
    assert.equal(
      seen.calls[1].url,
      (
        await (
          await fetch(`${origin}${MEDICS}/?limit=100&offset=0`, { headers: { Authorization: 'Token pk_demo_key' } })
        ).json()
      ).next,
    );

    const first = observedClient();
    const onPage1 = await provisionDoctor(first.client, { name: 'Medic', email: 'medic5@clinic.example' });
    assert.equal(onPage1.account.id, 5);
    assert.equal(first.seen.calls.length, 1);
  });

  test('matches the email case-insensitively', async () => {
    const result = await provisionDoctor(client(), { name: 'Elena', email: '  ELENA.Vidal@Clinic.EXAMPLE ' });
    assert.equal(result.outcome, 'existing');
    assert.equal(result.account.id, 110);
  });

  test('by medic id: one detail GET, no list', async () => {
    const { seen, client: c } = observedClient();
    const result = await provisionDoctor(c, { id: '110', name: 'Elena', email: 'elena.vidal@clinic.example' });
    assert.equal(result.outcome, 'existing');
    assert.deepEqual(
      seen.calls.map((call) => `${call.method} ${new URL(call.url).pathname}`),
      [`GET ${MEDICS}/110/`],
    );
  });

  test('an unknown medic id (404) falls back to the email walk', async () => {
    const { seen, client: c } = observedClient();
    const result = await provisionDoctor(c, { id: '9999', name: 'Elena', email: 'elena.vidal@clinic.example' });
    assert.equal(result.account.id, 110);
    assert.deepEqual(
      seen.calls.map((call) => new URL(call.url).pathname),
      [`${MEDICS}/9999/`, `${MEDICS}/`, `${MEDICS}/`],
    );
  });

  test('an unknown medic id without an email is simply not found', async () => {
    const { seen, client: c } = observedClient();
    assert.equal(await prescrypto.find(c.http, { id: '9999' }, c.scope), null);
    assert.equal(seen.calls.length, 1);
  });

  test('a medic of another key (id 500) is not visible: 404 on detail, absent from the list', async () => {
    const { seen, client: c } = observedClient();
    assert.equal(await prescrypto.find(c.http, { id: '500', email: 'taken@elsewhere.example' }, c.scope), null);
    assert.equal(listCalls(seen.calls).length, 2);
  });

  test('the list never asks for more than 100, even when `next` does', async () => {
    await faults({
      match: { method: 'GET', path: MEDICS },
      status: 200,
      body: { count: 300, next: `${origin}${MEDICS}/?limit=500&offset=100`, previous: null, results: [] },
    });
    const { seen, client: c } = observedClient();
    const result = await provisionDoctor(c, { name: 'Elena', email: 'elena.vidal@clinic.example' });
    assert.equal(result.account.id, 110);
    for (const call of listCalls(seen.calls)) assert.ok(Number(queryOf(call).limit) <= 100, call.url);
  });

  test('a `next` on another origin is refused before any request goes there', async () => {
    await faults({
      match: { method: 'GET', path: MEDICS },
      status: 200,
      body: {
        count: 300,
        next: 'https://evil.example/api/v2/medics/?limit=100&offset=100',
        previous: null,
        results: [],
      },
    });
    const { seen, client: c } = observedClient();
    await assert.rejects(provisionDoctor(c, { name: 'X', email: email() }), { code: 'bad-response', step: 'check' });
    assert.ok(seen.calls.every((call) => call.url.startsWith(origin)));
  });

  test('a `next` that loops is refused', async () => {
    const loop = { count: 300, next: `${origin}${MEDICS}/?limit=100&offset=100`, previous: null, results: [] };
    await faults({ match: { method: 'GET', path: MEDICS }, times: 5, status: 200, body: loop });
    const { seen, client: c } = observedClient();
    await assert.rejects(provisionDoctor(c, { name: 'X', email: email() }), { code: 'bad-response', step: 'check' });
    assert.equal(seen.calls.length, 2);
  });

  test('a list body of the wrong shape is `bad-response`', async () => {
    await faults({ match: { method: 'GET', path: MEDICS }, status: 200, body: { medics: [] } });
    await assert.rejects(provisionDoctor(client(), { name: 'X', email: email() }), {
      code: 'bad-response',
      step: 'check',
    });
  });
});

describe('creating a medic', () => {
  test('a new email: walk, before-create (reactivation false), POST → created with id and token', async () => {
    const address = email('new');
    const password = 'Given-Secret-Pa55!';
    const { seen, client: c } = observedClient();
    const asked = [];
    const result = await provisionDoctor(
      c,
      { name: 'Lucía', lastname: 'Gómez', email: address, password },
      { beforeCreate: (info) => (asked.push(info), true) },
    );
    assert.equal(result.outcome, 'created');
    assert.deepEqual(asked, [{ doctor: { name: 'Lucía', lastname: 'Gómez', email: address }, reactivation: false }]);
    assert.equal(typeof result.account.id, 'number');
    assert.match(result.account.token, /^mt_[0-9a-f]{40}$/);
    assert.ok(!('password' in result.account), 'not even the hash');
    assert.ok(!JSON.stringify(result).includes(password));
    assert.deepEqual(result.doctor, { name: 'Lucía', lastname: 'Gómez', email: address });

    const posts = seen.calls.filter((call) => call.method === 'POST');
    assert.equal(posts.length, 1);
    assert.equal(new URL(posts[0].url).pathname, `${MEDICS}/`);
    assert.deepEqual(JSON.parse(posts[0].body), { name: 'Lucía Gómez', password, email: address });
    // The password travels in the POST body and nowhere else.
    for (const call of seen.calls)
      assert.ok(!call.url.includes(password) && !decodeURIComponent(call.url).includes(password));
    assert.deepEqual(
      seen.calls.filter((call) => call.body?.includes(password)),
      posts,
    );

    const { exists, active, medic } = await state({ email: address });
    assert.deepEqual(
      { exists, active, id: medic.id, name: medic.name },
      { exists: true, active: true, id: result.account.id, name: 'Lucía Gómez' },
    );
    // The token works: it is the one the sandbox app accepts for this medic.
    const who = await (
      await fetch(`${origin}/sandbox/app-api/whoami?vendor=prescrypto`, {
        headers: { Authorization: `Token ${result.account.token}` },
      })
    ).json();
    assert.equal(who.doctorId, result.account.id);
  });

  test('without a password: a strong random one, different each time, only in the body', async () => {
    const { seen, client: c } = observedClient();
    const one = await provisionDoctor(c, { name: 'Ana', email: email('random') });
    const two = await provisionDoctor(c, { name: 'Ana', email: email('random') });
    const passwords = seen.calls.filter((call) => call.method === 'POST').map((call) => JSON.parse(call.body).password);
    assert.equal(passwords.length, 2);
    assert.notEqual(passwords[0], passwords[1]);
    for (const password of passwords) {
      assert.equal(password.length, 32);
      assert.match(password, /[a-z]/);
      assert.match(password, /[A-Z]/);
      assert.match(password, /\d/);
      assert.match(password, /[^A-Za-z0-9]/);
      assert.ok(!JSON.stringify([one, two]).includes(password));
      assert.ok(
        seen.calls.every((call) => !call.url.includes(encodeURIComponent(password)) && !call.url.includes(password)),
      );
    }
    assert.equal(JSON.parse(seen.calls.find((call) => call.method === 'POST').body).name, 'Ana');
  });

  test("sends the seed's optional fields given on the doctor, and nothing else", async () => {
    const address = email('fields');
    const { seen, client: c } = observedClient();
    const extra = {
      specialty: 'Cardiología',
      cedula_prof: '12345678',
      specialty_no: '',
      alma_mater: 'UNAM',
      female: true,
      date_of_birth: '1985-04-30',
      hospital: 7,
      campaign: 'launch',
      is_admin_membership: false,
    };
    const result = await provisionDoctor(c, {
      name: 'Ana',
      lastname: 'Ruiz',
      email: address,
      lang: 'ES',
      specialityId: 3,
      ...extra,
    });
    assert.equal(result.outcome, 'created');
    const sent = JSON.parse(seen.calls.find((call) => call.method === 'POST').body);
    const { password, ...rest } = sent;
    assert.equal(typeof password, 'string');
    assert.deepEqual(rest, { name: 'Ana Ruiz', email: address, ...extra });
    const { medic } = await state({ email: address });
    assert.deepEqual(
      {
        specialty: medic.specialty,
        hospital: medic.hospital,
        female: medic.female,
        date_of_birth: medic.date_of_birth,
      },
      { specialty: 'Cardiología', hospital: 7, female: true, date_of_birth: '1985-04-30' },
    );
  });

  test('before-create returning false cancels with no POST', async () => {
    const { seen, client: c } = observedClient();
    await assert.rejects(provisionDoctor(c, { name: 'Ana', email: email() }, { beforeCreate: () => false }), {
      code: 'cancelled',
    });
    assert.equal(seen.calls.filter((call) => call.method !== 'GET').length, 0);
  });
});

describe('reactivating an inactive medic', () => {
  test('medic 7: before-create (reactivation true), PATCH {is_active: true} → 202 → reactivated', async () => {
    const { seen, client: c } = observedClient();
    const asked = [];
    const result = await provisionDoctor(
      c,
      { name: 'Medic', email: 'medic7@clinic.example' },
      { beforeCreate: (info) => (asked.push(info.reactivation), true) },
    );
    assert.equal(result.outcome, 'reactivated');
    assert.deepEqual(asked, [true]);
    assert.equal(result.account.id, 7);
    assert.equal(result.account.is_active, true);
    assert.ok(!('token' in result.account));
    const patch = seen.calls.filter((call) => call.method === 'PATCH');
    assert.deepEqual(
      patch.map((call) => [new URL(call.url).pathname, JSON.parse(call.body)]),
      [[`${MEDICS}/7/`, { is_active: true }]],
    );
    assert.equal(seen.calls.filter((call) => call.method === 'POST').length, 0);
    assert.equal((await state({ id: '7' })).active, true);
  });

  test('by medic id (113): detail GET then PATCH, no list', async () => {
    const { seen, client: c } = observedClient();
    const result = await provisionDoctor(c, { id: '113', name: 'Medic', email: 'medic113@clinic.example' });
    assert.equal(result.outcome, 'reactivated');
    assert.deepEqual(
      seen.calls.map((call) => `${call.method} ${new URL(call.url).pathname}`),
      [`GET ${MEDICS}/113/`, `PATCH ${MEDICS}/113/`],
    );
  });
});

describe('errors', () => {
  test('401 {"message":"Invalid Token"} → unauthorized at the check', async () => {
    await assert.rejects(provisionDoctor(client({ token: 'pk_wrong' }), { name: 'A', email: email() }), (error) => {
      assert.ok(error instanceof DoctorGateError);
      assert.deepEqual([error.code, error.step, error.status, error.retryable], ['unauthorized', 'check', 401, false]);
      return true;
    });
  });

  test('an email taken by another key → conflict, nothing created', async () => {
    const { seen, client: c } = observedClient();
    await assert.rejects(provisionDoctor(c, { name: 'Some', email: 'taken@elsewhere.example' }), (error) => {
      assert.deepEqual([error.code, error.step, error.status], ['conflict', 'create', 400]);
      assert.match(error.message, /cannot see/);
      return true;
    });
    assert.equal(seen.calls.filter((call) => call.method === 'POST').length, 1);
    assert.equal((await state({ email: 'taken@elsewhere.example' })).count, 1);
  });

  test('an email created meanwhile with our key (the duplicate after a stale check) → existing', async () => {
    const address = email('race');
    const [id] = await seedMedics([{ email: address }]);
    // The check misses it (an empty page), as if another tab created it just after.
    await faults({
      match: { method: 'GET', path: MEDICS },
      status: 200,
      body: { count: 0, next: null, previous: null, results: [] },
    });
    const { seen, client: c } = observedClient();
    const result = await provisionDoctor(c, { name: 'Seed', email: address });
    assert.equal(result.outcome, 'existing');
    assert.equal(result.account.id, id);
    assert.deepEqual(seen.calls.filter((call) => call.method === 'POST').length, 1);
    assert.equal((await state({ email: address })).count, 1);
  });

  test('a hospital the key does not administer → forbidden, nothing created', async () => {
    const address = email('hospital');
    await assert.rejects(provisionDoctor(client(), { name: 'A', email: address, hospital: 8 }), (error) => {
      assert.deepEqual([error.code, error.step, error.status], ['forbidden', 'create', 400]);
      assert.match(error.message, /hospital: 8/);
      return true;
    });
    assert.equal((await state({ email: address })).exists, false);
  });

  test('DRF field errors → config naming the fields', async () => {
    const address = email('drf');
    await faults({
      match: { method: 'POST', path: MEDICS },
      status: 400,
      body: {
        name: ['This field may not be blank.'],
        specialty: ['Ensure this field has no more than 100 characters.'],
      },
    });
    await assert.rejects(provisionDoctor(client(), { name: 'A', email: address }), (error) => {
      assert.deepEqual([error.code, error.step, error.status], ['config', 'create', 400]);
      assert.deepEqual(error.fields, ['name', 'specialty']);
      assert.match(error.message, /specialty \(Ensure this field/);
      return true;
    });
  });

  test("the sandbox's own field validation (an impossible date) → config naming date_of_birth", async () => {
    // provisionDoctor trusts its caller; the vendor is the last line of validation.
    await assert.rejects(
      provisionDoctor(client(), { name: 'A', email: email(), date_of_birth: '2023-02-30' }),
      (error) => {
        assert.deepEqual([error.code, error.status, error.fields], ['config', 400, ['date_of_birth']]);
        return true;
      },
    );
  });

  test('a password field error never repeats the message', async () => {
    await faults({
      match: { method: 'POST', path: MEDICS },
      status: 400,
      body: { password: ['"hunter2" is too common.'] },
    });
    await assert.rejects(provisionDoctor(client(), { name: 'A', email: email(), password: 'hunter2' }), (error) => {
      assert.deepEqual(error.fields, ['password']);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });

  test('a 5xx on the create re-checks before re-creating, and creates once', async () => {
    const address = email('retry');
    await faults({ match: { method: 'POST', path: MEDICS }, status: 503, after: true });
    const { seen, client: c } = observedClient();
    const result = await provisionDoctor(c, { name: 'A', email: address });
    // The lost answer's medic is found by the re-check: no second POST.
    assert.equal(result.outcome, 'existing');
    assert.equal(seen.calls.filter((call) => call.method === 'POST').length, 1);
    assert.equal((await state({ email: address })).count, 1);
  });
});

describe('the doctor schema', () => {
  const c = () => client();
  const fieldsOf = (doctor) => {
    try {
      parseDoctor(c(), doctor);
      return [];
    } catch (error) {
      assert.equal(error.code, 'config');
      return error.fields;
    }
  };

  test('needs name and a valid email; id, lastname and the rest are optional', () => {
    assert.deepEqual(fieldsOf({ name: 'Ana', email: 'ana@clinic.example' }), []);
    assert.deepEqual(fieldsOf({}), ['name', 'email']);
    assert.deepEqual(fieldsOf({ name: ' ', email: 'not-an-email' }), ['name', 'email']);
    assert.deepEqual(fieldsOf({ name: 'Ana', email: 'ana@clinic.example', id: '' }), []);
    assert.equal(parseDoctor(c(), { name: 'Ana', email: 'ana@clinic.example', id: 42 }).id, '42');
  });

  test('checks the types of the optional fields', () => {
    const base = { name: 'Ana', email: 'ana@clinic.example' };
    assert.deepEqual(
      fieldsOf({
        ...base,
        id: 'abc',
        date_of_birth: '1985-02-30',
        female: 'yes',
        hospital: -1,
        is_admin_membership: 1,
        cedula_prof: '12-34',
        specialty: 7,
        password: '',
      }),
      ['id', 'password', 'specialty', 'cedula_prof', 'female', 'date_of_birth', 'hospital', 'is_admin_membership'],
    );
    assert.deepEqual(fieldsOf({ ...base, date_of_birth: '31/12/1990' }), ['date_of_birth']);
    assert.deepEqual(
      fieldsOf({ ...base, date_of_birth: '1992-02-29', hospital: 7, female: false, cedula_prof: 123 }),
      [],
    );
  });

  test('key: the lowercased email, else the medic id', () => {
    assert.equal(prescrypto.key({ email: 'Ana@Clinic.Example', id: '5' }), 'ana@clinic.example');
    assert.equal(prescrypto.key({ id: '5' }), 'id:5');
  });
});

describe('the launch', () => {
  test("the deeplink carries the medic token from a creation in this page, over the page's medicToken", async () => {
    const created = await provisionDoctor(client(), { name: 'Nueva Médica', email: email('launch') });
    assert.equal(created.outcome, 'created');
    const token = created.account.token;
    assert.match(token, /./);
    const values = prescrypto.launchValues({
      credential: 'pk_demo_key',
      account: created.account,
      medicToken: 'mt_old',
    });
    assert.deepEqual(values, { medicToken: token });
    assert.equal(
      fillTemplate(prescrypto.appUrl, values),
      `https://app.prescrypto.com/redirect/new/?token=${encodeURIComponent(token)}&v2_redirect=true`,
    );
  });

  test("a token in an account that no creation returned (storage, a page) is never used: the page's medicToken wins", () => {
    // The shape a poisoned sessionStorage entry would hand back.
    const forged = JSON.parse(JSON.stringify({ id: 110, token: 'mt_forged' }));
    assert.deepEqual(prescrypto.launchValues({ credential: 'pk_demo_key', account: forged, medicToken: 'mt_110' }), {
      medicToken: 'mt_110',
    });
    assert.throws(() => prescrypto.launchValues({ credential: 'pk_demo_key', account: forged }), { code: 'config' });
  });

  test('or the token the page saved, for an existing medic; never the API key', () => {
    assert.deepEqual(
      prescrypto.launchValues({ credential: 'pk_demo_key', account: { id: 110 }, medicToken: 'mt_110' }),
      { medicToken: 'mt_110' },
    );
  });

  test('no medic token → a config error at open naming medicToken', () => {
    assert.throws(
      () => prescrypto.launchValues({ credential: 'pk_demo_key', account: { id: 110 } }),
      (error) => {
        assert.deepEqual([error.code, error.step, error.fields], ['config', 'open', ['medicToken']]);
        assert.match(error.message, /medicToken/);
        assert.doesNotMatch(error.message, /pk_demo_key/);
        return true;
      },
    );
  });
});

describe('provisionDoctors on Prescrypto', () => {
  test('one result per doctor in order, invalid rows never sent', async () => {
    const fresh = email('batch');
    const { seen, client: c } = observedClient();
    const results = await provisionDoctors(
      c,
      [
        { name: 'Elena', email: 'elena.vidal@clinic.example' },
        { name: 'New', email: fresh },
        { name: 'No email' },
        { name: 'Medic', email: 'medic7@clinic.example' },
        { name: 'Taken', email: 'taken@elsewhere.example' },
      ],
      { concurrency: 2 },
    );
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['existing', 'created', 'failed', 'reactivated', 'failed'],
    );
    assert.deepEqual([results[2].error.code, results[2].error.fields], ['config', ['email']]);
    assert.equal(results[4].error.code, 'conflict');
    assert.equal(results[1].account.token.startsWith('mt_'), true);
    assert.ok(seen.calls.every((call) => !call.body?.includes('No email')));
  });

  test('a batch lists the medics once, then sends one request per doctor', async () => {
    const newcomers = Array.from({ length: 20 }, () => ({ name: 'New', email: email('indexed') }));
    const doctors = [
      { name: 'Elena', email: 'ELENA.VIDAL@clinic.example' },
      { name: 'Medic', email: 'medic113@clinic.example' },
      ...newcomers,
    ];
    const { seen, client: c } = observedClient();
    const results = await provisionDoctors(c, doctors, { concurrency: 4 });
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['existing', 'reactivated', ...newcomers.map(() => 'created')],
    );
    const { count } = await (
      await fetch(`${origin}${MEDICS}/?limit=1`, { headers: { Authorization: 'Token pk_demo_key' } })
    ).json();
    const pages = listCalls(seen.calls);
    // The listing ran before any creation and covered the list once (the list grew while creating).
    assert.ok(pages.length <= Math.ceil(count / 100), `${pages.length} list requests for ${count} medics`);
    assert.ok(pages.every((call) => Number(queryOf(call).limit ?? 100) <= 100));
    assert.equal(seen.calls.filter((call) => call.method === 'POST').length, 20);
    assert.equal(seen.calls.filter((call) => call.method === 'PATCH').length, 1);
    assert.equal(seen.calls.length, pages.length + 21);
  });

  for (const concurrency of [1, 3]) {
    test(`concurrency ${concurrency}: never more than ${concurrency} requests in flight, one at a time per medic`, async () => {
      // Inactive medics known by id: each is a detail GET then a PATCH, both naming the medic in the URL.
      const inactive = Array.from({ length: 6 }, () => ({ email: email('inactive'), is_active: false }));
      const ids = await seedMedics(inactive);
      const newcomers = Array.from({ length: 4 }, () => ({ name: 'New', email: email('pool') }));
      const doctors = [
        ...ids.map((id, i) => ({ id: String(id), name: 'Seed', email: inactive[i].email })),
        ...newcomers,
      ];
      // With a pool, the second and third reactivations (the first goes alone) are held at the vendor
      // together: proof that the pool runs doctors side by side, whatever the machine's speed.
      if (concurrency > 1)
        await faults(...ids.slice(1, 3).map((id) => ({ match: { method: 'PATCH', path: `/${id}/` }, kind: 'hold' })));
      // Every request slowed a little, so that a pool that overruns its limit shows it.
      await faults({ match: { path: MEDICS }, kind: 'delay', ms: 40, times: 1000 });
      const { seen, client: c } = observedClient();
      const progress = [];
      const run = provisionDoctors(c, doctors, { concurrency, onProgress: (p) => progress.push(p.done) });
      if (concurrency > 1) {
        assert.equal((await control('held/wait', { count: 2 })).held.length, 2);
        assert.equal((await control('release', {})).released, 2);
      }
      const results = await run;
      assert.deepEqual(
        results.map((r) => r.outcome),
        [...ids.map(() => 'reactivated'), ...newcomers.map(() => 'created')],
      );
      assert.ok(seen.stats.max <= concurrency, `at most ${concurrency} in flight, saw ${seen.stats.max}`);
      if (concurrency > 1) assert.ok(seen.stats.max >= 2, 'the pool does run doctors side by side');
      assert.equal(seen.stats.medicOverlap, 0);
      assert.equal(progress.at(-1), doctors.length);
      for (const id of ids) assert.equal((await state({ id: String(id) })).active, true);
    });
  }
});
