// Server mode with the doctor from a SMART on FHIR sign-in: the page signs in at the sandbox EHR
// (its token endpoint), keeps the id_token in a cookie, and the real handler at
// /ehr/doctor-gate/smart (demo/server-gates.js, smartDoctor) verifies it and reads the Practitioner.
import { expect, fixture, html } from '@open-wc/testing';
import { clearProvisionCache, DoctorGateError, doctorFromPractitioner, type DoctorGate } from '../../src/index.js';
import { click, control, isolateEachTest, record, requests, until, waitFor } from './helpers.js';

const SERVER = '/ehr/doctor-gate/smart';
// The sandbox EHR (`fixtures.smart.path`; the sandbox's own modules are not served to the page).
const EHR = '/sandbox/ehr/smart';
const APP = '/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}';
const COOKIES = { idToken: 'dg-ehr-id-token', accessToken: 'dg-ehr-access-token' };

interface Tokens {
  id_token: string;
  access_token: string;
}

/** Signs in at the sandbox EHR as `practitioner`, as the demo's buttons do. */
async function signInAt(practitioner: string): Promise<Tokens> {
  const response = await fetch(`${EHR}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ practitioner }),
  });
  expect(response.status).to.equal(200);
  const tokens = (await response.json()) as Tokens;
  setCookies(tokens.id_token, tokens.access_token);
  return tokens;
}
const setCookies = (idToken: string, accessToken: string) => {
  document.cookie = `${COOKIES.idToken}=${idToken}; path=/`;
  document.cookie = `${COOKIES.accessToken}=${accessToken}; path=/`;
};
const signOut = () => {
  for (const name of Object.values(COOKIES)) document.cookie = `${name}=; path=/; max-age=0`;
  clearProvisionCache();
};

async function smartGate(): Promise<DoctorGate> {
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  const el = document.createElement('doctor-gate');
  for (const [name, value] of Object.entries({ server: SERVER, 'app-url': APP, prefetch: 'none' })) {
    el.setAttribute(name, value);
  }
  host.append(el);
  await el.updateComplete;
  return el;
}

describe('server mode with a SMART on FHIR sign-in', () => {
  const popups = isolateEachTest();
  // The doctors' ids come from the EHR (fixed): start from the fixtures, so the first opening creates.
  before(() => control('reset', {}));
  afterEach(signOut);

  it('provisions and opens for the signed-in practitioner, in the language of their Practitioner', async () => {
    await signInAt('pr-jordi');
    const el = await smartGate();
    const log = record(el);
    const opened = until(el, 'doctor-gate-open');
    // A real click: Safari opens a popup only inside the user's gesture.
    await click(el);
    await opened;
    const [provisioned] = log.of('provisioned');
    expect(provisioned).to.deep.include({ outcome: 'created' });
    expect(provisioned.doctor).to.deep.include({
      id: 'smart-jordi',
      name: 'Jordi',
      lastname: 'Puig i Soler',
      email: 'jordi.puig@hospital.example',
      lang: 'CA',
    });
    // The vendor holds the doctor as the EHR describes them, Catalan included.
    const state = (await control(`state?vendor=speaknosis&providerId=1001&id=smart-jordi`)) as {
      user: { lang: string; name: string } | null;
    };
    expect(state.user).to.deep.include({ lang: 'CA', name: 'Jordi' });
    const popup = popups().calls[0]!.win!;
    await waitFor(() => {
      try {
        return popup.location.hash.includes('doctorId=smart-jordi');
      } catch {
        return false;
      }
    });
  });

  it('the practitioner without an email is provisioned too (Speaknosis needs none)', async () => {
    await signInAt('pr-sam');
    const el = await smartGate();
    const result = await el.provision();
    expect(result.doctor).to.deep.include({ id: 'smart-sam', lang: 'EN' });
    expect(result.doctor).not.to.have.property('email');
  });

  it('a forged cookie gets unauthorized from the server, and nothing reaches the vendor', async () => {
    const ana = await signInAt('pr-ana');
    const jordi = await signInAt('pr-jordi');
    // Jordi's claims under Ana's signature.
    const [header, , signature] = ana.id_token.split('.');
    setCookies(`${header}.${jordi.id_token.split('.')[1]}.${signature}`, jordi.access_token);
    const since = Math.max(0, ...(await requests('')).map((entry) => entry.seq));
    const el = await smartGate();
    const log = record(el);
    const failed = until(el, 'doctor-gate-error');
    await click(el);
    const { detail } = await failed;
    expect(detail).to.deep.include({ code: 'unauthorized' });
    // The page did nothing wrong, nor did the browser: the EHR's server refused the sign-in.
    expect(detail.source).not.to.be.oneOf(['page', 'browser']);
    expect(log.of('provisioned')).to.deep.equal([]);
    expect(popups().calls.filter((call) => call.win && !call.win.closed)).to.deep.equal([]);
    const after = (await requests('')).filter((entry) => entry.seq > since);
    expect(after.filter((entry) => !entry.path.startsWith('/sandbox/ehr/'))).to.deep.equal([]);
    expect(after.filter((entry) => entry.path.includes('/Practitioner/'))).to.deep.equal([]);
  });
});

describe('a Practitioner in the browser', () => {
  it("doctorFromPractitioner (doctor-gate) maps the EHR's resource, and refuses a Patient with a config error", async () => {
    const practitioner = await (await fetch(`${EHR}/fhir/Practitioner/pr-ana`)).json();
    expect(doctorFromPractitioner(practitioner, { idSystem: 'urn:doctor-gate:sandbox:staff' })).to.deep.equal({
      id: 'smart-ana',
      name: 'Ana María',
      lastname: 'Ortega',
      email: 'ana.ortega@hospital.example',
      lang: 'ES',
    });
    let refused: unknown;
    try {
      doctorFromPractitioner({ resourceType: 'Patient', id: 'p' } as never);
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(DoctorGateError);
    expect(refused).to.deep.include({ code: 'config', fields: ['resourceType'] });
  });

  it("the drop-in's window.DoctorGate.doctorFromPractitioner maps it too, and refuses one without a family name", async () => {
    const practitioner = await (await fetch(`${EHR}/fhir/Practitioner/pr-ana`)).json();
    const frame = document.createElement('iframe');
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    frame.srcdoc = '<!doctype html><script src="/dist/doctor-gate.iife.js"></script>';
    document.body.append(frame);
    try {
      await loaded;
      const dropIn = (frame.contentWindow as Window & typeof globalThis).DoctorGate;
      expect(dropIn.doctorFromPractitioner(practitioner, { idSystem: 'urn:doctor-gate:sandbox:staff' })).to.deep.equal({
        id: 'smart-ana',
        name: 'Ana María',
        lastname: 'Ortega',
        email: 'ana.ortega@hospital.example',
        lang: 'ES',
      });
      // Without idSystem the id is the resource's own.
      expect(dropIn.doctorFromPractitioner(practitioner)).to.include({ id: 'pr-ana' });
      let refused: unknown;
      try {
        dropIn.doctorFromPractitioner({ ...practitioner, name: [{ use: 'official', given: ['Ana'] }] });
      } catch (error) {
        refused = error;
      }
      // The drop-in's own error class (the frame's), a config error naming the missing field.
      expect(refused).to.be.instanceOf(dropIn.DoctorGateError);
      expect(refused).to.deep.include({ code: 'config', fields: ['name.family'] });
    } finally {
      frame.remove();
    }
  });
});
