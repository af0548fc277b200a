import { createClient } from '../vendors/create-client.js';
import {
  DoctorGateError,
  parseDoctor,
  provisionDoctor,
  publicDoctor,
  readinessOf,
  type Account,
  type Found,
  type GateClient,
  type ProvisionResult,
  type Step,
} from '../core/index.js';
import { errorAnswer, json, type CheckAnswer, type CreationNeeded, type ProvisionAnswer } from './answers.js';
import { auditedClient, auditLaunch } from './audit.js';
import { crossSiteRefusal } from './cross-site.js';
import { launchFor } from './launch.js';
import { apiKey } from './medic-tokens.js';
import { logCall, loggedFetch, requestIdOf, safeLogger, type VendorCall } from './observe.js';
import { checkOptions, type GateHandlerOptions } from './options.js';
import { redactor, scrub } from './redaction.js';
import { readBody, sameMedic, sessionDoctor, withTimeout } from './request-inputs.js';
import { sharedRun } from './shared-run.js';
import { TICKET_FRESH_MS, ticketSigner } from './ticket.js';
import { isTokenSource } from './token.js';

export type { Credential, GateHandlerOptions } from './options.js';
export type { Launch } from './launch.js';
export type { CheckAnswer, CreationNeeded, ProvisionAnswer } from './answers.js';

/** A Web-standard request handler (Hono, Next.js route handlers, Bun, Deno; Node via `toNodeListener`). */
export type GateHandler<Context = unknown> = (request: Request, context?: Context) => Promise<Response>;

/** Tokens handed out lately, so that any answer can redact them (creations are shared between requests). */
const RECENT_TOKENS = 16;
/** Creations remembered in memory at most (the oldest is forgotten first). */
const RECENT_CREATIONS = 1000;

type Options<Context> = GateHandlerOptions<Context>;

/**
 * The server half: `GET` checks and `POST` provisions the doctor that `doctorFor` names for the
 * request (never one the request names), with the credential kept on the server. `options` may be
 * a function: it is then called at the first request, so importing the route needs no secrets.
 */
export function createGateHandler<Context = unknown>(
  options: Options<Context> | (() => Options<Context> | Promise<Options<Context>>),
): GateHandler<Context> {
  let ready: Promise<Serve<Context>> | undefined =
    typeof options === 'function' ? undefined : Promise.resolve(setup(options));
  return async (request, context) => {
    if (!ready) {
      const pending = Promise.resolve()
        .then(options as () => Options<Context>)
        .then(setup);
      // Options that fail (secrets not set yet) are asked for again on the next request.
      pending.catch(() => ready === pending && (ready = undefined));
      ready = pending;
    }
    let serve: Serve<Context>;
    try {
      serve = await ready;
    } catch (error) {
      return errorAnswer(error, 'config', (text) => text, requestIdOf(request)).response;
    }
    return serve(request, context as Context);
  };
}

type Serve<Context> = (request: Request, context: Context) => Promise<Response>;

/** What the answer's log line says besides the status. */
interface Note {
  doctor?: string;
  outcome?: string;
  error?: { code: string; step: Step; source: string; message: string };
}

