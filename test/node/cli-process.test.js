// The roster command line (dist/cli.js) run as a child process against the sandbox over real HTTP:
// usage errors, the sample rosters, refused credentials, a 1,000-doctor roster, Ctrl-C, Prescrypto.
// `npm test` builds first; alone: `npm run build && node --test test/node/cli-process.test.js`.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rosterArgs, runCli } from './support/process.js';
import { waitFor } from './support/assert.js';
import { serveSandbox } from './support/sandbox.js';
import { tokenRecords } from './support/tokens.js';

const TOKEN = 'sk_demo_token';

// Reset by each describe or test that needs it: the 1,000-doctor re-run builds on the run before.
const sandbox = await serveSandbox();
const { origin, control, clearLog } = sandbox;
after(() => sandbox.stop());
const vendorLog = (method = '') => sandbox.log('', method);

let dir;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doctor-gate-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const users = () => sandbox.store.speaknosis.providers.get('1001') ?? new Map();

/** Runs `node dist/cli.js …` in the repository, the token in its environment. */
const cli = (args, { env = { SK_TOKEN: TOKEN }, onSpawn } = {}) => runCli(args, { env, onSpawn });

const speaknosisArgs = (file, ...more) => [
  'provision',
  '--vendor',
  'speaknosis',
  '--api-base',
  `${origin}/sandbox/speaknosis/v1/health`,
  '--provider-id',
  '1001',
  '--token-env',
  'SK_TOKEN',
  '--file',
  file,
  ...more,
];

const readJson = async (path) => JSON.parse(await readFile(path, 'utf8'));
const csvField = (value) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/**
 * A roster of `n` doctors: 30 % already active at the vendor (seeded), 10 % soft-deleted there
 * (seeded), 2 % bad rows (bad email, unknown lang, and a duplicate id), the rest new.
 */
function generateRoster(n, { bad = true } = {}) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const kind = bad && i % 50 === 49 ? 'bad' : i % 10 < 3 ? 'existing' : i % 10 === 3 ? 'deleted' : 'new';
    rows.push({
      kind,
      id: kind === 'bad' && i === n - 1 ? 'roster-0' : `roster-${i}`,
      name: ['Lucía', 'João', 'Núria', 'François', 'Zoë'][i % 5],
      lastname: i % 7 === 0 ? `Gómez, "Jr." ${i}` : i % 11 === 0 ? `Ibáñez\n${i}` : `Ibáñez ${i}`,
      email: kind === 'bad' && i % 100 === 49 ? `broken-${i}@@clinic.example` : i % 3 ? `doc${i}@clinic.example` : '',
      specialityId: String(1 + (i % 9)),
      lang: kind === 'bad' && i % 100 === 99 && i !== n - 1 ? 'DE' : ['ES', 'EN', 'CA', 'PT', 'FR'][i % 5],
      line: 0,
    });
  }
  // Lines are physical: a quoted lastname with a line break moves every later record down one.
  let line = 2;
  for (const row of rows) {
    row.line = line;
    line += row.lastname.includes('\n') ? 2 : 1;
  }
  const header = 'id,name,lastname,email,specialityId,lang';
  const body = rows.map((r) => [r.id, r.name, r.lastname, r.email, r.specialityId, r.lang].map(csvField).join(','));
  return { rows, csv: `\uFEFF${[header, ...body].join('\r\n')}\r\n` };
}

const seedRoster = (rows) =>
  control('seed', {
    speaknosis: rows
      .filter((r) => r.kind === 'existing' || r.kind === 'deleted')
      .map((r) => ({
        providerId: '1001',
        id: r.id,
        name: 'Seeded',
        lastname: 'Doctor',
        deleted: r.kind === 'deleted',
      })),
  });

const expectedOutcome = { existing: 'existing', deleted: 'reactivated', new: 'created', bad: 'failed' };

