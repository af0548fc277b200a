// msw, an optional peer, for sandboxHandlers: resolved by Node at run time. A bundler of an app's
// server code (Next.js's Turbopack, webpack) is told not to follow the import, so an app that
// imports doctor-gate/sandbox without msw still builds. Browser bundles, where msw must travel
// inside the bundle, get msw-peer.browser.js instead (package.json "imports").

import { optionalPeer } from './optional-peer.js';

/** @type {typeof import('msw') | undefined} */
export const msw = await optionalPeer(import(/* webpackIgnore: true */ /* @vite-ignore */ 'msw'));
