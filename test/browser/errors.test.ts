// An error tells the truth: who failed (`source`), at which step, with a developer `message` that
// names the cause and a localized `displayMessage`; nothing reaches the vendor that should not;
// and the `debug` timeline shows a run without a credential. Everything goes over HTTP: the EHR's
// token route is a path of the sandbox answering as a signed-out or misconfigured backend would.
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { clearProvisionCache, DoctorGateError, setDebug, type ErrorDetail } from '../../src/index.js';
import { translate } from '../../src/element/i18n.js';
import type { Lang } from '../../src/core/types.js';
import {
  API,
  PROVIDER,
  TOKEN,
  faults,
  gate,
  record,
  requests,
  uid,
  userState,
  watchUnhandledRejections,
} from './helpers.js';

const LANGS: Lang[] = ['ES', 'EN', 'CA', 'PT', 'FR'];
const SERVER = '/ehr/doctor-gate/speaknosis';
/** A token route of the EHR: a sandbox path with no vendor route, answered by a queued fault. */
const tokenRoute = () => `/sandbox/speaknosis/ehr/token/${uid('route')}`;

/** The EHR's token route answering once with `status`, `body` and a content type. */
async function serveTokenRoute(status: number, body: string, type = 'text/plain') {
  const path = tokenRoute();
  await faults({ match: { path }, status, body, headers: { 'Content-Type': type }, times: 10 });
  return path;
}

/** The README's first snippet, before it learned to check `r.ok`. */
const naiveProvider = (path: string) => () => fetch(path).then((r) => r.text());
/** The README's snippet as it is now. */
const checkingProvider = (path: string) => () =>
  fetch(path).then((r) => {
    if (!r.ok) throw new Error(`token route: HTTP ${r.status}`);
    return r.text();
  });

const signOut = () => (document.cookie = 'dg-demo-doctor=; path=/; max-age=0');

/** The sequence number of the last request the vendor API got (its log may be capped, its numbers never repeat). */
const vendorRequests = async () => Math.max(0, ...(await requests('/sandbox/speaknosis/v1/health/')).map((r) => r.seq));

interface Case {
  name: string;
  /** Sets up the route and returns the gate's inputs; `secret` is what must never be shown. */
  setup(): Promise<{
    attrs?: Record<string, string | undefined>;
    tokenProvider?: () => Promise<string>;
    secret?: string;
  }>;
  code: ErrorDetail['code'];
  source: ErrorDetail['source'];
  step: ErrorDetail['step'];
  message: RegExp;
  /** What reached the vendor API for the doctor: `METHOD status` per request. */
  sent: string[];
}

