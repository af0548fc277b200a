import { sessionResultStore } from '../core/session-store.js';
import type { ResultStore } from '../core/page-runs.js';

/**
 * The page's `sessionStorage` as a validated, doctor-bound result store (`sessionResultStore`), or
 * none where the page may not use storage (a sandboxed frame throws on the mere access).
 */
export function sessionStore(ttlMs: number): ResultStore | undefined {
  try {
    return sessionResultStore(window.sessionStorage, ttlMs);
  } catch {
    return undefined;
  }
}