describe('usage errors exit with 2 and send nothing', () => {
  beforeEach(() => sandbox.reset());
  const demo = 'demo/roster.csv';

  // Functions: the sandbox's origin is known only once it listens.
  const cases = [
    ['no command', () => [], /missing command/],
    ['missing --file', () => speaknosisArgs(demo).slice(0, -2), /--file is required/],
    [
      'unknown vendor',
      () => speaknosisArgs(demo).map((a) => (a === 'speaknosis' ? 'acme' : a)),
      /unknown vendor "acme"/,
    ],
    ['a --token flag', () => [...speaknosisArgs(demo), '--token', 'sk_leaked_value'], /--token is not accepted/],
    ['a --token= flag', () => [...speaknosisArgs(demo), '--token=sk_leaked_value'], /--token is not accepted/],
    ['an unknown option', () => [...speaknosisArgs(demo), '--colour'], /Unknown option '--colour'/],
    [
      'a chunk size over 1000',
      () => [...speaknosisArgs(demo), '--chunk-size', '5000'],
      /--chunk-size must be an integer from 1 to 1000/,
    ],
    [
      'plain http to a remote host',
      () => speaknosisArgs(demo).map((a) => a.replace('http://127.0.0.1', 'http://api.example')),
      /--api-base must be/,
    ],
    [
      'speaknosis without --provider-id',
      () => speaknosisArgs(demo).filter((a, i, all) => a !== '--provider-id' && all[i - 1] !== '--provider-id'),
      /--provider-id is required/,
    ],
    ['a roster that does not exist', () => speaknosisArgs('demo/nope.csv'), /no such file/],
  ];
  for (const [name, args, message] of cases) {
    test(name, async () => {
      const { code, stdout, stderr } = await cli(args());
      assert.equal(code, 2, stderr);
      assert.match(stderr, message);
      assert.doesNotMatch(stdout + stderr, /sk_leaked_value/);
      assert.equal((await vendorLog()).length, 0);
    });
  }

  test('the environment variable named by --token-env is missing', async () => {
    const { code, stderr } = await cli(speaknosisArgs(demo), { env: {} });
    assert.equal(code, 2);
    assert.match(stderr, /environment variable SK_TOKEN is not set/);
    assert.equal((await vendorLog()).length, 0);
  });

  test('a CSV header without a required column', async () => {
    const file = join(dir, 'no-lang.csv');
    await writeFile(file, 'id,name,lastname,specialityId\nd1,Ana,Gómez,1\n');
    const { code, stderr } = await cli(speaknosisArgs(file));
    assert.equal(code, 2);
    assert.match(stderr, /lacks required column\(s\) lang/);
  });

  test('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await cli(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /Usage: doctor-gate provision/);
    assert.match(stdout, /--token-env NAME/);
  });
});

