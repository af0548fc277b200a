// Nothing lost: outputs never name an input or each other, reports are written atomically, and the
// audit log (like the medic-tokens file, tokens.ts) is only ever appended to.
import { realpathSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { AuditRecord } from '../core/index.js';
import { UsageError } from './args.js';
import { appendLine, syncFile } from './jsonl.js';
import { checkWritable } from './report.js';

/** Who the audit names as acting: the operating-system user running the command. */
export const actorName = (io: { env: Record<string, string | undefined> }): string =>
  `cli:${io.env['USER'] ?? io.env['USERNAME'] ?? 'unknown'}`;

export interface NamedPath {
  /** The option that named it (`--file`, `--report`…), for the message. */
  flag: string;
  path: string;
}

/** The file a path names once links and `..` are resolved (its folder resolved when it does not exist yet). */
function identity(path: string): { real: string; inode?: string } {
  const absolute = resolve(path);
  try {
    const stats = statSync(absolute);
    return { real: realpathSync(absolute), inode: `${stats.dev}:${stats.ino}` };
  } catch {
    try {
      return { real: resolve(realpathSync(dirname(absolute)), basename(absolute)) };
    } catch {
      return { real: absolute };
    }
  }
}

/** True when both paths name one file (by real path or inode). */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const one = identity(a);
  const other = identity(b);
  return one.real === other.real || (one.inode !== undefined && one.inode === other.inode);
}

/**
 * Refuses, before any request, an output that is an input or another output: by resolved real
 * path, and by inode for hard links. Also refuses an output whose folder cannot be written, and a
 * report over a file that is not an earlier report.
 */
export async function checkPaths(inputs: readonly NamedPath[], outputs: readonly NamedPath[]): Promise<void> {
  const seen: (NamedPath & ReturnType<typeof identity>)[] = inputs.map((input) => ({
    ...input,
    ...identity(input.path),
  }));
  for (const output of outputs) {
    const id = identity(output.path);
    const clash = seen.find((other) => other.real === id.real || (id.inode && other.inode === id.inode));
    if (clash) {
      throw new UsageError(
        `${output.flag} ${output.path} is the same file as ${clash.flag} ${clash.path}: it would be overwritten; choose another path`,
      );
    }
    await checkWritable(output.path, output.flag);
    if (output.flag === '--report') await checkReplaceable(output.path);
    seen.push({ ...output, ...id });
  }
}

/**
 * A report replaces its file, so it may only replace nothing, an empty file or an earlier report:
 * never a medic-tokens file (of any format), an audit log or anything else left there.
 */
async function checkReplaceable(path: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new UsageError(`--report ${path} is a folder; name a file`);
    return;
  }
  if (!text.trim()) return;
  try {
    const earlier = JSON.parse(text) as { tool?: unknown; rows?: unknown };
    if (typeof earlier.tool === 'string' && earlier.tool.startsWith('doctor-gate ') && Array.isArray(earlier.rows))
      return;
  } catch {
    // not JSON: not a report
  }
  throw new UsageError(
    `--report ${path} exists and is not a doctor-gate report: it would be overwritten; choose another path`,
  );
}

/**
 * The audit log: one JSON line per action, appended synchronously (O_APPEND) as it happens, so a
 * killed run keeps every record written before; the file is never truncated or replaced, and a
 * line a killed run left half-written is closed before the next one.
 */
export class AuditLog {
  readonly path: string;
  #failure: unknown;

  constructor(path: string) {
    this.path = path;
  }

  /** Refuses a file that is not JSON lines (a roster, a report) before anything is written to it. */
  async check(): Promise<void> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new UsageError(`--audit: cannot read ${this.path}`);
    }
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, 0);
      if (bytesRead && buffer[0] !== 0x7b /* { */) {
        throw new UsageError(`--audit: ${this.path} exists and is not a JSON-lines audit log; choose another path`);
      }
    } finally {
      await handle.close();
    }
  }

  append = (record: AuditRecord): Promise<void> => {
    try {
      appendLine(this.path, JSON.stringify(record), { mode: 0o600 });
    } catch (error) {
      this.#failure ??= error;
    }
    return Promise.resolve();
  };

  /** Makes the log durable (fsync); rejects with the first write failure. */
  async flush(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    syncFile(this.path);
  }
}
