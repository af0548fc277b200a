import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from './cli/main.js';
import { packageCommand } from './cli/sandbox.js';

/**
 * `doctor-gate provision …`: provisions a roster of doctors at a vendor from a terminal or a
 * scheduled job, with the same core as the element. Built to `dist/cli.js` (the package `bin`).
 * Importing this module runs nothing: the parser and `main` are exported for tests and scripts.
 */
export { main, type Io } from './cli/main.js';
export { parseCommand, UsageError, USAGE } from './cli/args.js';
export { COMMANDS, commandsHelp } from './cli/commands.js';
export { parseCsv, CsvSyntaxError, type CsvRecord } from './cli/csv.js';
export {
  readRoster,
  rosterFromCsv,
  rosterFromJson,
  coerceField,
  RosterError,
  type Roster,
  type RosterRow,
} from './cli/roster.js';
export { Progress, formatDuration } from './cli/progress.js';
export { appendLine, parseJsonLines } from './cli/jsonl.js';
export { checkTokensFile, TokenFile, TOKENS_FILE, type TokenRecord } from './cli/tokens.js';

/** True when Node runs this file itself (`node dist/cli.js`, or through the npm `bin` symlink). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  (packageCommand(process.argv.slice(2)) ?? main(process.argv.slice(2))).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`doctor-gate: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
