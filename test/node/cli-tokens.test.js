// The CLI's medic-tokens file is only ever appended to: one JSON line per one-time Prescrypto medic
// token, written (O_APPEND, fsync) the moment it arrives; never truncated, rewritten or renamed over.
// The CLI runs as a child process against the sandbox over real HTTP; the file's parts in process.
// `npm test` builds first; alone: `npm run build && node --test test/node/cli-tokens.test.js`.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox } from '../../sandbox/index.js';
import { appendLine, checkTokensFile, TokenFile, TOKENS_FILE } from '../../dist/cli.js';
import { assertNoSecret, rejection } from './support/assert.js';
import { rosterArgs, runCli } from './support/process.js';
import { sandboxControl, serveSandbox } from './support/sandbox.js';
import { readTokens } from './support/tokens.js';

const ENV = { PK_KEY: 'pk_demo_key' };
const sandbox = createSandbox();
let origin;
let stop;
let dir;
before(async () => {
  ({ origin, stop } = await serveSandbox({ sandbox }));
  dir = await mkdtemp(join(tmpdir(), 'doctor-gate-tokens-'));
});
after(async () => {
  await stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => sandbox.reset());

const control = () => sandboxControl(origin);
const vendorRequests = async () => (await control().log()).filter((e) => !e.path.includes('/_control/'));
const cli = (args, options = {}) => runCli(args, { env: ENV, cwd: dir, ...options });

/** `provision` (or `reconcile --yes`) of `file` at the sandbox's Prescrypto. */
const prescrypto = (file, ...more) =>
  rosterArgs(origin, { vendor: 'prescrypto', tokenEnv: 'PK_KEY', file }, '--retries', '0', ...more);
const reconcile = (file, ...more) => ['reconcile', ...prescrypto(file, '--yes', ...more).slice(1)];

let counter = 0;
const fresh = (name) => join(dir, `${counter++}-${name}`);
/** A roster of `n` medics no run created before; its path and their emails. */
async function medicRoster(n) {
  const run = `${Date.now().toString(36)}${counter++}`;
  const emails = Array.from({ length: n }, (_, k) => `tok.${run}.${k}@clinic.example`);
  const path = join(dir, `medics-${run}.csv`);
  await writeFile(path, `name,email\n${emails.map((e, k) => `Medic ${k},${e}`).join('\n')}\n`);
  return { path, emails };
}
/** The medic the sandbox holds for a record of the file: the token must be that medic's own. */
const medicOf = (record) => sandbox.store.prescrypto.medics.get(Number(record.medicId));

describe('two runs with the same --tokens-out', () => {
  test('the second run appends after the first: same inode, the first bytes kept byte for byte, 0600', async () => {
    const tokens = fresh(TOKENS_FILE);
    const first = await medicRoster(2);
    const one = await cli(prescrypto(first.path, '--tokens-out', tokens));
    assert.equal(one.code, 0, one.stdout + one.stderr);
    // A record written by hand in a spacing JSON.stringify never produces: a run that parsed the file
    // and wrote it again (in place or by a rename) could not keep these bytes.
    await appendFile(
      tokens,
      '{ "vendor": "prescrypto", "apiBase": "https://elsewhere.example/", "token": "mt_by_hand" }\n',
    );
    const before = await readFile(tokens);
    const { ino, dev } = await stat(tokens);

    const second = await medicRoster(1);
    const two = await cli(prescrypto(second.path, '--tokens-out', tokens));
    assert.equal(two.code, 0, two.stdout + two.stderr);
    // reconcile appends to the same file in the same way.
    const third = await medicRoster(1);
    const three = await cli(reconcile(third.path, '--tokens-out', tokens));
    assert.equal(three.code, 0, three.stdout + three.stderr);

    const after = await readFile(tokens);
    assert.deepEqual(after.subarray(0, before.length), before, 'the earlier lines are unchanged, byte for byte');
    const now = await stat(tokens);
    assert.deepEqual([now.dev, now.ino], [dev, ino], 'the same file, never replaced by a rename');
    assert.equal(now.mode & 0o777, 0o600);

    const { records, unreadable } = await readTokens(tokens);
    assert.deepEqual(unreadable, []);
    // Each run's records after the earlier ones; the first run's two in the order its creations answered.
    const written = records.map((r) => r.email ?? r.apiBase);
    assert.deepEqual(written.slice(0, 2).sort(), [...first.emails].sort());
    assert.deepEqual(written.slice(2), ['https://elsewhere.example/', ...second.emails, ...third.emails]);
    const issued = records.filter((r) => r.token !== 'mt_by_hand');
    for (const record of issued) {
      assert.deepEqual(
        Object.keys(record),
        ['vendor', 'apiBase', 'line', 'email', 'medicId', 'token', 'createdAt'],
        'one self-describing record per line: whose token, for which API, and the token',
      );
      assert.equal(record.vendor, 'prescrypto');
      assert.equal(record.apiBase, `${origin}/sandbox/prescrypto`);
      assert.equal(record.token, medicOf(record).token);
      assert.equal(medicOf(record).email, record.email);
    }
    // The tokens are in the file only: never in what the runs printed.
    assertNoSecret(
      [one, two, three].map((r) => r.stdout + r.stderr).join(''),
      issued.map((r) => r.token),
    );
  });

  test('a run that creates nothing leaves the file exactly as it was', async () => {
    const tokens = fresh(TOKENS_FILE);
    const { path } = await medicRoster(1);
    assert.equal((await cli(prescrypto(path, '--tokens-out', tokens))).code, 0);
    const before = await readFile(tokens);
    const { mtimeMs } = await stat(tokens);
    const again = await cli(prescrypto(path, '--tokens-out', tokens));
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /existing +1/);
    assert.deepEqual(await readFile(tokens), before);
    assert.equal((await stat(tokens)).mtimeMs, mtimeMs, 'not even opened for writing');
  });
});

