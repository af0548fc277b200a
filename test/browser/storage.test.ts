// A page script that poisons `sessionStorage` before the gate runs with `session-ttl`: the gate
// trusts nothing it finds there (issue 12, item 8), through the element and the real sandbox.
import { expect, fixture, html } from '@open-wc/testing';
import { clearProvisionCache, type DoctorGate } from '../../src/index.js';
import { forgetPageMemory } from '../../src/core/page-runs.js';
import { gate, record, requests, uid, userState, waitFor } from './helpers.js';

const TTL = { 'session-ttl': '600000' };

/** The storage key the gate wrote for `id` (one per doctor, ending with the doctor's id). */
const keyFor = (id: string) => {
  const keys = Object.keys(sessionStorage).filter((key) => key.endsWith(`|${id}`));
  expect(keys, `one stored entry for ${id}`).to.have.length(1);
  return keys[0]!;
};

/** A doctor provisioned with `session-ttl`, then the page memory forgotten (what a reload does). */
async function stored(id: string) {
  await (await gate({ doctorId: id, attrs: TTL })).provision();
  forgetPageMemory();
  return keyFor(id);
}

describe('a poisoned sessionStorage, through the element', () => {
  afterEach(() => {
    clearProvisionCache();
    sessionStorage.clear();
  });

  it('an entry in the old, unversioned shape claiming "existing" for an unknown doctor: checked and created', async () => {
    const known = uid('known');
    const victim = uid('not-at-vendor');
    const key = (await stored(known)).slice(0, -known.length) + victim;
    sessionStorage.setItem(
      key,
      JSON.stringify({
        expires: Date.now() + 60_000,
        result: { outcome: 'existing', doctor: { id: victim }, account: {} },
      }),
    );
    expect(await userState(victim)).to.include({ exists: false });
    const el = await gate({ doctorId: victim, attrs: TTL });
    const log = record(el);
    const result = await el.provision();
    expect(result.outcome).to.equal('created');
    expect(log.of('provisioned')[0]).to.deep.include({ outcome: 'created' });
    expect(await userState(victim)).to.include({ exists: true, active: true });
    expect((await requests(victim, 'GET')).map((r) => r.status)).to.deep.equal([404]);
    // The forged entry is gone; what is there now is the gate's own, in its own shape.
    expect(JSON.parse(sessionStorage.getItem(key)!)).to.deep.include({ v: 1, key: key.replace(/^doctor-gate:/, '') });
  });

  it("doctor A's well-formed entry copied to doctor B's key is ignored: B is checked and created, and reported as B", async () => {
    const a = uid('doctor-a');
    const b = uid('doctor-b');
    const keyA = await stored(a);
    const keyB = keyA.slice(0, -a.length) + b;
    sessionStorage.setItem(keyB, sessionStorage.getItem(keyA)!);
    const el = await gate({ doctorId: b, attrs: TTL });
    const log = record(el);
    expect((await el.provision()).outcome).to.equal('created');
    expect(log.of('provisioned')[0].doctor).to.deep.include({ id: b });
    expect(await userState(b)).to.include({ exists: true, active: true });
    expect((await requests(b, 'GET')).map((r) => r.status)).to.deep.equal([404]);
    // A's own entry still counts for A: nothing is sent for A again.
    const before = (await requests(a)).length;
    expect((await (await gate({ doctorId: a, attrs: TTL })).provision()).outcome).to.equal('created');
    expect((await requests(a)).length).to.equal(before);
  });
});

describe('a poisoned sessionStorage, Prescrypto: a stored account.token is never used', () => {
  afterEach(() => {
    clearProvisionCache();
    sessionStorage.clear();
  });

  /** Elena (medic 110 in the sandbox seed) in an iframe gate; her token comes from the page only. */
  async function elena(medicToken?: string): Promise<DoctorGate> {
    const el = document.createElement('doctor-gate');
    for (const [name, value] of Object.entries({
      vendor: 'prescrypto',
      'api-base': '/sandbox/prescrypto',
      token: 'pk_demo_key',
      'doctor-lang': 'EN',
      'app-url': '/sandbox/app/prescrypto?token={medicToken}&v2_redirect=true',
      prefetch: 'none',
      mode: 'iframe',
      ...TTL,
    }))
      el.setAttribute(name, value);
    el.doctor = { name: 'Elena', lastname: 'Vidal', email: 'elena.vidal@clinic.example' };
    if (medicToken) el.medicToken = medicToken;
    (await fixture<HTMLDivElement>(html`<div></div>`)).append(el);
    await el.updateComplete;
    return el;
  }

  /** Elena's real entry, rewritten by a page script to carry a forged medic token. */
  async function forgedEntry() {
    await (await elena()).provision();
    forgetPageMemory();
    const [key] = Object.keys(sessionStorage).filter((k) => k.startsWith('doctor-gate:prescrypto|'));
    const entry = JSON.parse(sessionStorage.getItem(key!)!);
    const forge = (account: object) => ({ ...account, token: 'mt_forged' });
    // Wherever an entry keeps the account (today's shape, or the old one's `result`).
    if (entry.result) entry.result.account = forge(entry.result.account);
    sessionStorage.setItem(key!, JSON.stringify({ ...entry, account: forge(entry.account ?? {}) }));
    return (await requests('/sandbox/prescrypto')).length;
  }

  it("the launch uses the page's medicToken, not the stored one; with none, `config` at open", async () => {
    const sent = await forgedEntry();
    const el = await elena('mt_110');
    const opened = new Promise((resolve) => el.addEventListener('doctor-gate-open', resolve, { once: true }));
    await el.open();
    await opened;
    // Served from the stored entry: nothing sent to Prescrypto (so the entry was read).
    expect((await requests('/sandbox/prescrypto')).length).to.equal(sent);
    const frame = el.shadowRoot!.querySelector('iframe')!;
    await waitFor(() => frame.contentWindow!.location.href.includes('token='));
    const launched = frame.contentWindow!.location.href;
    expect(launched).to.contain('token=mt_110');
    expect(launched).to.not.contain('mt_forged');
    el.close();

    const bare = await elena();
    const log = record(bare);
    await bare.open();
    expect(log.of('error')[0]).to.deep.include({ code: 'config', step: 'open' });
    expect(log.of('open')).to.have.length(0);
    expect(bare.shadowRoot!.querySelector('iframe')).to.equal(null);
  });
});
