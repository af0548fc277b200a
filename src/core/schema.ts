import * as z from 'zod/mini';

// Small zod/mini building blocks shared by the settings and the vendors. They avoid `z.int()`,
// `z.union()` and `z.pipe()`, which each pull extra zod machinery into the drop-in.

/** A whole number within bounds. */
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number().check(z.refine(Number.isInteger), z.gte(min), z.lte(max));

/** A vendor id as the vendor may send it: a string or a number. */
export const idValue = z.custom<string | number>((value) => typeof value === 'string' || typeof value === 'number');

/** A string matching `pattern`, or a whole number of at least `min`. */
export const digitsOrInteger = (pattern: RegExp, min: number) =>
  z.custom<string | number>((value) =>
    typeof value === 'string' ? pattern.test(value) : Number.isInteger(value) && (value as number) >= min,
  );