describe('a line a killed run left half-written', () => {
  test('the next run starts on a new line: the old lines, the torn one and the new ones are all kept', async () => {
    const tokens = fresh(TOKENS_FILE);
    const first = await medicRoster(1);
    assert.equal((await cli(prescrypto(first.path, '--tokens-out', tokens))).code, 0);
    // What a process killed inside its write leaves: the start of a record, no newline.
    const torn = `{"vendor":"prescrypto","apiBase":"${origin}/sandbox/prescrypto","line":2,"token":"mt_half_writ`;
    await appendFile(tokens, torn);
    const before = await readFile(tokens, 'utf8');

    const second = await medicRoster(2);
    const run = await cli(prescrypto(second.path, '--tokens-out', tokens));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /line 2 is not a whole record .*skipped/);
    assert.ok(!(run.stdout + run.stderr).includes('mt_half_writ'), 'the torn line is never printed');

    const { records, unreadable, text } = await readTokens(tokens);
    assert.ok(text.startsWith(`${before}\n`), 'the torn line is closed, not overwritten');
    assert.deepEqual(unreadable, [2]);
    // The first run's record first; a run's own records in the order its creations answered.
    assert.deepEqual(records[0].email, first.emails[0]);
    assert.deepEqual(records.map((r) => r.email).sort(), [...first.emails, ...second.emails].sort());
    for (const record of records) assert.equal(record.token, medicOf(record).token);

    // And again: the file stays usable after the repair.
    const third = await medicRoster(1);
    const next = await cli(reconcile(third.path, '--tokens-out', tokens));
    assert.equal(next.code, 0, next.stdout + next.stderr);
    const later = await readTokens(tokens);
    assert.deepEqual(later.unreadable, [2]);
    assert.equal(later.records.length, 4);
    assert.ok(later.text.startsWith(text));
  });
});

