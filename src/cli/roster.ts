import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Doctor } from '../core/index.js';
import { CsvSyntaxError, parseCsv } from './csv.js';

/** One doctor of the roster, with where it came from so a bad row can be named. */
export interface RosterRow {
  /** CSV: the 1-based line the record starts on. */
  line?: number;
  /** JSON: the 0-based index in the array. */
  index?: number;
  doctor: Doctor;
  /** Why the row could not be read as a doctor at all (CSV shape, a JSON item that is not an object). */
  problem?: string;
}

export interface Roster {
  format: 'csv' | 'json';
  /** CSV header names, in order (JSON: empty). */
  columns: string[];
  rows: RosterRow[];
}

/** The roster file itself is unusable (not found, not UTF-8, not CSV/JSON): a usage error. */
export class RosterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RosterError';
  }
}

/** "line 12" or "item 3": how a row is named in messages. */
export const rowLabel = (row: Pick<RosterRow, 'line' | 'index'>): string =>
  row.line !== undefined ? `line ${row.line}` : `item ${row.index ?? '?'}`;

// CSV cells are text; these fields are numbers or booleans in the vendor schemas.
const INTEGER_FIELDS = new Set(['specialityId', 'hospital']);
const BOOLEAN_FIELDS = new Set(['female', 'is_active', 'is_admin_membership']);
const TRUE = new Set(['true', '1', 'yes', 'y', 'si', 'sí']);
const FALSE = new Set(['false', '0', 'no', 'n']);

/**
 * Turns the text of a cell into the type its field has: integers for `specialityId`/`hospital`,
 * booleans for Prescrypto's flags, `lang` upper-cased, a numeric JSON `id` as text; anything else stays as given, so the
 * vendor schema, not this function, decides what is valid.
 */
export function coerceField(field: string, value: unknown): unknown {
  // A JSON export may give ids as numbers; both vendors take them as text.
  if (field === 'id' && typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (INTEGER_FIELDS.has(field) && /^[+-]?\d{1,15}$/.test(text)) return Number.parseInt(text, 10);
  if (BOOLEAN_FIELDS.has(field)) {
    const word = text.toLowerCase();
    if (TRUE.has(word)) return true;
    if (FALSE.has(word)) return false;
  }
  if (field === 'lang') return text.toUpperCase();
  return value;
}

/** A doctor from a CSV record or a JSON object: empty cells left out, typed fields coerced. */
export function toDoctor(entries: Iterable<[string, unknown]>): Doctor {
  const doctor: Doctor = {};
  for (const [field, value] of entries) {
    if (value === '' || value === null || value === undefined) continue;
    doctor[field] = coerceField(field, value);
  }
  return doctor;
}

export function rosterFromCsv(text: string): Roster {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new RosterError(`CSV line ${error.line}: ${error.message}`);
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw new RosterError('the CSV file is empty: it needs a header row naming the doctor fields');
  const columns = header.fields.map((name) => name.trim());
  const seen = new Set<string>();
  for (const name of columns) {
    if (!name) throw new RosterError(`CSV line ${header.line}: the header has an empty column name`);
    if (seen.has(name)) throw new RosterError(`CSV line ${header.line}: the header names "${name}" twice`);
    seen.add(name);
  }
  const rows = data.map((record): RosterRow => {
    const doctor = toDoctor(columns.map((name, k) => [name, record.fields[k]]));
    if (record.error) return { line: record.line, doctor, problem: `malformed CSV: ${record.error}` };
    if (record.fields.length !== columns.length) {
      return {
        line: record.line,
        doctor,
        problem: `malformed CSV: ${record.fields.length} field(s) where the header has ${columns.length}`,
      };
    }
    return { line: record.line, doctor };
  });
  return { format: 'csv', columns, rows };
}

export function rosterFromJson(text: string): Roster {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RosterError(`not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw new RosterError('a JSON roster must be an array of doctor objects');
  const rows = value.map((item: unknown, index): RosterRow => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return { index, doctor: {}, problem: 'not a JSON object' };
    }
    return { index, doctor: toDoctor(Object.entries(item)) };
  });
  return { format: 'json', columns: [], rows };
}

/** Reads a `.csv` or `.json` roster (another extension: JSON when it starts with `[`, else CSV). */
export async function readRoster(path: string): Promise<Roster> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RosterError(
      code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${code ?? String(error)}`,
    );
  }
  let text: string;
  try {
    // The decoder drops a UTF-8 BOM; `fatal` turns a Latin-1 export into a clear error instead of mojibake.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RosterError(`${path} is not UTF-8 text (export it as "CSV UTF-8")`);
  }
  const extension = extname(path).toLowerCase();
  const json = extension === '.json' || (extension !== '.csv' && /^\s*\[/.test(text));
  return json ? rosterFromJson(text) : rosterFromCsv(text);
}