describe('the sample rosters in demo/', () => {
  beforeEach(() => sandbox.reset());

  test('--dry-run validates and prints what would be sent, with no request', async () => {
    const { code, stdout } = await cli([...speaknosisArgs('demo/roster.csv'), '--dry-run']);
    assert.equal(code, 1, 'the sample has one bad row');
    assert.match(stdout, /Dry run: nothing is sent/);
    assert.match(stdout, /line 9 +\{"id":"doc-ines","name":"Inés","lastname":"Peña \\"la Doctora\\" O'Brien"/);
    assert.match(stdout, /line 13 +config +Invalid doctor field\(s\): lastname, email, specialityId, lang/);
    assert.equal((await vendorLog()).length, 0);
  });

  test('demo/roster.csv: fixtures existing, doc-marta reactivated, new doctors created, the bad row reported', async () => {
    const report = join(dir, 'demo-report.json');
    const { code, stdout } = await cli([...speaknosisArgs('demo/roster.csv'), '--report', report]);
    assert.equal(code, 1);
    assert.match(stdout, /created +8\n +existing +2\n +reactivated +1\n +failed +1/);
    const { rows, summary } = await readJson(report);
    assert.deepEqual(summary, { total: 12, existing: 2, created: 8, reactivated: 1, failed: 1, notRun: 0 });
    assert.deepEqual(
      rows.slice(0, 3).map((r) => [r.line, r.id, r.outcome]),
      [
        [2, 'doc-ana', 'existing'],
        [3, 'doc-john', 'existing'],
        [4, 'doc-marta', 'reactivated'],
      ],
    );
    assert.deepEqual(rows[11].error.fields, ['lastname', 'email', 'specialityId', 'lang']);
    assert.equal(users().get('doc-nuria').lastname, 'Ferrer i Vall, Jr.');
    assert.equal(users().get('doc-agueda').name, 'Águeda');
    assert.equal(users().has('doc-pedro'), false);
  });

  test('demo/roster.json: items are named by index', async () => {
    const report = join(dir, 'demo-json-report.json');
    const { code } = await cli([...speaknosisArgs('demo/roster.json'), '--report', report]);
    assert.equal(code, 1);
    const { rows } = await readJson(report);
    assert.deepEqual(
      rows.map((r) => [r.index, r.outcome]),
      [
        [0, 'existing'],
        [1, 'reactivated'],
        [2, 'created'],
        [3, 'created'],
        [4, 'failed'],
      ],
    );
    assert.equal(users().get('doc-joao').specialityId, 4);
  });
});

describe('a credential the vendor refuses', () => {
  test('stops the run at the first 401: the rest is not sent', async () => {
    sandbox.reset();
    const report = join(dir, 'report-401.json');
    const { code, stdout } = await cli(
      [...speaknosisArgs('demo/roster.csv'), '--chunk-size', '5', '--report', report],
      {
        env: { SK_TOKEN: 'sk_wrong_token' },
      },
    );
    assert.equal(code, 1);
    assert.match(stdout, /Stopped: the vendor refused the credential \(unauthorized/);
    assert.equal((await vendorLog()).length, 1);
    const { summary, rows } = await readJson(report);
    assert.deepEqual(summary, { total: 12, existing: 0, created: 0, reactivated: 0, failed: 6, notRun: 6 });
    assert.equal(rows[0].error.code, 'unauthorized');
    assert.doesNotMatch(JSON.stringify(rows) + stdout, /sk_wrong_token/);
  });
});

describe('a vendor body that repeats the credential', () => {
  test('"HTTP 500: db error for token …" reaches neither the report nor the console', async () => {
    sandbox.reset();
    await control('faults', {
      faults: [
        {
          match: { method: 'GET' },
          kind: 'status',
          status: 500,
          times: 100,
          body: { message: `db error for token ${TOKEN} (${encodeURIComponent(TOKEN)})` },
        },
      ],
    });
    const report = join(dir, 'report-echo.json');
    const { code, stdout, stderr } = await cli([...speaknosisArgs('demo/roster.csv'), '--report', report]);
    assert.equal(code, 1);
    const text = await readFile(report, 'utf8');
    const rows = JSON.parse(text).rows.filter((r) => r.error?.code === 'server');
    assert.ok(rows.length > 0, 'the fault was hit');
    assert.match(rows[0].error.message, /^GET \/\S+: HTTP 500: db error for token \*\*\*/);
    assert.doesNotMatch(text + stdout + stderr, /sk_demo_token/);
  });

  test('a 401 "invalid token …" stops the run with the token out of the stop reason', async () => {
    sandbox.reset();
    await control('faults', {
      faults: [{ match: { method: 'GET' }, kind: 'status', status: 401, times: 10, body: `invalid token ${TOKEN}` }],
    });
    const report = join(dir, 'report-echo-401.json');
    const { code, stdout, stderr } = await cli([...speaknosisArgs('demo/roster.csv'), '--report', report]);
    assert.equal(code, 1);
    assert.match(stdout, /Stopped: the vendor refused the credential/);
    assert.doesNotMatch((await readFile(report, 'utf8')) + stdout + stderr, /sk_demo_token/);
  });
});

describe('a 1,000-doctor roster', () => {
  const { rows, csv } = generateRoster(1000);
  const good = rows.filter((r) => r.kind !== 'bad');
  let file;
  before(async () => {
    file = join(dir, 'roster-1000.csv');
    await writeFile(file, csv);
  });

  test('existing, new, soft-deleted and bad rows: counts, report rows, exit 1', async () => {
    sandbox.reset();
    await seedRoster(rows);
    const report = join(dir, 'report-1000.json');
    const { code, stdout, stderr } = await cli(speaknosisArgs(file, '--report', report));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /progress 1000\/1000 \(100%\) created 580, existing 300, reactivated 100, failed 20/);

    const text = await readFile(report, 'utf8');
    assert.doesNotMatch(text, new RegExp(TOKEN));
    const { summary, rows: reported, interrupted } = JSON.parse(text);
    assert.deepEqual(summary, { total: 1000, existing: 300, created: 580, reactivated: 100, failed: 20, notRun: 0 });
    assert.equal(interrupted, false);
    reported.forEach((row, i) => {
      assert.equal(row.line, rows[i].line, `row ${i} line`);
      assert.equal(row.outcome, expectedOutcome[rows[i].kind], `row ${i} (${rows[i].kind})`);
    });
    const bad = reported.filter((r) => r.outcome === 'failed');
    assert.ok(bad.every((r) => r.error.code === 'config'));
    assert.deepEqual(bad.find((r) => r.line === rows[49].line).error.fields, ['email']);
    assert.deepEqual(bad.find((r) => r.line === rows[99].line).error.fields, ['lang']);
    assert.match(bad.at(-1).error.message, /the same doctor as line 2/);
    assert.match(stdout, /failed +20\n/);

    // 980 valid doctors: one check each, then only the 680 missing or soft-deleted POSTed, in ten
    // chunks; the 300 active ones are never POSTed (no seed says what that would do to them).
    const posts = await vendorLog('POST');
    assert.equal(posts.length, 10);
    assert.equal((await vendorLog('GET')).length, 980);
    const sent = posts.flatMap((p) => p.body.map((d) => d.id));
    assert.equal(sent.length, 680);
    assert.equal(new Set(sent).size, 680);
    const toCreate = new Set(good.filter((r) => r.kind !== 'existing').map((r) => r.id));
    assert.ok(
      sent.every((id) => toCreate.has(id)),
      'only missing and soft-deleted doctors are POSTed',
    );
    for (const row of good) assert.equal(users().get(row.id)?.deleted, false, row.id);
    assert.equal(users().size, 2 + 1 + 980, 'fixtures + every good doctor, nothing else');
    // New doctors as sent: a quoted comma and quotes, a line break inside quotes, accents.
    assert.equal(users().get('roster-14').lastname, 'Gómez, "Jr." 14');
    assert.equal(users().get('roster-44').lastname, 'Ibáñez\n44');
    assert.equal(users().get('roster-44').name, 'Zoë');
  });

  test('a re-run provisions nothing new and sends zero POSTs: every good doctor is existing', async () => {
    const before = users().size;
    const report = join(dir, 'report-rerun.json');
    await clearLog();
    const { code } = await cli(speaknosisArgs(file, '--report', report));
    assert.equal(code, 1, 'the bad rows are still bad');
    assert.equal((await vendorLog('POST')).length, 0, 'zero POSTs on a re-run');
    assert.equal((await vendorLog('GET')).length, 980);
    const { summary } = await readJson(report);
    assert.deepEqual(summary, { total: 1000, existing: 980, created: 0, reactivated: 0, failed: 20, notRun: 0 });
    assert.equal(users().size, before);

    // Without the bad rows, a re-run is all green.
    const clean = join(dir, 'roster-clean.json');
    await writeFile(clean, JSON.stringify(good.map(({ kind, line, ...d }) => d)));
    const again = await cli(speaknosisArgs(clean));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /created +0\n +existing +980\n +reactivated +0\n +failed +0/);
    assert.equal(users().size, before);
  });

  test('a mid-run 503 then a dropped connection: retried, and every good doctor provisioned exactly once', async () => {
    sandbox.reset();
    await seedRoster(rows);
    // The first POST gets a 503 (nothing done); its retry is processed, then the connection dropped.
    await control('faults', {
      faults: [
        { match: { method: 'POST', path: '/provider/1001/user' }, kind: 'status', status: 503 },
        { match: { method: 'POST', path: '/provider/1001/user' }, kind: 'drop', after: true },
      ],
    });
    const report = join(dir, 'report-fault.json');
    const { code, stdout, stderr } = await cli(speaknosisArgs(file, '--report', report, '--concurrency', '2'));
    assert.equal(code, 1, stderr);

    const posts = await vendorLog('POST');
    // Ten chunks; the refused one is checked again and re-sent; the dropped one is checked again
    // and, found created, never re-sent.
    assert.equal(posts.length, 11);
    const sendsOf = (entry) => posts.filter((p) => p.body[0].id === entry.body[0].id);
    const refused = sendsOf(posts.find((p) => p.fault === 'status'));
    assert.deepEqual(
      refused.map((p) => p.status),
      [503, 201],
    );
    const dropped = sendsOf(posts.find((p) => p.fault === 'drop'));
    assert.deepEqual(
      dropped.map((p) => [p.fault, p.realStatus, p.status]),
      [['drop', 201, null]],
    );
    const gets = await vendorLog('GET');
    const recheckedAfterDrop = gets.filter(
      (g) => g.seq > dropped[0].seq && g.path.endsWith(`/${dropped[0].body[0].id}`),
    );
    assert.equal(recheckedAfterDrop.length, 1, 'the dropped chunk was checked again');
    assert.match(stdout, new RegExp(`${980 + refused[0].body.length + dropped[0].body.length + 11} request\\(s\\)`));

    const { summary, rows: reported } = await readJson(report);
    assert.equal(summary.failed, 20);
    assert.equal(summary.existing + summary.created + summary.reactivated, 980);
    const retried = new Set(dropped[0].body.map((d) => d.id));
    assert.ok(reported.filter((r) => retried.has(r.id)).every((r) => r.outcome === 'existing'));
    for (const row of good) assert.equal(users().get(row.id)?.deleted, false, row.id);
    assert.equal(users().size, 3 + 980);
  });

  test('a chunk that keeps failing is reported failed; a re-run provisions only it', async () => {
    sandbox.reset();
    await seedRoster(rows);
    await control('faults', {
      faults: [{ match: { method: 'POST', path: '/provider/1001/user' }, kind: 'status', status: 502, times: 2 }],
    });
    const report = join(dir, 'report-502.json');
    const { code } = await cli(speaknosisArgs(file, '--report', report, '--retries', '1'));
    assert.equal(code, 1);
    const { summary, rows: reported } = await readJson(report);
    const down = reported.filter((r) => r.outcome === 'failed' && r.error.code === 'server');
    // Only the doctors that chunk had to create fail; its active ones were found by their check.
    const failedPost = (await vendorLog('POST')).find((p) => p.status === 502);
    assert.deepEqual(
      down.map((r) => r.id),
      failedPost.body.map((d) => d.id),
    );
    assert.equal(summary.failed, 20 + down.length);
    assert.ok(down.every((r) => r.error.status === 502));

    const again = join(dir, 'report-502-rerun.json');
    const rerun = await cli(speaknosisArgs(file, '--report', again));
    assert.equal(rerun.code, 1);
    const second = await readJson(again);
    assert.equal(second.summary.failed, 20);
    const redone = new Set(down.map((r) => r.id));
    for (const row of second.rows) {
      if (row.outcome === 'failed') continue;
      // Only the chunk that failed had anything left to do.
      if (!redone.has(row.id)) assert.equal(row.outcome, 'existing', row.id);
      else assert.notEqual(row.outcome, 'failed');
    }
    assert.ok(second.rows.some((r) => redone.has(r.id) && r.outcome === 'created'));
  });
});