const CASES: Case[] = [
  {
    name: 'token route 401 with a text body, read without checking r.ok',
    setup: async () => ({ tokenProvider: naiveProvider(await serveTokenRoute(401, 'no session')) }),
    code: 'unauthorized',
    source: 'page',
    step: 'check',
    message: /^The tokenProvider gave characters or a length no token has, not a token; nothing was sent$/,
    sent: [],
  },
  {
    name: 'token route 401, the provider checks r.ok and throws',
    setup: async () => ({ tokenProvider: checkingProvider(await serveTokenRoute(401, 'no session')) }),
    code: 'unauthorized',
    source: 'page',
    step: 'check',
    message: /^The tokenProvider threw Error; nothing was sent$/,
    sent: [],
  },
  {
    name: 'token route answers an HTML 404 page',
    setup: async () => ({
      tokenProvider: naiveProvider(
        await serveTokenRoute(404, '<!doctype html><title>Not Found</title><h1>Not Found</h1>', 'text/html'),
      ),
    }),
    code: 'unauthorized',
    source: 'page',
    step: 'check',
    message: /^The tokenProvider gave HTML, not a token/,
    sent: [],
  },
  {
    name: 'token route answers an empty body',
    setup: async () => ({ tokenProvider: naiveProvider(await serveTokenRoute(200, '')) }),
    code: 'unauthorized',
    source: 'page',
    step: 'check',
    message: /^The tokenProvider gave nothing, not a token/,
    sent: [],
  },
  {
    name: 'token route answers only whitespace',
    setup: async () => ({ tokenProvider: naiveProvider(await serveTokenRoute(200, ' \n\t ')) }),
    code: 'unauthorized',
    source: 'page',
    step: 'check',
    message: /^The tokenProvider gave only whitespace, not a token/,
    sent: [],
  },
  {
    name: 'a 5 KB token',
    setup: async () => {
      const secret = `sk_${'a1B2'.repeat(1280)}`;
      return { tokenProvider: naiveProvider(await serveTokenRoute(200, secret)), secret };
    },
    code: 'unauthorized',
    source: 'page',
    step: 'check',
    message: /^The tokenProvider gave over 4,096 characters, not a token/,
    sent: [],
  },
  {
    name: 'a token with a newline, which the browser would refuse as a header (never `network`)',
    setup: async () => {
      const secret = 'sk_first_half\nsk_second_half';
      return { tokenProvider: async () => secret, secret };
    },
    code: 'unauthorized',
    source: 'page',
    step: 'check',
    message: /^The tokenProvider gave characters or a length no token has, not a token/,
    sent: [],
  },
  {
    name: 'a token attribute with a space',
    setup: async () => ({ attrs: { token: 'sk demo token' }, secret: 'sk demo token' }),
    code: 'unauthorized',
    source: 'page',
    step: 'check',
    message: /^The token gave characters or a length no token has, not a token; nothing was sent$/,
    sent: [],
  },
  {
    name: 'api-base without /v1/health: the check 404 reads as missing, the POST 404 tells the truth',
    setup: async () => ({ attrs: { 'api-base': '/sandbox/speaknosis' } }),
    code: 'config',
    source: 'page',
    step: 'create',
    message: /^POST \/sandbox\/speaknosis\/provider\/1001\/user: HTTP 404: .*is api-base right\?$/,
    sent: [],
  },
  {
    name: 'EHR signed out in server mode: the EHR handler, not the vendor, refused',
    setup: async () => {
      signOut();
      return { attrs: { server: SERVER, 'api-base': undefined, token: undefined, 'provider-id': undefined } };
    },
    code: 'unauthorized',
    source: 'server',
    step: 'check',
    // With no check before the click, the gate's one request is the POST: the handler answers it.
    message: /^POST \/ehr\/doctor-gate\/speaknosis: HTTP 401: No signed-in doctor/,
    sent: [],
  },
  {
    name: "the EHR's handler refuses the page's origin: its configuration, not the vendor's permission",
    setup: async () => {
      // The handler's own 403 answer, as it words it for a page origin it does not serve.
      const path = await serveTokenRoute(
        403,
        JSON.stringify({
          error: {
            code: 'forbidden',
            message: "A POST from origin http://127.0.0.1:3000 is refused (not this handler's, not in allowedOrigins)",
            step: 'check',
            retryable: false,
            source: 'server',
          },
        }),
        'application/json',
      );
      return { attrs: { server: path, 'api-base': undefined, token: undefined, 'provider-id': undefined } };
    },
    code: 'forbidden',
    source: 'server',
    step: 'check',
    message: /^POST \/sandbox\/speaknosis\/ehr\/token\/\S+: HTTP 403: A POST from origin .* not in allowedOrigins/,
    sent: [],
  },
];

/** What the doctor is shown for a case: who failed decides the words, not only the code. */
function shownFor(c: Case, lang: Lang): string {
  // No credential from the EHR (its server or the page's token route): sign in again.
  if (c.code === 'unauthorized' && c.source !== 'vendor') return translate(lang, 'signed-out');
  // The EHR's own handler refused the page: the `server` setting, not the vendor.
  if (c.code === 'forbidden' && c.source === 'server') return translate(lang, 'config', 'server');
  // A wrong URL names the attribute to fix, not the vendor.
  return translate(lang, c.code, c.code === 'config' ? 'api-base' : 'Speaknosis');
}

