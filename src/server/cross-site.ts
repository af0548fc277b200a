// The session cookie rides on every request the browser sends to the EHR, whichever page made it:
// a `POST` is served only when it can only have come from the EHR's own pages.

/** An origin as the browser writes it in `Origin` (scheme, host, port; default port and case dropped). */
export function originOf(url: string): string | undefined {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * The origins a request was addressed to: its URL's, and the one its `Host` names with the URL's
 * scheme. Next.js gives a route handler a URL on `localhost` whatever host the browser asked for;
 * the browser sets `Host` itself, so a page of another site cannot make it match its `Origin`.
 */
function ownOrigins(request: Request): (string | undefined)[] {
  const url = new URL(request.url);
  const host = request.headers.get('Host');
  return [url.origin, host ? originOf(`${url.protocol}//${host}`) : undefined];
}

/**
 * Why `request` must be refused, or undefined when it may be served. A `GET` changes nothing and
 * is refused only when the browser says it is cross-site. A `POST` needs an `Origin` that is the
 * handler's own or one of `allowed`, a `Sec-Fetch-Site` (when sent) of `same-origin` (or
 * `same-site` for an allowed origin), and a JSON body, which no form or `no-cors` fetch can send.
 */
export function crossSiteRefusal(request: Request, method: string, allowed: ReadonlySet<string>): string | undefined {
  const site = request.headers.get('Sec-Fetch-Site');
  if (method === 'GET') return site === 'cross-site' ? 'A cross-site request is refused' : undefined;
  const origin = request.headers.get('Origin');
  if (!origin) return 'A POST without an Origin header is refused';
  const listed = allowed.has(origin);
  if (!ownOrigins(request).includes(origin) && !listed)
    return `A POST from origin ${origin.slice(0, 200)} is refused (not this handler's, not in allowedOrigins)`;
  if (site !== null && site !== 'same-origin' && !(site === 'same-site' && listed)) {
    return `A POST with Sec-Fetch-Site: ${site.slice(0, 40)} is refused`;
  }
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    return `A POST must be Content-Type: application/json, not ${type.slice(0, 80) || 'none'}`;
  return undefined;
}