describe('killed while the next create is held', () => {
  for (const command of ['provision', 'reconcile']) {
    test(`${command}: SIGKILL after N creations leaves exactly N whole lines, each the medic's own token`, async () => {
      const n = 3;
      const { path, emails } = await medicRoster(n + 2);
      // The (n+1)-th create waits at the sandbox until released: the run cannot get further.
      await control().faults({ kind: 'hold', match: { method: 'POST', body: emails[n] } });
      const tokens = fresh(TOKENS_FILE);
      const args = command === 'provision' ? prescrypto(path) : reconcile(path);
      let child;
      const done = cli([...args, '--concurrency', '1', '--tokens-out', tokens], { onSpawn: (c) => (child = c) });
      const held = await control().control('held/wait', { match: { method: 'POST' }, timeoutMs: 30_000 });
      assert.equal(held.held.length, 1);
      child.kill('SIGKILL');
      assert.equal((await done).signal, 'SIGKILL');

      const { records, unreadable, text } = await readTokens(tokens);
      assert.ok(text.endsWith('\n'), 'only whole lines');
      assert.deepEqual(unreadable, []);
      assert.deepEqual(
        records.map((r) => r.email),
        emails.slice(0, n),
      );
      for (const record of records) assert.equal(record.token, medicOf(record).token);
      const posts = (await vendorRequests()).filter((e) => e.method === 'POST');
      assert.equal(posts.length, n + 1, 'N creations answered, the next one held');
    });
  }
});

describe('files the tokens file must never overwrite', () => {
  const LEGACY = (apiBase) =>
    `${JSON.stringify(
      {
        tool: 'doctor-gate provision',
        vendor: 'prescrypto',
        apiBase,
        medics: [
          {
            line: 2,
            email: 'old@clinic.example',
            medicId: 9,
            token: 'mt_old_run',
            createdAt: '2026-01-01T00:00:00.000Z',
          },
        ],
      },
      null,
      2,
    )}\n`;

  test('an earlier version’s single-document file as --tokens-out: exit 2, no request, kept byte for byte', async () => {
    const legacy = fresh('medic-tokens.json');
    await writeFile(legacy, LEGACY(`${origin}/sandbox/prescrypto`), { mode: 0o600 });
    const { path } = await medicRoster(1);
    await control().clearLog();
    for (const args of [prescrypto(path, '--tokens-out', legacy), reconcile(path, '--tokens-out', legacy)]) {
      const { code, stdout, stderr } = await cli(args);
      assert.equal(code, 2, stdout + stderr);
      assert.match(stderr, /single-document format of earlier versions; it is kept as it is/);
      assert.ok(!(stdout + stderr).includes('mt_old_run'));
    }
    assert.deepEqual(await vendorRequests(), []);
    assert.equal(await readFile(legacy, 'utf8'), LEGACY(`${origin}/sandbox/prescrypto`));
  });

  test('beside the new default file, the old medic-tokens.json is left alone, and a --report naming it is refused', async () => {
    const out = join(dir, `out-${counter++}`);
    await mkdir(out);
    const legacy = join(out, 'medic-tokens.json');
    await writeFile(legacy, LEGACY(`${origin}/sandbox/prescrypto`));
    const { path, emails } = await medicRoster(1);

    // The issue's own scenario, with the old default name: the report would have replaced the tokens.
    await control().clearLog();
    const refused = await cli(prescrypto(path, '--report', legacy));
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /--report .* is not a doctor-gate report: it would be overwritten/);
    assert.deepEqual(await vendorRequests(), []);

    const run = await cli(prescrypto(path, '--report', join(out, 'report.json')));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /medic-tokens\.json \(the single-document format of earlier versions\) is kept as it is/);
    assert.equal(await readFile(legacy, 'utf8'), LEGACY(`${origin}/sandbox/prescrypto`));
    const { records } = await readTokens(join(out, TOKENS_FILE));
    assert.deepEqual(
      records.map((r) => r.email),
      emails,
    );

    // Nor may a report replace this run's tokens file (another run's), or an audit log.
    const audit = join(out, 'audit.jsonl');
    assert.equal((await cli(prescrypto(path, '--audit', audit))).code, 0);
    for (const target of [join(out, TOKENS_FILE), audit]) {
      const before = await readFile(target, 'utf8');
      const { code, stderr } = await cli(prescrypto(path, '--report', target, '--tokens-out', fresh(TOKENS_FILE)));
      assert.equal(code, 2, stderr);
      assert.equal(await readFile(target, 'utf8'), before);
    }
  });

  test('a file that is not a tokens file (a roster, JSON of another tool, a JSON array): exit 2, untouched', async () => {
    const { path } = await medicRoster(1);
    const others = [
      'name,email\nA,a@clinic.example\n',
      '{"something":"else"}\n',
      '[{"token":"x"}]\n',
      '{\n  "vendor": "prescrypto"\n}\n',
    ];
    for (const content of others) {
      const target = fresh('other.jsonl');
      await writeFile(target, content);
      const { code, stderr } = await cli(prescrypto(path, '--tokens-out', target));
      assert.equal(code, 2, `${content}: ${stderr}`);
      assert.match(stderr, /is not a doctor-gate tokens file/);
      assert.equal(await readFile(target, 'utf8'), content);
    }
  });
});

