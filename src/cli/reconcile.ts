// `doctor-gate reconcile`: make the vendor match a roster — plan, confirm, apply, report.
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { isAbort, reconcileDoctors, type Doctor, type ReconcilePlan, type ReconcileRowResult } from '../core/index.js';
import { UsageError, type ReconcileArgs } from './args.js';
import { AuditLog, checkPaths, sameFile } from './files.js';
import type { Io } from './output.js';
import { whichLines } from './jsonl.js';
import { Progress } from './progress.js';
import { cliClient } from './vendor-client.js';
import { writeFileAtomic } from './report.js';
import { openTokensFile, tokensPathOf } from './tokens.js';
import { readRoster, rowLabel, type Roster } from './roster.js';

const MAX_LISTED = 20;

/**
 * Ids from `--known`: one per line, or the `doctorId`s of an audit log written for this vendor and
 * API. A record a killed run left half-written is skipped, with a note.
 */
async function readKnown(path: string, vendor: string, api: string, io: Io): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`--known: cannot read ${path}`);
  }
  const ids = new Set<string>();
  const torn: number[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    if (!trimmed.startsWith('{')) {
      ids.add(trimmed);
      continue;
    }
    try {
      const record = JSON.parse(trimmed) as { vendor?: unknown; api?: unknown; doctorId?: unknown };
      if (record.vendor === vendor && record.api === api && typeof record.doctorId === 'string' && record.doctorId)
        ids.add(record.doctorId);
    } catch {
      torn.push(index + 1);
    }
  }
  if (torn.length) io.stderr.write(`note: --known ${path}: ${whichLines(torn)} not a whole JSON record: skipped\n`);
  return [...ids];
}

const where = (roster: Roster, index: number | undefined) =>
  index === undefined ? 'vendor   ' : rowLabel(roster.rows[index]!).padEnd(9);

function printPlan(io: Io, roster: Roster, plan: ReconcilePlan, target: string, dryRun: boolean) {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const c = plan.counts;
  out(`${dryRun ? 'Dry run: nothing is written. ' : ''}Plan for ${target}:`);
  out(
    `  create ${c.create} · reactivate ${c.reactivate} · deactivate ${c.deactivate} · prune ${c.prune} · ` +
      `membership ${c.membership} · unchanged ${c.none} · invalid ${c.invalid}`,
  );
  const changing = plan.rows.filter((row) => row.action !== 'none');
  for (const row of changing.slice(0, MAX_LISTED)) {
    const problem = row.index === undefined ? undefined : roster.rows[row.index]!.problem;
    const why = row.action === 'invalid' ? `  ${problem ?? row.error?.message ?? ''}` : '';
    out(`    ${where(roster, row.index)} ${row.action.padEnd(11)} ${row.id}${why}`);
  }
  if (changing.length > MAX_LISTED) out(`    … and ${changing.length - MAX_LISTED} more (all in the report)`);
  if (!plan.writes) out('Nothing to change.');
}

