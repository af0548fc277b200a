// A small SMART on FHIR EHR: an OpenID Connect issuer (discovery, JWKS, a token endpoint that signs
// id_tokens for the fixture practitioners) and their FHIR `Practitioner` resources. Keys are made
// with WebCrypto when first needed (ES256), so the sandbox needs no JOSE library and no Node API.
import { bodyLimit } from 'hono/body-limit';

import { BODY_LIMIT, parseAuthorization, parseJson, requestOrigin, splitUrl, toResponse } from './http.js';
import { randomBase64Url } from './store.js';
import { logRequest } from './vendor.js';

export const SMART_PREFIX = '/sandbox/ehr/smart';
/** The app the sandbox EHR knows: `aud` of its id_tokens unless the token request names another. */
export const SMART_CLIENT_ID = 'demo-ehr-app';
/** The identifier system of the EHR's own staff ids (the gate's doctor ids with `idSystem`). */
export const STAFF_ID_SYSTEM = 'urn:doctor-gate:sandbox:staff';
const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';
const LANGUAGE_SYSTEM = 'urn:ietf:bcp:47';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const ID_TOKEN_SECONDS = 3600;

const language = (code, display) => ({ coding: [{ system: LANGUAGE_SYSTEM, code, display }] });

/** The EHR's practitioners, shaped as real EHRs send them (prefixes, several telecoms and identifiers). */
export const PRACTITIONERS = Object.freeze([
  {
    resourceType: 'Practitioner',
    id: 'pr-ana',
    identifier: [
      { system: NPI_SYSTEM, value: '1234567893' },
      { use: 'official', system: STAFF_ID_SYSTEM, value: 'smart-ana' },
    ],
    active: true,
    name: [{ use: 'official', family: 'Ortega', given: ['Ana', 'María'], prefix: ['Dra.'] }],
    telecom: [
      { system: 'phone', value: '+52 55 5555 0101', use: 'work' },
      { system: 'email', value: 'ana.ortega@home.example', use: 'home' },
      { system: 'email', value: 'ana.ortega@hospital.example', use: 'work' },
    ],
    communication: [language('es-MX', 'Spanish (Mexico)'), language('en', 'English')],
  },
  {
    resourceType: 'Practitioner',
    id: 'pr-jordi',
    identifier: [{ system: STAFF_ID_SYSTEM, value: 'smart-jordi' }],
    active: true,
    name: [{ use: 'official', family: 'Puig i Soler', given: ['Jordi'], prefix: ['Dr.'] }],
    telecom: [{ system: 'email', value: 'jordi.puig@hospital.example', use: 'work' }],
    communication: [language('ca', 'Catalan')],
  },
  {
    // No email: a vendor that needs one (Prescrypto) cannot provision this doctor.
    resourceType: 'Practitioner',
    id: 'pr-sam',
    identifier: [{ system: STAFF_ID_SYSTEM, value: 'smart-sam' }],
    active: true,
    name: [{ family: 'Lee', given: ['Sam'] }],
    telecom: [{ system: 'phone', value: '+1 555 0100', use: 'work' }],
    communication: [language('en-US', 'English (United States)')],
  },
  {
    // Only a language the vendors do not take: the gate's default language applies.
    resourceType: 'Practitioner',
    id: 'pr-hanna',
    identifier: [{ system: STAFF_ID_SYSTEM, value: 'smart-hanna' }],
    active: true,
    name: [{ use: 'official', family: 'Schmidt', given: ['Hanna'] }],
    telecom: [{ system: 'email', value: 'hanna.schmidt@hospital.example', use: 'work' }],
    communication: [language('de', 'German')],
  },
]);

/**
 * @typedef {{ kid: string, privateKey: CryptoKey, jwk: JsonWebKey & { kid: string, alg: string, use: string } }} SigningKey
 * @typedef {{ current?: Promise<SigningKey>, unpublished?: Promise<SigningKey>,
 *   accessTokens: Map<string, string> }} SmartState
 */

const encoder = new TextEncoder();
/** @param {Uint8Array | ArrayBuffer} bytes */
const base64Url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const part = (value) => base64Url(encoder.encode(JSON.stringify(value)));

