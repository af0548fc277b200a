import { parseArgs } from 'node:util';
import { isAllowedUrl, type VendorName } from '../core/index.js';

export const USAGE = `Usage: doctor-gate provision --vendor speaknosis|prescrypto --api-base URL --token-env NAME --file ROSTER [options]
       doctor-gate reconcile --vendor speaknosis|prescrypto --api-base URL --token-env NAME --file ROSTER
                             [--prune] [--known FILE] [--dry-run] [--yes] [--audit FILE] [options]

Makes sure every doctor of a roster has a user at the vendor: creates the missing ones,
reactivates the soft-deleted ones, leaves the existing ones alone. Safe to re-run.

Required:
  --vendor NAME         speaknosis or prescrypto
  --api-base URL        vendor API base, e.g. https://api-qa.speaknosis.com/v1/health
                        (https, or http on localhost/127.0.0.1)
  --token-env NAME      name of the environment variable that holds the API token
                        (the token itself is never accepted on the command line)
  --file PATH           roster.csv (header row naming the fields) or roster.json (array)
  --provider-id N       Speaknosis medical-center id (required for speaknosis)

Options:
  --chunk-size N        doctors per POST where the vendor takes many (1-1000, default 100)
  --concurrency N       Speaknosis: chunks in flight (default 1), each checked 8 doctors
                        at a time before its POST of the missing ones;
                        Prescrypto: doctors in flight (default 4); 1-32
  --timeout MS          per request (100-120000, default 10000)
  --retries N           retries of a transient failure (0-10, default 3)
  --report PATH         write a JSON report, one row per doctor (no secrets)
  --tokens-out PATH     Prescrypto: each created medic's id and one-time token, appended as
                        one JSON line the moment it arrives, never rewritten; mode 0600
                        (default medic-tokens.jsonl next to the report, or in the current directory)
  --dry-run             provision: validate the roster and print what would be sent, no request;
                        reconcile: check and print the plan, no write
  --audit PATH          append one JSON line per action (check, create, reactivate, deactivate,
                        membership) to PATH: ids, outcomes and codes, never a secret
  -h, --help            this help

reconcile makes the vendor match the roster: it checks every doctor, prints the plan (counts
and the rows that change), asks for confirmation on a terminal, then creates the missing,
reactivates the inactive and deactivates the rows whose "active" column is false.
  --prune               also deactivate accounts the roster does not name: Prescrypto's medic
                        list for this key; Speaknosis (no list) the ids of --known
  --known PATH          Speaknosis: ids known at the vendor, one per line, or an --audit log
  --yes                 apply without asking (needed when not on a terminal)
A "hospital" column (Prescrypto) makes sure the medic is a member of that hospital.

Exit codes: 0 every row provisioned, 1 some rows failed or did not run, 2 bad usage.
Ctrl-C stops after the requests in flight and still writes the report; Ctrl-C twice aborts them.`;

/** A mistake in the command line or its inputs: exit code 2, with the usage hint. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ProvisionArgs {
  vendor: VendorName;
  apiBase: string;
  providerId?: string;
  tokenEnv: string;
  file: string;
  chunkSize: number;
  /** Unset: 1 chunk at a time where the vendor takes many doctors per request, else 4 doctors. */
  concurrency?: number;
  dryRun: boolean;
  report?: string;
  tokensOut?: string;
  timeoutMs: number;
  retries: number;
  audit?: string;
}

export interface ReconcileArgs extends ProvisionArgs {
  prune: boolean;
  known?: string;
  yes: boolean;
}

export type Command =
  { command: 'help' } | ({ command: 'provision' } & ProvisionArgs) | ({ command: 'reconcile' } & ReconcileArgs);

const VENDORS: readonly VendorName[] = ['speaknosis', 'prescrypto'];

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${value}")`);
  }
  return Number(value);
}

