// The command line's lifecycle guarantees, run as a child process against the sandbox over real
// HTTP: no output ever overwrites an input or another output, an interrupted run keeps every
// medic token it received, the audit log only grows, and reconcile plans, asks and applies.
// `npm test` builds first; alone: `npm run build && node --test test/node/cli-lifecycle.test.js`.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox } from '../../sandbox/index.js';
import { rosterArgs, runCli } from './support/process.js';
import { sandboxControl, serveSandbox } from './support/sandbox.js';
import { tokenRecords } from './support/tokens.js';

const serve = (sandbox) => serveSandbox({ sandbox });
/** The control API's JSON answer, whatever its status (a test may expect a refusal). */
const controlAt = async (origin, path, body) => (await sandboxControl(origin).request(path, body)).body;

const ENV = { SK_TOKEN: 'sk_demo_token', PK_KEY: 'pk_demo_key', USER: 'tester' };

let stop;
let origin;
let dir;
const sandbox = createSandbox();
before(async () => {
  ({ origin, stop } = await serve(sandbox));
  dir = await mkdtemp(join(tmpdir(), 'doctor-gate-lifecycle-'));
});
after(async () => {
  await stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  sandbox.reset();
});

const control = (path, body) => controlAt(origin, path, body);
/** Requests the sandbox received at a vendor API (never the control API). */
const vendorRequests = async () => (await control('log')).entries.filter((e) => !e.path.includes('/_control/'));
const WRITES = new Set(['POST', 'PATCH', 'DELETE']);
const vendorWrites = async () => (await vendorRequests()).filter((e) => WRITES.has(e.method));

/** `node dist/cli.js …` in the test's folder; `onSpawn(child)` may signal it. */
const cli = (args, { onSpawn } = {}) => runCli(args, { env: ENV, cwd: dir, onSpawn });

const prescrypto = (file, ...more) =>
  rosterArgs(origin, { vendor: 'prescrypto', tokenEnv: 'PK_KEY', file }, '--retries', '0', ...more);
const speaknosis = (command, file, ...more) =>
  rosterArgs(origin, { command, vendor: 'speaknosis', tokenEnv: 'SK_TOKEN', file }, ...more);

let counter = 0;
/** A Prescrypto roster of `n` new medics; resolves to its path and the emails. */
async function medicRoster(n) {
  const run = `${Date.now().toString(36)}${counter++}`;
  const emails = Array.from({ length: n }, (_, k) => `cli.${run}.${k}@clinic.example`);
  const path = join(dir, `medics-${run}.csv`);
  await writeFile(path, `name,email\n${emails.map((e, k) => `Medic ${k},${e}`).join('\n')}\n`);
  return { path, emails };
}
const readJson = async (path) => JSON.parse(await readFile(path, 'utf8'));