async function ask(io: Io, question: string): Promise<boolean> {
  const input = io.stdin ?? process.stdin;
  const prompt = createInterface({ input: input as NodeJS.ReadableStream, output: io.stderr as NodeJS.WritableStream });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

interface ReconcileReportRow {
  line?: number;
  index?: number;
  id: string;
  action: string;
  outcome: string;
  error?: { code: string; message: string; status?: number };
}

/** One row of the report: where in the roster, which id, what was planned and what happened. No secret. */
function reportRow(roster: Roster, result: ReconcileRowResult, redact: (text: string) => string): ReconcileReportRow {
  const source = result.index === undefined ? undefined : roster.rows[result.index];
  const row: ReconcileReportRow = { id: result.id, action: result.action, outcome: result.outcome };
  if (source?.line !== undefined) row.line = source.line;
  else if (result.index !== undefined) row.index = result.index;
  if (source?.problem) row.error = { code: 'config', message: source.problem };
  else if (result.error) {
    row.error = { code: result.error.code, message: redact(result.error.message) };
    if (result.error.status !== undefined) row.error.status = result.error.status;
  }
  return row;
}

/** Runs `doctor-gate reconcile`; resolves to the exit code (0 done, 1 some rows failed or not run, 2 usage). */
export async function reconcile(args: ReconcileArgs, io: Io): Promise<number> {
  const startedAt = new Date();
  const token = io.env[args.tokenEnv];
  if (!token)
    throw new UsageError(`the environment variable ${args.tokenEnv} is not set or empty: it must hold the API token`);
  const interactive = (io.stdin ?? process.stdin).isTTY === true;
  if (!args.dryRun && !args.yes && !interactive) {
    throw new UsageError('reconcile asks before writing: not on a terminal, pass --yes to apply (or --dry-run)');
  }
  const tokensPath = tokensPathOf(args);
  const writes = !args.dryRun;
  // --known may be the --audit log itself: it is read before the run, and the log is only appended to.
  const knownIsAudit = args.known !== undefined && args.audit !== undefined && (await sameFile(args.known, args.audit));
  await checkPaths(
    [
      { flag: '--file', path: args.file },
      ...(args.known && !knownIsAudit ? [{ flag: '--known', path: args.known }] : []),
    ],
    [
      ...(args.report ? [{ flag: '--report', path: args.report }] : []),
      ...(writes && args.vendor === 'prescrypto'
        ? [{ flag: args.tokensOut ? '--tokens-out' : 'the medic-tokens file', path: tokensPath }]
        : []),
      ...(args.audit ? [{ flag: '--audit', path: args.audit }] : []),
    ],
  );
  const audit = args.audit ? new AuditLog(args.audit) : undefined;
  await audit?.check();
  const roster = await readRoster(args.file);
  const api = new URL(args.apiBase).origin;
  const known = args.known ? await readKnown(args.known, args.vendor, api, io) : undefined;
  const tokens = writes && args.vendor === 'prescrypto' ? await openTokensFile(tokensPath, args, io) : undefined;
  const { client, counted } = cliClient(args, token, audit, io);
  const target = `${client.vendor.label} (${args.apiBase}${args.providerId ? `, provider ${args.providerId}` : ''})`;
  // A row the roster could not even read is sent as nothing: it plans as invalid.
  // Only its id: enough to keep prune away from that doctor, never enough to be sent.
  const doctors: Doctor[] = roster.rows.map((row) =>
    row.problem ? (row.doctor.id === undefined ? {} : { id: row.doctor.id }) : row.doctor,
  );

  const controller = new AbortController();
  let progress: Progress | undefined;
  let stopReason: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stopReason = `interrupted (${signal})`;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const settled: ReconcileRowResult[] = [];
  let outcome;
  try {
    outcome = await reconcileDoctors(client, doctors, {
      prune: args.prune,
      known,
      dryRun: args.dryRun,
      signal: controller.signal,
      concurrency: args.concurrency ?? 8,
      chunkSize: args.chunkSize,
      confirm: async (plan) => {
        printPlan(io, roster, plan, target, false);
        if (!args.yes && !(await ask(io, `Apply ${plan.writes} change(s)? [y/N] `))) {
          stopReason = 'not confirmed';
          return false;
        }
        progress = new Progress(io.stderr, plan.writes, { secondLabel: 'deactivated' });
        progress.start(0, { created: 0, existing: 0, reactivated: 0, failed: 0 });
        return true;
      },
      onResult: (result, account) => {
        settled.push(result);
        const medicToken = account?.['token'];
        if (tokens && result.outcome === 'created' && typeof medicToken === 'string' && medicToken) {
          const row = result.index === undefined ? undefined : roster.rows[result.index];
          // Appended before anything else happens; a token that cannot be saved stops the run.
          const saved = tokens.add({
            ...(row?.line !== undefined ? { line: row.line } : { index: result.index }),
            email: typeof result.doctor.email === 'string' ? result.doctor.email : undefined,
            medicId: result.id,
            token: medicToken,
            createdAt: new Date().toISOString(),
          });
          if (!saved && !stopReason) {
            stopReason = 'a medic token could not be saved';
            controller.abort();
          }
        }
      },
      onProgress: () =>
        progress?.update(settled.length, {
          created: settled.filter((r) => r.outcome === 'created').length,
          existing: settled.filter((r) => r.outcome === 'deactivated').length,
          reactivated: settled.filter((r) => r.outcome === 'reactivated').length,
          failed: settled.filter((r) => r.outcome === 'failed').length,
        }),
    });
  } catch (error) {
    if (!isAbort(error)) stopReason = `crashed (${client.http.redact(String((error as Error)?.message ?? error))})`;
    stopReason ??= 'aborted';
  } finally {
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const auditError = await audit?.flush().then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcome && (args.dryRun || !outcome.plan.writes)) printPlan(io, roster, outcome.plan, target, args.dryRun);

  const rows = (outcome?.results ?? settled).map((result) =>
    reportRow(roster, result, client.http.redact.bind(client.http)),
  );
  // A dry run's writes were planned, not left undone.
  if (args.dryRun) for (const row of rows) if (row.outcome === 'not-run') row.outcome = 'planned';
  const summary: Record<string, number> = {};
  for (const row of rows) summary[row.outcome] = (summary[row.outcome] ?? 0) + 1;
  const finishedAt = new Date();
  const report = {
    tool: 'doctor-gate reconcile',
    vendor: args.vendor,
    apiBase: args.apiBase,
    ...(args.providerId ? { providerId: args.providerId } : {}),
    file: args.file,
    dryRun: args.dryRun,
    prune: args.prune,
    applied: outcome?.applied ?? false,
    interrupted: stopReason !== undefined && stopReason !== 'not confirmed',
    ...(stopReason ? { stopReason } : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    requests: counted.requests,
    plan: outcome?.plan.counts,
    summary,
    rows,
  };
  if (args.report) await writeFileAtomic(args.report, `${JSON.stringify(report, null, 2)}\n`, 0o644);
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const took = report.durationMs < 1000 ? `${report.durationMs} ms` : `${(report.durationMs / 1000).toFixed(1)} s`;
  out(
    `doctor-gate reconcile: ${rows.length} row(s), ${counted.requests} request(s) in ${took}${outcome?.applied ? '' : ', nothing written'}`,
  );
  for (const [name, count] of Object.entries(summary)) out(`  ${name.padEnd(17)}${count}`);
  const failed = rows.filter((row) => row.outcome === 'failed');
  for (const row of failed.slice(0, 10)) out(`    ${row.id} ${row.error?.code ?? ''} ${row.error?.message ?? ''}`);
  if (stopReason) out(`Stopped: ${stopReason}.`);
  if (args.report) out(`Report: ${args.report}`);
  if (tokens?.issued.length)
    out(`Medic tokens: ${tokens.issued.length} new in ${tokensPath} (mode 0600; keep it secret)`);
  const saveError = tokens?.failure ?? auditError;
  if (saveError) out(`ERROR: could not save: ${(saveError as Error).message ?? String(saveError)}`);
  if (stopReason === 'not confirmed') return 1;
  // A dry run is a success when the plan could be made: its writes are "not run" on purpose.
  if (args.dryRun) return failed.length || stopReason || saveError ? 1 : 0;
  return failed.length || rows.some((row) => row.outcome === 'not-run') || stopReason || saveError ? 1 : 0;
}
