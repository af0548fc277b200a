// Types for sandbox/index.js (`doctor-gate/sandbox`), so TypeScript files (vite.config.ts, tests,
// integrators) can import it without `allowJs`. Keep in sync with the JSDoc in the sandbox modules.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpHandler } from 'msw';

export interface SandboxOptions {
  /**
   * Answer CORS (preflight 204, expose Retry-After). The vendor APIs reflect any `Origin`; the
   * control API (`/sandbox/_control/`) answers only loopback origins and `allowOrigins`. Default false.
   */
  cors?: boolean;
  /**
   * Origins (`https://host[:port]`) whose pages may use the control API besides this machine's
   * (http(s) on localhost, 127.0.0.0/8 and [::1], any port). A request whose `Origin` is neither is
   * refused with 403, its preflight too, whether `cors` is on or not. Default none.
   */
  allowOrigins?: readonly string[];
  /** Initial added latency before every vendor-API answer, in ms. Default 0. */
  latencyMs?: number;
}

export interface SpeaknosisUser {
  id: string;
  name: string;
  lastname: string;
  email: string | null;
  specialityId: number;
  lang: string;
  deleted: boolean;
}

export interface PrescryptoMedic {
  id: number;
  name: string;
  email: string;
  hospital: number | null;
  date_of_birth: string | null;
  cedula_prof: string;
  specialty_no: string;
  specialty: string;
  alma_mater: string;
  female: boolean;
  is_active: boolean;
  specialty_verified: boolean;
  campaign: string;
  is_admin_membership: boolean | null;
  /** Owner API key (internal). */
  key: string;
  /** Medic token (internal; the API returns it only on create). */
  token: string;
  passwordHash: string;
}

export interface SandboxStore {
  speaknosis: {
    /** token → provider ids it may use */
    tokens: Map<string, Set<string>>;
    /** provider id → user id → user */
    providers: Map<string, Map<string, SpeaknosisUser>>;
    /** client id → secret and providers (the token endpoint's clients) */
    clients: Map<string, { secret: string; providers: Set<string> }>;
    /** access token → client id, for tokens the token endpoint minted */
    minted: Map<string, string>;
  };
  prescrypto: {
    /** API key → hospitals it administers */
    keys: Map<string, { hospitals: Set<number> }>;
    medics: Map<number, PrescryptoMedic>;
    nextId: number;
  };
}

export interface Sandbox {
  /**
   * The Web-standard handler: answers every path under `/sandbox/` (anything else is a 404).
   * A `drop` fault, or a client that left, answers `Response.error()` (a network error).
   */
  fetch(request: Request): Promise<Response>;
  /** Answers any request whose path starts with `/sandbox/` (resolves true); otherwise resolves false without touching `res`. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Restores fixtures, clears faults and the log, restores the initial latency. */
  reset(): void;
  /** The live store (mutated in place by `reset`). */
  store: SandboxStore;
}

export interface LogEntry {
  seq: number;
  time: string;
  method: string;
  /** Raw (still percent-encoded) path, without the query. */
  path: string;
  /** Raw query string, without `?`. */
  query: string;
  /** Status answered; null for drop/hang/aborted or still in flight. */
  status: number | null;
  fault?: FaultKind;
  after?: boolean;
  /** With `after` faults: the status the real handler produced. */
  realStatus?: number;
  /** The client went away before the answer. */
  aborted?: boolean;
  /** With a `hold` fault: how the hold ended (released by the control API, or its `ms` passed). */
  held?: 'released' | 'timeout';
  auth: 'Bearer' | 'Token' | 'other' | null;
  body: unknown;
}

export type FaultKind =
  | 'status'
  | 'drop'
  | 'hang'
  | 'malformed'
  | 'delay'
  | 'redirect'
  | 'doctor-status'
  | 'echo-credential'
  /** Keeps the request until `POST /sandbox/_control/release` (or its `ms`, default 60000) ends it. */
  | 'hold';

/** A request a `hold` fault keeps: `GET /sandbox/_control/held`, `POST /sandbox/_control/held/wait`. */
export interface HeldRequest {
  /** The id of the `hold` fault that keeps it. */
  fault: number;
  /** Its log entry's `seq`. */
  seq: number;
  method: string;
  /** Raw (still percent-encoded) path. */
  path: string;
  /** When it was held (ISO 8601). */
  since: string;
}