describe('no output overwrites an input or another output', () => {
  test('every collision is refused with exit 2, before any request, and the files are untouched', async () => {
    const { path: roster } = await medicRoster(2);
    const original = await readFile(roster, 'utf8');
    await mkdir(join(dir, 'out'), { recursive: true });
    const tokens = join(dir, 'out', 'medic-tokens.jsonl');
    const link = join(dir, `link-${counter++}.csv`);
    await symlink(roster, link);
    const known = join(dir, 'known.txt');
    await writeFile(known, 'doc-ana\n');
    const cases = [
      // The issue's own report: --report names the default tokens file (next to the report).
      prescrypto(roster, '--report', tokens),
      prescrypto(roster, '--report', roster),
      prescrypto(roster, '--report', link),
      prescrypto(
        roster,
        '--report',
        join(dir, 'out', '..', 'out', 'r.json'),
        '--tokens-out',
        join(dir, 'out', 'r.json'),
      ),
      prescrypto(roster, '--tokens-out', roster),
      prescrypto(roster, '--audit', roster),
      prescrypto(roster, '--audit', join(dir, 'same.json'), '--report', join(dir, 'same.json')),
      prescrypto(roster, '--audit', join(dir, 'a.jsonl'), '--tokens-out', join(dir, 'a.jsonl')),
      prescrypto(roster, '--dry-run', '--report', roster),
      speaknosis('provision', roster, '--report', roster),
      speaknosis('reconcile', roster, '--yes', '--report', known, '--known', known),
      speaknosis('reconcile', roster, '--yes', '--audit', roster),
      speaknosis('reconcile', roster, '--yes', '--audit', link),
    ];
    for (const args of cases) {
      await sandboxControl(origin).clearLog();
      const { code, stderr } = await cli(args);
      assert.equal(code, 2, `exit 2 for ${args.slice(-4).join(' ')}: ${stderr}`);
      assert.match(stderr, /is the same file as/);
      assert.deepEqual(await vendorRequests(), [], `no request for ${args.slice(-4).join(' ')}`);
    }
    assert.equal(await readFile(roster, 'utf8'), original);
    assert.equal(await readFile(known, 'utf8'), 'doc-ana\n');
  });

  test('an audit path holding something else (a roster) is refused before any request', async () => {
    const { path: roster } = await medicRoster(1);
    const other = join(dir, `other-${counter++}.csv`);
    await writeFile(other, 'name,email\n');
    const { code, stderr } = await cli(prescrypto(roster, '--audit', other));
    assert.equal(code, 2);
    assert.match(stderr, /not a JSON-lines audit log/);
    assert.equal(await readFile(other, 'utf8'), 'name,email\n');
    assert.deepEqual(await vendorRequests(), []);
  });
});

describe('an interrupted run keeps what it received', () => {
  /**
   * Holds the create of `emails[n]` at the sandbox and runs the roster one medic at a time; resolves
   * once that create is held. Each token is appended before the next create is sent, so the n
   * tokens received are on disk by then.
   */
  async function runUntilHeld(n, extra = []) {
    const { path: roster, emails } = await medicRoster(n + 2);
    await control('faults', { faults: [{ kind: 'hold', match: { method: 'POST', body: emails[n] } }] });
    const tokens = join(dir, `tokens-${counter++}.jsonl`);
    const report = join(dir, `report-${counter++}.json`);
    let child;
    let stderr = '';
    const done = cli(prescrypto(roster, '--concurrency', '1', '--tokens-out', tokens, '--report', report, ...extra), {
      onSpawn: (spawned) => {
        child = spawned;
        spawned.stderr.on('data', (chunk) => (stderr += chunk));
      },
    });
    // The (n+1)-th create is held at the sandbox: nothing more can arrive.
    await sandboxControl(origin).control('held/wait', { match: { method: 'POST' }, timeoutMs: 30_000 });
    assert.equal((await vendorRequests()).filter((e) => e.method === 'POST').length, n + 1);
    return { child, done, tokens, report, emails, stderr: () => stderr };
  }

  test("killed (SIGKILL) after N creations: N tokens on disk, each the medic's own", async () => {
    const n = 2;
    const { child, done, tokens, emails } = await runUntilHeld(n);
    child.kill('SIGKILL');
    const { signal } = await done;
    assert.equal(signal, 'SIGKILL');
    const saved = await tokenRecords(tokens);
    assert.equal(saved.length, n);
    for (const [k, entry] of saved.entries()) {
      const medic = sandbox.store.prescrypto.medics.get(Number(entry.medicId));
      assert.equal(medic.email, emails[k]);
      assert.equal(entry.token, medic.token);
    }
  });

  test('Ctrl-C twice: N tokens on disk and a report of what was done', async () => {
    const n = 3;
    const { child, done, tokens, report, stderr } = await runUntilHeld(n);
    // The second Ctrl-C once the first is acknowledged: two signals sent at once may arrive as one.
    child.kill('SIGINT');
    while (!/press Ctrl-C again/.test(stderr())) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT');
    const { code, stdout } = await done;
    assert.equal(code, 1);
    assert.match(stdout, /Stopped: interrupted/);
    assert.equal((await tokenRecords(tokens)).length, n);
    const written = await readJson(report);
    assert.equal(written.interrupted, true);
    assert.deepEqual([written.summary.created, written.summary.notRun], [n, 2], JSON.stringify(written.summary));
    assert.ok(!JSON.stringify(written).includes('mt_'), 'no medic token in the report');
  });

  test('the tokens file is appended to across runs, never replaced', async () => {
    const tokens = join(dir, `tokens-${counter++}.jsonl`);
    const first = await medicRoster(2);
    assert.equal((await cli(prescrypto(first.path, '--tokens-out', tokens))).code, 0);
    const second = await medicRoster(1);
    assert.equal((await cli(prescrypto(second.path, '--tokens-out', tokens))).code, 0);
    // The first run's records, then the second's: within a run, in the order its creations answered.
    const emails = (await tokenRecords(tokens)).map((m) => m.email);
    assert.deepEqual(emails.slice(0, 2).sort(), [...first.emails].sort());
    assert.deepEqual(emails.slice(2), second.emails);
  });
});

