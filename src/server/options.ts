import * as z from 'zod';
import { DoctorGateError, type AuditSink, type Doctor, type VendorName } from '../core/index.js';
import type { MedicTokenStore } from './medic-tokens.js';
import type { GateLogger } from './observe.js';
import { fn, httpsOrLoopback, optionsError } from './option-checks.js';
import type { TokenSource } from './token.js';

/** The API credential: a fixed string, a function that returns one, or a `speaknosisToken` source. */
export type Credential = string | (() => Promise<string>) | TokenSource;

/**
 * @typeParam Context - what the framework passes beside the request (under `toNodeListener`:
 * `NodeContext`, `{ incoming, outgoing }`).
 */
export interface GateHandlerOptions<Context = unknown> {
  vendor: VendorName;
  /** Vendor API base, e.g. `https://api-qa.speaknosis.com/v1/health` (http only on loopback). */
  apiBase: string;
  /** Speaknosis medical-center id (required for Speaknosis). */
  providerId?: string | number;
  /** Never reaches the browser, except the Speaknosis token in a `POST` answer's `launch`. */
  credential: Credential;
  /**
   * The signed-in doctor of this request, from the EHR's session; `null` answers 401 before any
   * vendor call. `context` is what the framework passed beside the request (under `toNodeListener`:
   * `{ incoming, outgoing }`, so Express's `req.session` or `req.user` is `context.incoming.…`).
   */
  doctorFor: (request: Request, context: Context) => Doctor | null | undefined | Promise<Doctor | null | undefined>;
  /** Prescrypto (required): where medic tokens are kept, since the vendor returns them only at creation. */
  medicTokens?: MedicTokenStore;
  /**
   * Origins besides the handler's own whose pages may `POST` (e.g. `https://ehr.example` when a
   * TLS proxy in front makes the handler see `http://…`). Exact origins: scheme, host and port.
   */
  allowedOrigins?: readonly string[];
  /**
   * Signs the check tickets that let a `POST` skip a second vendor check (at least 32 characters or
   * bytes). Give every instance behind one load balancer the same one; default: random per process.
   */
  secret?: string | Uint8Array;
  /** pino-compatible: one redacted line per vendor call and per answer. Default: silent. */
  logger?: GateLogger;
  fetch?: typeof fetch;
  /** Per vendor request, and for `credential` to answer (default 10 000 ms). */
  timeoutMs?: number;
  /** Retries of a retryable failure (default 3). */
  retries?: number;
  /** Prescrypto hospital id: the medic's membership there is ensured, so the medic can prescribe. */
  hospital?: number;
  /** One record per action (check, create, reactivate, membership, launch): a function, or `sqlAuditLog(db)`. */
  audit?: AuditSink;
}

const schema = z.object({
  vendor: z.enum(['speaknosis', 'prescrypto']),
  apiBase: httpsOrLoopback,
  providerId: z.optional(z.union([z.string().regex(/^\d{1,18}$/), z.int().positive()])),
  credential: z.union([z.string().min(1), fn<() => Promise<string>>()]),
  doctorFor: fn<GateHandlerOptions['doctorFor']>(),
  medicTokens: z.optional(
    z.custom<MedicTokenStore>(
      (value) =>
        typeof (value as MedicTokenStore | null)?.get === 'function' &&
        typeof (value as MedicTokenStore | null)?.set === 'function',
    ),
  ),
  allowedOrigins: z.optional(z.array(httpsOrLoopback.refine((value) => new URL(value).origin === value))),
  secret: z.optional(z.union([z.string().min(32), z.instanceof(Uint8Array).refine((bytes) => bytes.length >= 32)])),
  logger: z.optional(
    z.custom<GateLogger>((value) =>
      ['debug', 'info', 'warn', 'error'].every(
        (level) => typeof (value as Record<string, unknown>)?.[level] === 'function',
      ),
    ),
  ),
  fetch: z.optional(fn<typeof fetch>()),
  timeoutMs: z.optional(z.int().min(100).max(120_000)),
  retries: z.optional(z.int().min(0).max(10)),
  hospital: z.optional(z.int().positive()),
  audit: z.optional(fn<AuditSink>()),
});

/** The options, checked: a `config` error naming the fields that are wrong (never their values). */
export function checkOptions<Context>(options: GateHandlerOptions<Context>): GateHandlerOptions<Context> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw optionsError('createGateHandler', parsed.error);
  const checked = { ...options, ...parsed.data } as GateHandlerOptions<Context>;
  if (checked.vendor === 'speaknosis' && checked.providerId === undefined) {
    throw new DoctorGateError('config', 'createGateHandler: Speaknosis needs providerId', {
      step: 'config',
      source: 'server',
      fields: ['providerId'],
    });
  }
  if (checked.vendor === 'prescrypto' && !checked.medicTokens) {
    throw new DoctorGateError(
      'config',
      'createGateHandler: Prescrypto needs medicTokens (memoryMedicTokens() in development, sqlMedicTokens(db) in production): its medic token is returned only once, at creation',
      { step: 'config', source: 'server', fields: ['medicTokens'] },
    );
  }
  return checked;
}
