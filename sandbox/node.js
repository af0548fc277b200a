// The Node adapter: the Web-standard sandbox behind node:http (and so Connect and Koa, middleware.js).
// @hono/node-server turns IncomingMessage/ServerResponse into Request/Response. The one Node-only
// part: a network error (`drop`) destroys the socket, since HTTP has no answer for it.
import { splitUrl } from './http.js';
import { optionalPeer } from './optional-peer.js';

// An optional peer, resolved by Node at run time: a bundler of an app's server code (Next.js's
// Turbopack, webpack) is told not to follow it, so an app without it still builds.
/** @type {typeof import('@hono/node-server') | undefined} */
const peer = await optionalPeer(import(/* webpackIgnore: true */ /* @vite-ignore */ '@hono/node-server'));

/** Thrown past the listener after a drop: there is nothing left to write. */
const DROPPED = Symbol('dropped');

/**
 * `handle(req, res)` for a sandbox's `fetch`: resolves true when the path starts with `/sandbox/`
 * (answered), false otherwise (`res` untouched).
 * @param {(request: Request) => Promise<Response>} fetchHandler
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<boolean>}
 */
export function nodeHandler(fetchHandler) {
  if (!peer) {
    throw new Error(
      'doctor-gate/sandbox: handle(req, res) and the Connect/Koa middleware need @hono/node-server@^2 (npm install @hono/node-server)',
    );
  }
  const listener = peer.getRequestListener(
    async (request, { outgoing }) => {
      const response = await fetchHandler(standardRequest(request));
      if (response.type !== 'error') return response;
      outgoing.destroy();
      throw DROPPED;
    },
    {
      // Keep the process's own Request/Response: the test runner and Vite share it.
      overrideGlobalObjects: false,
      errorHandler: (error) =>
        error === DROPPED
          ? undefined
          : Response.json(
              { error: 'internal sandbox error', message: String(error?.message ?? error) },
              { status: 500 },
            ),
    },
  );
  return async (req, res) => {
    // Connect keeps the unmounted URL in originalUrl; a plain server and Koa's ctx.req have url.
    const target = String(/** @type {any} */ (req).originalUrl ?? req.url ?? '');
    if (!splitUrl(target).path.startsWith('/sandbox/')) return false;
    req.url = target;
    await listener(req, res);
    return true;
  };
}

/**
 * A plain Request: @hono/node-server's lazy one is not accepted by `new Request(request, init)`
 * (Hono's body limit rebuilds the request that way) without overriding the process's globals.
 * @param {Request} request
 */
function standardRequest(request) {
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    ...(hasBody ? { body: request.body, duplex: 'half' } : {}),
  });
}
