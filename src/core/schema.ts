import * as z from 'zod/mini';

// The few rules zod has no builder for. Everything else is written with zod's own builders where
// it is used (`z.string().check(z.trim(), z.maxLength(…))`, `z.enum`…).

/**
 * A safe integer, as `z.int()` accepts: a number that `Number.isSafeInteger` takes (no NaN, no
 * fraction, nothing beyond ±(2^53 − 1)). Written as a refinement of `z.number()`, kinds the drop-in has
 * anyway: `z.int()` would add zod's number-format kinds (about 390 B gzip) for this one rule.
 */
export const safeInt = z.number().check(z.refine(Number.isSafeInteger));

/** `true` or `false`, as `z.boolean()` accepts, with the literal kind the drop-in has anyway. */
export const bool = z.literal([true, false]);

/** An email as `z.email()` checks it (zod's own pattern), with the regex check the drop-in has anyway. */
export const emailAddress = z.string().check(z.regex(z.regexes.email));

/**
 * One URL path segment, as an id must be to name one resource: the URL parser resolves "." and
 * ".." away, control characters have no place in an id, and a lone surrogate cannot be
 * percent-encoded at all (zod has no "path segment" check).
 */
export const pathSegment = z.refine<string>(
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  (value: string) => !/^\.{1,2}$/.test(value) && !/[\u0000-\u001f\u007f]|\p{Cs}/u.test(value),
);

/**
 * A positive whole number, given as a safe integer or as its decimal digits (an attribute's
 * text), parsed to a number. `Number()` would read "1e3", "0x10", "+5", " 5" and "5.0" as numbers;
 * only digits without a leading zero are, so what the page wrote is what the vendor gets.
 */
export const positiveDecimal = z.union([
  safeInt.check(z.positive()),
  // At most 15 digits, so every accepted string is a safe integer; checked first, so coercing
  // only turns those digits into their number (and the drop-in needs no `z.transform`).
  z.pipe(z.string().check(z.regex(/^[1-9]\d{0,14}$/)), z.coerce.number()),
]);
