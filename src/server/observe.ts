// What the handler tells the EHR's operators: a request id on every answer, and one redacted log
// line per vendor call and per answer, to a pino-compatible logger (pino, bunyan-style, console).

/** `debug/info/warn/error(object, message)`, as pino's logger has them. */
export interface GateLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/** An `X-Request-Id` a proxy in front may have set: kept when it is short and plain. */
const INCOMING_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The request's id: the one a proxy gave, else a new random one. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get('X-Request-Id');
  return given && INCOMING_ID.test(given) ? given : globalThis.crypto.randomUUID();
}

/** A logger that never throws into the handler (a broken sink must not fail the doctor's request). */
export function safeLogger(logger: GateLogger | undefined): GateLogger | undefined {
  if (!logger) return undefined;
  const call =
    (level: keyof GateLogger) =>
    (object: object, message?: string): void => {
      try {
        logger[level](object, message);
      } catch {
        // A logging failure is not the doctor's problem.
      }
    };
  return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error') };
}

/** One vendor call as it is logged: never its query, headers or bodies. */
export interface VendorCall {
  method: string;
  /** The URL's path, without its query. */
  path: string;
  /** The answer's status; absent when there was none. */
  status?: number;
  /** Why there was no answer. */
  failure?: 'network' | 'aborted';
  ms: number;
}

/** The line of one vendor call: `info` "vendor call" with its status, `warn` "vendor call failed" without. */
export function logCall(logger: GateLogger, fields: { requestId: string; vendor: string }, call: VendorCall): void {
  const { method, path, status, failure, ms } = call;
  if (status === undefined) {
    logger.warn({ ...fields, call: { method, path, failure: failure ?? 'network', ms } }, 'vendor call failed');
  } else {
    logger.info({ ...fields, call: { method, path, status, ms } }, 'vendor call');
  }
}

/**
 * `fetch` that logs each vendor call: method, URL path (never its query, which may name a
 * doctor's email), status or failure, and milliseconds. Headers and bodies are never logged.
 */
export function loggedFetch(
  base: typeof fetch,
  logger: GateLogger,
  fields: { requestId: string; vendor: string },
): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const started = Date.now();
    const call = { method, path: url.pathname };
    try {
      const response = await base(input, init);
      logCall(logger, fields, { ...call, status: response.status, ms: Date.now() - started });
      return response;
    } catch (error) {
      const failure = init?.signal?.aborted ? 'aborted' : 'network';
      logCall(logger, fields, { ...call, failure, ms: Date.now() - started });
      throw error;
    }
  };
}
