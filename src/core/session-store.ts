import * as z from 'zod/mini';
import type { ResultStore } from './shared.js';
import { accountId, OUTCOMES, publicDoctor, type ProvisionResult } from './types.js';

/** The part of the Web Storage API the store needs (sessionStorage, or a Map-backed stand-in). */
export type ResultStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const PREFIX = 'doctor-gate:';

/** Every storage a store was made over in this page, for `clearStoredResults()`. */
const storages = new Set<ResultStorage & Pick<Storage, 'key' | 'length'>>();

/** Removes every remembered result from the storages in use (`clearProvisionCache()`). */
export function clearStoredResults(): void {
  for (const storage of storages) {
    try {
      const keys: string[] = [];
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        if (key?.startsWith(PREFIX)) keys.push(key);
      }
      for (const key of keys) storage.removeItem(key);
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
  expires: z.int(),
  outcome: z.enum(OUTCOMES),
  // z.object drops every other key: a stored `token` never comes back.
  account: z.object({ id: z.optional(z.union([z.string(), z.number()])) }),
});

type Entry = z.infer<typeof entrySchema>;

/**
 * A `ResultStore` over `storage` (the element passes `sessionStorage`) that remembers a
 * provisioned doctor for `ttlMs`. Anything a page script may have written there is validated on
 * read: an entry of the wrong shape, saved for another vendor, API, scope or doctor, expired, or
 * expiring later than `ttlMs` from now, is ignored and removed. No credential is stored or supplied.
 */
export function sessionResultStore(storage: ResultStorage, ttlMs: number): ResultStore {
  // A Web Storage (not a bare stand-in) can be listed, and so cleared by `clearProvisionCache()`.
  if ('key' in storage && 'length' in storage) storages.add(storage as ResultStorage & Pick<Storage, 'key' | 'length'>);
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
          const { outcome, account } = parsed.data;
          return {
            outcome,
            doctor: doctor ? publicDoctor(doctor) : {},
            account: accountId(account),
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
      };
      try {
        storage.setItem(PREFIX + key, JSON.stringify(entry));
      } catch {
        // Storage may be full or disabled: the page-life memory still works.
      }
    },
  };
}
