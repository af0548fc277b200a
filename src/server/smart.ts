import * as z from 'zod';
import {
  DoctorGateError,
  doctorFromPractitioner,
  type Doctor,
  type FhirPractitioner,
  type PractitionerDoctor,
} from '../core/index.js';
import { fn, httpsOrLoopback, optionsError } from './option-checks.js';
import { fetchJson, practitionerUrl } from './smart-fetch.js';

/** What `token(request)` finds: the EHR's OpenID `id_token`, and the access token for its FHIR API when it has one. */
export interface SmartTokens {
  idToken: string;
  accessToken?: string;
}

/** The verified claims of an `id_token`. */
export interface SmartClaims {
  iss: string;
  aud: string | string[];
  exp: number;
  sub?: string;
  /** The URL of the signed-in user's FHIR resource (here a `Practitioner`). */
  fhirUser: string;
  [claim: string]: unknown;
}

/** What `enrich` is told beside the mapped doctor. */
export interface SmartContext {
  practitioner: FhirPractitioner;
  claims: SmartClaims;
  request: Request;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each framework passes its own context
  context?: any;
}

/** The asymmetric JWS algorithms an `id_token` may be signed with (never `none` or a shared-secret HS*). */
export const SMART_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export interface SmartDoctorOptions {
  /** The EHR's OpenID issuer, exactly as its `id_token`s' `iss` (https, or http on loopback). */
  issuer: string;
  /** This app's client id at the EHR: the `aud` its `id_token`s must carry. */
  clientId: string;
  /** The FHIR server the `fhirUser` claim may point into (default: the issuer's origin); any other is refused. */
  fhirBase?: string;
  /** The identifier system whose value is the doctor's id (default: the Practitioner's resource id). */
  idSystem?: string;
  /**
   * The tokens of this request (e.g. from the EHR's session or a cookie): the `id_token` as a
   * string, or `{ idToken, accessToken }`; nothing → the request has no signed-in doctor (401).
   */
  token: (
    request: Request,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each framework passes its own context
    context?: any,
  ) => string | SmartTokens | null | undefined | Promise<string | SmartTokens | null | undefined>;
  /**
   * Completes the mapped doctor with what a FHIR Practitioner does not say (a vendor's
   * `specialityId`, a default `lang`); `null` refuses the doctor (401).
   */
  enrich?: (
    doctor: PractitionerDoctor,
    info: SmartContext,
  ) => Doctor | null | undefined | Promise<Doctor | null | undefined>;
  fetch?: typeof fetch;
  /** Per request to the issuer and the FHIR server (default 10 000 ms). */
  timeoutMs?: number;
  /** Accepted signing algorithms, a subset of `SMART_ALGORITHMS` (default: all of them). */
  algorithms?: (typeof SMART_ALGORITHMS)[number][];
  /** Clock skew allowed on `exp` and `nbf`, in seconds (default 5). */
  clockToleranceSeconds?: number;
  /** The least time between two fetches of the issuer's keys for an unknown `kid` (default 30 000 ms). */
  jwksCooldownMs?: number;
}

/** A `doctorFor` for `createGateHandler`: the verified practitioner of the request, or `null`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each framework passes its own context
export type SmartDoctorFor = (request: Request, context?: any) => Promise<Doctor | null>;

const optionsSchema = z.object({
  issuer: httpsOrLoopback,
  clientId: z.string().min(1).max(512),
  fhirBase: z.optional(httpsOrLoopback),
  idSystem: z.optional(z.string().min(1).max(2048)),
  token: fn<SmartDoctorOptions['token']>(),
  enrich: z.optional(fn<NonNullable<SmartDoctorOptions['enrich']>>()),
  fetch: z.optional(fn<typeof fetch>()),
  timeoutMs: z.optional(z.int().min(100).max(120_000)),
  algorithms: z.optional(z.array(z.enum(SMART_ALGORITHMS)).min(1)),
  clockToleranceSeconds: z.optional(z.int().min(0).max(300)),
  jwksCooldownMs: z.optional(z.int().min(0).max(86_400_000)),
});

const discoverySchema = z.looseObject({ issuer: z.string(), jwks_uri: httpsOrLoopback });
const tokensSchema = z.union([
  z.string(),
  z.object({ idToken: z.string(), accessToken: z.optional(z.string().min(1).max(16_384)) }),
]);

/** A compact JWS of sane size: anything else is no token at all. */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]*$/;
const MAX_TOKEN = 16_384;
/** Verified tokens are remembered this long (or until they expire): a gate's GET and POST come in pairs. */
const REMEMBER_MS = 30_000;
const REMEMBERED = 128;

/**
 * Token failures: a forged, foreign, expired or malformed token is no signed-in doctor (`null`).
 * Any other failure (the issuer unreachable, its keys unreadable) is the server's, not the user's.
 */
const TOKEN_FAILURES = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);

type Jose = typeof import('jose');
let jose: Promise<Jose> | undefined;
/** `jose` is an optional peer: loaded on first use, and its absence is a clear `config` error. */
const loadJose = (): Promise<Jose> =>
  // Bundlers (Next.js's Turbopack, webpack) must not follow it: an app without jose would not build.
  (jose ??= import(/* webpackIgnore: true */ /* @vite-ignore */ 'jose').catch((cause: unknown) => {
    jose = undefined;
    throw new DoctorGateError('config', 'smartDoctor needs the jose package: npm install jose@^6', {
      fields: ['jose'],
      source: 'server',
      cause,
    });
  }));

