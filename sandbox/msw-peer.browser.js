// msw for sandboxHandlers in a browser bundle (setupWorker): the import is followed, so msw
// travels inside the bundle. Server code gets msw-peer.js, which bundlers do not follow.

/** @type {typeof import('msw') | undefined} */
export const msw = await import('msw').catch(() => undefined);
