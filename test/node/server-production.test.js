// createGateHandler as a hospital deploys it, over real HTTP against the sandbox: no cross-site use,
// consent before creation, signed check tickets, the client leaving, request ids and logs,
// options evaluated at the first request, medic-token keys compared as URLs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createGateHandler, memoryMedicTokens, speaknosisToken, toNodeListener } from '../../dist/server.js';
import { fixtures } from '../../sandbox/index.js';
import { listen, pageHeaders, speaknosisSuite, withoutTicket } from './support/server.js';

const { TOKEN, SESSIONS, doctorOfSession, gate, sandbox, state, posts } = speaknosisSuite();

/** Vendor requests about one doctor, as the sandbox logged them. */
const vendorCalls = async (id, method) =>
  (await sandbox.log(`/user/${id}`)).filter((entry) => !method || entry.method === method);

/** A logger that keeps its lines, pino's shape: `level(object, message)`. */
function memoryLogger() {
  const lines = [];
  const at = (level) => (object, message) => lines.push({ level, message, ...object });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Resolves once `condition()` holds, polling; fails after `ms`. */
async function eventually(condition, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) assert.fail('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('no cross-site use: a POST only from the EHR’s own pages, with a JSON body', () => {
  const refusals = (origin) => [
    ['an urlencoded form from the same origin', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'create=true'],
    ['a multipart form from the same origin', { 'Content-Type': 'multipart/form-data; boundary=x' }, '--x--'],
    ['a text/plain no-cors fetch from the same origin', { 'Content-Type': 'text/plain' }, '{"create":true}'],
    ['a JSON body sent with no Content-Type', { 'Content-Type': '' }, '{}'],
    ['a sibling subdomain (same-site)', { Origin: 'http://evil.127.0.0.1.nip.io', 'Sec-Fetch-Site': 'same-site' }],
    [
      'a foreign Origin with no Sec-Fetch-Site (an older browser)',
      { Origin: 'https://evil.example', 'Sec-Fetch-Site': '' },
    ],
    ['no Origin at all', { Origin: '' }],
    ['Origin: null (a sandboxed frame, a data: URL)', { Origin: 'null' }],
    ['its own Origin, but Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['its own Origin, but Sec-Fetch-Site: same-site', { Origin: origin, 'Sec-Fetch-Site': 'same-site' }],
  ];

  test('each is 403 forbidden from the server, before doctorFor, with zero vendor requests', async () => {
    let asked = 0;
    const { origin } = await gate({ doctorFor: (request) => (asked++, doctorOfSession(request)) });
    for (const [name, headers, body = '{"create":true}'] of refusals(origin)) {
      const sent = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ''));
      const dropped = Object.keys(headers).filter((key) => headers[key] === '');
      const all = { ...pageHeaders(origin), ...sent };
      for (const key of dropped) delete all[key];
      const response = await fetch(`${origin}/ehr/doctor-gate`, {
        method: 'POST',
        headers: { Cookie: 'session=newcomer', ...all },
        body,
      });
      const answer = await response.json();
      assert.equal(response.status, 403, name);
      assert.equal(answer.error.code, 'forbidden', name);
      assert.equal(answer.error.source, 'server', name);
      assert.ok(response.headers.get('X-Request-Id'), name);
    }
    assert.equal(asked, 0);
    assert.deepEqual(await sandbox.log('/sandbox/speaknosis'), []);
    assert.equal((await state('doc-new-1')).exists, false);
  });

  test('the page’s own POST is served; GET changes nothing and is refused only cross-site', async () => {
    const { call, provision } = await gate();
    assert.equal((await provision('newcomer')).body.outcome, 'created');
    assert.equal((await call('ana', { headers: { 'Sec-Fetch-Site': 'same-site' } })).status, 200);
    assert.equal((await call('ana', { headers: { 'Sec-Fetch-Site': 'cross-site' } })).status, 403);
  });

  test('allowedOrigins: a listed origin may POST, also same-site; an unlisted sibling may not', async () => {
    const { call } = await gate({ allowedOrigins: ['https://ehr.example'] });
    const ask = (headers) => call('ana', { method: 'POST', headers });
    assert.equal((await ask({ Origin: 'https://ehr.example', 'Sec-Fetch-Site': 'same-site' })).status, 200);
    assert.equal((await ask({ Origin: 'https://ehr.example', 'Sec-Fetch-Site': 'cross-site' })).status, 403);
    assert.equal((await ask({ Origin: 'https://pay.ehr.example', 'Sec-Fetch-Site': 'same-site' })).status, 403);
    await assert.rejects(gate({ allowedOrigins: ['https://ehr.example/path'] }), (error) => error.code === 'config');
  });
});

