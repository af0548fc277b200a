import * as z from 'zod/mini';
import type { ResultStore } from './page-runs.js';
import { safeInt } from './schema.js';
import { accountId, OUTCOMES, publicDoctor, READINESS_GAPS, type ProvisionResult } from './types.js';

/** The part of the Web Storage API the store needs (sessionStorage, or a Map-backed stand-in). */
export type ResultStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const PREFIX = 'doctor-gate:';

/** Every Web Storage a store was made over in this page, for `clearStoredResults()`. */
const storages = new Set<ResultStorage>();

/** Removes every remembered result from the storages in use (`clearProvisionCache()`). */
export function clearStoredResults(): void {
  for (const storage of storages) {
    try {
      // A Web Storage lists its keys as own properties.
      for (const key of Object.keys(storage)) if (key.startsWith(PREFIX)) storage.removeItem(key);
    } catch {
      // Storage disabled: nothing was kept there.
    }
  }
}

/**
 * What is written: the outcome, the account's id and nothing else (never a token, a password or
 * the doctor's data), the key it was saved for, and when it stops counting.
 */
const entrySchema = z.object({
  v: z.literal(1),
  key: z.string(),
  expires: safeInt,
  outcome: z.enum(OUTCOMES),
  // z.object drops every other key: a stored `token` never comes back.
  account: z.object({ id: z.optional(z.union([z.string(), z.number()])) }),
  // Not a secret, and what the notice shows; an entry written before it existed is read as unknown.
  missing: z.optional(z.array(z.enum(READINESS_GAPS))),
});

type Entry = z.infer<typeof entrySchema>;

/**
 * A `ResultStore` over `storage` (the element passes `sessionStorage`) that remembers a
 * provisioned doctor for `ttlMs`. Anything a page script may have written there is validated on
 * read: an entry of the wrong shape, saved for another vendor, API, scope or doctor, expired, or
 * expiring later than `ttlMs` from now, is ignored and removed. No credential is stored or supplied.
 */
export function sessionResultStore(storage: ResultStorage, ttlMs: number): ResultStore {
  storages.add(storage);
  return {
    get(key, doctor) {
      try {
        const text = storage.getItem(PREFIX + key);
        if (text === null) return undefined;
        const parsed = z.safeParse(entrySchema, JSON.parse(text));
        const now = Date.now();
        if (
          parsed.success &&
          parsed.data.key === key &&
          parsed.data.expires > now &&
          parsed.data.expires <= now + ttlMs
        ) {
          const { outcome, account, missing = [] } = parsed.data;
          return {
            outcome,
            doctor: doctor ? publicDoctor(doctor) : {},
            account: accountId(account),
            readiness: { ready: !missing.length, missing },
          };
        }
        storage.removeItem(PREFIX + key);
      } catch {
        // Unreadable JSON, or storage disabled: forget the entry; the page-life memory still works.
        try {
          storage.removeItem(PREFIX + key);
        } catch {
          // Storage is disabled altogether.
        }
      }
      return undefined;
    },
    set(key, result: ProvisionResult) {
      const entry: Entry = {
        v: 1,
        key,
        expires: Date.now() + ttlMs,
        outcome: result.outcome,
        account: accountId(result.account),
        missing: result.readiness.missing,
      };
      try {
        storage.setItem(PREFIX + key, JSON.stringify(entry));
      } catch {
        // Storage may be full or disabled: the page-life memory still works.
      }
    },
  };
}
