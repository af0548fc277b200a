import { expect, fixture, html } from '@open-wc/testing';
import { clearProvisionCache, DoctorGate } from '../../src/index.js';
import { forgetPageMemory } from '../../src/core/page-runs.js';
import {
  click,
  clickAnd,
  isolateEachTest,
  gate,
  hold,
  PROVIDER,
  record,
  requests,
  uid,
  until,
  userState,
  waitFor,
} from './helpers.js';

const postsFor = async (id: string) =>
  (await requests(`/provider/${PROVIDER}/user`, 'POST')).filter((r) => JSON.stringify(r.body).includes(id));

describe('lifecycle', () => {
  const popups = isolateEachTest();

  it('removing the gate mid-run aborts quietly: no error, no open, popup closed, nothing created', async () => {
    const id = uid('removed');
    const check = await hold({ match: { method: 'GET', path: id } });
    const el = await gate({ doctorId: id });
    const log = record(el);
    // Removed in the click, so while the check is in flight: its answer is held until released.
    await clickAnd(el, () => el.remove());
    expect(popups().calls).to.have.length(1);
    await waitFor(() => popups().calls[0]!.win!.closed);
    // Were the check still running, its answer would now lead to a create and an open.
    await check.release();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.of('error')).to.deep.equal([]);
    expect(log.of('open')).to.deep.equal([]);
    expect(popups().calls[0]!.win!.closed).to.equal(true);
    expect(await postsFor(id)).to.have.length(0);
    expect(await userState(id)).to.include({ exists: false });
  });

  it('a removed gate can be added again and works', async () => {
    const el = await gate({ attrs: { mode: 'none' } });
    const parent = el.parentElement!;
    el.remove();
    await new Promise((resolve) => setTimeout(resolve, 0));
    parent.append(el);
    const provisioned = until(el, 'doctor-gate-provisioned');
    await click(el);
    expect((await provisioned).detail.outcome).to.equal('created');
  });

  it('moving the gate (disconnect and connect in one task) keeps the app open', async () => {
    const el = await gate();
    const log = record(el);
    const opened = until(el, 'doctor-gate-open');
    await click(el);
    await opened;
    const elsewhere = await fixture(html`<section></section>`);
    elsewhere.append(el);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log.of('close')).to.deep.equal([]);
    expect(popups().calls[0]!.win!.closed).to.equal(false);
    el.close();
  });

  it('changing doctor-id mid-run aborts the stale run; only the new doctor is provisioned', async () => {
    const stale = uid('stale');
    const fresh = uid('fresh');
    const check = await hold({ match: { method: 'GET', path: stale } });
    const el = await gate({ doctorId: stale, attrs: { mode: 'none' } });
    const log = record(el);
    const first = el.provision().then(
      () => 'resolved',
      (error: Error) => error.name,
    );
    await check.arrived();
    el.doctorId = fresh;
    await el.updateComplete;
    expect(await first).to.equal('AbortError');
    const result = await el.provision();
    expect(result.doctor.id).to.equal(fresh);
    // The stale check's answer, had its run not ended, would now create the stale doctor.
    await check.release();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.of('provisioned').map((d) => d.doctor.id)).to.deep.equal([fresh]);
    expect(log.of('error')).to.deep.equal([]);
    expect(await postsFor(stale)).to.have.length(0);
    expect(await userState(stale)).to.include({ exists: false });
  });

  it('new inputs end a pending iframe opening at once: open() in the same task opens for the new doctor', async () => {
    const stale = uid('pending-stale');
    const fresh = uid('pending-fresh');
    const check = await hold({ match: { method: 'GET', path: stale } });
    const el = await gate({ doctorId: stale, attrs: { mode: 'iframe' } });
    const log = record(el);
    void el.open();
    await check.arrived();
    const opened = until(el, 'doctor-gate-open');
    el.doctorId = fresh;
    void el.open();
    await opened;
    const frame = el.shadowRoot!.querySelector('iframe')!;
    await waitFor(() => frame.contentWindow!.location.hash.includes('doctorId='));
    expect(frame.contentWindow!.location.hash).to.contain(`doctorId=${encodeURIComponent(fresh)}`);
    await check.release();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.of('provisioned').map((d) => d.doctor.id)).to.deep.equal([fresh]);
    expect(await postsFor(stale)).to.have.length(0);
    expect(frame.contentWindow!.location.hash).to.contain(`doctorId=${encodeURIComponent(fresh)}`);
    el.close();
  });

  it('an eager gate re-provisions for the new doctor when doctor-id changes', async () => {
    const a = uid('eager-a');
    const b = uid('eager-b');
    const el = await gate({ doctorId: a, attrs: { prefetch: 'eager', mode: 'none' } });
    await waitFor(() => el.state === 'ready');
    el.doctorId = b;
    await waitFor(async () => (await userState(b)).exists);
    await waitFor(() => el.state === 'ready');
  });

  it('switching prefetch to "eager" after connect provisions at once, without a click', async () => {
    const id = uid('late-eager');
    const el = await gate({ doctorId: id, attrs: { prefetch: 'none', mode: 'none' } });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await requests(id)).to.have.length(0);
    el.prefetch = 'eager';
    await waitFor(async () => (await userState(id)).exists);
    await waitFor(() => el.state === 'ready');
  });

  it('after removal, messages from the app are no longer forwarded and the popup is closed', async () => {
    const el = await gate();
    const log = record(el);
    const opened = until(el, 'doctor-gate-open');
    await click(el);
    await opened;
    const popup = popups().calls[0]!.win!;
    // Made while the popup lives: WebKit no longer takes a closed window as a message's source.
    const late = new MessageEvent('message', { data: { type: 'late' }, origin: location.origin, source: popup });
    el.remove();
    await waitFor(() => log.of('close').length === 1);
    expect(log.of('close')[0]).to.deep.include({ mode: 'popup', reason: 'disconnected' });
    const before = log.of('message').length;
    window.dispatchEvent(late);
    expect(log.of('message').length).to.equal(before);
    // WebKit sets `closed` a moment after `close()`: wait for it (waitFor fails if it never comes).
    await waitFor(() => popup.closed);
    expect(popup.closed).to.equal(true);
  });

  it('provision() called before the first render reports a clean state sequence', async () => {
    const host = await fixture(html`<div></div>`);
    const el = document.createElement('doctor-gate');
    for (const [name, value] of Object.entries({
      'api-base': '/sandbox/speaknosis/v1/health',
      token: 'sk_demo_token',
      'provider-id': PROVIDER,
      'doctor-id': uid('early'),
      'doctor-name': 'A',
      'doctor-lastname': 'B',
      'speciality-id': '1',
      'doctor-lang': 'EN',
      prefetch: 'none',
    })) {
      el.setAttribute(name, value);
    }
    const log = record(el);
    host.append(el);
    const result = await el.provision();
    await el.updateComplete;
    expect(result.outcome).to.equal('created');
    expect(log.states()).to.deep.equal(['checking', 'creating', 'ready']);
  });

  it('a call in the same task as an input change runs for the new input', async () => {
    const el = await gate({ attrs: { mode: 'none' } });
    const fresh = uid('same-task');
    el.doctorId = fresh;
    const result = await el.provision();
    expect(result.doctor.id).to.equal(fresh);
    expect(el.state).to.equal('ready');
  });

  it('a new tokenProvider or an equal doctor object does not abort the run under way', async () => {
    const id = uid('keep-run');
    const check = await hold({ match: { method: 'GET', path: id } });
    const el = await gate({ doctorId: id, attrs: { mode: 'none', token: undefined } });
    el.tokenProvider = async () => 'sk_demo_token';
    el.doctor = { email: 'keep@clinic.example' };
    await el.updateComplete;
    const run = el.provision();
    await check.arrived();
    // What a framework re-render does, while the check is in flight: a new function, a new but equal object.
    el.tokenProvider = async () => 'sk_demo_token';
    el.doctor = { email: 'keep@clinic.example' };
    await el.updateComplete;
    expect(await check.release()).to.equal(1);
    expect((await run).outcome).to.equal('created');
  });

  it('a run is kept while its arguments are equal: an input changed and changed back in one task', async () => {
    const id = uid('back');
    const check = await hold({ match: { method: 'GET', path: id } });
    const el = await gate({ doctorId: id, attrs: { mode: 'none' } });
    const log = record(el);
    const run = el.provision();
    await check.arrived();
    el.doctorId = uid('other');
    el.mode = 'iframe';
    el.doctorId = id;
    el.mode = 'none';
    await el.updateComplete;
    expect(await check.release()).to.equal(1);
    expect((await run).outcome).to.equal('created');
    expect(log.of('provisioned').map((d) => d.doctor.id)).to.deep.equal([id]);
  });

  it('a doctor object JSON cannot hold (a cycle, a BigInt) is no crash: compared by identity, it provisions', async () => {
    const id = uid('cycle');
    const el = await gate({ doctorId: id, attrs: { mode: 'none' } });
    const log = record(el);
    const doctor: Record<string, unknown> = { email: 'cycle@clinic.example', extra: 10n };
    doctor['self'] = doctor;
    el.doctor = doctor;
    await el.updateComplete;
    expect(log.of('error')).to.deep.equal([]);
    const result = await el.provision();
    expect(result.outcome).to.equal('created');
    expect(result.doctor).to.include({ id, email: 'cycle@clinic.example' });
  });

  it('an unset input is back to its default in the same task, and a call then runs with it', async () => {
    const el = await gate({ attrs: { mode: 'iframe', prefetch: 'none' } });
    el.mode = '' as never;
    el.removeAttribute('prefetch');
    const run = el.provision();
    expect(el.mode).to.equal('popup');
    expect(el.prefetch).to.equal('intent');
    expect((await run).outcome).to.equal('created');
    expect(el.state).to.equal('ready');
  });

  it('defining twice is a no-op', () => {
    expect(() => DoctorGate.define()).to.not.throw();
    expect(() => DoctorGate.define()).to.not.throw();
    expect(customElements.get('doctor-gate')).to.equal(DoctorGate);
  });
});

