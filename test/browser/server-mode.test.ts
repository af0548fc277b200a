// Server mode against real `doctor-gate/server` handlers (mounted by web-test-runner.config.mjs at
// /ehr/doctor-gate/<vendor>), which call the sandbox over HTTP. The page signs in with a cookie.
import { expect, fixture, html } from '@open-wc/testing';
import { clearProvisionCache } from '../../src/index.js';
import {
  click,
  faults,
  isolateEachTest,
  record,
  requests,
  uid,
  until,
  userState,
  waitFor,
  type LogEntry,
} from './helpers.js';
import { hold, launchOf } from './helpers.js';

const SERVER = { speaknosis: '/ehr/doctor-gate/speaknosis', prescrypto: '/ehr/doctor-gate/prescrypto' };
const APP = {
  speaknosis: '/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}',
  prescrypto: '/sandbox/app/prescrypto?token={medicToken}&v2_redirect=true',
};
const SECRETS = ['demo-client-secret', 'pk_demo_key', 'sk_demo_token'];

const signIn = (id: string) => (document.cookie = `dg-demo-doctor=${id}; path=/`);
const signOut = () => (document.cookie = 'dg-demo-doctor=; path=/; max-age=0');

/** What the page received from the handler: observed only, every request still goes over HTTP. */
interface Seen {
  method: string;
  url: string;
  status: number;
  body: string;
}
function observeFetch() {
  const original = window.fetch;
  const seen: Seen[] = [];
  const called: string[] = [];
  window.fetch = async function (input: RequestInfo | URL, init?: RequestInit) {
    if (String(input instanceof Request ? input.url : input).includes('/ehr/')) called.push(init?.method ?? 'GET');
    const response = await original.call(window, input, init);
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.pathname.startsWith('/ehr/')) {
      const body = await response.clone().text();
      // The session cookie is the credential: sent same-origin, with no API credential beside it.
      expect(init?.credentials).to.equal('same-origin');
      expect(new Headers(init?.headers).has('Authorization')).to.equal(false);
      seen.push({ method: init?.method ?? 'GET', url: url.pathname, status: response.status, body });
    }
    return response;
  } as typeof fetch;
  return {
    seen,
    called,
    count: (method: string) => seen.filter((each) => each.method === method).length,
    restore: () => (window.fetch = original),
  };
}

async function serverGate(vendor: 'speaknosis' | 'prescrypto', attrs: Record<string, string> = {}) {
  const el = document.createElement('doctor-gate');
  const all: Record<string, string> = {
    vendor,
    server: SERVER[vendor],
    'app-url': APP[vendor],
    prefetch: 'none',
    ...attrs,
  };
  for (const [name, value] of Object.entries(all)) el.setAttribute(name, value);
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  host.append(el);
  await el.updateComplete;
  return el;
}

/** Signs in a doctor who exists at Speaknosis already (created through the handler, then forgotten by the page). */
async function signInExisting(prefix: string): Promise<string> {
  const id = uid(prefix);
  signIn(id);
  const first = await serverGate('speaknosis', { mode: 'none' });
  await first.provision();
  first.remove();
  clearProvisionCache();
  return id;
}

const lastSeq = async () => Math.max(0, ...(await requests('')).map((entry: LogEntry) => entry.seq));

