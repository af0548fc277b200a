// Server mode bound to the EHR's session, through the element, against real `doctor-gate/server`
// handlers (mounted by web-test-runner.config.mjs) and the sandbox over HTTP: a doctor signed in
// after another in the same tab, with and without a reload and `session-ttl`; consent before every
// creation; a fresh launch, and token, per opening.
import { expect, fixture, html } from '@open-wc/testing';
import { clearProvisionCache, type DoctorGate } from '../../src/index.js';
import { forgetPageMemory } from '../../src/core/page-runs.js';
import { click, isolateEachTest, launchOf, record, requests, uid, until, userState, waitFor } from './helpers.js';

const SERVER = '/ehr/doctor-gate/speaknosis';
const APP = '/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}';

const signIn = (id: string) => (document.cookie = `dg-demo-doctor=${id}; path=/`);
const signOut = () => (document.cookie = 'dg-demo-doctor=; path=/; max-age=0');

async function serverGate(attrs: Record<string, string> = {}): Promise<DoctorGate> {
  const el = document.createElement('doctor-gate');
  for (const [name, value] of Object.entries({ server: SERVER, 'app-url': APP, prefetch: 'none', ...attrs }))
    el.setAttribute(name, value);
  (await fixture<HTMLDivElement>(html`<div></div>`)).append(el);
  await el.updateComplete;
  return el;
}

/** The vendor POSTs (creations) that carried `id`. */
const creationsOf = async (id: string) =>
  (await requests('/user', 'POST')).filter((entry) => JSON.stringify(entry.body).includes(id));

describe('server mode: bound to the session’s doctor', () => {
  const popups = isolateEachTest();
  afterEach(() => {
    signOut();
    clearProvisionCache();
    sessionStorage.clear();
  });

  for (const reload of [false, true]) {
    for (const ttl of ['0', '600000']) {
      it(`doctor B after doctor A (${reload ? 'after a reload' : 'same page'}, session-ttl ${ttl}): B is never "existing" nor created without the event`, async () => {
        const a = uid('srv-a');
        const b = uid('srv-b');
        signIn(a);
        const first = await serverGate({ 'session-ttl': ttl, mode: 'none' });
        expect((await first.provision()).outcome).to.equal('created');
        // A signs out, B signs in; the page forgets its memory only when it reloads.
        signIn(b);
        if (reload) forgetPageMemory();
        const el = reload ? await serverGate({ 'session-ttl': ttl }) : first;
        if (!reload) el.mode = 'popup';
        const log = record(el);
        el.addEventListener('doctor-gate-before-create', (event) => event.preventDefault());
        const failed = until(el, 'doctor-gate-error');
        await click(el);
        expect((await failed).detail).to.deep.include({ code: 'cancelled' });
        expect(log.of('before-create')).to.have.length(1);
        expect(log.of('before-create')[0].doctor).to.deep.include({ id: b });
        expect(log.of('provisioned')).to.deep.equal([]);
        expect(await creationsOf(b)).to.deep.equal([]);
        expect(await userState(b)).to.include({ exists: false });
        await waitFor(() => popups().calls[0]!.win!.closed);
        // What the page remembers names no doctor by a fixed word, and holds no credential.
        expect(Object.values(sessionStorage).join('\n')).to.not.match(/sk_|session/);
      });
    }
  }

  it('B allowed after A: B is created for B, and opens with B’s launch', async () => {
    const a = uid('srv-a-ok');
    const b = uid('srv-b-ok');
    signIn(a);
    const el = await serverGate({ 'session-ttl': '600000' });
    const first = until(el, 'doctor-gate-open');
    await click(el);
    await first;
    expect((await launchOf(popups().calls[0]!.win!)).get('doctorId')).to.equal(a);
    el.close();
    signIn(b);
    const log = record(el);
    const second = until(el, 'doctor-gate-open');
    await click(el);
    await second;
    expect(log.of('before-create')[0].doctor).to.deep.include({ id: b });
    expect(log.of('provisioned')[0]).to.deep.include({ outcome: 'created' });
    expect((await launchOf(popups().calls[1]!.win!)).get('doctorId')).to.equal(b);
    expect(await creationsOf(b)).to.have.length(1);
  });

  it('clearProvisionCache() clears sessionStorage too', async () => {
    sessionStorage.setItem('doctor-gate:speaknosis|x|1001|someone', '{"v":1}');
    sessionStorage.setItem('unrelated', 'kept');
    // A store over sessionStorage exists once a gate with session-ttl provisioned.
    signIn(uid('srv-clear'));
    const direct = document.createElement('doctor-gate');
    for (const [name, value] of Object.entries({
      'api-base': '/sandbox/speaknosis/v1/health',
      token: 'sk_demo_token',
      'provider-id': '1001',
      'doctor-id': uid('direct'),
      'doctor-name': 'Ana',
      'doctor-lastname': 'Gómez',
      'speciality-id': '1',
      'session-ttl': '600000',
      mode: 'none',
    }))
      direct.setAttribute(name, value);
    (await fixture<HTMLDivElement>(html`<div></div>`)).append(direct);
    await direct.provision();
    expect(Object.keys(sessionStorage).filter((key) => key.startsWith('doctor-gate:'))).to.have.length(2);
    clearProvisionCache();
    expect(Object.keys(sessionStorage)).to.deep.equal(['unrelated']);
  });
});

describe('server mode: a fresh launch per opening', () => {
  const popups = isolateEachTest();
  afterEach(() => {
    signOut();
    clearProvisionCache();
  });

  it('a second opening after the vendor expired its tokens opens with a fresh, working token', async () => {
    const id = uid('srv-expiry');
    signIn(id);
    const el = await serverGate();
    const first = until(el, 'doctor-gate-open');
    await click(el);
    await first;
    const old = (await launchOf(popups().calls[0]!.win!)).get('token')!;
    el.close();
    const expired = await fetch('/sandbox/_control/expire-tokens', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(expired.ok).to.equal(true);
    const second = until(el, 'doctor-gate-open');
    await click(el);
    await second;
    const fresh = (await launchOf(popups().calls[1]!.win!)).get('token')!;
    expect(fresh).to.match(/^sk_iam_/);
    expect(fresh).to.not.equal(old);
    const user = await fetch(`/sandbox/speaknosis/v1/health/provider/1001/user/${id}`, {
      headers: { Authorization: `Bearer ${fresh}` },
    });
    expect(user.status).to.equal(200);
  });
});