/** One run of a case in `lang`: the error event, the rejection, and what reached the vendor. */
async function runCase(c: Case, lang: Lang) {
  const { attrs = {}, tokenProvider, secret } = await c.setup();
  const id = uid('err');
  const before = await vendorRequests();
  const el = await gate({
    doctorId: id,
    attrs: { 'doctor-lang': lang, ...(tokenProvider ? { token: undefined } : {}), ...attrs },
  });
  if (tokenProvider) el.tokenProvider = tokenProvider;
  const log = record(el);
  const rejection = await el.provision().then(
    () => undefined,
    (error: unknown) => error,
  );
  const detail = log.of('error')[0] as ErrorDetail;
  return { el, id, detail, rejection, secret, before };
}

describe('errors tell the truth', () => {
  const unhandled = watchUnhandledRejections();
  afterEach(() => {
    clearProvisionCache();
    expect(unhandled.map(String)).to.deep.equal([]);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const shown = new Set<string>();
      for (const lang of LANGS) {
        const { el, id, detail, rejection, secret, before } = await runCase(c, lang);
        expect(detail, `${lang}: no error event`).to.not.equal(undefined);
        expect({ code: detail.code, source: detail.source, step: detail.step }).to.deep.equal({
          code: c.code,
          source: c.source,
          step: c.step,
        });
        expect(detail.message).to.match(c.message);
        expect(detail.runId).to.be.a('string').and.not.equal('');
        // What the doctor sees: the gate's own text in the doctor's language, also on the status line.
        expect(detail.displayMessage).to.equal(shownFor(c, lang));
        expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.equal(detail.displayMessage);
        shown.add(detail.displayMessage);
        // provision() rejects with the same error, displayMessage included.
        expect(rejection).to.be.instanceOf(DoctorGateError);
        const error = rejection as DoctorGateError;
        expect([error.code, error.source, error.step, error.message, error.displayMessage]).to.deep.equal([
          detail.code,
          detail.source,
          detail.step,
          detail.message,
          detail.displayMessage,
        ]);
        for (const text of [detail.message, detail.displayMessage, JSON.stringify(detail)]) {
          expect(text).not.to.include(TOKEN);
          if (secret) expect(text).not.to.include(secret).and.not.to.include(secret.slice(0, 12));
        }
        const sent = (await requests(id)).map((r) => `${r.method} ${r.status}`);
        if (c.name.startsWith('api-base')) {
          // The wrong base was asked (check, then create), and the doctor was created nowhere.
          const [check] = await requests(id);
          expect(sent).to.deep.equal(['GET 404']);
          const posts = await requests('/sandbox/speaknosis/provider/1001/user', 'POST');
          expect(posts.filter((r) => r.seq > check!.seq).map((r) => r.status)).to.deep.equal([404]);
          expect(await userState(id)).to.include({ exists: false });
        } else {
          expect(sent).to.deep.equal(c.sent);
          expect(await vendorRequests(), 'no request reached the vendor API').to.equal(before);
        }
      }
      expect(shown.size, 'five languages, five texts').to.equal(5);
    });
  }

  it('a wrong api-base pointing at a web page fails at the check with `config`, before any POST', async () => {
    // A path of the test page's own server: an HTML 404, as a misrouted api-base meets.
    const el = await gate({ attrs: { 'api-base': '/not-an-api/v1/health' } });
    const log = record(el);
    await el.provision().catch(() => undefined);
    const detail = log.of('error')[0] as ErrorDetail;
    expect(detail).to.deep.include({ code: 'config', source: 'page', step: 'check' });
    expect(detail.message).to.match(
      /^GET \/not-an-api\/v1\/health\/provider\/1001\/user\/\S+: HTTP 404, not JSON: is api-base right\?$/,
    );
    expect(log.types()).not.to.include('before-create');
  });

  it('a vendor 401 is the vendor refusing the credential, named by its request', async () => {
    const el = await gate({ attrs: { token: 'sk_revoked_token_0001' } });
    const log = record(el);
    await el.provision().catch(() => undefined);
    const detail = log.of('error')[0] as ErrorDetail;
    expect(detail).to.deep.include({ code: 'unauthorized', source: 'vendor', step: 'check', status: 401 });
    expect(detail.message).to.match(/^GET \/sandbox\/speaknosis\/v1\/health\/provider\/1001\/user\/\S+: HTTP 401/);
    expect(detail.message).not.to.include('sk_revoked_token_0001');
    expect(detail).not.to.have.property('requestId');
    expect(detail.displayMessage).to.equal(translate('EN', 'unauthorized', 'Speaknosis'));
  });
});

