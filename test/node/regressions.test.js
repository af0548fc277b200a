// One-line bugs that once passed the whole Node suite, each pinned by a test of the public surface
// (doctor-gate/server's createGateHandler, doctor-gate/core, the CLI as a process) against the
// sandbox over real HTTP (or MSW for a vendor's https host). Needs `npm run build` first.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';

import { setupServer } from 'msw/node';

import { createSandbox, sandboxHandlers } from '../../sandbox/index.js';
import { createClient, provisionDoctor } from '../../dist/core.js';
import { createGateHandler, memoryMedicTokens, speaknosisToken } from '../../dist/server.js';
import { runCli } from './support/process.js';
import { controlInProcess, useSandbox } from './support/sandbox.js';
import { tokenRecords } from './support/tokens.js';

const ANA = { id: 'doc-ana', name: 'Ana', lastname: 'García', specialityId: 1, lang: 'ES' };

/** What the handler answered: status, headers and body text (every secret check reads it all). */
async function answer(handler, init = {}, path = '/ehr/doctor-gate') {
  const response = await handler(new Request(`http://ehr.example${path}`, init));
  return { status: response.status, text: `${[...response.headers].join('\n')}\n${await response.text()}` };
}

const sandbox = await useSandbox();

describe('the server half asks for a credential only for a signed-in doctor', () => {
  /** Each kind of "no doctor": the answer comes before the credential source is asked anything. */
  const noDoctor = {
    'doctorFor → null': () => null,
    'doctorFor → undefined': () => undefined,
    'doctorFor throws': () => {
      throw new Error('session store down');
    },
    'doctorFor → not a doctor': () => 'doc-ana',
  };
  const requests = [
    ['GET', {}],
    ['POST', { method: 'POST' }],
    ['GET, cross-site', { headers: { 'Sec-Fetch-Site': 'cross-site' } }],
  ];

  test('a credential function is never called, and no vendor request leaves', async () => {
    for (const [name, doctorFor] of Object.entries(noDoctor)) {
      let asked = 0;
      const handler = createGateHandler({
        vendor: 'speaknosis',
        apiBase: `${sandbox.origin}/sandbox/speaknosis/v1/health`,
        providerId: '1001',
        credential: async () => (asked++, 'sk_demo_token'),
        doctorFor,
        retries: 0,
      });
      for (const [label, init] of requests) {
        const { status } = await answer(handler, init);
        assert.ok(status >= 400, `${name}, ${label}: HTTP ${status}`);
        assert.equal(asked, 0, `${name}, ${label}: the credential was asked for`);
      }
    }
    assert.deepEqual(await sandbox.log(), []);
  });

  /** A Speaknosis handler whose credential is a speaknosisToken source on the sandbox's token endpoint. */
  const mintingHandler = (doctorFor) =>
    createGateHandler({
      vendor: 'speaknosis',
      apiBase: `${sandbox.origin}/sandbox/speaknosis/v1/health`,
      providerId: '1001',
      credential: speaknosisToken({
        tokenUrl: `${sandbox.origin}/sandbox/speaknosis/api/iam/integration/token`,
        clientId: 'demo-client',
        clientSecret: 'demo-client-secret',
      }),
      doctorFor,
      retries: 0,
    });

  test('a speaknosisToken source mints no token before a doctor is known', async () => {
    for (const [name, doctorFor] of Object.entries(noDoctor)) {
      const handler = mintingHandler(doctorFor);
      for (const [, init] of requests) await answer(handler, init);
      assert.deepEqual(await sandbox.log('iam/integration/token'), [], `${name}: a token was minted`);
    }
    assert.deepEqual(await sandbox.log(), []);
  });

  test('with a signed-in doctor the same source is asked, once (the test can see a mint)', async () => {
    const handler = mintingHandler(() => ANA);
    assert.equal((await answer(handler)).status, 200);
    assert.equal((await sandbox.log('iam/integration/token')).length, 1);
  });
});