describe('remembering provisioned doctors', () => {
  afterEach(() => {
    clearProvisionCache();
    sessionStorage.clear();
  });

  it('remembers for the page life: a second gate for the doctor sends nothing', async () => {
    const id = uid('page-memory');
    await (await gate({ doctorId: id })).provision();
    const before = (await requests(id)).length;
    const again = await gate({ doctorId: id });
    expect((await again.provision()).outcome).to.equal('created');
    expect((await requests(id)).length).to.equal(before);
  });

  it('with session-ttl, remembers across a reload in sessionStorage, without any secret', async () => {
    const id = uid('session');
    await (await gate({ doctorId: id, attrs: { 'session-ttl': '60000' } })).provision();
    const stored = Object.keys(sessionStorage).map((key) => `${key}=${sessionStorage.getItem(key)}`);
    expect(stored.filter((entry) => entry.includes(id))).to.have.length(1);
    expect(stored.join('\n')).to.not.contain('sk_demo_token');
    forgetPageMemory(); // what a reload does to the page memory
    const before = (await requests(id)).length;
    const reloaded = await gate({ doctorId: id, attrs: { 'session-ttl': '60000' } });
    expect((await reloaded.provision()).outcome).to.equal('created');
    expect((await requests(id)).length).to.equal(before);
  });

  it('without session-ttl, nothing is written to sessionStorage', async () => {
    const id = uid('no-session');
    await (await gate({ doctorId: id })).provision();
    expect(Object.keys(sessionStorage).filter((key) => key.includes(id))).to.deep.equal([]);
  });

  it('an expired session entry is checked again', async () => {
    const id = uid('expired');
    await (await gate({ doctorId: id, attrs: { 'session-ttl': '1' } })).provision();
    await new Promise((resolve) => setTimeout(resolve, 20));
    clearProvisionCache();
    const before = (await requests(id, 'GET')).length;
    const el = await gate({ doctorId: id, attrs: { 'session-ttl': '1' } });
    expect((await el.provision()).outcome).to.equal('existing');
    expect((await requests(id, 'GET')).length).to.equal(before + 1);
  });
});

