import {
  DoctorGateError,
  isAbort,
  parseDoctor,
  provisionDoctor,
  provisionDoctors,
  type BatchResult,
  type Doctor,
  type GateClient,
} from '../core/index.js';
import { parseCommand, UsageError, USAGE, type ProvisionArgs } from './args.js';
import { commandsHelp } from './commands.js';
import { buildReport, printPlan, printSummary, type Io } from './output.js';
import { Progress, type Counts } from './progress.js';
import { cliClient } from './vendor-client.js';
import { writeReport, type ReportRow } from './report.js';
import { readRoster, RosterError, rowLabel, type RosterRow } from './roster.js';
import { AuditLog, checkPaths } from './files.js';
import { openTokensFile, tokensPathOf, type TokenFile } from './tokens.js';
import { reconcile } from './reconcile.js';

export type { Io } from './output.js';

const defaultIo = (): Io => ({ env: process.env, stdout: process.stdout, stderr: process.stderr });

/** Runs the command line; resolves to the exit code (0 all provisioned, 1 some rows not, 2 bad usage). */
export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  try {
    const command = parseCommand(argv);
    if (command.command === 'help') {
      io.stdout.write(`${argv.includes('provision') ? '' : `${commandsHelp()}\n\n`}${USAGE}\n`);
      return 0;
    }
    if (command.command === 'reconcile') return await reconcile(command, io);
    return await provision(command, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RosterError) {
      const where = error instanceof RosterError ? 'roster: ' : '';
      io.stderr.write(`doctor-gate: ${where}${error.message}\nRun "doctor-gate --help" for usage.\n`);
      return 2;
    }
    throw error;
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;

/** Fields a doctor cannot go without at this vendor: what an empty doctor is refused for. */
function requiredFields(client: GateClient): string[] {
  try {
    parseDoctor(client, {});
    return [];
  } catch (error) {
    return error instanceof DoctorGateError ? (error.fields ?? []) : [];
  }
}

const where = (row: RosterRow): Pick<ReportRow, 'line' | 'index'> =>
  row.line !== undefined ? { line: row.line } : { index: row.index };

async function provision(args: ProvisionArgs, io: Io): Promise<number> {
  const startedAt = new Date();
  const token = io.env[args.tokenEnv];
  // A dry run sends nothing, so it may validate a roster on a machine that holds no token.
  if (!token && !args.dryRun) {
    throw new UsageError(`the environment variable ${args.tokenEnv} is not set or empty: it must hold the API token`);
  }
  const issuesTokens = args.vendor === 'prescrypto';
  const tokensPath = tokensPathOf(args);
  // Before anything is read or sent: no output may be an input or another output.
  await checkPaths(
    [{ flag: '--file', path: args.file }],
    [
      ...(args.report ? [{ flag: '--report', path: args.report }] : []),
      ...(issuesTokens && !args.dryRun
        ? [{ flag: args.tokensOut ? '--tokens-out' : 'the medic-tokens file', path: tokensPath }]
        : []),
      ...(args.audit && !args.dryRun ? [{ flag: '--audit', path: args.audit }] : []),
    ],
  );
  const audit = args.audit && !args.dryRun ? new AuditLog(args.audit) : undefined;
  await audit?.check();
  const roster = await readRoster(args.file);
  const { client, counted } = cliClient(args, token, audit, io);
  if (roster.format === 'csv') {
    const missing = requiredFields(client).filter((field) => !roster.columns.includes(field));
    if (missing.length) {
      throw new RosterError(
        `the CSV header lacks required column(s) ${missing.join(', ')} (it has ${roster.columns.join(', ')})`,
      );
    }
  }

  const rows: ReportRow[] = roster.rows.map((row) => ({
    ...where(row),
    id: text(row.doctor.id),
    email: text(row.doctor.email),
    outcome: 'not-run',
  }));
  const counts: Counts = { created: 0, existing: 0, reactivated: 0, failed: 0 };
  let done = 0;
  let stopReason: string | undefined;
  let tokens: TokenFile | undefined;

  const fail = (index: number, error: unknown) => {
    const reason =
      error instanceof DoctorGateError
        ? error
        : new DoctorGateError('bad-response', String((error as Error)?.message ?? error));
    // Whatever a vendor's body repeated, the credential and any issued token stay out of the report.
    const message = client.http.redact(reason.message);
    rows[index]!.outcome = 'failed';
    rows[index]!.error = {
      code: reason.code,
      message,
      step: reason.step,
      ...(reason.status !== undefined ? { status: reason.status } : {}),
      ...(reason.fields ? { fields: reason.fields } : {}),
    };
    counts.failed++;
    done++;
    // An HTTP 401/403 refuses every other row the same way: stop instead of sending the whole roster.
    // (Prescrypto's per-medic "not admin of that hospital" is a 400 `forbidden`: that row only.)
    if (reason.code === 'unauthorized' || (reason.code === 'forbidden' && reason.status === 403)) {
      stopReason ??= `the vendor refused the credential (${reason.code}: ${message})`;
    }
  };
  const settle = (index: number, result: BatchResult) => {
    if (result.outcome === 'failed') return fail(index, result.error);
    const row = rows[index]!;
    row.outcome = result.outcome;
    counts[result.outcome]++;
    done++;
    const accountId = text(result.account.id);
    if (accountId !== undefined && accountId !== row.id) row.accountId = result.account.id as string | number;
    // Prescrypto returns the medic token once, on creation: it is appended to the 0600 file before
    // anything else happens, never to the report. A token that cannot be saved stops the run.
    const issuedToken = result.account.token;
    if (result.outcome === 'created' && typeof issuedToken === 'string' && issuedToken && tokens) {
      const saved = tokens.add({
        ...where(roster.rows[index]!),
        email: row.email,
        medicId: row.accountId,
        token: issuedToken,
        createdAt: new Date().toISOString(),
      });
      if (!saved) stopReason ??= 'a medic token could not be saved';
    }
  };

  // Validate every row first: bad rows are reported by line and never sent; duplicates are bad rows too.
  const valid: number[] = [];
  const firstByKey = new Map<string, number>();
  roster.rows.forEach((row, index) => {
    if (row.problem) return fail(index, new DoctorGateError('config', row.problem, { step: 'config' }));
    let doctor: Doctor;
    try {
      doctor = parseDoctor(client, row.doctor);
    } catch (error) {
      return fail(index, error);
    }
    const key = client.vendor.key(doctor);
    const first = firstByKey.get(key);
    if (first !== undefined) {
      return fail(
        index,
        new DoctorGateError('config', `the same doctor as ${rowLabel(roster.rows[first]!)}`, { step: 'config' }),
      );
    }
    firstByKey.set(key, index);
    valid.push(index);
  });

  // A unit of work is one request's worth: a POST chunk where the vendor takes many doctors, else one doctor.
  const batched = typeof client.vendor.createMany === 'function';
  const unitSize = batched ? args.chunkSize : 1;
  const units: number[][] = [];
  for (let start = 0; start < valid.length; start += unitSize) units.push(valid.slice(start, start + unitSize));
  const concurrency = Math.max(1, Math.min(args.concurrency ?? (batched ? 1 : 4), units.length));
  const target = `${client.vendor.label} (${args.apiBase}${args.providerId ? `, provider ${args.providerId}` : ''})`;

  if (args.dryRun) {
    printPlan(io, target, roster, rows, valid, units, batched, concurrency, args.chunkSize);
    if (args.report) await writeReport(args.report, buildReport(args, rows, startedAt, true, undefined));
    return counts.failed > 0 ? 1 : 0;
  }

  if (args.tokensOut && !issuesTokens)
    io.stderr.write(`note: --tokens-out is ignored: ${client.vendor.label} issues no tokens\n`);
  if (issuesTokens) tokens = await openTokensFile(tokensPath, args, io);

  const noun = batched ? 'chunk' : 'doctor';
  io.stderr.write(
    `Provisioning ${rows.length} row(s) at ${target}: ${valid.length} valid, ${rows.length - valid.length} invalid; ` +
      `${units.length} ${noun}(s), ${concurrency} at a time\n`,
  );
  const progress = new Progress(io.stderr, rows.length);
  const abortInFlight = new AbortController();
  let inFlight = 0;
  // First Ctrl-C: no new work, let the requests in flight finish (their outcome is then known).
  // Second: abort them; their rows stay "not-run" and a re-run settles them.
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopReason) {
      stopReason = `interrupted (${signal})`;
      progress.note(`${signal}: stopping after the ${inFlight} ${noun}(s) in flight; press Ctrl-C again to abort them`);
    } else if (!abortInFlight.signal.aborted) {
      stopReason = `interrupted (${signal}), requests in flight aborted`;
      abortInFlight.abort();
      progress.note(`${signal}: aborting the requests in flight`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  progress.start(done, counts);
  // A vendor that finds doctors by listing (Prescrypto) is listed once for the whole run; each
  // doctor is then one request. A failed listing falls back to a lookup per doctor.
  const lookup =
    !batched && client.vendor.index && valid.length
      ? await client.vendor.index(client.http, client.scope, abortInFlight.signal).catch(() => undefined)
      : undefined;
  let next = 0;
  const worker = async () => {
    while (!stopReason && next < units.length) {
      const unit = units[next++]!;
      inFlight++;
      try {
        if (lookup) {
          const doctor = parseDoctor(client, roster.rows[unit[0]!]!.doctor);
          settle(
            unit[0]!,
            await provisionDoctor(client, doctor, {
              signal: abortInFlight.signal,
              found: Promise.resolve(lookup(doctor)),
            }),
          );
        } else {
          // The chunk's doctors are checked first (8 at a time); only the missing ones are POSTed.
          const results = await provisionDoctors(
            client,
            unit.map((index) => roster.rows[index]!.doctor),
            { chunkSize: unit.length, signal: abortInFlight.signal },
          );
          results.forEach((result, k) => settle(unit[k]!, result));
        }
      } catch (error) {
        // Aborted: the unit's rows stay "not-run". Anything else fails the unit, never the whole run.
        if (!isAbort(error)) unit.forEach((index) => fail(index, error));
      } finally {
        inFlight--;
      }
      progress.update(done, counts);
    }
  };
  try {
    await Promise.all(Array.from({ length: units.length ? concurrency : 0 }, worker));
  } catch (error) {
    // A crash mid-way still leaves the tokens saved so far and a report of what was done.
    stopReason ??= `crashed (${client.http.redact(String((error as Error)?.message ?? error))})`;
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const auditError = await audit?.flush().then(
    () => undefined,
    (error: unknown) => error,
  );
  const report = buildReport(args, rows, startedAt, false, stopReason);
  if (args.report) await writeReport(args.report, report);
  const tokensError = tokens?.failure ?? auditError;
  printSummary(io, args, report, counted.requests, tokensPath, tokens?.issued.length ?? 0, tokensError);
  return report.summary.failed + report.summary.notRun > 0 || tokensError ? 1 : 0;
}
