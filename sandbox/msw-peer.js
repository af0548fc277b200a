// msw, an optional peer, for sandboxHandlers: resolved by Node at run time. A bundler of an app's
// server code (Next.js's Turbopack, webpack) is told not to follow the import, so an app that
// imports doctor-gate/sandbox without msw still builds. Browser bundles, where msw must travel
// inside the bundle, get msw-peer.browser.js instead (package.json "imports").

/** @type {typeof import('msw') | undefined} */
export const msw = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'msw').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
  throw error;
});