describe('--audit', () => {
  test('after two runs the audit file holds both runs, one JSON line per action, no secret', async () => {
    const { path: roster, emails } = await medicRoster(2);
    const audit = join(dir, `audit-${counter++}.jsonl`);
    const tokens = join(dir, `tokens-${counter++}.jsonl`);
    assert.equal((await cli(prescrypto(roster, '--audit', audit, '--tokens-out', tokens))).code, 0);
    const firstLines = (await readFile(audit, 'utf8')).trim().split('\n');
    assert.equal((await cli(prescrypto(roster, '--audit', audit, '--tokens-out', tokens))).code, 0);
    const text = await readFile(audit, 'utf8');
    const records = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      text.trim().split('\n').slice(0, firstLines.length),
      firstLines,
      'the first run is kept as written',
    );
    const creates = records.filter((r) => r.action === 'create');
    assert.equal(creates.length, 2, 'the first run created both');
    assert.ok(records.length > firstLines.length, 'the second run added its own records');
    for (const record of records) {
      assert.deepEqual(
        Object.keys(record)
          .sort()
          .filter((k) => !['code', 'status', 'requestId'].includes(k)),
        ['action', 'actor', 'api', 'at', 'doctorId', 'outcome', 'vendor'],
      );
      assert.equal(record.actor, 'cli:tester');
      assert.equal(record.api, origin);
    }
    const saved = await tokenRecords(tokens);
    assert.equal(saved.length, 2);
    for (const secret of ['pk_demo_key', ...saved.map((m) => m.token), ...emails]) {
      assert.ok(!text.includes(secret), 'no key, medic token or email in the audit');
    }
  });
  test('a line a killed run left half-written: the next run starts on a new line, --known skips it', async () => {
    const path = join(dir, `audit-roster-${counter++}.csv`);
    await writeFile(path, 'id,name,lastname,specialityId,lang\ndoc-torn1,T,One,1,EN\n');
    const audit = join(dir, `audit-torn-${counter++}.jsonl`);
    assert.equal((await cli(speaknosis('provision', path, '--audit', audit))).code, 0);
    await appendFile(audit, '{"at":"2026-05-04T09:1');
    const before = await readFile(audit, 'utf8');
    await writeFile(path, 'id,name,lastname,specialityId,lang\ndoc-torn1,T,One,1,EN\ndoc-torn2,T,Two,1,ES\n');
    assert.equal((await cli(speaknosis('provision', path, '--audit', audit))).code, 0);
    const text = await readFile(audit, 'utf8');
    assert.ok(text.startsWith(`${before}\n`), 'the torn line is closed, the earlier lines kept');
    const lines = text.trim().split('\n');
    const torn = before.split('\n').length;
    lines.forEach((line, k) => (k + 1 === torn ? assert.throws(() => JSON.parse(line)) : JSON.parse(line)));
    assert.ok(
      lines.slice(torn).some((line) => JSON.parse(line).doctorId === 'doc-torn2'),
      'the second run is recorded after the torn line',
    );
    // The log is still a --known list: the unfinished line is skipped with a note, not an error.
    const dry = await cli(speaknosis('reconcile', path, '--dry-run', '--prune', '--known', audit));
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stderr, new RegExp(`line ${torn} is not a whole JSON record: skipped`));
  });
});

