// The medic-tokens file: Prescrypto returns a medic's token once, at creation, so each one is
// appended to a JSON Lines file (mode 0600) the moment it arrives, and the file is never rewritten.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from './args.js';
import { appendLine, parseJsonLines, whichLines } from './jsonl.js';

export const TOKENS_FILE = 'medic-tokens.jsonl';
/** The single JSON document earlier versions wrote (kept as it is, never written to again). */
export const LEGACY_TOKENS_FILE = 'medic-tokens.json';

/** Where the tokens go: `--tokens-out`, else next to the report, else in the current folder. */
export const tokensPathOf = (args: { tokensOut?: string; report?: string }, name = TOKENS_FILE): string =>
  args.tokensOut ?? join(args.report ? dirname(args.report) : '.', name);

/** A created medic's one-time credential: one line of the file. */
export interface IssuedToken {
  line?: number;
  index?: number;
  email?: string;
  medicId?: string | number;
  token: string;
  createdAt: string;
}

/** What each line holds: whose token it is (vendor, API base, medic id) and the token. */
export interface TokenRecord extends IssuedToken {
  vendor: string;
  apiBase: string;
}

/** Every record begins so (JSON.stringify keeps the key order): how a torn last line is recognised. */
const RECORD_START = '{"vendor":';

const isRecord = (value: unknown): value is TokenRecord =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as TokenRecord).vendor === 'string' &&
  typeof (value as TokenRecord).token === 'string';

/** A line a killed process left unfinished: the start of a record (or nothing but NUL bytes). */
const isTorn = (line: string): boolean => {
  const text = line.replace(/\0/g, '');
  return text.startsWith(RECORD_START) || RECORD_START.startsWith(text);
};

export interface TokensFileState {
  /** The tokens earlier runs saved. */
  saved: number;
  /** Lines that are not a whole record (a run killed mid-write): skipped, never rewritten. */
  unreadable: number[];
}

/**
 * Before any request: reads what the file holds, and refuses (exit 2, the file untouched) a file
 * that is not a medic-tokens JSON Lines file — a roster, a report, or the single-document format
 * earlier versions wrote, which is kept as it is rather than converted.
 */
export async function checkTokensFile(path: string): Promise<TokensFileState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { saved: 0, unreadable: [] };
    throw new UsageError(`--tokens-out: cannot read the existing ${path}`);
  }
  if (isLegacy(text)) {
    throw new UsageError(
      `--tokens-out: ${path} holds medic tokens in the single-document format of earlier versions; ` +
        `it is kept as it is: choose another path for new tokens (the default is now ${TOKENS_FILE})`,
    );
  }
  const lines = text.split('\n');
  const { records, unreadable } = parseJsonLines(text);
  const torn = unreadable.every((line) => isTorn(lines[line - 1]!.replace(/\r$/, '')));
  if (!torn || !records.every((record) => isRecord(record.value))) {
    throw new UsageError(`--tokens-out: ${path} exists and is not a doctor-gate tokens file; choose another path`);
  }
  return { saved: records.length, unreadable };
}

function isLegacy(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { tool?: unknown; medics?: unknown };
    return parsed.tool === 'doctor-gate provision' && Array.isArray(parsed.medics);
  } catch {
    return false;
  }
}

/**
 * This run's medic tokens, each appended (O_APPEND, then fsync) the moment it arrives: a crash or a
 * kill loses none that were received, and the lines earlier runs wrote are never touched.
 */
export class TokenFile {
  readonly path: string;
  readonly #whose: { vendor: string; apiBase: string };
  readonly issued: TokenRecord[] = [];
  #failure: unknown;

  constructor(path: string, whose: { vendor: string; apiBase: string }) {
    this.path = path;
    this.#whose = whose;
  }

  /** Saves one token; false (and `failure` set) when it could not be written. */
  add(token: IssuedToken): boolean {
    const record: TokenRecord = { vendor: this.#whose.vendor, apiBase: this.#whose.apiBase, ...token };
    try {
      appendLine(this.path, JSON.stringify(record), { mode: 0o600, enforceMode: true, durable: true });
      this.issued.push(record);
      return true;
    } catch (error) {
      this.#failure ??= error;
      return false;
    }
  }

  get failure(): unknown {
    return this.#failure;
  }
}

/**
 * The run's tokens file, once `checkTokensFile` accepted it; notes on stderr the lines it skips and
 * an earlier version's `medic-tokens.json` left beside the new default file.
 */
export async function openTokensFile(
  path: string,
  args: { vendor: string; apiBase: string; tokensOut?: string; report?: string },
  io: { stderr: { write(text: string): unknown } },
): Promise<TokenFile> {
  const { unreadable } = await checkTokensFile(path);
  if (unreadable.length) {
    io.stderr.write(
      `note: ${path}: ${whichLines(unreadable)} not a whole record (a run stopped while writing it): ` +
        'skipped and kept as it is; new tokens start on a new line\n',
    );
  }
  const legacy = tokensPathOf(args, LEGACY_TOKENS_FILE);
  if (!args.tokensOut && (await readFile(legacy, 'utf8').then(isLegacy, () => false))) {
    io.stderr.write(
      `note: ${legacy} (the single-document format of earlier versions) is kept as it is; new tokens go to ${path}\n`,
    );
  }
  return new TokenFile(path, { vendor: args.vendor, apiBase: args.apiBase });
}
