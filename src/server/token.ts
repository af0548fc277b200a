import * as z from 'zod';
import { codeForStatus } from '../core/errors.js';
import { parseRetryAfter } from '../core/http.js';
import { DoctorGateError } from '../core/index.js';
import type { VendorCall } from './observe.js';
import { fn, httpsOrLoopback, optionsError } from './option-checks.js';
import { redactor } from './redaction.js';

/** What the caller that asks for a token may pass along, e.g. to log the request it causes. */
export interface TokenAsk {
  /**
   * Told of the token endpoint call this ask caused, once it has an answer or failed: method,
   * path (no query), status or failure, milliseconds; never the form, the secret or the token.
   * Not called when the token was cached, nor for callers that joined a request already made.
   */
  onCall?: (call: VendorCall) => void;
}

/** A credential that can be asked again and told that the one it gave was refused. */
export interface TokenSource {
  /**
   * The current token: cached, or fetched (one request however many callers wait for it; the
   * caller that caused it is the one whose `ask.onCall` hears of it).
   */
  (ask?: TokenAsk): Promise<string>;
  /**
   * Drops the cached token, after the vendor refused it with a 401. Given the refused token, it
   * drops only that one, so concurrent callers that all failed with it cause a single new fetch.
   */
  invalidate(refused?: string): void;
}

export interface SpeaknosisTokenOptions {
  /** `https://api-{dev,qa,prod}.speaknosis.com/api/iam/integration/token` (http only on loopback). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  /** How long a token is kept when the answer has no `expires_in` (default 50 minutes). */
  ttlMs?: number;
  /** How long the token endpoint gets to answer (default 10 000 ms). */
  timeoutMs?: number;
}

const optionsSchema = z.object({
  tokenUrl: httpsOrLoopback,
  clientId: z.string().min(1).max(512),
  clientSecret: z.string().min(1).max(4096),
  fetch: z.optional(fn<typeof fetch>()),
  ttlMs: z.optional(z.int().min(1).max(86_400_000)),
  timeoutMs: z.optional(z.int().min(1).max(120_000)),
});

/** The answer the vendor documents; `expires_in` (seconds) is honoured when a deployment sends it. */
const tokenAnswer = z.object({
  access_token: z.string().min(1).max(8192),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.optional(z.number().positive()),
});

const DEFAULT_TTL_MS = 50 * 60_000;

/** Refreshes a little before the vendor's own expiry, so a request in flight does not meet it. */
const keepFor = (expiresInSeconds: number) => {
  const ms = expiresInSeconds * 1000;
  return ms - Math.min(30_000, ms * 0.1);
};

/**
 * Speaknosis client credentials: `POST tokenUrl` form-encoded
 * `grant_type=client_credentials&client_id=…&client_secret=…` → `{ access_token, token_type: "Bearer" }`.
 * The token is cached (until `expires_in`, else `ttlMs`), one request serves concurrent callers,
 * and `invalidate()` after a vendor 401 makes the next call fetch a new one. Neither the secret
 * nor a token ever appears in an error message, even when the endpoint's body repeats them.
 */
export function speaknosisToken(options: SpeaknosisTokenOptions): TokenSource {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError('speaknosisToken', parsed.error);
  const { tokenUrl, clientId, clientSecret, ttlMs = DEFAULT_TTL_MS, timeoutMs = 10_000 } = parsed.data;
  const fetchImpl = parsed.data.fetch ?? fetch;
  const redact = redactor(() => [clientSecret, cached?.token]);
  const path = new URL(tokenUrl).pathname;

  let cached: { token: string; until: number } | undefined;
  let pending: Promise<string> | undefined;

  async function mint(onCall: TokenAsk['onCall']): Promise<string> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const started = Date.now();
    const told = (call: Pick<VendorCall, 'status' | 'failure'>) => {
      try {
        onCall?.({ method: 'POST', path, ...call, ms: Date.now() - started });
      } catch {
        // A listener that fails does not fail the token.
      }
    };
    let response: Response | undefined;
    let text: string;
    try {
      response = await fetchImpl(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
        }).toString(),
        // A redirect would carry the form (and the secret) wherever the Location points.
        redirect: 'manual',
        signal: timeout,
      });
      told({ status: response.status });
      text = await response.text();
    } catch (cause) {
      if (!response) told({ failure: timeout.aborted ? 'aborted' : 'network' });
      if (timeout.aborted) {
        throw new DoctorGateError('timeout', `The Speaknosis token endpoint gave no answer within ${timeoutMs} ms`, {
          step: 'check',
        });
      }
      throw new DoctorGateError('network', 'The Speaknosis token endpoint could not be reached', {
        step: 'check',
        cause: redact(String(cause)),
      });
    }
    const { status } = response;
    if (status >= 300 && status < 400) {
      throw new DoctorGateError('bad-response', `The Speaknosis token endpoint redirected (HTTP ${status})`, {
        step: 'check',
        status,
      });
    }
    if (status < 200 || status >= 300) {
      // 400 is OAuth's `invalid_client`/`invalid_grant`: the credentials, like a 401.
      const code = status === 400 ? 'unauthorized' : codeForStatus(status);
      const what = code === 'unauthorized' ? 'refused the client credentials' : 'failed';
      throw new DoctorGateError(code, `The Speaknosis token endpoint ${what} (HTTP ${status})`, {
        step: 'check',
        status,
        retryAfterMs: parseRetryAfter(response.headers.get('Retry-After')),
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const answer = tokenAnswer.safeParse(body);
    if (!answer.success) {
      // The body is never quoted: it may hold the token or echo the secret.
      throw new DoctorGateError('bad-response', 'The Speaknosis token endpoint answered in an unexpected shape', {
        step: 'check',
        status,
      });
    }
    const { access_token: token, expires_in: expiresIn } = answer.data;
    cached = { token, until: Date.now() + (expiresIn === undefined ? ttlMs : keepFor(expiresIn)) };
    return token;
  }

  const source = ((ask?: TokenAsk) => {
    if (cached && Date.now() < cached.until) return Promise.resolve(cached.token);
    if (!pending) {
      pending = mint(ask?.onCall).finally(() => (pending = undefined));
    }
    return pending;
  }) as TokenSource;
  source.invalidate = (refused?: string) => {
    if (refused === undefined || cached?.token === refused) cached = undefined;
  };
  return source;
}

/** True for what `speaknosisToken` returns (a token source that can be told its token was refused). */
export const isTokenSource = (value: unknown): value is TokenSource =>
  typeof value === 'function' && typeof (value as Partial<TokenSource>).invalidate === 'function';
