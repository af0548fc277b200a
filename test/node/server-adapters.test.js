// One handler, every host the README's recipes use: node:http, Express (Connect-style middleware),
// Hono, and a Next.js-style route handler module, each over real HTTP against the sandbox.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import express from 'express';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { createGateHandler, toNodeListener } from '../../dist/server.js';
import { listen, useSandbox } from './support/sandbox.js';

const DOCTOR = { id: 'doc-ana', name: 'Ana', lastname: 'García', specialityId: 1, lang: 'ES' };
const signedIn = (cookie) => /(?:^|;\s*)session=ok(?:;|$)/.test(cookie ?? '');

const sandbox = await useSandbox();
const servers = [];
after(() => Promise.all(servers.map((server) => server.stop())));

const handlerWith = (doctorFor) =>
  createGateHandler({
    vendor: 'speaknosis',
    apiBase: `${sandbox.origin}/sandbox/speaknosis/v1/health`,
    providerId: 1001,
    credential: 'sk_demo_token',
    doctorFor,
  });

async function serve(listener) {
  const server = await listen(listener);
  servers.push(server);
  return server.origin;
}

/** GET then POST at `url`, signed in or not; the statuses and the POST's outcome. */
async function exercise(url) {
  const ask = (method, cookie) =>
    fetch(url, {
      method,
      // What a browser sends from the EHR's own page.
      headers: {
        ...(cookie ? { Cookie: cookie } : {}),
        'Content-Type': 'application/json',
        Origin: new URL(url).origin,
      },
      body: method === 'POST' ? JSON.stringify({ id: 'someone-else' }) : undefined,
    });
  const anonymous = await ask('POST');
  const checked = await ask('GET', 'session=ok');
  const provisioned = await ask('POST', 'session=ok');
  return {
    anonymous: anonymous.status,
    checked: checked.status,
    provisioned: provisioned.status,
    answer: await provisioned.json(),
  };
}

const assertWorks = (result) => {
  assert.equal(result.anonymous, 401);
  assert.equal(result.checked, 200);
  assert.equal(result.provisioned, 200);
  assert.equal(result.answer.outcome, 'existing');
  assert.deepEqual(result.answer.launch, { token: 'sk_demo_token', doctorId: 'doc-ana' });
};

describe('server mode hosts', () => {
  test('node:http with toNodeListener', async () => {
    const handler = handlerWith((request) => (signedIn(request.headers.get('Cookie')) ? DOCTOR : null));
    assertWorks(await exercise(`${await serve(toNodeListener(handler))}/ehr/doctor-gate`));
  });

  test("Express: mounted at a path after express.json(), the session read from Express's req", async () => {
    const app = express();
    app.use(express.json());
    // The EHR's own authentication middleware, as express-session or passport would set it.
    app.use((req, _res, next) => ((req.user = signedIn(req.headers.cookie) ? DOCTOR : undefined), next()));
    app.use('/ehr/doctor-gate', toNodeListener(handlerWith((_request, { incoming }) => incoming.user ?? null)));
    app.use((_req, res) => res.status(404).send('not here'));
    const origin = await serve(app);
    assertWorks(await exercise(`${origin}/ehr/doctor-gate`));
    assert.equal((await fetch(`${origin}/elsewhere`)).status, 404);
  });

  test('Hono: app.all(path, (c) => handler(c.req.raw))', async () => {
    const handler = handlerWith((request) => (signedIn(request.headers.get('Cookie')) ? DOCTOR : null));
    const app = new Hono();
    app.all('/ehr/doctor-gate', (c) => handler(c.req.raw));
    const origin = await serve(getRequestListener(app.fetch, { overrideGlobalObjects: false }));
    assertWorks(await exercise(`${origin}/ehr/doctor-gate`));
  });

  test('a Next.js route handler module: export const GET = handler, POST = handler', async () => {
    const handler = handlerWith((request) => (signedIn(request.headers.get('Cookie')) ? DOCTOR : null));
    const route = { GET: handler, POST: handler };
    // Next.js calls the exported function with the Request and a context of its own.
    const nextLike = getRequestListener(
      (request) =>
        route[request.method]?.(request, { params: Promise.resolve({}) }) ?? new Response(null, { status: 405 }),
      { overrideGlobalObjects: false },
    );
    assertWorks(await exercise(`${await serve(nextLike)}/api/doctor-gate`));
  });
});
