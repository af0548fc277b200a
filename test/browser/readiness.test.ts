// A Prescrypto medic who is provisioned but cannot prescribe yet: `doctor-gate-provisioned`
// carries the readiness, the gate shows a localized notice of what is missing, and the app
// still opens. Real browsers, the sandbox over HTTP.
import { expect, fixture, html } from '@open-wc/testing';
import { clearProvisionCache, type DoctorGate, type Doctor } from '../../src/index.js';
import { click, control, record, uid, until, watchWindowOpen } from './helpers.js';

const API = '/sandbox/prescrypto';
const KEY = 'pk_demo_key';
const APP = '/sandbox/app/prescrypto?token={medicToken}&v2_redirect=true';

async function gate(doctor: Doctor, attrs: Record<string, string> = {}, hospital?: number): Promise<DoctorGate> {
  const el = document.createElement('doctor-gate');
  const all = { vendor: 'prescrypto', 'api-base': API, token: KEY, 'app-url': APP, prefetch: 'none', ...attrs };
  for (const [name, value] of Object.entries(all)) el.setAttribute(name, value);
  el.doctor = doctor;
  if (hospital !== undefined) el.hospital = hospital;
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  host.append(el);
  await el.updateComplete;
  return el;
}

const notice = (el: DoctorGate) => el.shadowRoot!.querySelector('[part="notice"]');

describe('readiness', () => {
  afterEach(() => clearProvisionCache());

  it('a new medic (speciality not verified, no hospital): provisioned with readiness, a notice, and the app opens', async () => {
    const el = await gate(
      { name: 'Nueva', lastname: 'Médica', email: `${uid('ready')}@clinic.example` },
      {
        'doctor-lang': 'EN',
      },
    );
    const log = record(el);
    const windows = watchWindowOpen();
    try {
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await opened;
      const [provisioned] = log.of('provisioned');
      expect(provisioned.outcome).to.equal('created');
      expect(provisioned.readiness).to.deep.equal({
        ready: false,
        missing: ['specialty-verification', 'hospital'],
      });
      await el.updateComplete;
      expect(notice(el)?.textContent?.trim()).to.equal('Missing: verified specialty, hospital');
      expect(notice(el)?.getAttribute('role')).to.equal('status');
      expect(windows.calls).to.have.length(1);
      expect(el.state).to.equal('open');
      expect(log.of('error')).to.have.length(0);
      await expect(el).to.be.accessible();
    } finally {
      windows.restore();
    }
  });

  it('with the `hospital` property the membership is ensured: only the verification is missing, in Spanish', async () => {
    const el = await gate(
      { name: 'Otra', lastname: 'Médica', email: `${uid('member')}@clinic.example` },
      { 'doctor-lang': 'es-MX', mode: 'none' },
      7,
    );
    const log = record(el);
    const result = await el.provision();
    expect(result.readiness).to.deep.equal({ ready: false, missing: ['specialty-verification'] });
    expect(log.of('provisioned')[0]!.readiness).to.deep.equal(result.readiness);
    await el.updateComplete;
    expect(notice(el)?.textContent?.trim()).to.equal('Falta: especialidad verificada');
    const { entries } = await control<{ entries: { method: string; path: string; status: number }[] }>(
      `log?${new URLSearchParams({ path: '/memberships' })}`,
    );
    expect(entries.filter((e) => e.method === 'POST').at(-1)?.status).to.equal(201);
  });

  it('a ready medic shows no notice', async () => {
    const el = await gate({ name: 'Medic', email: 'medic1@clinic.example' }, { 'doctor-id': '1', mode: 'none' });
    const result = await el.provision();
    expect(result.readiness).to.deep.equal({ ready: true, missing: [] });
    await el.updateComplete;
    expect(notice(el)).to.equal(null);
  });

  it('a bad hospital id is a config error, nothing sent', async () => {
    const el = await gate({ name: 'Medic', email: 'medic1@clinic.example' }, { mode: 'none' }, -1);
    const log = record(el);
    await el.open();
    expect(log.of('error')[0]?.code).to.equal('config');
  });
});
