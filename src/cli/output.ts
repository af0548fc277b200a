// What `doctor-gate provision` prints and writes: the dry-run plan, the JSON report, the summary.
import type { Doctor } from '../core/index.js';
import type { ProvisionArgs } from './args.js';
import type { ProgressStream } from './progress.js';
import { summarize, type Report, type ReportRow } from './report.js';
import { rowLabel, type Roster } from './roster.js';

/** The environment and streams the command line runs with (tests pass their own). */
export interface Io {
  env: Record<string, string | undefined>;
  /** Where reconcile reads its confirmation (default the process's stdin). */
  stdin?: { isTTY?: boolean } & Partial<NodeJS.ReadableStream>;
  stdout: ProgressStream;
  stderr: ProgressStream;
}

const SECRET_FIELDS = new Set(['password', 'token', 'medictoken']);
/** The doctor as it would be sent, with secrets shown as "[redacted]" (dry run output). */
const redacted = (doctor: Doctor): Doctor =>
  Object.fromEntries(
    Object.entries(doctor).map(([k, v]) => [k, SECRET_FIELDS.has(k.toLowerCase()) ? '[redacted]' : v]),
  );

export function buildReport(
  args: ProvisionArgs,
  rows: ReportRow[],
  startedAt: Date,
  dryRun: boolean,
  stopReason: string | undefined,
): Report {
  const finishedAt = new Date();
  return {
    tool: 'doctor-gate provision',
    vendor: args.vendor,
    apiBase: args.apiBase,
    ...(args.providerId ? { providerId: args.providerId } : {}),
    file: args.file,
    dryRun,
    interrupted: stopReason !== undefined,
    ...(stopReason ? { stopReason } : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    summary: summarize(rows),
    rows,
  };
}

const label = (row: ReportRow) => rowLabel(row).padEnd(9);
const MAX_LISTED = 10;

function listFailures(io: Io, rows: ReportRow[]) {
  const failed = rows.filter((row) => row.outcome === 'failed');
  for (const row of failed.slice(0, MAX_LISTED)) {
    io.stdout.write(`    ${label(row)} ${row.error!.code.padEnd(12)} ${row.error!.message}\n`);
  }
  if (failed.length > MAX_LISTED) io.stdout.write(`    … and ${failed.length - MAX_LISTED} more\n`);
}

export function printPlan(
  io: Io,
  target: string,
  roster: Roster,
  rows: ReportRow[],
  valid: number[],
  units: number[][],
  batched: boolean,
  concurrency: number,
  chunkSize: number,
) {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  out(`Dry run: nothing is sent. ${target}`);
  out(`${rows.length} row(s): ${valid.length} valid, ${rows.length - valid.length} invalid`);
  if (batched) {
    out(
      `Would check ${valid.length} doctor(s), then send the missing ones in at most ${units.length} request(s) of up to ${chunkSize}, ${concurrency} at a time:`,
    );
  } else {
    out(`Would check ${valid.length} doctor(s), ${concurrency} at a time, and create or reactivate the missing ones:`);
  }
  units.forEach((unit, n) => {
    if (batched) out(`  request ${n + 1} of ${units.length}: ${unit.length} doctor(s)`);
    for (const index of unit) {
      out(`    ${rowLabel(roster.rows[index]!).padEnd(9)} ${JSON.stringify(redacted(roster.rows[index]!.doctor))}`);
    }
  });
  if (valid.length < rows.length) {
    out('Invalid rows (never sent):');
    listFailures(io, rows);
  }
}

export function printSummary(
  io: Io,
  args: ProvisionArgs,
  report: Report,
  requests: number,
  tokensPath: string,
  tokensIssued: number,
  tokensError: unknown,
) {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const { summary } = report;
  const took = report.durationMs < 1000 ? `${report.durationMs} ms` : `${(report.durationMs / 1000).toFixed(1)} s`;
  out(
    `doctor-gate provision: ${summary.total} row(s), ${args.vendor}${args.providerId ? ` provider ${args.providerId}` : ''}, ${requests} request(s) in ${took}`,
  );
  out(`  created      ${summary.created}`);
  out(`  existing     ${summary.existing}`);
  out(`  reactivated  ${summary.reactivated}`);
  out(`  failed       ${summary.failed}`);
  if (summary.failed) listFailures(io, report.rows);
  out(`  not run      ${summary.notRun}`);
  if (report.stopReason) {
    out(`Stopped: ${report.stopReason}.`);
    if (summary.notRun) out('Re-run the same command to finish: doctors already provisioned come back as "existing".');
  }
  if (args.report) out(`Report: ${args.report}`);
  if (tokensIssued) out(`Medic tokens: ${tokensIssued} new in ${tokensPath} (mode 0600; keep it secret)`);
  if (tokensError)
    out(
      `ERROR: the medic tokens could not be saved to ${tokensPath}: ${(tokensError as Error).message ?? tokensError}`,
    );
}
