/** One CSV record: its fields, and the line it starts on (a quoted field may span lines). */
export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
  /** A record that is malformed but readable (text after a closing quote): reported, not fatal. */
  error?: string;
}

/** A file that cannot be read as CSV at all: an unterminated quote swallows the rest of the file. */
export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

const isBreak = (c: string | undefined) => c === '\n' || c === '\r';

/**
 * RFC 4180 records: comma-separated, `"quoted"` fields with `""` for a quote and commas or
 * line breaks inside, CRLF or LF (or a lone CR) between records, an optional UTF-8 BOM.
 * Blank lines are skipped; a final line break does not make an empty record.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  // A line break is CRLF, LF or a lone CR; advances past it and counts one line.
  const skipBreak = () => {
    i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
    line++;
  };

  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let quoted = false;
    let error: string | undefined;
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        quoted = true;
        const opened = line;
        i++;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(`unterminated quoted field (opened on line ${opened})`, opened);
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (isBreak(c)) {
            const from = i;
            skipBreak();
            value += text.slice(from, i);
            continue;
          }
          value += c;
          i++;
        }
        const from = i;
        while (i < n && text[i] !== ',' && !isBreak(text[i])) i++;
        if (i > from)
          error ??= `text after a closing quote: ${JSON.stringify(text.slice(from, Math.min(i, from + 20)))}`;
      } else {
        const from = i;
        while (i < n && text[i] !== ',' && !isBreak(text[i])) i++;
        value = text.slice(from, i);
      }
      fields.push(value);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (i < n) skipBreak();
      break;
    }
    if (!quoted && fields.length === 1 && fields[0]!.trim() === '') continue;
    records.push(error ? { line: start, fields, error } : { line: start, fields });
  }
  return records;
}
