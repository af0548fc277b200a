import type { ResultStore } from '../core/shared.js';
import type { ProvisionResult } from '../core/types.js';

/**
 * Remembers provisioned doctors in `sessionStorage` for `ttlMs`, so a reload skips the check.
 * Only the outcome and the account id are kept: never a token or a password.
 */
export function sessionStore(ttlMs: number): ResultStore {
  const prefix = 'doctor-gate:';
  return {
    get(key) {
      try {
        const saved = JSON.parse(sessionStorage.getItem(prefix + key) ?? 'null') as {
          expires: number;
          result: ProvisionResult;
        } | null;
        if (saved && saved.expires > Date.now()) return saved.result;
        sessionStorage.removeItem(prefix + key);
      } catch {
        // Storage may be disabled or full: the page-life memory still works.
      }
      return undefined;
    },
    set(key, { outcome, doctor, account }) {
      try {
        const kept = { outcome, doctor, account: account['id'] === undefined ? {} : { id: account['id'] } };
        sessionStorage.setItem(prefix + key, JSON.stringify({ expires: Date.now() + ttlMs, result: kept }));
      } catch {
        // As above.
      }
    },
  };
}