function setup<Context>(given: Options<Context>): Serve<Context> {
  const options = checkOptions(given);
  const { vendor, apiBase, providerId, credential, doctorFor, medicTokens, timeoutMs, retries, hospital, audit } =
    options;
  const allowed = new Set(options.allowedOrigins ?? []);
  const tickets = ticketSigner(options.secret);
  const logger = safeLogger(options.logger);
  const where = JSON.stringify([vendor, apiKey(apiBase), String(providerId ?? '')]);
  const handed = new Set<string>();
  const remember = (token: string) => {
    handed.add(token);
    if (handed.size > RECENT_TOKENS) handed.delete(handed.values().next().value!);
  };
  const waitMs = timeoutMs ?? 10_000;

  /** A client per request: the credential is asked for each time, so a source's expiry is honoured. */
  const clientFor = (requestId: string): GateClient => {
    const fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    return createClient(vendor, {
      apiBase,
      providerId: providerId === undefined ? undefined : String(providerId),
      fetch: logger ? loggedFetch(fetch, logger, { requestId, vendor }) : fetch,
      timeoutMs,
      retries,
      hospital,
      ...(typeof credential === 'string' ? { token: credential } : { tokenProvider: askCredential(requestId) }),
    });
  };

  // The core calls its tokenProvider again only after a 401 (or a failed call): the token it
  // had is then refused, and a token source is told so before it is asked again. A token source's
  // own request (a mint) is logged as this request's vendor call; a mint that several requests
  // wait for is logged once, under the request that caused it.
  const askCredential = (requestId: string) => {
    let given: string | undefined;
    const ask = logger ? { onCall: (call: VendorCall) => logCall(logger, { requestId, vendor }, call) } : {};
    return async (): Promise<string> => {
      const source = credential as Exclude<typeof credential, string>;
      if (given !== undefined && isTokenSource(source)) source.invalidate(given);
      // A plain function is called as before, with no argument it might not expect.
      const asked = () => (isTokenSource(source) ? source(ask) : (source as () => Promise<string>)());
      const token = await withTimeout(Promise.resolve().then(asked), waitMs);
      if (typeof token === 'string') remember((given = token));
      return token;
    };
  };

  // Concurrent creations for one doctor share one run (at most one create), aborted when every
  // request waiting for it has left.
  const creations = sharedRun<ProvisionResult>();
  /** Creations of the last moments, for requests whose ticket was signed before them. */
  const created = new Map<string, { at: number; account: Account }>();

  const sign = (doctorKey: string, found: Found | null) => {
    const id = found?.account['id'];
    return tickets.sign({
      where,
      doctor: doctorKey,
      found: !!found,
      active: !!found?.active,
      ...(typeof id === 'string' || typeof id === 'number' ? { account: id } : {}),
    });
  };

  async function answer(request: Request, context: Context, requestId: string, note: Note, secrets: unknown[]) {
    const method = request.method.toUpperCase();
    const { signal } = request;
    const given = await sessionDoctor(doctorFor, request, context);
    if (!given) {
      throw new DoctorGateError('unauthorized', 'No signed-in doctor for this request', {
        step: 'check',
        source: 'server',
      });
    }
    secrets.push(given['password']);
    const client = auditedClient(clientFor(requestId), audit, given, requestId);
    const doctor = parseDoctor(client, given);
    note.doctor = doctor.id === undefined ? undefined : String(doctor.id);
    const doctorKey = client.vendor.key(doctor);
    const shown = () => scrub(publicDoctor(doctor), redact(secrets));
    const check = async () => {
      const found = await client.vendor.find(client.http, doctor, client.scope, signal);
      return vendor === 'prescrypto' ? sameMedic(found, doctor) : found;
    };

    if (method === 'GET') {
      const found = await check();
      note.outcome = found?.active ? 'found' : found ? 'inactive' : 'missing';
      const body: CheckAnswer = {
        found: !!found,
        active: !!found?.active,
        doctor: shown(),
        ticket: await sign(doctorKey, found),
      };
      return json(200, body, requestId);
    }

    const asked = await readBody(request);
    const ticket = await tickets.verify(asked.ticket, where, doctorKey);
    // A fresh ticket of this handler's own check for this very doctor stands in for a second one.
    const found = ticket?.fresh ? ticket.found : await check();
    let result: ProvisionResult;
    if (found?.active) {
      // Existing: what it still lacks is ensured too (Prescrypto: the hospital membership).
      const readiness = await readinessOf(client, found.account, signal);
      result = { outcome: 'existing', doctor: publicDoctor(doctor), account: found.account, readiness };
    } else if (asked.create === true && ticket) {
      // The page asked for this doctor (the ticket it answered names them) and nobody cancelled.
      const key = `${client.key}|${doctorKey}`;
      const recent = created.get(key);
      // Created here since that ticket's check: existing now, not created twice.
      result =
        recent && Date.now() - recent.at < TICKET_FRESH_MS
          ? {
              outcome: 'existing',
              doctor: publicDoctor(doctor),
              account: recent.account,
              readiness: await readinessOf(client, recent.account, signal),
            }
          : await creations(key, signal, async (shared) => {
              const done = await provisionDoctor(client, doctor, { signal: shared, found });
              created.set(key, { at: Date.now(), account: done.account });
              if (created.size > RECENT_CREATIONS) created.delete(created.keys().next().value!);
              return done;
            });
    } else {
      note.outcome = 'creation needed';
      const body: CreationNeeded = {
        needsCreation: true,
        found: !!found,
        active: false,
        doctor: shown(),
        ticket: await sign(doctorKey, found),
      };
      return json(200, body, requestId);
    }
    signal.throwIfAborted();
    const launch = await launchFor(client, doctor, result.account, medicTokens);
    auditLaunch(client, audit, doctor, result.account, requestId);
    // The launch's credentials are redacted from everything else in the answer.
    const { doctorId: _doctorId, ...credentials } = launch as Record<string, string>;
    secrets.push(...Object.values(credentials));
    note.outcome = result.outcome;
    const body: ProvisionAnswer = {
      outcome: result.outcome,
      doctor: scrub(result.doctor, redact(secrets)),
      account: scrub(result.account, redact(secrets)),
      launch,
      readiness: result.readiness,
    };
    return json(200, body, requestId);
  }

  const redact = (secrets: unknown[]) =>
    redactor(() => [typeof credential === 'string' ? credential : undefined, ...handed, ...strings(secrets)]);

  return async (request, context) => {
    const started = Date.now();
    const requestId = requestIdOf(request);
    const method = request.method.toUpperCase();
    const note: Note = {};
    const secrets: unknown[] = [];
    let response: Response;
    if (method !== 'GET' && method !== 'POST') {
      const error = new DoctorGateError('config', `Method ${method.slice(0, 20)} is not allowed`, {
        step: 'config',
        source: 'server',
        status: 405,
      });
      const failed = errorAnswer(error, 'config', (text) => text, requestId, { Allow: 'GET, POST' });
      response = failed.response;
      note.error = { ...failed.body.error };
    } else {
      try {
        const refusal = crossSiteRefusal(request, method, allowed);
        if (refusal) throw new DoctorGateError('forbidden', refusal, { step: 'check', source: 'server', status: 403 });
        response = await answer(request, context, requestId, note, secrets);
      } catch (caught) {
        // Nobody reads this answer; the log says the client left (nginx's 499), not that anything broke.
        const error = request.signal.aborted
          ? new DoctorGateError('network', 'The client left before the answer', { source: 'server', status: 499 })
          : caught;
        const failed = errorAnswer(error, 'check', redact(secrets), requestId);
        response = failed.response;
        note.error = { ...failed.body.error };
      }
    }
    if (logger) {
      const line = {
        requestId,
        vendor,
        method,
        status: response.status,
        ms: Date.now() - started,
        ...note,
        ...(request.signal.aborted ? { clientLeft: true } : {}),
      };
      const level = response.status >= 500 ? 'error' : response.status >= 400 ? 'warn' : 'info';
      logger[level](line, 'doctor-gate answer');
    }
    return response;
  };
}

const strings = (values: unknown[]) => values.filter((value): value is string => typeof value === 'string');