describe('a page that sets up the gate before the script defines it', () => {
  afterEach(() => clearProvisionCache());

  it('keeps properties and listeners set before the upgrade: no config error, then it provisions', async () => {
    const tag = `doctor-gate-late-${Math.random().toString(36).slice(2, 8)}`;
    const host = await fixture(html`<div></div>`);
    const el = document.createElement(tag) as DoctorGate;
    for (const [name, value] of Object.entries({
      'api-base': '/sandbox/speaknosis/v1/health',
      'provider-id': PROVIDER,
      'doctor-id': uid('late'),
      'doctor-name': 'Ana',
      'doctor-lastname': 'Late',
      'speciality-id': '1',
      'doctor-lang': 'EN',
      prefetch: 'none',
    })) {
      el.setAttribute(name, value);
    }
    // What the README's inline script does before the deferred drop-in runs.
    el.tokenProvider = async () => 'sk_demo_token';
    const errors: unknown[] = [];
    el.addEventListener('doctor-gate-error', (e) => errors.push((e as CustomEvent).detail));
    host.append(el);
    customElements.define(tag, class extends DoctorGate {});
    await el.updateComplete;
    expect(errors).to.deep.equal([]);
    expect(el.state).to.equal('idle');
    expect((await el.provision()).outcome).to.equal('created');
  });
});
