// JSON Lines files that are only ever appended to: the medic-tokens file and the audit log. One
// `write` per record under O_APPEND, never a truncate or a rename, so a crash can lose at most the
// line being written, and never one written before it.
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AppendOptions {
  /** The mode a new file is created with (and, with `enforceMode`, the one an existing file is given). */
  mode: number;
  enforceMode?: boolean;
  /** `fsync` the line (and, for a new file, its folder) before returning: it survives a power loss. */
  durable?: boolean;
}

const NEWLINE = 0x0a;

function openForAppend(path: string, mode: number): { fd: number; created: boolean } {
  try {
    // O_EXCL tells a new file from an existing one, whose folder entry then needs no fsync.
    const flags = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL;
    return { fd: openSync(path, flags, mode), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { fd: openSync(path, 'a+', mode), created: false };
  }
}

/** Makes the new file's name durable: `fsync` of its folder (not possible on every platform). */
function syncFolder(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dirname(path), 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a folder: its file system journals the name.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Appends `line` (one JSON document, no newline inside) and a newline to `path`, synchronously: when
 * it returns the line is in the file. A last line left without its newline by a killed process is
 * closed first, so the new record starts on a line of its own and both stay readable.
 */
export function appendLine(path: string, line: string, options: AppendOptions): void {
  const { fd, created } = openForAppend(path, options.mode);
  try {
    const { size, mode } = fstatSync(fd);
    let text = `${line}\n`;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== NEWLINE) text = `\n${text}`;
    }
    if (options.enforceMode && (mode & 0o777) !== options.mode) {
      try {
        fchmodSync(fd, options.mode);
      } catch {
        // Someone else's file: it keeps its mode, and the line is still saved.
      }
    }
    const bytes = Buffer.from(text, 'utf8');
    for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written);
    if (options.durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (created && options.durable) syncFolder(path);
}

/** `fsync`s an existing file (the audit log at the end of a run); nothing when it does not exist. */
export function syncFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface JsonLine {
  /** 1-based line number in the file. */
  line: number;
  value: unknown;
}

/**
 * Reads JSON Lines: every line that parses, and the numbers of those that do not (a line a killed
 * process left half-written), which a reader skips and reports rather than failing on. Blank lines
 * are ignored.
 */
export function parseJsonLines(text: string): { records: JsonLine[]; unreadable: number[] } {
  const records: JsonLine[] = [];
  const unreadable: number[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.trim()) return;
    try {
      records.push({ line: index + 1, value: JSON.parse(line) });
    } catch {
      unreadable.push(index + 1);
    }
  });
  return { records, unreadable };
}

/** "line 3 is" / "lines 3, 7 are": for a note naming the lines a reader skipped. */
export const whichLines = (numbers: readonly number[]): string =>
  numbers.length === 1 ? `line ${numbers[0]} is` : `lines ${numbers.join(', ')} are`;