describe('a password the vendor made up never reaches the handler’s answer', () => {
  const GENERATED = 'Vend0r-Made-Pa55word!';
  const doctor = { name: 'Rosa', lastname: 'Nueva', email: 'rosa.regress@clinic.example' };
  const handler = () =>
    createGateHandler({
      vendor: 'prescrypto',
      apiBase: `${sandbox.origin}/sandbox/prescrypto`,
      credential: 'pk_demo_key',
      doctorFor: () => doctor,
      medicTokens: memoryMedicTokens(),
      retries: 0,
    });
  /** The page's own POST (same origin, JSON), as the server's consent protocol asks. */
  const post = (body) => ({
    method: 'POST',
    headers: { Origin: 'http://ehr.example', 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  /** The gate's creation: `POST {}` answers needsCreation and a ticket; `POST {create, ticket}` creates. */
  const create = async (gate) => {
    const first = await answer(gate, post({}));
    assert.equal(first.status, 200, first.text);
    assert.ok(!first.text.includes(GENERATED), first.text);
    const { needsCreation, ticket } = JSON.parse(first.text.slice(first.text.indexOf('\n{') + 1));
    assert.equal(needsCreation, true, first.text);
    return answer(gate, post({ create: true, ticket }));
  };
  const onCreate = { method: 'POST', path: '/api/v2/medics/' };

  test('a 4xx refusal whose detail quotes the medic it would have made, password included', async () => {
    await sandbox.faults({
      match: onCreate,
      status: 400,
      body: { detail: `Medic not saved: {"email": "${doctor.email}", "password": "${GENERATED}"}` },
    });
    const { status, text } = await create(handler());
    assert.equal(status, 400);
    assert.match(text, /Medic not saved/, 'the vendor’s detail is reported');
    assert.ok(!text.includes(GENERATED), text);
  });

  test('a 403 permission message and a 5xx body that quote it', async () => {
    for (const [status, body] of [
      [403, { message: `No permission for hospital 7 (medic {"password":"${GENERATED}"})` }],
      [500, { message: `save failed: {"password": "${GENERATED}", "id": 9}` }],
    ]) {
      await sandbox.reset();
      await sandbox.faults({ match: onCreate, status, body });
      const { status: got, text } = await create(handler());
      assert.equal(got, status);
      assert.ok(!text.includes(GENERATED), text);
    }
  });

  test('a created medic that comes back with a generated password (and at any depth)', async () => {
    await sandbox.faults({
      match: onCreate,
      after: true,
      status: 201,
      body: {
        id: 4242,
        name: 'Rosa Nueva',
        email: doctor.email,
        is_active: true,
        token: 'mt_regress_4242',
        password: GENERATED,
        profile: { password: GENERATED, note: `first login with {"password": "${GENERATED}"}` },
      },
    });
    const { status, text } = await create(handler());
    assert.equal(status, 200);
    assert.match(text, /"outcome":"created"/);
    assert.ok(!text.includes(GENERATED), text);
  });
});

describe('Prescrypto pagination follows `next` only on the API’s own origin', () => {
  const BASE = 'https://integration.prescrypto.com';
  const vendor = createSandbox();
  const msw = setupServer(...sandboxHandlers({ sandbox: vendor, speaknosis: false, prescrypto: BASE }));
  /** Every request that left this process while MSW listened: where to, and with which credential. */
  const seen = [];
  msw.events.on('request:start', ({ request }) =>
    seen.push({ url: request.url, authorization: request.headers.get('authorization') }),
  );
  const { control } = controlInProcess(vendor);
  // Only while these tests run: the other suites talk to the sandbox over real loopback HTTP.
  before(() => msw.listen({ onUnhandledRequest: 'bypass' }));
  after(() => msw.close());
  beforeEach(async () => {
    seen.length = 0;
    await control('reset', {});
  });

  /** Page 1 answers empty and links to `next`; Elena Vidal (medic 110) is on page 2. */
  const firstPageLinksTo = (next) =>
    control('faults', {
      match: { method: 'GET', path: '/api/v2/medics/' },
      status: 200,
      body: { count: 120, next, previous: null, results: [] },
    });
  const check = () =>
    answer(
      createGateHandler({
        vendor: 'prescrypto',
        apiBase: BASE,
        credential: 'pk_demo_key',
        doctorFor: () => ({ name: 'Elena', lastname: 'Vidal', email: 'elena.vidal@clinic.example' }),
        medicTokens: memoryMedicTokens(),
        retries: 0,
      }),
    );

  test('a same-origin `next` is followed (the pagination under test is reached)', async () => {
    await firstPageLinksTo(`${BASE}/api/v2/medics/?limit=100&offset=100`);
    const { status, text } = await check();
    assert.equal(status, 200);
    assert.match(text, /"found":true/);
    assert.equal(seen.length, 2);
  });

  for (const [what, next] of [
    ['another port', `${BASE}:8443/api/v2/medics/?limit=100&offset=100`],
    ['http instead of https', `${BASE.replace('https:', 'http:')}/api/v2/medics/?limit=100&offset=100`],
    ['another host', 'https://integration.prescrypto.com.evil.example/api/v2/medics/?offset=100'],
  ]) {
    test(`a \`next\` on ${what} is refused: the API key goes nowhere else`, async () => {
      await firstPageLinksTo(next);
      const { status, text } = await check();
      assert.equal(status, 502);
      assert.match(text, /"code":"bad-response"/);
      assert.deepEqual(
        seen.map((each) => new URL(each.url).origin),
        [BASE],
        'only the first page was asked for',
      );
    });
  }

  test('doctor-gate/core refuses it as well', async () => {
    await firstPageLinksTo(`${BASE.replace('https:', 'http:')}/api/v2/medics/?offset=100`);
    const client = createClient('prescrypto', { apiBase: BASE, token: 'pk_demo_key', retries: 0 });
    await assert.rejects(
      provisionDoctor(client, { name: 'Elena', lastname: 'Vidal', email: 'elena.vidal@clinic.example' }),
      { code: 'bad-response' },
    );
    assert.ok(
      seen.every((each) => new URL(each.url).origin === BASE),
      seen.map((each) => each.url).join('\n'),
    );
  });
});

describe('a retry waits at least as long as the vendor’s Retry-After', () => {
  /** The time between two requests as the sandbox saw them arrive. */
  const gapMs = (first, second) => Date.parse(second.time) - Date.parse(first.time);
  const client = () =>
    createClient('speaknosis', {
      apiBase: `${sandbox.origin}/sandbox/speaknosis/v1/health`,
      providerId: 1001,
      token: 'sk_demo_token',
      // Backoff alone would retry within milliseconds: only Retry-After makes the wait long.
      retryDelayMs: 1,
      retries: 2,
    });

  for (const status of [429, 503]) {
    test(`a GET answered ${status} with Retry-After: 1 is tried again no sooner than 1 s later`, async () => {
      await sandbox.faults({
        match: { method: 'GET', path: 'doc-ana' },
        status,
        headers: { 'Retry-After': '1' },
      });
      const result = await provisionDoctor(client(), ANA);
      assert.equal(result.outcome, 'existing');
      const [first, second] = await sandbox.log('doc-ana');
      assert.deepEqual([first.status, second.status], [status, 200]);
      assert.ok(gapMs(first, second) >= 990, `retried after ${gapMs(first, second)} ms`);
    });
  }

  test('the server half too: its GET retried after a 503 with Retry-After: 1 waits 1 s', async () => {
    const handler = createGateHandler({
      vendor: 'speaknosis',
      apiBase: `${sandbox.origin}/sandbox/speaknosis/v1/health`,
      providerId: '1001',
      credential: 'sk_demo_token',
      doctorFor: () => ANA,
      retries: 1,
    });
    await sandbox.faults({ match: { method: 'GET', path: 'doc-ana' }, status: 503, headers: { 'Retry-After': '1' } });
    assert.equal((await answer(handler)).status, 200);
    const [first, second] = await sandbox.log('doc-ana');
    assert.deepEqual([first.status, second.status], [503, 200]);
    assert.ok(gapMs(first, second) >= 990, `retried after ${gapMs(first, second)} ms`);
  });

  test('a create answered 503 with Retry-After: 1 is re-checked no sooner than 1 s later', async () => {
    const doctor = { ...ANA, id: 'doc-retry-after', name: 'Rita' };
    await sandbox.faults({ match: { method: 'POST' }, status: 503, headers: { 'Retry-After': '1' } });
    const result = await provisionDoctor(client(), doctor);
    assert.equal(result.outcome, 'created');
    const entries = await sandbox.log('/provider/1001/user');
    const failed = entries.find((each) => each.method === 'POST' && each.status === 503);
    const next = entries.find((each) => each.seq > failed.seq);
    assert.ok(next, 'something came after the refused create');
    assert.ok(gapMs(failed, next) >= 990, `went on after ${gapMs(failed, next)} ms`);
  });
});

describe('the CLI keeps every run’s medic tokens', () => {
  let dir;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'doctor-gate-regress-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  /** `doctor-gate provision` as a process, for Prescrypto, with the roster `csv`. */
  async function provision(csv, tokens) {
    const roster = join(dir, `roster-${Math.random().toString(36).slice(2)}.csv`);
    await writeFile(roster, `name,lastname,email,hospital\r\n${csv}\r\n`);
    const args = ['provision', '--vendor', 'prescrypto', '--api-base', `${sandbox.origin}/sandbox/prescrypto`];
    args.push('--token-env', 'PK', '--file', roster, '--tokens-out', tokens);
    const { code, stdout, stderr } = await runCli(args, { cwd: dir, env: { PK: 'pk_demo_key' } });
    assert.equal(code, 0, stdout + stderr);
  }
  const saved = (path) => tokenRecords(path);

  test('a second run that creates a medic adds its token to those of the first run', async () => {
    const tokens = join(dir, 'medic-tokens.jsonl');
    await provision('Uno,Primero,uno.regress@clinic.example,7', tokens);
    const first = await saved(tokens);
    assert.deepEqual(
      first.map((medic) => medic.email),
      ['uno.regress@clinic.example'],
    );
    await provision('Dos,Segundo,dos.regress@clinic.example,7', tokens);
    const both = await saved(tokens);
    assert.deepEqual(
      both.map((medic) => medic.email),
      ['uno.regress@clinic.example', 'dos.regress@clinic.example'],
    );
    assert.deepEqual(both[0], first[0], 'the first run’s token is kept as it was');
    assert.notEqual(both[1].token, first[0].token);
  });
});