/** Parses `argv` (without node and the script); throws `UsageError` on anything wrong. */
export function parseCommand(argv: readonly string[]): Command {
  // Refused before parsing, so the message is about secrets, not an "unknown option", and the value is never echoed.
  if (argv.some((arg) => arg === '--token' || arg.startsWith('--token='))) {
    throw new UsageError(
      '--token is not accepted: a token on the command line ends up in shell history and `ps`. ' +
        'Put it in an environment variable and pass its name: --token-env NAME',
    );
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        vendor: { type: 'string' },
        'api-base': { type: 'string' },
        'provider-id': { type: 'string' },
        'token-env': { type: 'string' },
        file: { type: 'string' },
        'chunk-size': { type: 'string' },
        concurrency: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        report: { type: 'string' },
        'tokens-out': { type: 'string' },
        timeout: { type: 'string' },
        retries: { type: 'string' },
        audit: { type: 'string' },
        prune: { type: 'boolean', default: false },
        known: { type: 'string' },
        yes: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { command: 'help' };
  if (positionals.length === 0) throw new UsageError('missing command: provision or reconcile');
  const command = positionals[0];
  if (command !== 'provision' && command !== 'reconcile') throw new UsageError(`unknown command: ${command}`);
  if (command === 'provision') {
    for (const flag of ['prune', 'yes', 'known'] as const) {
      if (values[flag] !== undefined && values[flag] !== false) throw new UsageError(`--${flag} belongs to reconcile`);
    }
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument: ${positionals[1]}`);

  const vendor = values.vendor;
  if (!vendor) throw new UsageError('--vendor is required (speaknosis or prescrypto)');
  if (!VENDORS.includes(vendor as VendorName)) {
    throw new UsageError(`unknown vendor "${vendor}": use speaknosis or prescrypto`);
  }
  const apiBase = values['api-base'];
  if (!apiBase) throw new UsageError('--api-base is required');
  if (!/^https?:\/\//i.test(apiBase) || !isAllowedUrl(apiBase)) {
    throw new UsageError('--api-base must be an absolute https URL (http only on localhost/127.0.0.1)');
  }
  const base = new URL(apiBase);
  if (base.username || base.password) throw new UsageError('--api-base must not carry credentials: use --token-env');
  const providerId = values['provider-id'];
  if (providerId !== undefined && !/^\d{1,18}$/.test(providerId)) {
    throw new UsageError(`--provider-id must be a number (got "${providerId}")`);
  }
  if (vendor === 'speaknosis' && providerId === undefined) {
    throw new UsageError('--provider-id is required for speaknosis (the medical-center id)');
  }
  const tokenEnv = values['token-env'];
  if (!tokenEnv)
    throw new UsageError('--token-env is required: the name of the environment variable holding the API token');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) {
    throw new UsageError('--token-env takes the name of an environment variable (letters, digits, _), not the token');
  }
  const file = values.file;
  if (!file) throw new UsageError('--file is required: the roster, .csv or .json');

  const common: ProvisionArgs = {
    vendor: vendor as VendorName,
    apiBase,
    providerId,
    tokenEnv,
    file,
    chunkSize: integer('chunk-size', values['chunk-size'], 100, 1, 1000),
    concurrency: values.concurrency === undefined ? undefined : integer('concurrency', values.concurrency, 1, 1, 32),
    dryRun: values['dry-run'] === true,
    report: values.report,
    tokensOut: values['tokens-out'],
    timeoutMs: integer('timeout', values.timeout, 10_000, 100, 120_000),
    retries: integer('retries', values.retries, 3, 0, 10),
    ...(values.audit ? { audit: values.audit } : {}),
  };
  if (command === 'provision') return { command, ...common };
  if (values.known !== undefined && vendor !== 'speaknosis') {
    throw new UsageError('--known is for speaknosis: Prescrypto lists its medics itself');
  }
  return { command, ...common, prune: values.prune === true, known: values.known, yes: values.yes === true };
}
