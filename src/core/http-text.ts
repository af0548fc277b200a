// The texts the HTTP seam judges without quoting them: a credential's shape, an error body's words.

/** A short description of an error body (vendors answer strings, arrays or objects); the caller redacts it. */
export function describeBody(body: unknown): string {
  if (typeof body === 'string') return /^\s*</.test(body) ? 'an HTML page' : body;
  const record = (body ?? {}) as Record<string, unknown>;
  // Vendors word an error under one of these keys (Prescrypto uses all of them, in either language).
  const text = [record['response'], record['message'], record['detail'], record['details']].find(
    (each) => typeof each === 'string',
  );
  return (text as string | undefined) ?? JSON.stringify(body) ?? '';
}

/**
 * What a credential that is not a token is, in kind, never quoting it; undefined for a token:
 * 8 to 4,096 characters of `A-Z a-z 0-9 - . _ ~ + /`, then `=` padding.
 */
export function notAToken(value: unknown): string | undefined {
  if (!value || typeof value !== 'string') return 'nothing';
  if (/^(?=.{8,4096}$)[\w.~+/-]+=*$/.test(value)) return undefined;
  return !value.trim()
    ? 'only whitespace'
    : /^\s*</.test(value)
      ? 'HTML'
      : value.length > 4096
        ? 'over 4,096 characters'
        : 'characters or a length no token has';
}
