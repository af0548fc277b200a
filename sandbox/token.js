// Fake Speaknosis token endpoint: `POST /api/iam/integration/token`, OAuth 2 client credentials
// (VENDOR-NOTES: form-encoded, `{ access_token, token_type: "Bearer" }`, no `expires_in`).
// Minted tokens join the provider-scoped token table, so they work on the doctor API at once.
import { randomBase64Url } from './store.js';

/** @param {number} status @param {string} error @param {string} description */
// No WWW-Authenticate on the 401: the client sent no Authorization header, and a browser would prompt.
const oauthError = (status, error, description) => ({ status, body: { error, error_description: description } });

/**
 * @param {{ method: string, contentType: string, bodyText: string, store: import('./store.js').Store }} request
 * @returns {import('./http.js').Answer}
 */
export function handleToken({ method, contentType, bodyText, store }) {
  if (method !== 'POST') return { status: 405, body: { error: 'method not allowed' }, headers: { Allow: 'POST' } };
  if (contentType.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') {
    return oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(bodyText);
  const grant = form.get('grant_type');
  if (!grant) return oauthError(400, 'invalid_request', 'grant_type is required');
  if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'use client_credentials');
  const clientId = form.get('client_id') ?? '';
  const client = store.speaknosis.clients.get(clientId);
  if (!client || form.get('client_secret') !== client.secret) {
    return oauthError(401, 'invalid_client', 'unknown client or wrong secret');
  }
  const accessToken = `sk_iam_${randomBase64Url(18)}`;
  store.speaknosis.tokens.set(accessToken, new Set(client.providers));
  store.speaknosis.minted.set(accessToken, clientId);
  return { status: 200, body: { access_token: accessToken, token_type: 'Bearer' } };
}

/**
 * Expires minted tokens (all, or one client's): the doctor API answers 401 to them from now on.
 * @param {import('./store.js').Store} store @param {string | undefined} clientId
 * @returns {number} how many tokens expired
 */
export function expireTokens(store, clientId) {
  let expired = 0;
  for (const [token, owner] of store.speaknosis.minted) {
    if (clientId !== undefined && owner !== clientId) continue;
    store.speaknosis.tokens.delete(token);
    store.speaknosis.minted.delete(token);
    expired++;
  }
  return expired;
}
