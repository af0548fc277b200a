// Connect (Vite) and Koa (@web/test-runner) middleware around a sandbox's `handle(req, res)`.
import { splitUrl } from './http.js';

/**
 * Connect/Express-style middleware (Vite: `server.middlewares.use(connectMiddleware(sandbox))`).
 * @param {import('./sandbox.js').Sandbox} sandbox
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next: (err?: unknown) => void) => void}
 */
export function connectMiddleware(sandbox) {
  return (req, res, next) => {
    sandbox.handle(req, res).then(
      (handled) => {
        if (!handled) next();
      },
      (err) => next(err),
    );
  };
}

/**
 * Koa middleware (@web/test-runner / @web/dev-server `middleware: [koaMiddleware(sandbox)]`).
 * @param {import('./sandbox.js').Sandbox} sandbox
 * @returns {(ctx: { req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, respond?: boolean }, next: () => Promise<unknown>) => Promise<void>}
 */
export function koaMiddleware(sandbox) {
  return async (ctx, next) => {
    const { path } = splitUrl(String(ctx.req.url ?? ''));
    if (!path.startsWith('/sandbox/')) {
      await next();
      return;
    }
    // Tell Koa we write the raw response ourselves (possibly later, or never for a hang).
    ctx.respond = false;
    await sandbox.handle(ctx.req, ctx.res);
  };
}