describe('the file’s parts, in process', () => {
  test('appendLine: creates the file 0600, closes a torn last line, never touches what is there', async () => {
    const path = fresh('lines.jsonl');
    appendLine(path, '{"a":1}', { mode: 0o600, durable: true });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    await appendFile(path, '{"b":');
    appendLine(path, '{"c":3}', { mode: 0o600 });
    assert.equal(await readFile(path, 'utf8'), '{"a":1}\n{"b":\n{"c":3}\n');
    await chmod(path, 0o644);
    appendLine(path, '{"d":4}', { mode: 0o600, enforceMode: true });
    assert.equal((await stat(path)).mode & 0o777, 0o600, 'a tokens file made readable by others is closed again');
  });

  test('checkTokensFile: counts records, reports torn lines (CRLF and NUL tails too), refuses the rest', async () => {
    const record = (k) =>
      JSON.stringify({ vendor: 'prescrypto', apiBase: 'https://x.example/', medicId: k, token: `t${k}` });
    const cases = [
      [`${record(1)}\n${record(2)}\n`, { saved: 2, unreadable: [] }],
      [`${record(1)}\r\n${record(2)}\r\n`, { saved: 2, unreadable: [] }],
      [`${record(1)}\n{"vendor":"presc`, { saved: 1, unreadable: [2] }],
      [`${record(1)}\n{"vendor":"presc\n${record(2)}\n`, { saved: 2, unreadable: [2] }],
      [`${record(1)}\n\0\0\0\0`, { saved: 1, unreadable: [2] }],
      ['{"ven', { saved: 0, unreadable: [1] }],
      ['', { saved: 0, unreadable: [] }],
    ];
    for (const [content, expected] of cases) {
      const path = fresh('check.jsonl');
      await writeFile(path, content);
      assert.deepEqual(await checkTokensFile(path), expected, JSON.stringify(content));
    }
    assert.deepEqual(await checkTokensFile(fresh('missing.jsonl')), { saved: 0, unreadable: [] });
    for (const content of ['id\ndoc-1\n', `${record(1)}\nnot json\n`, `${record(1)}\n{"other":true}\n`]) {
      const path = fresh('bad.jsonl');
      await writeFile(path, content);
      const error = await rejection(checkTokensFile(path));
      assert.match(error.message, /not a doctor-gate tokens file/, JSON.stringify(content));
    }
  });

  test('TokenFile: a token that cannot be saved is reported as a failure, never thrown or printed', async () => {
    const file = new TokenFile(join(dir, 'no-such-folder', TOKENS_FILE), {
      vendor: 'prescrypto',
      apiBase: 'https://x.example/',
    });
    assert.equal(file.add({ medicId: 1, token: 'mt_unsaved', createdAt: new Date().toISOString() }), false);
    assert.equal(file.failure.code, 'ENOENT');
    assert.ok(!String(file.failure.message).includes('mt_unsaved'));
    assert.deepEqual(file.issued, []);
  });
});