describe('Ctrl-C', () => {
  const { rows, csv } = generateRoster(300, { bad: false });
  let file;
  before(async () => {
    file = join(dir, 'roster-300.csv');
    await writeFile(file, csv);
  });

  /** Resolves once the sandbox has logged `count` requests of `method` (the run is well under way). */
  const untilRequests = (count, method) =>
    waitFor(async () => (await vendorLog(method)).length >= count, { timeoutMs: 30_000, what: `${count} ${method}s` });
  const untilPosts = (count) => untilRequests(count, 'POST');

  test('stops after the chunk in flight, writes the report with not-run rows, exits 1', async () => {
    sandbox.reset();
    await seedRoster(rows);
    await control('latency', { ms: 200 });
    const report = join(dir, 'report-sigint.json');
    const { code, stderr } = await cli(speaknosisArgs(file, '--report', report, '--chunk-size', '10'), {
      onSpawn: (child) => untilPosts(3).then(() => child.kill('SIGINT')),
    });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /SIGINT: stopping after the [01] chunk\(s\) in flight/);
    const { interrupted, stopReason, summary, rows: reported } = await readJson(report);
    assert.equal(interrupted, true);
    assert.match(stopReason, /SIGINT/);
    assert.ok(summary.notRun > 0 && summary.notRun % 10 === 0, `not run: ${summary.notRun}`);
    assert.equal(summary.failed, 0);
    assert.equal(summary.total - summary.notRun, (await vendorLog('POST')).length * 10, 'whole chunks ran');
    // The chunk in flight finished, so the report is exact: done rows exist, not-run rows were never sent.
    reported.forEach((row, i) => {
      const user = users().get(row.id);
      if (row.outcome !== 'not-run') return assert.equal(user?.deleted, false, row.id);
      if (rows[i].kind === 'new') assert.equal(user, undefined, row.id);
      if (rows[i].kind === 'deleted') assert.equal(user.deleted, true, row.id);
    });
  });

  test('a second Ctrl-C aborts the requests in flight; their rows stay not-run', async () => {
    sandbox.reset();
    // Every check is held until its client leaves: none can be answered before the second Ctrl-C.
    await control('faults', { faults: [{ kind: 'hold', match: { method: 'GET' }, times: 1000 }] });
    const report = join(dir, 'report-sigint-twice.json');
    const { code, stderr } = await cli(speaknosisArgs(file, '--report', report, '--chunk-size', '100'), {
      onSpawn: (child) => {
        let seen = '';
        child.stderr.on('data', (chunk) => (seen += chunk));
        control('held/wait', { timeoutMs: 30_000 }).then(async () => {
          child.kill('SIGINT');
          // The second Ctrl-C once the first was handled (two signals at once may arrive as one).
          await waitFor(() => seen.includes('SIGINT: stopping'), { timeoutMs: 30_000, what: 'the first Ctrl-C' });
          child.kill('SIGINT');
        });
      },
    });
    assert.equal(code, 1);
    assert.match(stderr, /aborting the requests in flight/);
    const { summary } = await readJson(report);
    assert.deepEqual(summary, { total: 300, existing: 0, created: 0, reactivated: 0, failed: 0, notRun: 300 });
    // The sandbox sees each held check's client leave: none of them ever reached the vendor's handler.
    await waitFor(async () => (await control('held')).held.length === 0, { what: 'no check held' });
    const checks = await vendorLog('GET');
    assert.ok(checks.length >= 1);
    for (const check of checks) {
      assert.equal(check.aborted, true, 'the vendor never handled the aborted check');
      assert.equal(check.fault, 'hold');
    }
    assert.equal((await vendorLog('POST')).length, 0);
    assert.equal(users().has(rows.find((r) => r.kind === 'new').id), false);
  });
});