/** A new ES256 key pair; only its public half is ever published. @returns {Promise<SigningKey>} */
async function newKey() {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const kid = randomBase64Url(9);
  return { kid, privateKey: pair.privateKey, jwk: { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' } };
}

/**
 * A compact JWS of `claims`: ES256 with `key` (WebCrypto's ECDSA signature is already JOSE's
 * r‖s form), or, for tests of the verifier, `none` (no signature) or HS256 keyed with the public key.
 * @param {Record<string, unknown>} claims @param {SigningKey} key @param {'ES256' | 'none' | 'HS256'} alg
 */
async function sign(claims, key, alg) {
  const header = alg === 'none' ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid: key.kid };
  const input = `${part(header)}.${part(claims)}`;
  if (alg === 'none') return `${input}.`;
  if (alg === 'HS256') {
    const secret = await crypto.subtle.importKey(
      'raw',
      encoder.encode(JSON.stringify(key.jwk)),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    return `${input}.${base64Url(await crypto.subtle.sign('HMAC', secret, encoder.encode(input)))}`;
  }
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, encoder.encode(input));
  return `${input}.${base64Url(signature)}`;
}

/** @returns {SmartState} */
export const createSmartState = () => ({ accessTokens: new Map() });

/**
 * Mounts the EHR under `SMART_PREFIX` on the sandbox's Hono app. Its requests join the request log
 * (path and auth scheme only), so tests can tell what reached the EHR.
 * @param {import('hono').Hono<any>} app @param {import('./vendor.js').SandboxState} state
 */
export function mountSmart(app, state) {
  const smart = createSmartState();
  const signingKey = () => (smart.current ??= newKey());
  const base = (/** @type {Request} */ request, /** @type {import('./vendor.js').VendorEnv} */ env) =>
    env?.publicUrl ? env.publicUrl(SMART_PREFIX) : `${requestOrigin(request)}${SMART_PREFIX}`;
  /** Logs the request, answers `answer`, and records its status. */
  const logged = (handler) => async (/** @type {import('hono').Context} */ c) => {
    const { path, query } = splitUrl(c.req.url);
    const entry = logRequest(
      state,
      c.req.method,
      path,
      query,
      parseAuthorization(c.req.header('authorization')).scheme,
    );
    const response = await handler(c);
    entry.status = response.status;
    return response;
  };

  app.use(
    `${SMART_PREFIX}/*`,
    bodyLimit({ maxSize: BODY_LIMIT, onError: () => toResponse(oauthError(413, 'request body too large')) }),
  );

  const discovery = (c) => {
    const issuer = base(c.req.raw, c.env);
    return toResponse({
      status: 200,
      body: {
        issuer,
        jwks_uri: `${issuer}/jwks`,
        token_endpoint: `${issuer}/token`,
        authorization_endpoint: `${issuer}/authorize`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        scopes_supported: ['openid', 'fhirUser', 'user/Practitioner.read'],
        grant_types_supported: ['authorization_code'],
        capabilities: ['launch-ehr', 'sso-openid-connect', 'client-public'],
      },
    });
  };
  app.get(`${SMART_PREFIX}/.well-known/openid-configuration`, logged(discovery));
  app.get(`${SMART_PREFIX}/.well-known/smart-configuration`, logged(discovery));

  app.get(
    `${SMART_PREFIX}/jwks`,
    logged(async () => toResponse({ status: 200, body: { keys: [(await signingKey()).jwk] } })),
  );

  app.post(
    `${SMART_PREFIX}/rotate-key`,
    logged(async (c) => {
      if (!isJson(c.req.header('content-type'))) return toResponse(oauthError(415, 'control requests must be JSON'));
      smart.current = newKey();
      return toResponse({ status: 200, body: { kid: (await smart.current).kid } });
    }),
  );

  app.post(
    `${SMART_PREFIX}/token`,
    logged(async (c) => {
      const form = await tokenRequest(c.req.raw);
      if (!form) return toResponse(oauthError(400, 'the body must be a form or a JSON object'));
      const id = form.get('practitioner') ?? '';
      if (!PRACTITIONERS.some((each) => each.id === id)) {
        return toResponse({ status: 400, body: { error: 'invalid_grant', error_description: 'unknown practitioner' } });
      }
      const issuer = base(c.req.raw, c.env);
      const now = Math.floor(Date.now() / 1000);
      const expiresIn = Number(form.get('expires_in') ?? ID_TOKEN_SECONDS);
      const notBefore = form.get('not_before');
      const alg = form.get('alg') ?? 'ES256';
      if (!Number.isInteger(expiresIn) || (notBefore !== null && !Number.isInteger(Number(notBefore)))) {
        return toResponse(oauthError(400, 'expires_in and not_before are whole seconds from now'));
      }
      if (alg !== 'ES256' && alg !== 'none' && alg !== 'HS256')
        return toResponse(oauthError(400, 'alg: ES256, none or HS256'));
      const claims = {
        iss: form.get('iss') ?? issuer,
        sub: id,
        // `aud=a,b`: a token for several audiences (then `azp` names the one it was issued to).
        aud: audience(form.get('aud') ?? form.get('client_id') ?? SMART_CLIENT_ID),
        ...(form.has('azp') && { azp: form.get('azp') }),
        iat: now,
        exp: now + expiresIn,
        ...(notBefore !== null && { nbf: now + Number(notBefore) }),
        ...(form.has('nonce') && { nonce: form.get('nonce') }),
        fhirUser: form.get('fhir_user') ?? `${issuer}/fhir/Practitioner/${id}`,
      };
      // `key=unpublished`: a key the JWKS never shows, under the current key's kid (a forgery).
      const key = await (form.get('key') === 'unpublished'
        ? (smart.unpublished ??= newKey()).then(async (other) => ({ ...other, kid: (await signingKey()).kid }))
        : signingKey());
      const accessToken = `smart_at_${randomBase64Url(18)}`;
      smart.accessTokens.set(accessToken, id);
      return toResponse({
        status: 200,
        body: {
          id_token: await sign(claims, key, alg),
          access_token: accessToken,
          token_type: 'Bearer',
          expires_in: ID_TOKEN_SECONDS,
          scope: 'openid fhirUser user/Practitioner.read',
        },
      });
    }),
  );

  app.get(
    `${SMART_PREFIX}/fhir/Practitioner/:id`,
    logged((c) => {
      // A public directory without a token; a token, when sent, must be one this EHR issued.
      const auth = parseAuthorization(c.req.header('authorization'));
      if (auth.scheme !== null && !(auth.scheme === 'Bearer' && smart.accessTokens.has(auth.credential))) {
        return fhirAnswer(401, outcome('login', 'unknown or expired access token'));
      }
      const found = PRACTITIONERS.find((each) => each.id === c.req.param('id'));
      return found ? fhirAnswer(200, found) : fhirAnswer(404, outcome('not-found', 'no such Practitioner'));
    }),
  );
}

/** The token request's parameters, from a form or a JSON object; null for anything else. @param {Request} request */
async function tokenRequest(request) {
  const type = request.headers.get('content-type') ?? '';
  const body = await request.text();
  if (isJson(type)) {
    const parsed = parseJson(body);
    if (!parsed.ok || !parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) return null;
    return new URLSearchParams(Object.entries(parsed.value).map(([name, value]) => [name, String(value)]));
  }
  return /^application\/x-www-form-urlencoded\b/i.test(type) ? new URLSearchParams(body) : null;
}

/** @param {string} value */
const audience = (value) => (value.includes(',') ? value.split(',') : value);
/** @param {string | undefined} type */
const isJson = (type) => /^application\/json\b/i.test(type ?? '');
/** @param {number} status @param {string} description */
const oauthError = (status, description) => ({
  status,
  body: { error: 'invalid_request', error_description: description },
});
/** @param {string} code @param {string} diagnostics */
const outcome = (code, diagnostics) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code, diagnostics }],
});
/** @param {number} status @param {unknown} body */
const fhirAnswer = (status, body) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': FHIR_JSON, 'Cache-Control': 'no-store' } });