/** Every console call during `run`, with its method and arguments made text. */
async function captureConsole(run: () => Promise<void>) {
  const calls: { method: string; text: string }[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'group', 'groupCollapsed', 'groupEnd'] as const;
  const originals = methods.map((name) => [name, console[name]] as const);
  for (const name of methods)
    console[name] = (...args: unknown[]) =>
      void calls.push({
        method: name,
        text: args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '),
      });
  try {
    await run();
  } finally {
    for (const [name, fn] of originals) console[name] = fn as never;
  }
  return calls;
}

describe('debug', () => {
  afterEach(() => {
    setDebug(false);
    delete (window as { DoctorGate?: unknown }).DoctorGate;
    clearProvisionCache();
  });

  /** A full run: check 404, before-create, create, provisioned. */
  async function fullRun(attrs: Record<string, string | undefined> = {}) {
    const id = uid('dbg');
    const el = await gate({ doctorId: id, attrs });
    const log = record(el);
    const calls = await captureConsole(async () => {
      await el.provision();
    });
    return { el, id, log, calls };
  }

  it('off: the console stays empty through a full run', async () => {
    const { log, calls } = await fullRun();
    expect(log.of('provisioned')).to.have.length(1);
    expect(calls).to.deep.equal([]);
  });

  for (const [how, attrs, on] of [
    ['the debug attribute', { debug: '' }, () => undefined],
    ['setDebug(true)', {}, () => setDebug(true)],
    [
      'DoctorGate.debug = true on the global',
      {},
      () => ((window as { DoctorGate?: unknown }).DoctorGate = { debug: true }),
    ],
  ] as const) {
    it(`on (${how}): one collapsed group per run with inputs, requests, states and events, and no credential`, async () => {
      on();
      const { id, log, calls } = await fullRun(attrs);
      const groups = calls.filter((call) => call.method === 'groupCollapsed');
      expect(groups).to.have.length(1);
      const runId = log.of('provisioned')[0].runId as string;
      expect(groups[0]!.text).to.equal(`<doctor-gate> ${runId}`);
      // Every event of the run carries the same id as the group.
      expect(new Set(log.events.map((event) => event.detail.runId))).to.deep.equal(new Set([runId]));
      expect(calls.at(-1)!.method).to.equal('groupEnd');
      const entries = calls.slice(1, -1);
      expect(entries.every((call) => call.method === 'debug')).to.equal(true);
      // Each entry names its run, then says what happened.
      const label = `<doctor-gate> ${runId} `;
      expect(entries.every((call) => call.text.startsWith(label))).to.equal(true);
      const texts = entries.map((call) => call.text.slice(label.length));
      expect(texts[0]).to.match(/^inputs \{.*"vendor":"speaknosis".*"providerId":"1001".*"doctor":"dbg-/);
      const requestLines = texts
        .filter((t) => t.startsWith('{"method"'))
        .map((t) => JSON.parse(t) as Record<string, unknown>);
      expect(requestLines.map(({ method, path, status }) => [method, path, status])).to.deep.equal([
        ['GET', `${API}/provider/${PROVIDER}/user/${id}`, 404],
        ['POST', `${API}/provider/${PROVIDER}/user`, 201],
      ]);
      expect(requestLines.every(({ ms }) => typeof ms === 'number' && ms >= 0)).to.equal(true);
      expect(texts.filter((t) => t.startsWith('doctor-gate-state'))).to.deep.equal([
        'doctor-gate-state {"state":"checking","previous":"idle"}',
        'doctor-gate-state {"state":"creating","previous":"checking"}',
        'doctor-gate-state {"state":"ready","previous":"creating"}',
      ]);
      expect(texts).to.include('doctor-gate-before-create {"reactivation":null}');
      expect(texts).to.include('doctor-gate-provisioned {"outcome":"created","readiness":{"ready":true,"missing":[]}}');
      const all = calls.map((call) => call.text).join('\n');
      expect(all).not.to.include(TOKEN);
      expect(all).not.to.include('Ana');
    });
  }

  it('on: an error run writes the developer message, and a second run its own group', async () => {
    const route = await serveTokenRoute(401, 'no session');
    const el = await gate({ attrs: { debug: '', token: undefined } });
    el.tokenProvider = naiveProvider(route);
    const log = record(el);
    const calls = await captureConsole(async () => {
      await el.provision().catch(() => undefined);
      await el.provision().catch(() => undefined);
    });
    const errors = log.of('error') as ErrorDetail[];
    expect(errors).to.have.length(2);
    expect(errors[0]!.runId).not.to.equal(errors[1]!.runId);
    expect(calls.filter((call) => call.method === 'groupCollapsed').map((call) => call.text)).to.deep.equal(
      errors.map((error) => `<doctor-gate> ${error.runId}`),
    );
    const lines = calls.filter((call) => call.text.includes(' doctor-gate-error {'));
    expect(lines).to.have.length(2);
    expect(lines[0]!.text).to.include('"source":"page"').and.include(errors[0]!.message);
    expect(calls.map((call) => call.text).join('\n')).not.to.include('no session');
  });
});

describe('property: whatever a tokenProvider answers', () => {
  afterEach(() => clearProvisionCache());

  const tokenLike = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{8,64}=*$/);
  // Tokens weigh as much as all the rest together: both sides of the property are exercised every run.
  const anything = fc.oneof(
    { arbitrary: tokenLike, weight: 5 },
    fc.string({ maxLength: 80 }),
    fc.string({ maxLength: 80, unit: 'grapheme' }),
    fc.constantFrom('', ' ', 'no session', '<html>401</html>', 'Bearer x', 'a'.repeat(4097), `${'b'.repeat(20)}\r\n`),
    tokenLike.map((token) => ` ${token}`),
    tokenLike.map((token) => `${token}\n`),
  );

  it('a token reaches the vendor exactly as given; anything else is `unauthorized` from `page` and sends nothing; no secret is shown or logged', async () => {
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(anything, async (answer) => {
        const id = uid('prop');
        // The vendor repeats the credential it received between brackets: the gate redacts exactly the
        // token it sent, so "[***]" means the vendor got that very string.
        await faults({
          match: { path: `/user/${id}` },
          kind: 'echo-credential',
          status: 401,
          body: 'got [{credential}]',
          times: 2,
        } as never);
        const el = await gate({ doctorId: id, attrs: { token: undefined, debug: '' } });
        el.tokenProvider = async () => answer;
        const log = record(el);
        const calls = await captureConsole(async () => {
          await el.provision().catch(() => undefined);
        });
        const detail = log.of('error')[0] as ErrorDetail;
        const sent = await requests(id);
        const isToken = answer.length >= 8 && answer.length <= 4096 && /^[A-Za-z0-9\-._~+/]+=*$/.test(answer);
        if (isToken) {
          valid++;
          expect(sent.map((r) => `${r.method} ${r.status} ${r.auth}`)).to.deep.equal([
            'GET 401 Bearer',
            'GET 401 Bearer',
          ]);
          expect(detail).to.deep.include({ code: 'unauthorized', source: 'vendor' });
          expect(detail.message).to.match(/: HTTP 401: got \[\*\*\*\]$/);
        } else {
          expect(sent).to.deep.equal([]);
          expect(detail).to.deep.include({ code: 'unauthorized', source: 'page', step: 'check' });
        }
        // A string long enough to be a secret is never shown, announced or logged.
        if (answer.trim().length >= 8) {
          const shown = [detail.message, detail.displayMessage, JSON.stringify(detail), ...calls.map((c) => c.text)];
          for (const text of shown) expect(text.includes(answer), text).to.equal(false);
        }
      }),
      { numRuns: 40 },
    );
    expect(valid).to.be.greaterThan(3);
  });
});