interface Verified {
  doctor: PractitionerDoctor;
  practitioner: FhirPractitioner;
  claims: SmartClaims;
  until: number;
}

/**
 * A `doctorFor` that trusts the EHR's SMART on FHIR sign-in: it verifies the request's OpenID
 * `id_token` against the issuer's published keys (signature with an asymmetric algorithm, `iss`,
 * `aud`, `exp`, `nbf`), follows its `fhirUser` claim to the `Practitioner` (only inside `fhirBase`,
 * with the access token when given, no redirect) and maps it with `doctorFromPractitioner`.
 * A missing, expired, foreign or tampered token is `null` (the handler answers 401 and calls no
 * vendor); an unreachable issuer or FHIR server is an error. No token ever appears in an error.
 */
export function smartDoctor(options: SmartDoctorOptions): SmartDoctorFor {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError('smartDoctor', parsed.error);
  const { issuer, clientId, idSystem, token, enrich, timeoutMs = 10_000 } = parsed.data;
  const clockTolerance = parsed.data.clockToleranceSeconds ?? 5;
  const cooldownDuration = parsed.data.jwksCooldownMs ?? 30_000;
  const fetchImpl = parsed.data.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const algorithms = parsed.data.algorithms ?? [...SMART_ALGORITHMS];
  // The FHIR base with a trailing slash, so that a relative `fhirUser` resolves inside it and
  // `/fhir` does not admit `/fhir-other`.
  const fhirBase = new URL(parsed.data.fhirBase ?? new URL(issuer).origin);
  if (!fhirBase.pathname.endsWith('/')) fhirBase.pathname += '/';

  const getJson = (url: URL, what: 'discovery' | 'practitioner', signal?: AbortSignal, accessToken?: string) =>
    fetchJson(fetchImpl, url, what, timeoutMs, signal, accessToken);

  let keys: Promise<ReturnType<Jose['createRemoteJWKSet']>> | undefined;
  /** The issuer's key set, found through its discovery document once (again after a failure). */
  const keySet = () =>
    (keys ??= (async () => {
      const { createRemoteJWKSet, customFetch } = await loadJose();
      const discovery = discoverySchema.safeParse(
        await getJson(new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`), 'discovery'),
      );
      if (!discovery.success || discovery.data.issuer !== issuer) {
        throw new DoctorGateError(
          'bad-response',
          "The issuer's discovery document does not name this issuer and its keys",
          {
            step: 'check',
            source: 'server',
          },
        );
      }
      return createRemoteJWKSet(new URL(discovery.data.jwks_uri), {
        timeoutDuration: timeoutMs,
        cooldownDuration,
        [customFetch]: fetchImpl,
      });
    })().catch((error: unknown) => {
      keys = undefined;
      throw error;
    }));

  const verified = new Map<string, Verified>();

  async function verify(idToken: string, accessToken: string | undefined, signal: AbortSignal) {
    const { jwtVerify } = await loadJose();
    const jwks = await keySet();
    let claims: SmartClaims;
    try {
      ({ payload: claims } = (await jwtVerify(idToken, jwks, {
        issuer,
        audience: clientId,
        algorithms,
        requiredClaims: ['exp', 'fhirUser'],
        clockTolerance,
      })) as unknown as { payload: SmartClaims });
    } catch (error) {
      if (TOKEN_FAILURES.has((error as { code?: string } | null)?.code ?? '')) return null;
      if (error instanceof DoctorGateError) throw error;
      throw new DoctorGateError(
        (error as { code?: string } | null)?.code === 'ERR_JWKS_TIMEOUT' ? 'timeout' : 'bad-response',
        "The issuer's keys could not be read",
        { step: 'check', source: 'server' },
      );
    }
    // OpenID Connect: a token for several audiences names the one it was issued to in `azp`.
    if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims['azp'] !== clientId) return null;
    const url = practitionerUrl(claims.fhirUser, fhirBase);
    if (!url) return null;
    const practitioner = (await getJson(url, 'practitioner', signal, accessToken)) as FhirPractitioner;
    if (practitioner?.id !== url.pathname.split('/').pop()) {
      throw new DoctorGateError(
        'bad-response',
        'The FHIR server answered another resource than the signed-in Practitioner',
        {
          step: 'check',
          source: 'server',
        },
      );
    }
    const doctor = doctorFromPractitioner(practitioner, idSystem === undefined ? {} : { idSystem });
    return { doctor, practitioner, claims, until: Math.min(Date.now() + REMEMBER_MS, claims.exp * 1000) };
  }

  return async (request, context) => {
    const tokens = tokensSchema.safeParse(await token(request, context));
    if (!tokens.success) return null;
    const { idToken, accessToken } = typeof tokens.data === 'string' ? { idToken: tokens.data } : tokens.data;
    if (idToken.length > MAX_TOKEN || !COMPACT_JWS.test(idToken)) return null;
    const key = `${idToken} ${accessToken ?? ''}`;
    let found = verified.get(key);
    if (!found || found.until <= Date.now()) {
      verified.delete(key);
      const fresh = await verify(idToken, accessToken, request.signal);
      if (!fresh) return null;
      verified.set(key, (found = fresh));
      if (verified.size > REMEMBERED) verified.delete(verified.keys().next().value!);
    }
    const { doctor, practitioner, claims } = found;
    if (!enrich) return { ...doctor };
    return (await enrich({ ...doctor }, { practitioner, claims, request, context })) ?? null;
  };
}
