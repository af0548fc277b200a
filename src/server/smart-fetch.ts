// The SMART sign-in's two requests beyond the keys: the issuer's discovery document and the
// signed-in user's Practitioner, each with a timeout, no redirect, and no token in any error.
import { DoctorGateError } from '../core/index.js';

/** A discovery document or a Practitioner is small; anything larger is refused. */
const MAX_BODY = 1_000_000;

/** `fhirUser` as a Practitioner URL inside `base`, or null (another origin or path, another resource type). */
export function practitionerUrl(fhirUser: unknown, base: URL): URL | null {
  if (typeof fhirUser !== 'string') return null;
  let url: URL;
  try {
    url = new URL(fhirUser, base);
  } catch {
    return null;
  }
  const inside = url.origin === base.origin && url.pathname.startsWith(base.pathname) && !url.username && !url.password;
  const practitioner = /\/Practitioner\/[A-Za-z0-9\-.]{1,64}$/.test(url.pathname);
  return inside && practitioner && !url.search && !url.hash ? url : null;
}

/**
 * GET `url` as JSON with a timeout (and the request's signal), no redirect followed, and the
 * access token as a Bearer credential when given. Failures are the server's, told without any token.
 */
export async function fetchJson(
  fetchImpl: typeof fetch,
  url: URL,
  what: 'discovery' | 'practitioner',
  timeoutMs: number,
  signal: AbortSignal | undefined,
  accessToken: string | undefined,
): Promise<unknown> {
  const label = what === 'discovery' ? "The issuer's discovery document" : "The signed-in user's Practitioner";
  const fail = (code: 'network' | 'timeout' | 'server' | 'bad-response', message: string) =>
    new DoctorGateError(code, `${label} ${message}`, { step: 'check', source: 'server' });
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(url, {
      headers: {
        Accept: what === 'discovery' ? 'application/json' : 'application/fhir+json',
        ...(accessToken === undefined ? {} : { Authorization: `Bearer ${accessToken}` }),
      },
      // A redirect could carry the access token to another origin.
      redirect: 'manual',
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    });
    text = await response.text();
  } catch (error) {
    if (signal?.aborted) throw error;
    if (timeout.aborted) throw fail('timeout', `gave no answer within ${timeoutMs} ms`);
    throw fail('network', 'could not be reached');
  }
  if (response.status >= 300 && response.status < 400)
    throw fail('bad-response', `redirected (HTTP ${response.status})`);
  if (!response.ok) throw fail('server', `could not be read (HTTP ${response.status})`);
  if (text.length > MAX_BODY) throw fail('bad-response', 'is too large');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw fail('bad-response', 'is not JSON');
  }
}
