import * as z from 'zod/mini';
import { bindVendor, type GateClient } from '../core/client.js';
import { codeForStatus, DoctorGateError, ERROR_CODES, STEPS, type Step } from '../core/errors.js';
import type { ClientOptions, HttpClient, HttpResponse } from '../core/http.js';
import { OUTCOMES, publicDoctor, type Account, type Doctor, type VendorName } from '../core/types.js';
import { vendors } from './index.js';
import type { Vendor } from './vendor.js';

// Server mode: the gate talks only to the EHR's own `doctor-gate/server` handler, which holds the
// vendor credential and names the doctor from its session. This module is that handler's client,
// written as a vendor so the element and the core run it like any other: `find` is `GET {server}`,
// `create` is `POST {server}`, and the vendor's own module still gives the launch template and popup.

const record = z.looseObject({});
const checkAnswer = z.object({ found: z.boolean(), active: z.boolean(), doctor: record });
const text = z.string().check(z.minLength(1), z.maxLength(4096));
/** Only what the vendor's launch URL takes: a wrong or missing value is `bad-response`, never a blank launch. */
const LAUNCH = {
  speaknosis: z.object({ token: text, doctorId: text }),
  prescrypto: z.object({ medicToken: text }),
};
const provisionAnswer = (vendor: VendorName) =>
  z.object({
    outcome: z.enum(OUTCOMES),
    doctor: record,
    account: record,
    launch: LAUNCH[vendor],
  });
const errorAnswer = z.object({
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), step: z.enum(STEPS) }),
});

/** Every error status: the handler's body names its own code, which the gate keeps. */
const ERROR_STATUSES = Array.from({ length: 200 }, (_, i) => 400 + i);

/**
 * The core's HTTP client suits a vendor API (no cookies, an `Authorization` header); the EHR's
 * handler is the opposite: its session cookie is the credential, and no API credential exists here.
 */
const sessionFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.delete('Authorization');
  // The handler never redirects: an answer from elsewhere must not be taken for its launch.
  return fetch(input, { ...init, headers, credentials: 'same-origin', redirect: 'error' });
};

/** The launch values the last `POST` gave for an account, kept out of the account (which events carry). */
const launches = new WeakMap<Account, Record<string, string>>();
/** One `POST` at a time per account, for every gate opening it. */
const pendingLaunches = new WeakMap<Account, Promise<void>>();
/** The signed-in doctor as the handler named them, per server URL: what events show. */
const sessionDoctors = new Map<string, Doctor>();

async function call(http: HttpClient, method: 'GET' | 'POST', step: Step, signal?: AbortSignal): Promise<HttpResponse> {
  // The exact URL the page gave (the client's base gains a trailing slash); a JSON body, so a
  // cross-site form can never make the same request.
  const answer = await http.request({
    method,
    url: http.options.apiBase,
    body: method === 'POST' ? {} : undefined,
    step,
    signal,
    accept: ERROR_STATUSES,
  });
  const { status, body, where, requestId } = answer;
  if (status < 400) return answer;
  // The handler's body names its own code; an error page from a proxy is a failure of its status.
  const parsed = z.safeParse(errorAnswer, body);
  const failure = parsed.success ? parsed.data.error : undefined;
  throw new DoctorGateError(
    failure?.code ?? codeForStatus(status),
    `${where}: HTTP ${status}${failure ? `: ${http.redact(failure.message).slice(0, 200)}` : ''}`,
    { step: failure?.step ?? step, status, source: 'server', requestId },
  );
}

const remember = (http: HttpClient, doctor: Doctor) => sessionDoctors.set(http.base.href, publicDoctor(doctor));

async function provision(http: HttpClient, name: VendorName, signal?: AbortSignal) {
  const answer = http.parse(provisionAnswer(name), await call(http, 'POST', 'create', signal), 'create');
  remember(http, answer.doctor);
  launches.set(answer.account, answer.launch);
  return answer;
}

function serverVendor(inner: Vendor): Vendor {
  const vendor: Vendor = {
    name: inner.name,
    authScheme: inner.authScheme,
    knowsInactive: inner.knowsInactive,
    label: inner.label,
    appUrl: inner.appUrl,
    popup: inner.popup,
    // The page's doctor fields are never sent: the handler names the doctor from the session
    // (an empty z.object strips every field the page gave).
    doctorSchema: z.object({}),
    key: () => 'session',
    launchValues({ account }) {
      const launch = launches.get(account);
      if (!launch) throw new DoctorGateError('config', 'No launch from the server yet', { step: 'open' });
      return launch;
    },
    async find(http, _doctor, _scope, signal) {
      const answer = http.parse(checkAnswer, await call(http, 'GET', 'check', signal), 'check');
      remember(http, answer.doctor);
      return answer.found ? { active: answer.active, account: {} } : null;
    },
    async create(http, _doctor, _found, _scope, signal) {
      const { outcome, account } = await provision(http, inner.name, signal);
      return { outcome, account };
    },
    /**
     * A doctor the check found needed no `POST` to provision, but opening does: the handler's
     * `POST` finds them, creates nothing, and answers the launch. Shared by every gate opening
     * the same result; not tied to one gate's abort, like a shared check.
     */
    prepareLaunch(http, account) {
      if (launches.has(account)) return Promise.resolve();
      let pending = pendingLaunches.get(account);
      if (!pending) {
        pending = provision(http, inner.name).then(
          (answer) => void launches.set(account, answer.launch),
          (error: unknown) => {
            pendingLaunches.delete(account);
            throw error;
          },
        );
        pendingLaunches.set(account, pending);
      }
      return pending;
    },
    // The doctor is the handler's, not the page's: the one the events show.
    shownDoctor: (http, doctor) => sessionDoctors.get(http.base.href) ?? doctor,
  };
  return vendor;
}

const byName = new Map<VendorName, Vendor>();

/** A client for the EHR's handler at `server`, opening `vendor`'s app. */
export function serverClient(
  vendor: VendorName,
  options: { server: string; timeoutMs: number; retries: number; onRequest?: ClientOptions['onRequest'] },
): GateClient {
  let impl = byName.get(vendor);
  if (!impl) byName.set(vendor, (impl = serverVendor(vendors[vendor])));
  // No API credential lives in the page: the core's client wants one (a well-formed one), and `sessionFetch` drops it.
  return bindVendor(impl, {
    apiBase: options.server,
    token: 'session-cookie',
    fetch: sessionFetch,
    source: 'server',
    ...options,
  });
}