describe('server mode', () => {
  const popups = isolateEachTest();
  let net: ReturnType<typeof observeFetch>;
  beforeEach(() => (net = observeFetch()));
  afterEach(() => {
    net.restore();
    signOut();
  });

  it('needs no api-base, token or provider-id, and validates server like api-base', async () => {
    const ok = await serverGate('speaknosis');
    expect(ok.state).to.equal('idle');
    const bad = await serverGate('speaknosis', { server: 'http://evil.example/ehr' });
    expect(bad.state).to.equal('error');
    expect(bad.shadowRoot!.querySelector('[part=status]')!.textContent).to.contain('server');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(net.seen).to.deep.equal([]);
  });

  it('Speaknosis, new doctor: POST, before-create, POST { create }, then the popup on the launch; the token only in launch', async () => {
    const id = uid('srv');
    signIn(id);
    const el = await serverGate('speaknosis');
    const log = record(el);
    const opened = until(el, 'doctor-gate-open');
    await click(el);
    await opened;
    expect(log.types().filter((t) => t !== 'state')).to.deep.equal(['before-create', 'provisioned', 'open']);
    expect(log.of('before-create')[0]).to.deep.include({ reactivation: null });
    expect(log.of('provisioned')[0]).to.deep.include({ outcome: 'created' });
    expect(log.of('provisioned')[0].doctor).to.deep.include({ id, name: 'Dana' });
    expect(net.seen.map((each) => `${each.method} ${each.status}`)).to.deep.equal(['POST 200', 'POST 200']);
    expect(JSON.parse(net.seen[0]!.body)).to.deep.include({ needsCreation: true, found: false });
    const launch = await launchOf(popups().calls[0]!.win!);
    expect(launch.get('doctorId')).to.equal(id);
    // The handler minted the token with client credentials (the fixture token is never used), and it
    // is the vendor's real token: it reads the doctor's user.
    const token = launch.get('token')!;
    expect(token).to.match(/^sk_iam_/);
    const user = await fetch(`/sandbox/speaknosis/v1/health/provider/1001/user/${id}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(user.status).to.equal(200);
    for (const each of net.seen) {
      for (const secret of SECRETS) expect(each.body).not.to.contain(secret);
      const { launch: _launch, ...rest } = JSON.parse(each.body) as Record<string, unknown>;
      expect(JSON.stringify(rest)).not.to.contain(token);
    }
    for (const event of log.events) expect(JSON.stringify(event.detail)).not.to.contain(token);
  });

  it('Speaknosis, existing doctor: one POST after the click, which checks and answers the launch', async () => {
    const id = await signInExisting('srv-old');
    net.seen.length = 0;
    const el = await serverGate('speaknosis');
    const log = record(el);
    const opened = until(el, 'doctor-gate-open');
    await click(el);
    await opened;
    expect(log.of('before-create')).to.deep.equal([]);
    expect(log.of('provisioned')[0]).to.deep.include({ outcome: 'existing' });
    expect(net.seen.map((each) => each.method)).to.deep.equal(['POST']);
    expect(JSON.parse(net.seen[0]!.body).outcome).to.equal('existing');
    expect((await requests(`/user`, 'POST')).filter((entry) => JSON.stringify(entry.body).includes(id))).to.have.length(
      1,
    );
    expect((await launchOf(popups().calls[0]!.win!)).get('doctorId')).to.equal(id);
  });

  it('a doctor the hover found: the click opens the app at once with the launch fetched on hover, used once', async () => {
    const id = await signInExisting('srv-hover');
    net.seen.length = 0;
    net.called.length = 0;
    const el = await serverGate('speaknosis', { prefetch: 'intent' });
    el.shadowRoot!.querySelector('button')!.dispatchEvent(new Event('focus'));
    await waitFor(() => net.seen.length === 2);
    expect(net.seen.map((each) => each.method)).to.deep.equal(['GET', 'POST']);
    // The POST gave the ticket of the GET back: the handler checked at the vendor once, not twice.
    const vendorGets = (await requests(id, 'GET')).length;
    const opened = until(el, 'doctor-gate-open');
    await click(el);
    await opened;
    expect(popups().calls[0]!.url).to.contain('/sandbox/app/speaknosis');
    expect(net.called).to.deep.equal(['GET', 'POST']);
    expect((await launchOf(popups().calls[0]!.win!)).get('doctorId')).to.equal(id);
    // The next opening never reuses that launch: it asks for a fresh one (the ticket spares the check).
    el.close();
    const again = until(el, 'doctor-gate-open');
    await click(el);
    await again;
    expect(net.called).to.deep.equal(['GET', 'POST', 'POST']);
    expect((await requests(id, 'GET')).length).to.equal(vendorGets + 1);
  });

  it('Prescrypto in an iframe: the medic token arrives in launch, never the API key or a password', async () => {
    const id = uid('srv-rx');
    signIn(id);
    const el = await serverGate('prescrypto', { mode: 'iframe' });
    const log = record(el);
    const opened = until(el, 'doctor-gate-open');
    el.open();
    await opened;
    const frame = el.shadowRoot!.querySelector('iframe')!;
    await waitFor(() => frame.contentWindow!.location.pathname === '/sandbox/app/prescrypto');
    const medicToken = new URLSearchParams(frame.contentWindow!.location.search).get('token')!;
    const post = net.seen
      .map((each) => JSON.parse(each.body) as { launch?: unknown; account?: unknown })
      .find((body) => body.launch)!;
    expect(post.launch).to.deep.equal({ medicToken });
    expect(post.account).not.to.have.property('token');
    const [created] = (await requests('/api/v2/medics', 'POST')).filter((entry) =>
      JSON.stringify(entry.body).includes(`${id}@clinic.example`),
    );
    const password = (created!.body as { password: string }).password;
    expect(password).to.have.length.greaterThan(8);
    for (const each of net.seen) for (const secret of [...SECRETS, password]) expect(each.body).not.to.contain(secret);
    for (const event of log.events) expect(JSON.stringify(event.detail)).not.to.contain(medicToken);
  });

  it('a page without the sign-in cookie gets unauthorized, and the vendor sees no request', async () => {
    const before = await lastSeq();
    const el = await serverGate('speaknosis', { 'doctor-id': uid('nobody'), 'doctor-lang': 'EN' });
    const failed = until(el, 'doctor-gate-error');
    await click(el);
    const { detail } = await failed;
    // The EHR's own server says so: the doctor is asked to sign in, not told a vendor refused anything.
    expect(detail).to.deep.include({ code: 'unauthorized', status: 401, step: 'check', source: 'server' });
    expect(detail.requestId).to.match(/^[\w.:-]{8,}$/);
    expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.equal('Signed out: sign in again');
    expect((await requests('')).filter((entry) => entry.seq > before)).to.deep.equal([]);
    await waitFor(() => popups().calls[0]!.win!.closed);
  });

  it("ignores the page's own doctor fields for identity", async () => {
    const id = uid('srv-me');
    const other = uid('srv-other');
    signIn(id);
    const el = await serverGate('speaknosis', {
      'doctor-id': other,
      'doctor-name': 'Mallory',
      'doctor-lastname': 'X',
      'speciality-id': '1',
      mode: 'none',
    });
    const result = await el.provision();
    expect(result.doctor).to.deep.include({ id, name: 'Dana' });
    expect(await requests(other)).to.deep.equal([]);
    expect((await requests('/user', 'POST')).some((entry) => JSON.stringify(entry.body).includes(id))).to.equal(true);
    for (const each of net.seen) expect(each.body).not.to.contain('Mallory');
  });

  it('before-create cancelled → cancelled, no creation asked or made, and the popup closed', async () => {
    const id = uid('srv-no');
    signIn(id);
    const el = await serverGate('speaknosis');
    el.addEventListener('doctor-gate-before-create', (event) => event.preventDefault());
    const failed = until(el, 'doctor-gate-error');
    await click(el);
    expect((await failed).detail).to.deep.include({ code: 'cancelled' });
    expect(net.seen.map((each) => JSON.parse(each.body).needsCreation)).to.deep.equal([true]);
    expect(await requests(id, 'POST')).to.deep.equal([]);
    expect(await userState(id)).to.include({ exists: false });
    await waitFor(() => popups().calls[0]!.win!.closed);
  });

  it('opens the popup inside the click, before the GET answers', async () => {
    const id = uid('srv-slow');
    signIn(id);
    // The server's GET to the vendor is held: the page's GET to the server cannot answer until released.
    const check = await hold({ match: { method: 'GET', path: id } });
    const el = await serverGate('speaknosis');
    const opened = until(el, 'doctor-gate-open');
    await click(el);
    await check.arrived();
    expect(popups().calls).to.have.length(1);
    expect(popups().calls[0]!.url).to.equal('about:blank');
    expect(el.state).to.equal('checking');
    expect(net.seen).to.deep.equal([]);
    expect(await check.release()).to.equal(1);
    await opened;
    expect((await launchOf(popups().calls[0]!.win!)).get('doctorId')).to.equal(id);
  });

  it('a new doctor the hover checked: one request after the click, and the vendor checked once', async () => {
    const id = uid('srv-new-hover');
    signIn(id);
    const el = await serverGate('speaknosis', { prefetch: 'intent' });
    el.shadowRoot!.querySelector('button')!.dispatchEvent(new Event('focus'));
    await waitFor(() => net.seen.length === 1);
    expect(net.seen[0]!.method).to.equal('GET');
    const log = record(el);
    const opened = until(el, 'doctor-gate-open');
    await click(el);
    await opened;
    expect(log.of('before-create')).to.have.length(1);
    expect(net.seen.map((each) => each.method)).to.deep.equal(['GET', 'POST']);
    expect((await requests(id, 'GET')).length).to.equal(1);
    expect((await requests('/user', 'POST')).filter((entry) => JSON.stringify(entry.body).includes(id))).to.have.length(
      1,
    );
  });

  it('a 5xx from the handler → its code and status, and no popup left open', async () => {
    const id = uid('srv-500');
    signIn(id);
    await faults({ match: { method: 'GET', path: id }, status: 500, body: { response: 'boom' } });
    const el = await serverGate('speaknosis', { retries: '0' });
    const failed = until(el, 'doctor-gate-error');
    await click(el);
    const { detail } = await failed;
    // The vendor failed behind the handler, which says so; its request id names the answer in its log.
    expect(detail).to.deep.include({ code: 'server', status: 500, step: 'check', retryable: false, source: 'vendor' });
    expect(detail.requestId).to.be.a('string');
    await waitFor(() => popups().calls[0]!.win!.closed);
    expect(net.seen[0]!.status).to.equal(500);
  });

  it('a redirect from the server URL is refused, never followed to another answer', async () => {
    const id = uid('srv-redirect');
    signIn(id);
    const path = `/sandbox/speaknosis/v1/health/${uid('moved')}`;
    await faults({ match: { path }, status: 307, headers: { Location: '/ehr/doctor-gate/speaknosis' } });
    const el = await serverGate('speaknosis', { server: path, retries: '0' });
    const failed = until(el, 'doctor-gate-error');
    await click(el);
    expect((await failed).detail).to.deep.include({ code: 'bad-response', step: 'check', source: 'server' });
    expect((await requests(path)).map((entry) => entry.status)).to.deep.equal([307]);
    // Not followed: the handler it pointed to never asked the vendor about the doctor.
    expect(await requests(id)).to.deep.equal([]);
    await waitFor(() => popups().calls[0]!.win!.closed);
  });

  it('a wrong-shape answer (server pointed at another JSON endpoint) → bad-response, never a success', async () => {
    signIn(uid('srv-shape'));
    const path = `/sandbox/speaknosis/v1/health/${uid('other-json')}`;
    await faults({ match: { path }, status: 200, body: { success: true, response: { id: 'x' } }, times: 5 });
    const el = await serverGate('speaknosis', { server: path, retries: '0' });
    const log = record(el);
    const failed = until(el, 'doctor-gate-error');
    await click(el);
    expect((await failed).detail).to.deep.include({ code: 'bad-response', step: 'check' });
    expect(log.of('provisioned')).to.deep.equal([]);
    await waitFor(() => popups().calls[0]!.win!.closed);
  });
});