export declare const FIXTURE_CLIENTS: Readonly<
  Record<'demo-client' | 'other-client', { readonly secret: string; readonly providers: readonly string[] }>
>;

export declare const FIXTURE_CREDENTIALS: {
  readonly speaknosis: Readonly<Record<'sk_demo_token' | 'sk_other_token', readonly string[]>>;
  readonly prescrypto: Readonly<Record<'pk_demo_key' | 'pk_other_key', { readonly hospitals: readonly number[] }>>;
};

export declare const BODY_LIMIT: number;

export declare function createSandbox(options?: SandboxOptions): Sandbox;

/** Connect/Express-style middleware, e.g. Vite's `server.middlewares.use(connectMiddleware(sandbox))`. */
export declare function connectMiddleware(
  sandbox: Sandbox,
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Koa middleware for @web/test-runner / @web/dev-server `middleware: [koaMiddleware(sandbox)]`. */
export declare function koaMiddleware(
  sandbox: Sandbox,
): (
  ctx: { req: IncomingMessage; res: ServerResponse; respond?: boolean },
  next: () => Promise<unknown>,
) => Promise<void>;

export interface SandboxHandlersOptions {
  /** Share a sandbox you control (its store, `reset()`, control API through `fetch`). Default: a new one. */
  sandbox?: Pick<Sandbox, 'fetch'>;
  /**
   * Speaknosis doctor API base, default `https://api-qa.speaknosis.com/v1/health`; its host root
   * also answers `POST /api/iam/integration/token`. `false`: no Speaknosis handler.
   */
  speaknosis?: string | false;
  /** Prescrypto base (e.g. `https://integration.prescrypto.com`); no Prescrypto handler without it. */
  prescrypto?: string;
  /**
   * Where the SMART on FHIR EHR answers (e.g. `https://ehr.example/smart`), which is also its
   * OpenID issuer; no EHR handler without it.
   */
  smart?: string;
}

/** MSW handlers answering the real vendor URLs from one sandbox (`setupServer(...sandboxHandlers())`). Needs msw@^2.12. */
export declare function sandboxHandlers(options?: SandboxHandlersOptions): HttpHandler[];

export interface FixtureDoctor extends Omit<SpeaknosisUser, 'deleted'> {
  /** false: soft-deleted (a POST reactivates it). */
  active: boolean;
}

/** A FHIR R4 `Practitioner` of the sandbox EHR, as it serves it. */
export interface FixturePractitioner {
  resourceType: 'Practitioner';
  id: string;
  identifier: { system: string; value: string; use?: string }[];
  active: boolean;
  name: { use?: string; family: string; given: string[]; prefix?: string[] }[];
  telecom: { system: string; value: string; use?: string }[];
  communication: { coding: { system: string; code: string; display: string }[] }[];
}

/** The credentials and records every sandbox starts with (and `reset` restores). */
export declare const fixtures: {
  readonly speaknosis: {
    readonly providerId: string;
    readonly token: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly doctors: readonly FixtureDoctor[];
  };
  readonly prescrypto: {
    readonly apiKey: string;
    /** The demo key's medics as the API shows them, plus their medic `token`. */
    readonly medics: readonly Omit<PrescryptoMedic, 'key' | 'passwordHash'>[];
  };
  /**
   * The SMART on FHIR EHR at `<origin><path>` (its OpenID issuer): discovery at
   * `/.well-known/openid-configuration`, keys at `/jwks`, `POST /token` (form or JSON,
   * `practitioner=<id>`) → `{ id_token, access_token }`, `POST /rotate-key` (JSON), and
   * `/fhir/Practitioner/<id>`.
   */
  readonly smart: {
    readonly path: string;
    /** The `aud` of its id_tokens unless the token request names another `client_id`. */
    readonly clientId: string;
    /** The identifier system of the EHR's staff ids. */
    readonly idSystem: string;
    readonly practitioners: readonly FixturePractitioner[];
  };
};