describe('doctor-gate reconcile', () => {
  const roster = async (rows) => {
    const path = join(dir, `reconcile-${counter++}.csv`);
    await writeFile(path, `id,name,lastname,specialityId,lang,active\n${rows.join('\n')}\n`);
    return path;
  };

  test('not on a terminal and without --yes: refused with exit 2, no request', async () => {
    const path = await roster(['doc-r1,R,One,1,EN,']);
    await sandboxControl(origin).clearLog();
    const { code, stderr } = await cli(speaknosis('reconcile', path));
    assert.equal(code, 2);
    assert.match(stderr, /--yes/);
    assert.deepEqual(await vendorRequests(), []);
  });

  test('--dry-run prints the plan and writes nothing; --yes applies it; a re-run changes nothing', async () => {
    const path = await roster(['doc-r1,R,One,1,EN,', 'doc-r2,R,Two,1,ES,true', 'doc-john,John,Smith,1,EN,false']);
    const report = join(dir, `reconcile-report-${counter++}.json`);
    const audit = join(dir, `reconcile-audit-${counter++}.jsonl`);
    const known = join(dir, `known-${counter++}.txt`);
    await writeFile(known, 'doc-ana\n');
    await sandboxControl(origin).clearLog();
    const dry = await cli(speaknosis('reconcile', path, '--dry-run', '--prune', '--known', known, '--report', report));
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Dry run: nothing is written/);
    assert.match(dry.stdout, /create 2 · reactivate 0 · deactivate 1 · prune 1/);
    assert.match(dry.stdout, /line 4 +deactivate +doc-john/);
    assert.deepEqual(await vendorWrites(), []);
    assert.equal((await readJson(report)).applied, false);

    const real = await cli(
      speaknosis('reconcile', path, '--yes', '--prune', '--known', known, '--report', report, '--audit', audit),
    );
    assert.equal(real.code, 0, real.stdout + real.stderr);
    const users = sandbox.store.speaknosis.providers.get('1001');
    assert.deepEqual(
      ['doc-r1', 'doc-r2', 'doc-john', 'doc-ana'].map((id) => users.get(id)?.deleted),
      [false, false, true, true],
    );
    const written = await readJson(report);
    assert.equal(written.applied, true);
    assert.deepEqual(written.summary, { created: 2, deactivated: 2 });
    const records = (await readFile(audit, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      records
        .filter((r) => r.action !== 'check')
        .map((r) => `${r.action}:${r.doctorId}`)
        .sort(),
      ['create:doc-r1', 'create:doc-r2', 'deactivate:doc-ana', 'deactivate:doc-john'],
    );

    // The audit log of the run is a --known list for the next: doc-ana is found inactive now.
    await sandboxControl(origin).clearLog();
    const again = await cli(speaknosis('reconcile', path, '--yes', '--prune', '--known', audit));
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /Nothing to change/);
    assert.deepEqual(await vendorWrites(), []);
  });

  test('Prescrypto: the tokens of created medics are saved to the tokens file, never to the report or the output', async () => {
    const { path, emails } = await medicRoster(2);
    const tokens = join(dir, `reconcile-tokens-${counter++}.jsonl`);
    const report = join(dir, `reconcile-report-${counter++}.json`);
    const args = prescrypto(path, '--yes', '--tokens-out', tokens, '--report', report);
    args[0] = 'reconcile';
    const { code, stdout, stderr } = await cli(args);
    assert.equal(code, 0, stdout + stderr);
    const saved = await tokenRecords(tokens);
    // Saved in the order the creations answered (they run concurrently): each medic once.
    assert.deepEqual(saved.map((m) => m.email).sort(), [...emails].sort());
    for (const entry of saved) {
      assert.equal(entry.token, sandbox.store.prescrypto.medics.get(Number(entry.medicId)).token);
      assert.ok(!stdout.includes(entry.token) && !stderr.includes(entry.token));
      assert.ok(!(await readFile(report, 'utf8')).includes(entry.token));
    }
  });
});
