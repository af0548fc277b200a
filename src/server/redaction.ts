import { redact, REDACTED } from '../core/index.js';

const ECHOED_SECRET = /"(password|token|access_token|client_secret|medicToken)"\s*:\s*"(?:[^"\\]|\\.)*"/gi;

/**
 * The core's redaction (each secret as given, URL-encoded and JSON-escaped) over the secrets known
 * now, plus any credential-named JSON field a vendor body quoted in a message (a generated password
 * nobody here knows).
 */
export function redactor(secrets: () => readonly (string | undefined)[]): (text: string) => string {
  return (text) => {
    const known = secrets().filter((secret): secret is string => typeof secret === 'string' && secret.length >= 4);
    return redact(text, known).replace(ECHOED_SECRET, `"$1":"${REDACTED}"`);
  };
}

/** Field names that hold a credential, wherever they appear in what goes back to the browser. */
const SECRET_FIELDS = new Set([
  'token',
  'medictoken',
  'access_token',
  'password',
  'client_secret',
  'clientsecret',
  'apikey',
  'api_key',
]);

/**
 * A copy of a vendor value fit for the browser: credential-named fields dropped at any depth, and
 * any known secret that a lying vendor put in another field replaced by the core's `REDACTED` mark.
 */
export function scrub<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((each) => scrub(each, redact)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !SECRET_FIELDS.has(key.toLowerCase()))
        .map(([key, each]) => [key, scrub(each, redact)]),
    ) as T;
  }
  return value;
}
