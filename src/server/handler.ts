import * as z from 'zod';
import { createClient } from '../client.js';
import {
  DoctorGateError,
  parseDoctor,
  provisionDoctor,
  publicDoctor,
  type Account,
  type Doctor,
  type GateClient,
  type Outcome,
  type Step,
  type VendorName,
  type AuditSink,
  type Readiness,
} from '../core/index.js';
import { auditedClient, auditLaunch } from './audit.js';
import { errorAnswer, json } from './answers.js';
import type { MedicTokenStore } from './medic-tokens.js';
import { fn, httpsOrLoopback, optionsError, redactor, scrub } from './shared.js';
import { isTokenSource, type TokenSource } from './token.js';

/** The API credential: a fixed string, a function that returns one, or a `speaknosisToken` source. */
export type Credential = string | (() => Promise<string>) | TokenSource;

export interface GateHandlerOptions {
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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each framework passes its own context
  doctorFor: (request: Request, context?: any) => Doctor | null | undefined | Promise<Doctor | null | undefined>;
  /** Prescrypto (required): where medic tokens are kept, since the vendor returns them only at creation. */
  medicTokens?: MedicTokenStore;
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

/** A Web-standard request handler (Hono, Next.js route handlers, Bun, Deno; Node via `toNodeListener`). */
export type GateHandler = (request: Request, context?: unknown) => Promise<Response>;

/** `GET`: the check alone. */
export interface CheckAnswer {
  found: boolean;
  active: boolean;
  doctor: Doctor;
}

/** What opening the vendor app needs, and nothing else. */
export type Launch = { token: string; doctorId: string } | { medicToken: string };

/** `POST`: the doctor's account is ready. */
export interface ProvisionAnswer {
  outcome: Outcome;
  doctor: Doctor;
  /** The vendor's account, without any token or password. */
  account: Account;
  launch: Launch;
  /** Whether the doctor can work in the vendor app now, and what is missing (Prescrypto). */
  readiness: Readiness;
}

const optionsSchema = z.object({
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
  fetch: z.optional(fn<typeof fetch>()),
  timeoutMs: z.optional(z.int().min(100).max(120_000)),
  retries: z.optional(z.int().min(0).max(10)),
  hospital: z.optional(z.int().positive()),
  audit: z.optional(fn<AuditSink>()),
});

/** Tokens handed out lately, so that any answer can redact them (runs are shared between requests). */
const RECENT_TOKENS = 16;

/**
 * The server half: `GET` checks and `POST` provisions the doctor that `doctorFor` names for the
 * request (never one the request names), with the credential kept on the server.
 */
export function createGateHandler(options: GateHandlerOptions): GateHandler {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError('createGateHandler', parsed.error);
  const {
    vendor,
    apiBase,
    providerId,
    credential,
    doctorFor,
    medicTokens,
    fetch,
    timeoutMs,
    retries,
    hospital,
    audit,
  } = parsed.data;
  if (vendor === 'speaknosis' && providerId === undefined) {
    throw new DoctorGateError('config', 'createGateHandler: Speaknosis needs providerId', {
      fields: ['providerId'],
    });
  }
  if (vendor === 'prescrypto' && !medicTokens) {
    throw new DoctorGateError(
      'config',
      'createGateHandler: Prescrypto needs medicTokens (memoryMedicTokens() in development, sqlMedicTokens(db) in production): its medic token is returned only once, at creation',
      { fields: ['medicTokens'] },
    );
  }

  const handed = new Set<string>();
  const remember = (token: string) => {
    handed.add(token);
    if (handed.size > RECENT_TOKENS) handed.delete(handed.values().next().value!);
  };
  const waitMs = timeoutMs ?? 10_000;

  /** A client per request: the credential is asked for each time, so a source's expiry is honoured. */
  const clientFor = (): GateClient =>
    createClient(vendor, {
      apiBase,
      providerId: providerId === undefined ? undefined : String(providerId),
      fetch,
      timeoutMs,
      retries,
      hospital,
      ...(typeof credential === 'string' ? { token: credential } : { tokenProvider: askCredential() }),
    });

  // The core calls its tokenProvider again only after a 401 (or a failed call): the token it
  // had is then refused, and a token source is told so before it is asked again.
  const askCredential = () => {
    let given: string | undefined;
    return async (): Promise<string> => {
      if (given !== undefined && isTokenSource(credential)) credential.invalidate(given);
      const source = credential as () => Promise<string>;
      const token = await withTimeout(Promise.resolve().then(source), waitMs);
      if (typeof token === 'string') remember((given = token));
      return token;
    };
  };

  // Concurrent POSTs for one doctor share one run: one check, at most one create.
  const runs = new Map<string, Promise<{ result: Omit<ProvisionAnswer, 'launch'>; launch: Launch }>>();

  const provision = (client: GateClient, doctor: Doctor) => {
    const key = `${client.key}|${client.vendor.key(doctor)}`;
    let run = runs.get(key);
    if (!run) {
      run = provisionDoctor(client, doctor).then(async (result) => ({
        result,
        launch: await launchFor(client, doctor, result.account, medicTokens),
      }));
      runs.set(key, run);
      run.finally(() => runs.delete(key)).catch(() => undefined);
    }
    return run;
  };

  return async (request, context) => {
    const method = request.method.toUpperCase();
    const secrets: (string | undefined)[] = [typeof credential === 'string' ? credential : undefined];
    const redact = redactor(() => [...secrets, ...handed]);
    const step: Step = 'check';
    if (method !== 'GET' && method !== 'POST') {
      return json(
        405,
        { error: { code: 'config', message: `Method ${method} is not allowed`, step: 'config', retryable: false } },
        { Allow: 'GET, POST' },
      );
    }
    // The session cookie rides on cross-site form posts too: only this site's pages may ask.
    if (request.headers.get('Sec-Fetch-Site') === 'cross-site') {
      return errorAnswer(new DoctorGateError('forbidden', 'Cross-site requests are refused', { step }), step, redact);
    }
    try {
      const given = await sessionDoctor(doctorFor, request, context);
      if (!given) {
        return errorAnswer(
          new DoctorGateError('unauthorized', 'No signed-in doctor for this request', { step }),
          step,
          redact,
        );
      }
      secrets.push(typeof given['password'] === 'string' ? given['password'] : undefined);
      const client = auditedClient(clientFor(), audit, given, request);
      const doctor = parseDoctor(client, given);
      if (method === 'GET') {
        const found = await client.vendor.find(client.http, doctor, client.scope);
        const answer: CheckAnswer = {
          found: !!found,
          active: !!found?.active,
          doctor: scrub(publicDoctor(doctor), redact),
        };
        return json(200, answer);
      }
      const { result, launch } = await provision(client, doctor);
      auditLaunch(client, audit, doctor, result.account, request);
      // The launch's credentials are redacted from everything else in the answer.
      const { doctorId: _doctorId, ...credentials } = launch as Record<string, string>;
      secrets.push(...Object.values(credentials));
      const answer: ProvisionAnswer = {
        outcome: result.outcome,
        doctor: scrub(result.doctor, redact),
        account: scrub(result.account, redact),
        launch,
        readiness: result.readiness,
      };
      return json(200, answer);
    } catch (error) {
      return errorAnswer(error, step, redact);
    }
  };
}

/** The session's doctor; a throwing `doctorFor` is the server's failure, reported without its text. */
async function sessionDoctor(
  doctorFor: GateHandlerOptions['doctorFor'],
  request: Request,
  context: unknown,
): Promise<Doctor | null> {
  let doctor: unknown;
  try {
    doctor = await doctorFor(request, context);
  } catch (error) {
    if (error instanceof DoctorGateError) throw error;
    throw new DoctorGateError('server', 'doctorFor failed', { step: 'check', status: 500, cause: error });
  }
  if (doctor === null || doctor === undefined) return null;
  if (typeof doctor !== 'object' || Array.isArray(doctor)) {
    throw new DoctorGateError('config', 'doctorFor must return a doctor object or null', { step: 'config' });
  }
  return doctor as Doctor;
}

/**
 * What opening needs: the vendor's own launch values (Speaknosis: the token in use; Prescrypto:
 * the medic token, saved when the medic is created and read back for an existing medic).
 */
async function launchFor(
  client: GateClient,
  doctor: Doctor,
  account: Account,
  medicTokens: MedicTokenStore | undefined,
): Promise<Launch> {
  const { vendor } = client;
  let medicToken: string | undefined;
  if (medicTokens && vendor.appUrl.includes('{medicToken}')) {
    const key = {
      vendor: vendor.name,
      api: client.http.base.href,
      doctor: String(account['id'] ?? vendor.key(doctor)),
    };
    const created = account['token'];
    if (typeof created === 'string' && created) {
      await storeCall(() => medicTokens.set(key, created), 'saving the new medic token failed (the medic exists now)');
      medicToken = created;
    } else {
      medicToken = await storeCall(() => medicTokens.get(key), 'reading the saved medic token failed');
    }
    if (!medicToken) {
      throw new DoctorGateError(
        'config',
        `No saved ${vendor.label} medic token for medic ${key.doctor}: the vendor returns it only when it creates the medic, so a medic created elsewhere needs medicTokens.set(…) with the token saved then`,
        { step: 'open', fields: ['medicTokens'] },
      );
    }
  }
  // Only the values the vendor's launch URL takes come back (Prescrypto's ignore the API key).
  const values = vendor.launchValues({ credential: await client.http.credential(), account, medicToken });
  // The launch carries the doctor id only where the vendor's launch URL takes it.
  const launch = vendor.appUrl.includes('{doctorId}') ? { ...values, doctorId: String(doctor.id) } : values;
  return launch as Launch;
}

/** A medic-token store call; its own failure (a database error) is reported as `server`, without its text. */
async function storeCall<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DoctorGateError) throw error;
    throw new DoctorGateError('server', `medicTokens: ${what}`, { step: 'open', status: 500, cause: error });
  }
}

/** `promise`, or a `timeout` error after `ms`: a credential function that never answers must not hang the handler. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DoctorGateError('timeout', `The credential gave no answer within ${ms} ms`, { step: 'check' })),
      ms,
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