describe('consent before creation', () => {
  test('a POST without { create: true } never creates or reactivates: it says a creation is needed', async () => {
    const { call } = await gate();
    const { status, body } = await call('newcomer', { method: 'POST' });
    assert.equal(status, 200);
    assert.deepEqual(withoutTicket(body), {
      needsCreation: true,
      found: false,
      active: false,
      doctor: SESSIONS.newcomer,
    });
    assert.deepEqual(await posts(), []);
  });

  test('{ create: true } without a ticket, with a forged one, or with another doctor’s, creates nothing', async () => {
    const { call } = await gate();
    const theirs = (await call('other', { method: 'POST' })).body.ticket;
    const mine = (await call('newcomer', { method: 'POST' })).body.ticket;
    const [payload, mac] = mine.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, at: Date.now() + 1 })).toString('base64url')}.${mac}`;
    for (const ticket of [undefined, theirs, forged, `${payload}.${'A'.repeat(43)}`, 'not-a-ticket']) {
      const { body } = await call('newcomer', { method: 'POST', body: JSON.stringify({ create: true, ticket }) });
      assert.equal(body.needsCreation, true, String(ticket));
    }
    assert.deepEqual(await posts(), []);
    const { body } = await call('newcomer', { method: 'POST', body: JSON.stringify({ create: true, ticket: mine }) });
    assert.equal(body.outcome, 'created');
  });

  test('a body that is not the documented shape is a 400 config error', async () => {
    const { call } = await gate();
    for (const body of ['[', '{"create":"yes"}', JSON.stringify({ ticket: 'x'.repeat(5000) })]) {
      const answer = await call('ana', { method: 'POST', body });
      assert.equal(answer.status, 400, body);
      assert.equal(answer.body.error.code, 'config');
    }
  });
});

describe('signed check tickets: a POST after a GET makes no second vendor check', () => {
  test('within one handler: GET checks, POST with its ticket only answers the launch', async () => {
    const { call } = await gate();
    const checked = await call('ana');
    assert.equal((await vendorCalls('doc-ana', 'GET')).length, 1);
    const opened = await call('ana', { method: 'POST', body: JSON.stringify({ ticket: checked.body.ticket }) });
    assert.equal(opened.body.outcome, 'existing');
    assert.deepEqual(opened.body.launch, { token: TOKEN, doctorId: 'doc-ana' });
    assert.equal((await vendorCalls('doc-ana', 'GET')).length, 1);
  });

  test('across two instances that share the secret; not across two that do not', async () => {
    const secret = 'a-shared-secret-of-at-least-32-characters';
    const one = await gate({ secret });
    const two = await gate({ secret });
    const three = await gate({ secret: 'another-secret-of-at-least-32-characters!' });
    const { ticket } = (await one.call('newcomer')).body;
    const created = await two.call('newcomer', { method: 'POST', body: JSON.stringify({ create: true, ticket }) });
    assert.equal(created.body.outcome, 'created');
    assert.equal((await vendorCalls('doc-new-1', 'GET')).length, 1);
    const refused = await three.call('newcomer', { method: 'POST', body: JSON.stringify({ create: true, ticket }) });
    // Not trusted there: the doctor is checked at the vendor (found, so "existing", no second create).
    assert.equal(refused.body.outcome, 'existing');
    assert.equal((await vendorCalls('doc-new-1', 'GET')).length, 2);
    assert.equal((await posts()).length, 1);
  });

  test('a short secret is refused at creation', () => {
    assert.throws(
      () =>
        createGateHandler({
          vendor: 'speaknosis',
          apiBase: 'https://api-qa.speaknosis.com/v1/health',
          providerId: 1001,
          credential: TOKEN,
          doctorFor: () => null,
          secret: 'short',
        }),
      (error) => error.code === 'config' && error.fields.includes('secret') && !error.message.includes('short'),
    );
  });
});

describe('the client leaving stops the handler', () => {
  test('an aborted POST aborts the vendor call in flight and retries nothing', async () => {
    const logger = memoryLogger();
    const { origin } = await gate({ logger, retries: 3, timeoutMs: 400 });
    await sandbox.faults({ match: { method: 'GET', path: '/user/doc-new-1' }, kind: 'hang', times: 10 });
    const client = new AbortController();
    const asked = fetch(`${origin}/ehr/doctor-gate`, {
      method: 'POST',
      headers: { Cookie: 'session=newcomer', ...pageHeaders(origin) },
      body: '{}',
      signal: client.signal,
    }).catch((error) => error);
    // The vendor holds the check (it never answers on its own); then the browser goes away.
    await eventually(async () => (await vendorCalls('doc-new-1')).length === 1);
    client.abort();
    assert.equal((await asked).name, 'AbortError');
    await eventually(() => logger.lines.some((line) => line.message === 'doctor-gate answer'));
    const answer = logger.lines.find((line) => line.message === 'doctor-gate answer');
    assert.equal(answer.clientLeft, true);
    assert.equal(answer.level, 'warn');
    assert.equal(answer.status, 499);
    // The handler is done: the one check in flight was all, no retry followed the abort.
    assert.equal((await vendorCalls('doc-new-1')).length, 1);
    assert.deepEqual(
      logger.lines.filter((line) => line.message?.startsWith('vendor call')).map((line) => line.call.failure),
      ['aborted'],
    );
  });
});

describe('observable: request ids and one redacted log line per vendor call and per answer', () => {
  test('every answer carries X-Request-Id, also refusals, 401s and 405s; a proxy’s own id is kept', async () => {
    const { call } = await gate();
    const answers = [
      await call('ana'),
      await call(undefined),
      await call('ana', { method: 'PUT' }),
      await call('ana', { method: 'POST', headers: { Origin: 'https://evil.example' } }),
      await call('ana', { headers: { 'X-Request-Id': '<script>' } }),
    ];
    const ids = answers.map((answer) => answer.headers.get('X-Request-Id'));
    for (const id of ids) assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(new Set(ids).size, ids.length);
    const kept = await call('ana', { headers: { 'X-Request-Id': 'lb-7f3a9c2e-0001' } });
    assert.equal(kept.headers.get('X-Request-Id'), 'lb-7f3a9c2e-0001');
  });

  test('the logger gets each vendor call and each answer, with the request id, and no secret', async () => {
    const logger = memoryLogger();
    const credential = speaknosisToken({
      tokenUrl: `${sandbox.origin}/sandbox/speaknosis/api/iam/integration/token`,
      clientId: fixtures.speaknosis.clientId,
      clientSecret: fixtures.speaknosis.clientSecret,
    });
    const { call, provision } = await gate({ logger, credential });
    const created = await provision('newcomer');
    const refused = await call(undefined);
    const id = created.headers.get('X-Request-Id');
    const mine = logger.lines.filter((line) => line.requestId === id);
    assert.deepEqual(
      mine.map((line) => `${line.level} ${line.message}`),
      ['info vendor call', 'info doctor-gate answer'],
    );
    assert.deepEqual(mine[0].call, {
      method: 'POST',
      path: '/sandbox/speaknosis/v1/health/provider/1001/user',
      status: 201,
      ms: mine[0].call.ms,
    });
    assert.deepEqual(
      { ...mine[1], ms: 0 },
      {
        level: 'info',
        message: 'doctor-gate answer',
        requestId: id,
        vendor: 'speaknosis',
        method: 'POST',
        status: 200,
        ms: 0,
        doctor: 'doc-new-1',
        outcome: 'created',
      },
    );
    const failure = logger.lines.find((line) => line.requestId === refused.headers.get('X-Request-Id'));
    assert.equal(failure.level, 'warn');
    assert.deepEqual(failure.error, {
      code: 'unauthorized',
      step: 'check',
      source: 'server',
      message: 'No signed-in doctor for this request',
      retryable: false,
    });
    const text = JSON.stringify(logger.lines);
    assert.doesNotMatch(text, new RegExp(`${created.body.launch.token}|${fixtures.speaknosis.clientSecret}|Nuria`));
  });

  test('a speaknosisToken mint is that request’s vendor call; a re-mint after a 401 too; no secret', async () => {
    const logger = memoryLogger();
    const TOKEN_PATH = '/sandbox/speaknosis/api/iam/integration/token';
    const credential = speaknosisToken({
      tokenUrl: `${sandbox.origin}${TOKEN_PATH}?tenant=demo`,
      clientId: fixtures.speaknosis.clientId,
      clientSecret: fixtures.speaknosis.clientSecret,
    });
    const { call, provision } = await gate({ logger, credential });
    const linesOf = (answer) => logger.lines.filter((line) => line.requestId === answer.headers.get('X-Request-Id'));
    const shape = (line) =>
      `${line.level} ${line.message} ${line.call?.method} ${line.call?.path} ${line.call?.status}`;
    const USER = '/sandbox/speaknosis/v1/health/provider/1001/user/doc-ana';

    const first = await call('ana');
    assert.equal(first.status, 200);
    const mine = linesOf(first);
    assert.deepEqual(mine.map(shape), [
      `info vendor call POST ${TOKEN_PATH} 200`,
      `info vendor call GET ${USER} 200`,
      'info doctor-gate answer undefined undefined undefined',
    ]);
    for (const line of mine.slice(0, 2)) {
      assert.equal(line.vendor, 'speaknosis');
      assert.deepEqual(Object.keys(line.call), ['method', 'path', 'status', 'ms']);
      assert.ok(Number.isInteger(line.call.ms) && line.call.ms >= 0);
    }

    // Cached: the next request calls only the vendor.
    const second = await call('ana');
    assert.deepEqual(linesOf(second).map(shape), [
      `info vendor call GET ${USER} 200`,
      'info doctor-gate answer undefined undefined undefined',
    ]);

    // The vendor refuses the token once: the re-mint is logged under the request that caused it.
    await sandbox.faults({ match: { method: 'GET', path: '/user/' }, status: 401 });
    const third = await call('ana');
    assert.equal(third.status, 200);
    assert.deepEqual(linesOf(third).map(shape), [
      `info vendor call GET ${USER} 401`,
      `info vendor call POST ${TOKEN_PATH} 200`,
      `info vendor call GET ${USER} 200`,
      'info doctor-gate answer undefined undefined undefined',
    ]);

    const minted = (await sandbox.log(TOKEN_PATH)).filter((entry) => entry.status === 200);
    assert.equal(minted.length, 2);
    // The minted token, as the launch hands it out: in no line, nor the secret, the form or the query.
    const { token } = (await provision('ana')).body.launch;
    assert.match(token, /^sk_iam_/);
    const text = JSON.stringify(logger.lines);
    for (const secret of [
      token,
      fixtures.speaknosis.clientSecret,
      'client_secret',
      'grant_type',
      'tenant',
      'sk_iam_',
    ]) {
      assert.ok(!text.includes(secret), `a log line holds ${secret}`);
    }
  });

  test('a logger that throws never fails the request', async () => {
    const broken = { debug() {}, info: () => assert.fail('boom'), warn() {}, error() {} };
    const { call } = await gate({ logger: broken });
    assert.equal((await call('ana')).status, 200);
  });
});

describe('deployable: options as a function, evaluated at the first request', () => {
  test('no secret at import: the first request is a 500 config naming the field; set later, it works', async () => {
    const environment = {};
    let evaluated = 0;
    const handler = createGateHandler(() => {
      evaluated++;
      return {
        vendor: 'speaknosis',
        apiBase: `${sandbox.origin}/sandbox/speaknosis/v1/health`,
        providerId: environment.PROVIDER_ID,
        credential: environment.SPEAKNOSIS_TOKEN,
        doctorFor: doctorOfSession,
      };
    });
    assert.equal(evaluated, 0);
    const server = await listen(toNodeListener(handler));
    const ask = () => fetch(`${server.origin}/`, { headers: { Cookie: 'session=ana' } });
    try {
      const early = await ask();
      assert.equal(early.status, 500);
      const { error } = await early.json();
      assert.equal(error.code, 'config');
      assert.match(error.message, /credential/);
      Object.assign(environment, { PROVIDER_ID: '1001', SPEAKNOSIS_TOKEN: TOKEN });
      assert.equal((await ask()).status, 200);
      assert.equal((await ask()).status, 200);
      assert.equal(evaluated, 2);
    } finally {
      await server.stop();
    }
  });
});

describe('medicTokens keys compare API bases as URLs', () => {
  test('a token saved for the base without a trailing slash, in another case, with the default port, is found', async () => {
    const medicTokens = memoryMedicTokens();
    await medicTokens.set({ vendor: 'prescrypto', api: 'https://API.Prescrypto.example:443/v2', doctor: '9' }, 'mt_9');
    assert.equal(
      await medicTokens.get({ vendor: 'prescrypto', api: 'https://api.prescrypto.example/v2/', doctor: '9' }),
      'mt_9',
    );
    // Through the handler, whose own base carries the trailing slash.
    await medicTokens.set({ vendor: 'prescrypto', api: `${sandbox.origin}/sandbox/prescrypto`, doctor: '110' }, 'mt_e');
    const handler = createGateHandler({
      vendor: 'prescrypto',
      apiBase: `${sandbox.origin}/sandbox/prescrypto`,
      credential: 'pk_demo_key',
      medicTokens,
      doctorFor: () => ({ id: '110', name: 'Elena', email: 'elena.vidal@clinic.example' }),
    });
    const server = await listen(toNodeListener(handler));
    try {
      const response = await fetch(server.origin, { method: 'POST', headers: pageHeaders(server.origin), body: '{}' });
      const body = await response.json();
      assert.equal(body.outcome, 'existing');
      assert.deepEqual(body.launch, { medicToken: 'mt_e' });
    } finally {
      await server.stop();
    }
  });
});
