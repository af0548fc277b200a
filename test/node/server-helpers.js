// Shared by the server*.test.js suites: the sandbox and handlers served on port 0, over real HTTP.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { createSandbox } from '../../sandbox/index.js';

/** Serves a node request listener on 127.0.0.1:<random>; resolves to its origin and `stop()`. */
export async function listen(listener) {
  const server = createServer(listener);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

/**
 * The sandbox over HTTP, whether it answers as a Web `fetch` handler (the rewrite under way) or
 * through `handle(req, res)` (today).
 */
export async function serveSandbox() {
  const sandbox = createSandbox();
  const listener =
    typeof sandbox.fetch === 'function'
      ? getRequestListener((request) => sandbox.fetch(request), { overrideGlobalObjects: false })
      : (req, res) =>
          sandbox.handle(req, res).then((handled) => {
            if (!handled) res.writeHead(404).end();
          });
  const served = await listen(listener);
  const control = async (path, body, method = body === undefined ? 'GET' : 'POST') => {
    const response = await fetch(`${served.origin}/sandbox/_control/${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.json();
  };
  return {
    ...served,
    control,
    reset: () => control('reset', {}),
    /** Vendor requests the sandbox saw, optionally only those whose path contains `path`. */
    log: async (path = '') => (await control(`log?path=${encodeURIComponent(path)}`)).entries,
    faults: (...faults) => control('faults', { faults }),
  };
}

// Stand-in for the sandbox's `POST /api/iam/integration/token` until it lands (another helper
// is adding it): after the merge, point these tests at `${sandbox}/sandbox/speaknosis/api/iam/
// integration/token` with the sandbox fixtures' clientId/clientSecret, and drop this stub.
export const CLIENT_ID = 'demo-client';
export const CLIENT_SECRET = 'demo-client-secret-Zq81';

/**
 * A Hono app that behaves like the vendor's token endpoint: form-encoded client credentials →
 * `{ access_token, token_type: "Bearer" }`, 401 on a wrong secret (echoing it back, as a careless
 * vendor might). Each minted token is registered with the sandbox for provider 1001.
 */
export async function serveTokenEndpoint({ sandbox, expiresIn } = {}) {
  const state = { minted: 0, requests: [], echo: false };
  const app = new Hono();
  app.post('/api/iam/integration/token', async (c) => {
    const type = c.req.header('Content-Type') ?? '';
    const form = new URLSearchParams(await c.req.text());
    state.requests.push({ type, form: Object.fromEntries(form) });
    if (!type.startsWith('application/x-www-form-urlencoded') || form.get('grant_type') !== 'client_credentials') {
      return c.json({ error: 'unsupported_grant_type' }, 400);
    }
    if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) {
      return c.json({ error: 'invalid_client', client_secret: form.get('client_secret') }, 401);
    }
    const token = `sk_minted_${++state.minted}_${Math.random().toString(36).slice(2)}`;
    if (sandbox) await sandbox.control('seed', { tokens: { speaknosis: { [token]: ['1001'] } } });
    const body = { access_token: token, token_type: 'Bearer' };
    if (expiresIn !== undefined) body.expires_in = expiresIn;
    return c.json(body);
  });
  const served = await listen(getRequestListener(app.fetch, { overrideGlobalObjects: false }));
  return { ...served, state, tokenUrl: `${served.origin}/api/iam/integration/token` };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}
