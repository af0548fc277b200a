import * as z from 'zod/mini';

// Schema builders shared by the settings and the vendors. The drop-in pays for every zod kind it
// touches (z.enum ~340 B gzip, z.array ~440, each length or range check ~350…), so these are all
// `z.custom` predicates, plus `z.trim`/`z.overwrite` where a value is rewritten; add a zod kind
// only after measuring it with `npm run build`.

const isString = (value: unknown): value is string => typeof value === 'string';
const inRange = (value: number, min: number, max: number) => value >= min && value <= max;

const fits = (value: string, min: number, max: number, pattern?: RegExp) =>
  inRange(value.length, min, max) && (!pattern || pattern.test(value));

/** A string, as given, that passes `test`: the one string builder the others are made of. */
export const stringWhere = (test: (value: string) => boolean) =>
  z.custom<string>((value) => isString(value) && test(value));

/** A string trimmed of surrounding space, then `min`–`max` characters long and matching `pattern`. */
export const text = (min: number, max: number, pattern?: RegExp) =>
  // The predicate runs before z.trim rewrites the value, hence its own trim().
  stringWhere((value) => fits(value.trim(), min, max, pattern)).check(z.trim());

/** Any string, as given (z.string() would add ~130 B for the same test). */
export const anyString = stringWhere(() => true);

/** A string taken as given (passwords, free text sent on unchanged), `min`–`max` characters long. */
export const untrimmedText = (min: number, max: number) => stringWhere((value) => fits(value, min, max));

/** A string matching `pattern` as given, without trimming. */
export const matching = (pattern: RegExp) => stringWhere((value) => pattern.test(value));

/** A string or `null` (what a vendor sends for an unset text field). */
export const nullableString = z.custom<string | null>((value) => value === null || isString(value));

/** A whole number within bounds. */
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.custom<number>((value) => Number.isInteger(value) && inRange(value as number, min, max));

/** A true/false value. */
export const flag = z.custom<boolean>((value) => typeof value === 'boolean');

/** Exactly one of `values`, typed as their union (a z.enum or z.literal without their weight). */
export const oneOf = <const T extends readonly (string | number | boolean)[]>(values: T) =>
  z.custom<T[number]>((value) => (values as readonly unknown[]).includes(value));

// z.email()'s own pattern, so no address it refused is accepted now: one @, no spaces or dots at
// the edges of the local part, a dotted domain ending in two or more letters.
const EMAIL = /^(?:[\w'+-]+\.)*[\w'+-]*[\w+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

/** An email address as given (no trimming), at most 254 characters (the SMTP limit). */
export const email = () => stringWhere((value) => value.length <= 254 && EMAIL.test(value));

/** A vendor id as the vendor may send it: a string or a number. */
export const idValue = z.custom<string | number>((value) => isString(value) || typeof value === 'number');

/** A string matching `pattern`, or a whole number of at least `min`. */
export const digitsOrInteger = (pattern: RegExp, min: number) =>
  z.custom<string | number>((value) =>
    isString(value) ? pattern.test(value) : Number.isInteger(value) && (value as number) >= min,
  );

/**
 * An array whose items each pass `item`, giving the items as `item` parsed them (as z.array
 * would): the predicate refuses the array, then z.overwrite swaps in the parsed items.
 */
export const listOf = <T>(item: z.ZodMiniType<T>) =>
  z
    .custom<T[]>((value) => Array.isArray(value) && value.every((each) => z.safeParse(item, each).success))
    // Runs only when every item passed (z.custom aborts on failure), so each `data` is set.
    .check(z.overwrite((items) => items.map((each) => z.safeParse(item, each).data as T)));