describe('Prescrypto', () => {
  const prescryptoArgs = (file, ...more) => rosterArgs(origin, { vendor: 'prescrypto', tokenEnv: 'PK', file }, ...more);

  test('one doctor at a time: existing, reactivated, created; medic tokens only in a 0600 file; re-run keeps them', async () => {
    sandbox.reset();
    const roster = join(dir, 'medics.csv');
    await writeFile(
      roster,
      'name,lastname,email,password,hospital,female,is_admin_membership\r\n' +
        'Elena,Vidal,elena.vidal@clinic.example,,7,yes,no\r\n' +
        'Medic,Seven,medic7@clinic.example,,7,,\r\n' +
        'Inés,Peña,ines.pena.cli@clinic.example,Secret-Pass-2,7,true,false\r\n' +
        'Joan,Puig,joan.puig.cli@clinic.example,Secret-Pass-3,7,0,0\r\n' +
        'Not,Admin,not.admin.cli@clinic.example,Secret-Pass-4,99,,\r\n',
    );
    const report = join(dir, 'medics-report.json');
    const tokens = join(dir, 'medic-tokens.jsonl');
    const env = { env: { PK: 'pk_demo_key' } };
    const { code, stdout, stderr } = await cli(prescryptoArgs(roster, '--report', report), env);
    assert.equal(code, 1, 'the hospital this key does not administer fails its row');
    const { summary, rows, interrupted } = await readJson(report);
    assert.deepEqual(summary, { total: 5, existing: 1, created: 2, reactivated: 1, failed: 1, notRun: 0 });
    assert.equal(interrupted, false, 'a per-medic refusal does not stop the run');
    assert.deepEqual(
      rows.map((r) => [r.line, r.outcome]),
      [
        [2, 'existing'],
        [3, 'reactivated'],
        [4, 'created'],
        [5, 'created'],
        [6, 'failed'],
      ],
    );
    assert.equal(rows[0].accountId, 110);
    assert.equal(rows[4].error.code, 'forbidden');

    // The tokens: a JSON Lines file of its own (next to the report), mode 0600; never in the report or the output.
    assert.equal((await stat(tokens)).mode & 0o777, 0o600);
    const saved = await tokenRecords(tokens);
    assert.deepEqual(
      saved.map((m) => [m.line, m.email, m.medicId]),
      [
        [4, 'ines.pena.cli@clinic.example', rows[2].accountId],
        [5, 'joan.puig.cli@clinic.example', rows[3].accountId],
      ],
    );
    const state = await control(`state?vendor=prescrypto&email=ines.pena.cli@clinic.example`);
    assert.equal(state.medic.id, saved[0].medicId);
    for (const medic of saved) {
      assert.match(medic.token, /^\S{8,}$/);
      assert.ok(!(stdout + stderr + JSON.stringify(rows)).includes(medic.token));
    }
    assert.doesNotMatch(JSON.stringify(rows) + stdout + stderr, /Secret-Pass|pk_demo_key/);

    // A re-run creates nothing and must not lose the tokens only the first run received.
    await clearLog();
    const again = await cli(prescryptoArgs(roster, '--report', report), env);
    assert.equal(again.code, 1);
    // From one listing: only the row that failed is tried again; nothing is PATCHed.
    assert.deepEqual(
      (await vendorLog('POST')).map((p) => p.body.email),
      ['not.admin.cli@clinic.example'],
    );
    assert.equal((await vendorLog('PATCH')).length, 0);
    assert.deepEqual((await readJson(report)).summary, {
      total: 5,
      existing: 4,
      created: 0,
      reactivated: 0,
      failed: 1,
      notRun: 0,
    });
    assert.deepEqual(await tokenRecords(tokens), saved);
    assert.equal((await stat(tokens)).mode & 0o777, 0o600);
  });

  test('refuses to overwrite a --tokens-out file it did not write', async () => {
    sandbox.reset();
    const other = join(dir, 'not-tokens.json');
    await writeFile(other, '{"something":"else"}');
    const { code, stderr } = await cli(prescryptoArgs('demo/roster.csv', '--tokens-out', other), {
      env: { PK: 'pk_demo_key' },
    });
    assert.equal(code, 2);
    assert.match(stderr, /is not a doctor-gate tokens file/);
    assert.equal((await vendorLog()).length, 0);
    assert.equal(await readFile(other, 'utf8'), '{"something":"else"}');
  });
});
