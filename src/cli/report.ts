import { access, chmod, constants, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ErrorCode } from '../core/index.js';
import { UsageError } from './args.js';

export type RowOutcome = 'existing' | 'created' | 'reactivated' | 'failed' | 'not-run';

/** One report row: where the doctor is in the roster, who, and what happened. Never a secret. */
export interface ReportRow {
  line?: number;
  index?: number;
  id?: string;
  email?: string;
  outcome: RowOutcome;
  /** The vendor's id of the account when it is not the roster's `id` (Prescrypto medic id). */
  accountId?: string | number;
  error?: { code: ErrorCode; message: string; step?: string; status?: number; fields?: string[] };
}

export interface Summary {
  total: number;
  existing: number;
  created: number;
  reactivated: number;
  failed: number;
  notRun: number;
}

export interface Report {
  tool: 'doctor-gate provision';
  vendor: string;
  apiBase: string;
  providerId?: string;
  file: string;
  dryRun: boolean;
  /** Stopped before every row ran: Ctrl-C, or a credential the vendor refused. */
  interrupted: boolean;
  stopReason?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  summary: Summary;
  rows: ReportRow[];
}

export function summarize(rows: readonly ReportRow[]): Summary {
  const summary: Summary = { total: rows.length, existing: 0, created: 0, reactivated: 0, failed: 0, notRun: 0 };
  for (const row of rows) {
    if (row.outcome === 'not-run') summary.notRun++;
    else summary[row.outcome]++;
  }
  return summary;
}

/** Writes through a temporary file and a rename, so a crash never leaves half a report. */
export async function writeFileAtomic(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  await writeFile(temporary, text, { mode, flag: 'wx' });
  try {
    await chmod(temporary, mode);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Fails before any request when an output could not be written afterwards. */
export async function checkWritable(path: string, what: string): Promise<void> {
  try {
    await access(dirname(path), constants.W_OK);
  } catch {
    throw new UsageError(`${what}: cannot write to the folder of ${path}`);
  }
}

export async function writeReport(path: string, report: Report): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`, 0o644);
}
