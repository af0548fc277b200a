// The bench's own HTTP server: the sandbox at /sandbox/, the bench pages at /pages/, the
// drop-in at /dist/doctor-gate.iife.js (held in memory, so a rebuild during a run cannot mix builds),
// and server mode's handler (`doctor-gate/server`, built) at /ehr/doctor-gate, calling the sandbox
// over HTTP with the same token and latency as direct mode.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createSandbox } from '../../sandbox/index.js';
import { API_BASE, PROVIDER, SERVER_PATH, TOKEN, doctorData } from './util.js';

/** The bench EHR's session cookie: the signed-in doctor's id. */
const SESSION = 'bench-doctor';

const PAGES = new URL('../pages/', import.meta.url);
const TYPES = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** Attribute-safe text for `{{name}}` placeholders filled from the query string. */
const escapeHtml = (value) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/**
 * Starts the server on a free loopback port.
 * @param {{ iife: Buffer, latencyMs: number }} options
 */
export async function startServer({ iife, latencyMs }) {
  const sandbox = createSandbox({ latencyMs: 0 });
  const gateServer = await import(new URL('../../dist/server.js', import.meta.url).href);
  /** @type {((req: any, res: any) => Promise<void>) | undefined} made once the origin is known */
  let gate;
  const server = createServer(async (req, res) => {
    try {
      if (await sandbox.handle(req, res)) return;
      const url = new URL(req.url ?? '/', 'http://bench.invalid');
      if (url.pathname === SERVER_PATH) return await gate(req, res);
      if (url.pathname === '/dist/doctor-gate.iife.js') return send(res, 200, TYPES.js, iife, 'max-age=3600');
      const page = /^\/pages\/([a-z-]+)\.(html|js|css)$/.exec(url.pathname);
      if (!page) return send(res, 404, 'text/plain', 'not found');
      let body = await readFile(new URL(`${page[1]}.${page[2]}`, PAGES), 'utf8');
      if (page[2] === 'html') {
        body = body.replace(/\{\{(\w+)\}\}/g, (_, name) => escapeHtml(url.searchParams.get(name) ?? ''));
      }
      // Server mode's page: the EHR signed the doctor in; the cookie, not the page, names them.
      const signIn =
        page[1] === 'server' ? { 'Set-Cookie': `${SESSION}=${url.searchParams.get('doctor')}; Path=/` } : {};
      send(res, 200, TYPES[page[2]], body, page[2] !== 'html' ? 'max-age=3600' : 'no-store', signIn);
    } catch (error) {
      if (!res.headersSent)
        send(res, error?.code === 'ENOENT' ? 404 : 500, 'text/plain', String(error?.message ?? error));
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  gate = gateServer.toNodeListener(
    gateServer.createGateHandler({
      vendor: 'speaknosis',
      apiBase: `${origin}${API_BASE}`,
      providerId: PROVIDER,
      credential: TOKEN,
      doctorFor: (request) => {
        const id = new RegExp(`(?:^|;\\s*)${SESSION}=([^;]+)`).exec(request.headers.get('Cookie') ?? '')?.[1];
        return id ? doctorData(id) : null;
      },
    }),
  );

  const control = async (path, init = {}) => {
    const response = await fetch(`${origin}/sandbox/_control/${path}`, {
      ...init,
      headers: { 'Content-Type': 'application/json' },
    });
    if (!response.ok) throw new Error(`sandbox control ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  // Set through the control API, as any sandbox user would.
  await control('latency', { method: 'POST', body: JSON.stringify({ ms: latencyMs }) });

  return {
    origin,
    control,
    /** Empties the sandbox's request log: what follows is one measurement's. */
    clearLog: () => control('log', { method: 'DELETE' }),
    /** Vendor requests logged since the last `clearLog()`, in arrival order. */
    async requests() {
      const { entries } = await control('log');
      return entries;
    },
    seed: (users) => control('seed', { method: 'POST', body: JSON.stringify({ speaknosis: users }) }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res, status, type, body, cache = 'no-store', headers = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': cache, ...headers });
  res.end(body);
}
