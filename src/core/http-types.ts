// The contract of the one HTTP seam: what a client is built from, and a request and its answer.
import type { ErrorSource, Step } from './errors.js';

/** What every vendor client is built from. */
export interface ClientOptions {
  /** Base URL of the vendor API. https, loopback, or a same-origin path. */
  apiBase: string;
  token?: string;
  /** Returns a fresh credential; called before the first request and once more after a 401. */
  tokenProvider?: () => Promise<string>;
  fetch?: typeof fetch;
  /** Per request, default 10 000 ms. */
  timeoutMs?: number;
  /** Retries of a retryable failure, default 3. */
  retries?: number;
  /** First backoff step, default 300 ms; doubles each retry, with jitter. */
  retryDelayMs?: number;
  /**
   * The EHR's own `doctor-gate/server` instead of a vendor API: its session cookie is the
   * credential (sent same-origin), and no `Authorization` header or token exists.
   */
  session?: boolean;
  /** Who answers this client's requests, named as the `source` of their errors (default `vendor`). */
  source?: Extract<ErrorSource, 'vendor' | 'server'>;
  /** Told of every request once it is answered or failed (the `debug` timeline): no query, body or credential. */
  onRequest?: (entry: RequestEntry) => void;
}

/** One request as the `debug` timeline shows it: status 0 when no answer came. */
export interface RequestEntry {
  method: string;
  /** The URL path, without the query. */
  path: string;
  status: number;
  ms: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path segments after `apiBase`; each is `encodeURIComponent`-encoded here, never by callers. */
  path?: readonly (string | number)[];
  trailingSlash?: boolean;
  query?: Record<string, string | number>;
  /** An absolute URL the vendor gave (a `next` page); must share `apiBase`'s origin. */
  url?: string;
  body?: unknown;
  step: Step;
  signal?: AbortSignal;
  /** Statuses the caller handles itself instead of getting an error (e.g. 404 on a check). */
  accept?: readonly number[];
  /** Secrets the body carries (a Prescrypto password): never repeated in an error, even if the vendor echoes them. */
  secrets?: readonly string[];
}

export interface HttpResponse {
  status: number;
  body: unknown;
  /** The request as errors name it: method and URL path. */
  where: string;
  /** The answer's `X-Request-Id`, when it has one. */
  requestId?: string;
}
