// For the server*.test.js suites: doctor-gate/server handlers served on port 0, on the sandbox, over real HTTP.
import { after, before, beforeEach } from 'node:test';
import { createGateHandler, toNodeListener } from '../../../dist/server.js';
import { listen, serveSandbox } from './sandbox.js';

export { listen, serveSandbox } from './sandbox.js';
export { rejection } from './assert.js';

/** Signed-in doctors by session cookie: what the EHR's backend knows. */
export const SESSIONS = {
  ana: { id: 'doc-ana', name: 'Ana', lastname: 'García', specialityId: 1, lang: 'ES' },
  newcomer: { id: 'doc-new-1', name: 'Nuria', lastname: 'Nueva', specialityId: 2, lang: 'CA' },
  other: { id: 'doc-new-2', name: 'Otto', lastname: 'Otro', specialityId: 1, lang: 'EN' },
};

/** The EHR's own session lookup: a cookie, never anything the page says about the doctor. */
export const doctorOfSession = (request) => {
  const session = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get('Cookie') ?? '')?.[1];
  return SESSIONS[session] ?? null;
};

/**
 * A Speaknosis suite's set-up: the sandbox (reset before each test) and `gate(options)`, a
 * handler on it served over HTTP whose `call(session, init, query)` asks it as the page would.
 */
export function speaknosisSuite() {
  const TOKEN = 'sk_demo_token';
  const USER_PATH = '/sandbox/speaknosis/v1/health/provider/1001/user';
  let served;
  const servers = [];
  before(async () => (served = await serveSandbox()));
  after(async () => Promise.all([served.stop(), ...servers.map((server) => server.stop())]));
  beforeEach(() => served.reset());
  // Delegates to the sandbox started in before(), so suites can hold it from the start.
  const sandbox = {
    get origin() {
      return served.origin;
    },
    control: (...args) => served.control(...args),
    log: (...args) => served.log(...args),
    faults: (...args) => served.faults(...args),
    latency: (...args) => served.latency(...args),
    clearLog: () => served.clearLog(),
  };

  async function gate(options = {}) {
    const handler = createGateHandler({
      vendor: 'speaknosis',
      apiBase: `${served.origin}/sandbox/speaknosis/v1/health`,
      providerId: '1001',
      credential: TOKEN,
      doctorFor: doctorOfSession,
      retries: 0,
      timeoutMs: 2000,
      ...options,
    });
    const server = await listen(toNodeListener(handler));
    servers.push(server);
    const call = async (session, init = {}, query = '') => {
      const headers = {
        ...(session ? { Cookie: `session=${session}` } : {}),
        ...(init.method === 'POST' ? pageHeaders(server.origin) : {}),
        ...init.headers,
      };
      const body = init.body ?? (init.method === 'POST' ? '{}' : undefined);
      const response = await fetch(`${server.origin}/ehr/doctor-gate${query}`, { ...init, headers, body });
      return { status: response.status, headers: response.headers, body: await response.json() };
    };
    return { handler, call, origin: server.origin, provision: (session) => provisionAsPage(call, session) };
  }

  const state = async (id) => served.control(`state?vendor=speaknosis&providerId=1001&id=${encodeURIComponent(id)}`);
  const posts = async () => (await served.log(USER_PATH)).filter((entry) => entry.method === 'POST');
  return { TOKEN, SESSIONS, doctorOfSession, gate, sandbox, state, posts };
}

/** The headers a browser adds to the gate's own `POST` from a page of `origin`. */
export const pageHeaders = (origin) => ({
  Origin: origin,
  'Sec-Fetch-Site': 'same-origin',
  'Content-Type': 'application/json',
});

/**
 * What the gate does with no check before: `POST {}`; when the answer says a creation is needed
 * (the page then fires `doctor-gate-before-create`), `POST { create: true, ticket }`.
 */
export async function provisionAsPage(call, session) {
  const first = await call(session, { method: 'POST' });
  if (first.status !== 200 || !first.body.needsCreation) return first;
  return call(session, { method: 'POST', body: JSON.stringify({ create: true, ticket: first.body.ticket }) });
}

/** An answer's body without its (random, signed) ticket. */
export const withoutTicket = ({ ticket: _ticket, ...body }) => body;
