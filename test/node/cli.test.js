// The roster command line (dist/cli.js), run as a child process against the sandbox over real HTTP.
// `npm test` builds first; alone: `npm run build && node --test test/node/cli.test.js`.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSandbox } from '../../sandbox/index.js';
import { serve } from './serve.js';
import { parseCsv, CsvSyntaxError, rosterFromCsv, rosterFromJson, RosterError, Progress } from '../../dist/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(root, 'dist/cli.js');
const TOKEN = 'sk_demo_token';

let stop;
let origin;
let dir;
const sandbox = createSandbox();

before(async () => {
  ({ origin, stop } = await serve(sandbox));
  dir = await mkdtemp(join(tmpdir(), 'doctor-gate-cli-'));
});
after(async () => {
  await stop();
  await rm(dir, { recursive: true, force: true });
});

const control = async (path, body) => {
  const response = await fetch(`${origin}/sandbox/_control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `control ${path}: HTTP ${response.status}`);
  return response.json();
};
const vendorLog = async (method = '') => (await control(`log?${new URLSearchParams({ method })}`)).entries;
const clearLog = () => fetch(`${origin}/sandbox/_control/log`, { method: 'DELETE' });
/** Users of provider 1001 as the sandbox holds them (the real store, read in process). */
const users = () => sandbox.store.speaknosis.providers.get('1001') ?? new Map();

/**
 * Runs `node dist/cli.js …` with the token in the environment; never blocks this process,
 * which serves the sandbox. `onSpawn(child)` may signal the child.
 */
function cli(args, { env = { SK_TOKEN: TOKEN }, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const guard = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
    onSpawn?.(child);
  });
}

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

describe('CSV parser (RFC 4180)', () => {
  test('quoted fields keep commas, doubled quotes and line breaks; accents pass through', () => {
    const records = parseCsv('id,name\n1,"Gómez, Jr."\n2,"say ""hi"""\n3,"two\nlines"\n4,Zoë Müller\n');
    assert.deepEqual(
      records.map((r) => r.fields),
      [
        ['id', 'name'],
        ['1', 'Gómez, Jr.'],
        ['2', 'say "hi"'],
        ['3', 'two\nlines'],
        ['4', 'Zoë Müller'],
      ],
    );
  });

  test('a BOM is dropped, CRLF and lone CR end records, and line numbers count physical lines', () => {
    const records = parseCsv('\uFEFFid,name\r\n1,"a\r\nb"\r\n2,c\r3,d');
    assert.deepEqual(records[0].fields, ['id', 'name']);
    assert.deepEqual(
      records.map((r) => [r.line, ...r.fields]),
      [
        [1, 'id', 'name'],
        [2, '1', 'a\r\nb'],
        [4, '2', 'c'],
        [5, '3', 'd'],
      ],
    );
  });

  test('blank lines are skipped, a final line break makes no record, empty fields stay', () => {
    const records = parseCsv('a,b\n\n1,\n   \n,2\n');
    assert.deepEqual(
      records.map((r) => [r.line, r.fields]),
      [
        [1, ['a', 'b']],
        [3, ['1', '']],
        [5, ['', '2']],
      ],
    );
    assert.deepEqual(
      parseCsv('"",x').map((r) => r.fields),
      [['', 'x']],
    );
  });

  test('an unterminated quote is a syntax error naming the line it opened on', () => {
    assert.throws(
      () => parseCsv('id,name\n1,ok\n2,"never closed\n3,x\n'),
      (error) => error instanceof CsvSyntaxError && error.line === 3,
    );
  });

  test('text after a closing quote marks that record only', () => {
    const records = parseCsv('a,b\n"x"y,1\n2,3\n');
    assert.match(records[1].error, /after a closing quote/);
    assert.equal(records[2].error, undefined);
  });

  test('rosterFromCsv coerces typed fields and flags rows with the wrong number of fields', () => {
    const roster = rosterFromCsv(
      'id,name,specialityId,lang,female,hospital,email\nd1,Ana,3,es,Yes,7,\nd2,Bo,cardio,EN,no,x,a@b.c\nd3,Cy\n',
    );
    assert.deepEqual(roster.columns, ['id', 'name', 'specialityId', 'lang', 'female', 'hospital', 'email']);
    const [one, two, three] = roster.rows;
    assert.deepEqual(one, {
      line: 2,
      doctor: { id: 'd1', name: 'Ana', specialityId: 3, lang: 'ES', female: true, hospital: 7 },
    });
    assert.deepEqual(two.doctor, {
      id: 'd2',
      name: 'Bo',
      specialityId: 'cardio',
      lang: 'EN',
      female: false,
      hospital: 'x',
      email: 'a@b.c',
    });
    assert.equal(three.line, 4);
    assert.match(three.problem, /2 field\(s\) where the header has 7/);
  });

  test('a header naming a column twice, or an empty file, is refused', () => {
    assert.throws(() => rosterFromCsv('id,name,id\n1,a,2\n'), RosterError);
    assert.throws(() => rosterFromCsv('\uFEFF\r\n'), RosterError);
  });

  test('rosterFromJson takes an array of objects, indexes items, and coerces numeric strings', () => {
    const roster = rosterFromJson('[{"id":"a","specialityId":"2","lang":"fr"}, 5]');
    assert.deepEqual(roster.rows[0], { index: 0, doctor: { id: 'a', specialityId: 2, lang: 'FR' } });
    assert.equal(roster.rows[1].index, 1);
    assert.equal(roster.rows[1].problem, 'not a JSON object');
    assert.throws(() => rosterFromJson('{"id":"a"}'), RosterError);
    assert.throws(() => rosterFromJson('[{'), RosterError);
  });
});

describe('progress', () => {
  const stream = (isTTY) => ({
    isTTY,
    columns: 160,
    text: '',
    write(chunk) {
      this.text += chunk;
    },
  });
  const counts = (created, failed = 0) => ({ created, existing: 0, reactivated: 0, failed });

  test('on a terminal: one line redrawn in place with a bar, counts, rate and ETA', () => {
    let now = 0;
    const out = stream(true);
    const progress = new Progress(out, 200, { now: () => now });
    progress.start(0, counts(0));
    now = 1000;
    progress.update(100, counts(99, 1));
    now = 2000;
    progress.update(200, counts(199, 1));
    progress.stop();
    const frames = out.text.replace(/\n$/, '').split('\r\x1b[2K').filter(Boolean);
    assert.ok(frames.length >= 3);
    assert.equal(out.text.indexOf('\n'), out.text.length - 1, 'a single line until the end');
    // The bar's exact column layout is what is checked.
    assert.match(
      frames[1],
      // eslint-disable-next-line no-regex-spaces
      /^\[█{15}░{15}\] 100\/200  50%  created  99 · existing   0 · reactivated   0 · failed   1    100\/s  ETA  0:01$/,
    );
    assert.equal(new Set(frames.map((frame) => frame.length)).size, 1, 'every frame as wide as the others');
    assert.match(frames.at(-1), /^\[█{30}\] 200\/200 100%/);
  });

  test('elsewhere: plain lines at 10 % steps, not one per update', () => {
    let now = 0;
    const out = stream(false);
    const progress = new Progress(out, 1000, { now: () => now });
    progress.start(0, counts(0));
    for (let done = 1; done <= 1000; done++) {
      now += 1;
      progress.update(done, counts(done));
    }
    progress.stop();
    const lines = out.text.trim().split('\n');
    assert.equal(lines.length, 11);
    // eslint-disable-next-line no-control-regex -- no terminal escape may reach a non-TTY
    assert.doesNotMatch(out.text, /\r|\x1b/);
    assert.equal(
      lines.at(-1),
      'progress 1000/1000 (100%) created 1000, existing 0, reactivated 0, failed 0; 1000/s, ETA 0:00',
    );
  });
});

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
  const untilRequests = async (count, method) => {
    for (let i = 0; i < 200; i++) {
      if ((await vendorLog(method)).length >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`never saw ${count} ${method}s`);
  };
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
    await control('latency', { ms: 3000 });
    const report = join(dir, 'report-sigint-twice.json');
    const { code, stderr } = await cli(speaknosisArgs(file, '--report', report, '--chunk-size', '100'), {
      onSpawn: (child) =>
        untilRequests(1, 'GET').then(async () => {
          child.kill('SIGINT');
          await new Promise((resolve) => setTimeout(resolve, 200));
          child.kill('SIGINT');
        }),
    });
    assert.equal(code, 1);
    assert.match(stderr, /aborting the requests in flight/);
    const { summary } = await readJson(report);
    assert.deepEqual(summary, { total: 300, existing: 0, created: 0, reactivated: 0, failed: 0, notRun: 300 });
    // The sandbox notices the closed connection during its latency: the checks never "arrived".
    let check;
    for (let i = 0; i < 40 && !check?.aborted; i++) {
      [check] = await vendorLog('GET');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(check.aborted, true, 'the vendor never handled the aborted check');
    assert.equal((await vendorLog('POST')).length, 0);
    assert.equal(users().has(rows.find((r) => r.kind === 'new').id), false);
  });
});

describe('Prescrypto', () => {
  const prescryptoArgs = (file, ...more) => [
    'provision',
    '--vendor',
    'prescrypto',
    '--api-base',
    `${origin}/sandbox/prescrypto`,
    '--token-env',
    'PK',
    '--file',
    file,
    ...more,
  ];

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
    const tokens = join(dir, 'medic-tokens.json');
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

    // The tokens: a file of its own (next to the report), mode 0600; never in the report or the output.
    assert.equal((await stat(tokens)).mode & 0o777, 0o600);
    const saved = await readJson(tokens);
    assert.deepEqual(
      saved.medics.map((m) => [m.line, m.email, m.medicId]),
      [
        [4, 'ines.pena.cli@clinic.example', rows[2].accountId],
        [5, 'joan.puig.cli@clinic.example', rows[3].accountId],
      ],
    );
    const state = await control(`state?vendor=prescrypto&email=ines.pena.cli@clinic.example`);
    assert.equal(state.medic.id, saved.medics[0].medicId);
    for (const medic of saved.medics) {
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
    assert.deepEqual(await readJson(tokens), saved);
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
