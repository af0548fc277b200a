// <doctor-gate vendor="prescrypto"> in real headless Chromium against the sandbox over HTTP.
import { expect, fixture, html } from '@open-wc/testing';
import { clearProvisionCache, type DoctorGate, type Doctor } from '../../src/index.js';
import { click, control, faults, type LogEntry, record, uid, until, waitFor, watchWindowOpen } from './helpers.js';

const API = '/sandbox/prescrypto';
const MEDICS = `${API}/api/v2/medics/`;
const KEY = 'pk_demo_key';
const APP = '/sandbox/app/prescrypto?token={medicToken}&v2_redirect=true';
const ELENA: Doctor = { name: 'Elena', lastname: 'Vidal', email: 'elena.vidal@clinic.example' };

/** An email no other test uses (Prescrypto identifies a medic by email). */
const freshEmail = (prefix = 'medic') => `${uid(prefix)}@clinic.example`;

interface GateSetup {
  doctor?: Doctor;
  medicToken?: string;
  attrs?: Record<string, string>;
}

/** A Prescrypto gate on the sandbox: the doctor through the `doctor` property, as a page would. */
async function prescryptoGate({ doctor, medicToken, attrs = {} }: GateSetup = {}): Promise<DoctorGate> {
  const el = document.createElement('doctor-gate');
  const all: Record<string, string> = {
    vendor: 'prescrypto',
    'api-base': API,
    token: KEY,
    'doctor-lang': 'EN',
    'app-url': APP,
    prefetch: 'none',
    mode: 'none',
    ...attrs,
  };
  for (const [name, value] of Object.entries(all)) el.setAttribute(name, value);
  el.doctor = doctor ?? { name: 'Nueva', lastname: 'Médica', email: freshEmail() };
  if (medicToken) el.medicToken = medicToken;
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  host.append(el);
  await el.updateComplete;
  return el;
}

/** Prescrypto requests logged after `since` (test files run one at a time, and these tests in order). */
async function prescryptoLog(since = 0): Promise<LogEntry[]> {
  const { entries } = await control<{ entries: LogEntry[] }>(
    `log?${new URLSearchParams({ path: API, since: String(since) })}`,
  );
  return entries;
}
const lastSeq = async () => (await prescryptoLog()).at(-1)?.seq ?? 0;

const medicState = (query: Record<string, string>) =>
  control<{ exists: boolean; active: boolean; count: number; medic: Record<string, unknown> | null }>(
    `state?${new URLSearchParams({ vendor: 'prescrypto', ...query })}`,
  );

const seedInactive = async (email: string) =>
  (
    await control<{ prescrypto: number[] }>('seed', {
      prescrypto: [{ key: KEY, name: 'Dormida Medic', email, is_active: false }],
    })
  ).prescrypto[0]!;

const isList = (entry: LogEntry) => entry.method === 'GET' && entry.path === MEDICS;

/** Everything the console printed while `run` ran. */
async function consoleDuring(run: () => Promise<void>): Promise<string> {
  const printed: unknown[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table'] as const;
  const originals = methods.map((name) => console[name]);
  for (const name of methods)
    (console as unknown as Record<string, (...args: unknown[]) => void>)[name] = (...args) => printed.push(args);
  try {
    await run();
  } finally {
    methods.forEach((name, i) => ((console as unknown as Record<string, unknown>)[name] = originals[i]));
  }
  return JSON.stringify(printed, (_key, value: unknown) =>
    value instanceof Error ? `${value.name} ${value.message}` : value,
  );
}

describe('Prescrypto', () => {
  afterEach(() => clearProvisionCache());

  describe('an existing medic', () => {
    it('is found on the second page without creating anything, every list request at limit ≤ 100', async () => {
      const since = await lastSeq();
      const el = await prescryptoGate({ doctor: ELENA });
      const log = record(el);
      const result = await el.provision();
      expect(result.outcome).to.equal('existing');
      expect(result.account).to.include({ id: 110, name: 'Elena Vidal', is_active: true });
      expect(log.of('before-create')).to.have.length(0);
      const sent = await prescryptoLog(since);
      expect(sent.map((entry) => `${entry.method} ${entry.path}`)).to.deep.equal([`GET ${MEDICS}`, `GET ${MEDICS}`]);
      // The first page asked for 100; the second is the vendor's absolute `next`, followed as given.
      expect(sent.map((entry) => entry.query)).to.deep.equal(['limit=100&offset=0', 'limit=100&offset=100']);
      for (const entry of sent.filter(isList))
        expect(Number(new URLSearchParams(entry.query).get('limit'))).to.be.at.most(100);
      expect(sent.every((entry) => entry.auth === 'Token')).to.equal(true);
      expect(await medicState({ email: ELENA.email! })).to.include({ count: 1, active: true });
    });

    it('stops walking at the page that has the medic', async () => {
      const since = await lastSeq();
      const el = await prescryptoGate({ doctor: { name: 'Medic', email: 'medic5@clinic.example' } });
      const result = await el.provision();
      expect(result.account.id).to.equal(5);
      // Page 1 has a `next` (more than 100 medics), which is not followed.
      expect((await prescryptoLog(since)).map((entry) => entry.query)).to.deep.equal(['limit=100&offset=0']);
    });

    it('matches the email case-insensitively', async () => {
      const el = await prescryptoGate({ doctor: { ...ELENA, email: 'Elena.VIDAL@Clinic.Example' } });
      expect((await el.provision()).account.id).to.equal(110);
    });

    it('is looked up by medic id when `doctor-id` gives it: one detail GET', async () => {
      const since = await lastSeq();
      const el = await prescryptoGate({ doctor: ELENA, attrs: { 'doctor-id': '110' } });
      const result = await el.provision();
      expect(result.outcome).to.equal('existing');
      expect(
        (await prescryptoLog(since)).map((entry) => `${entry.method} ${entry.path} ${entry.status}`),
      ).to.deep.equal([`GET ${MEDICS}110/ 200`]);
    });

    it('has no medic token in the account (the vendor returns it only on creation)', async () => {
      const el = await prescryptoGate({ doctor: ELENA });
      const log = record(el);
      await el.provision();
      expect(log.of('provisioned')[0].account).to.not.have.property('token');
      expect(log.of('provisioned')[0].account).to.not.have.property('password');
    });
  });

  describe('a new medic', () => {
    it('is announced (reactivation false), POSTed and "created" with the medic id and token', async () => {
      const email = freshEmail('new');
      const since = await lastSeq();
      const el = await prescryptoGate({
        doctor: { name: 'Lucía', lastname: 'Gómez', email, specialty: 'Cardiología', hospital: 7 },
      });
      const log = record(el);
      const result = await el.provision();
      expect(result.outcome).to.equal('created');
      expect(log.states()).to.deep.equal(['checking', 'creating', 'ready']);
      const { runId, ...beforeCreate } = log.of('before-create')[0];
      expect(runId).to.be.a('string');
      expect(beforeCreate).to.deep.equal({
        doctor: { name: 'Lucía', lastname: 'Gómez', email, specialty: 'Cardiología', hospital: 7, lang: 'EN' },
        reactivation: false,
      });
      const { account } = log.of('provisioned')[0];
      expect(account.token).to.match(/^mt_[0-9a-f]{40}$/);
      expect(account.id).to.be.a('number');
      expect(account).to.not.have.property('password');
      const posts = (await prescryptoLog(since)).filter((entry) => entry.method === 'POST');
      expect(posts).to.have.length(1);
      expect(posts[0]!.status).to.equal(201);
      // The sandbox log redacts the password it received.
      expect(posts[0]!.body).to.deep.equal({
        name: 'Lucía Gómez',
        password: '[redacted]',
        email,
        specialty: 'Cardiología',
        hospital: 7,
      });
      const state = await medicState({ email });
      expect(state).to.include({ exists: true, active: true, count: 1 });
      expect(state.medic).to.include({ id: account.id, specialty: 'Cardiología', hospital: 7 });
    });

    it('keeps the password out of every URL, event, attribute and the console: it is in the POST body only', async () => {
      const email = freshEmail('secret');
      const password = `Pw-${uid('secret')}-Z9!`;
      const since = await lastSeq();
      let el!: DoctorGate;
      let log!: ReturnType<typeof record>;
      const printed = await consoleDuring(async () => {
        el = await prescryptoGate({ doctor: { name: 'Sofía', email, password }, attrs: { mode: 'iframe' } });
        log = record(el);
        const opened = until(el, 'doctor-gate-open');
        await el.open();
        await opened;
        await waitFor(() => log.of('message').length > 0);
      });
      expect(log.of('provisioned')[0].outcome).to.equal('created');
      expect(printed).to.not.contain(password);
      expect(JSON.stringify(log.events.map((event) => event.detail))).to.not.contain(password);
      for (const attribute of el.getAttributeNames()) expect(el.getAttribute(attribute)).to.not.contain(password);
      expect(document.documentElement.outerHTML).to.not.contain(password);
      expect(el.shadowRoot!.innerHTML).to.not.contain(password);
      const frame = el.shadowRoot!.querySelector('iframe')!;
      expect(frame.contentWindow!.location.href).to.not.contain(encodeURIComponent(password));
      const sent = await prescryptoLog(since);
      for (const entry of sent)
        expect(`${entry.path}?${entry.query}`).to.not.contain(encodeURIComponent(password)).and.not.contain(password);
      const posts = sent.filter((entry) => entry.method === 'POST');
      expect(posts).to.have.length(1);
      expect(posts[0]!.body).to.have.property('password', '[redacted]');
      expect(sent.filter((entry) => entry.method !== 'POST' && entry.body !== null)).to.have.length(0);
      el.close();
    });

    it('gets a random password when the page gives none', async () => {
      const email = freshEmail('random');
      const since = await lastSeq();
      const el = await prescryptoGate({ doctor: { name: 'Ana', email } });
      await el.provision();
      const [post] = (await prescryptoLog(since)).filter((entry) => entry.method === 'POST');
      expect(post!.body).to.deep.equal({ name: 'Ana', password: '[redacted]', email });
    });
  });

  describe('opening the app', () => {
    let popups: ReturnType<typeof watchWindowOpen>;
    beforeEach(() => (popups = watchWindowOpen()));
    afterEach(() => popups.restore());

    it('iframe: a new medic lands in the app with the token from the creation', async () => {
      const el = await prescryptoGate({ attrs: { mode: 'iframe' } });
      const log = record(el);
      const opened = until(el, 'doctor-gate-open');
      await el.open();
      expect((await opened).detail).to.deep.include({ mode: 'iframe' });
      const { account } = log.of('provisioned')[0];
      const frame = el.shadowRoot!.querySelector('iframe')!;
      expect(frame.hasAttribute('src')).to.equal(false);
      await waitFor(() => frame.contentWindow!.location.pathname === '/sandbox/app/prescrypto');
      const query = new URLSearchParams(frame.contentWindow!.location.search);
      expect(query.get('token')).to.equal(account.token);
      expect(query.get('v2_redirect')).to.equal('true');
      expect(frame.contentWindow!.location.href).to.not.contain(KEY);
      // The stand-in app resolves the medic from the token and reports back.
      await waitFor(() => log.of('message').length > 0);
      expect(log.of('message')[0].data).to.deep.include({
        type: 'sandbox-app:ready',
        doctorId: account.id,
        exists: true,
      });
      expect(popups.calls).to.have.length(0);
      el.close();
    });

    it('an existing medic opens with the token the page saved (`medicToken`)', async () => {
      const el = await prescryptoGate({ doctor: ELENA, medicToken: 'mt_110', attrs: { mode: 'iframe' } });
      const log = record(el);
      const opened = until(el, 'doctor-gate-open');
      await el.open();
      await opened;
      expect(log.of('provisioned')[0].outcome).to.equal('existing');
      await waitFor(() => log.of('message').length > 0);
      expect(log.of('message')[0].data).to.deep.include({ type: 'sandbox-app:ready', doctorId: 110, exists: true });
      expect(el.getAttributeNames()).to.not.include('medic-token');
      el.close();
    });

    it('an existing medic without a medic token: `config` at step open, nothing opened', async () => {
      const el = await prescryptoGate({ doctor: ELENA, attrs: { mode: 'iframe' } });
      const log = record(el);
      await el.open();
      expect(log.of('provisioned')[0].outcome).to.equal('existing');
      expect(log.of('error')[0]).to.deep.include({ code: 'config', step: 'open', retryable: false });
      expect(log.of('error')[0].displayMessage).to.contain('medicToken');
      expect(log.of('open')).to.have.length(0);
      expect(el.shadowRoot!.querySelector('iframe')).to.equal(null);
      expect(el.state).to.equal('error');
    });

    it('mode="none" provisions an existing medic without any token', async () => {
      const el = await prescryptoGate({ doctor: ELENA });
      const log = record(el);
      await el.open();
      expect(log.of('provisioned')[0].outcome).to.equal('existing');
      expect(log.of('error')).to.have.length(0);
      expect(el.state).to.equal('ready');
    });

    it('popup: opens inside the click with the Prescrypto name and size, then the app', async () => {
      const el = await prescryptoGate({ attrs: { mode: 'popup' } });
      const log = record(el);
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      const [url, name, features] = popups.calls[0]!.args as [string, string, string];
      expect(url).to.equal('about:blank');
      expect(name).to.match(/^PrescryptoApp-[0-9a-z]{2,}$/);
      expect(features).to.equal('width=1100,height=800');
      await opened;
      const popup = popups.calls[0]!.win!;
      await waitFor(() => {
        try {
          return popup.location.pathname === '/sandbox/app/prescrypto';
        } catch {
          return false;
        }
      });
      expect(new URLSearchParams(popup.location.search).get('token')).to.equal(log.of('provisioned')[0].account.token);
      el.close();
    });
  });

  describe('an inactive medic', () => {
    it('is announced as a reactivation, PATCHed {is_active: true} (202) and "reactivated"', async () => {
      const email = freshEmail('inactive');
      const id = await seedInactive(email);
      const since = await lastSeq();
      const el = await prescryptoGate({ doctor: { name: 'Dormida', email } });
      const log = record(el);
      const result = await el.provision();
      expect(result.outcome).to.equal('reactivated');
      expect(log.of('before-create')[0].reactivation).to.equal(true);
      expect(log.of('provisioned')[0].account).to.include({ id, is_active: true });
      const changes = (await prescryptoLog(since)).filter((entry) => entry.method !== 'GET');
      expect(changes.map((entry) => [entry.method, entry.path, entry.status, entry.body])).to.deep.equal([
        ['PATCH', `${MEDICS}${id}/`, 202, { is_active: true }],
      ]);
      expect(await medicState({ email })).to.include({ active: true, count: 1 });
    });

    it('stays inactive when before-create is prevented', async () => {
      const email = freshEmail('keep');
      await seedInactive(email);
      const since = await lastSeq();
      const el = await prescryptoGate({ doctor: { name: 'Dormida', email } });
      el.addEventListener('doctor-gate-before-create', (event) => event.preventDefault());
      const error = await el.provision().catch((e: unknown) => e);
      expect(error).to.have.property('code', 'cancelled');
      expect((await prescryptoLog(since)).filter((entry) => entry.method !== 'GET')).to.have.length(0);
      expect(await medicState({ email })).to.include({ active: false });
    });
  });

  describe('errors', () => {
    it('an email taken by an account of another key: `conflict`, nothing created, nothing opened', async () => {
      const since = await lastSeq();
      const el = await prescryptoGate({
        doctor: { name: 'Someone', email: 'taken@elsewhere.example' },
        attrs: { mode: 'iframe' },
      });
      const log = record(el);
      await el.open();
      expect(log.of('error')[0]).to.deep.include({
        code: 'conflict',
        step: 'create',
        status: 400,
        retryable: false,
        displayMessage: 'This email already belongs to another Prescrypto account',
      });
      expect(log.of('open')).to.have.length(0);
      expect(log.of('provisioned')).to.have.length(0);
      expect(el.shadowRoot!.querySelector('iframe')).to.equal(null);
      const posts = (await prescryptoLog(since)).filter((entry) => entry.method === 'POST');
      expect(posts.map((entry) => entry.status)).to.deep.equal([400]);
      expect(await medicState({ email: 'taken@elsewhere.example' })).to.include({ count: 1 });
    });

    it('a hospital the key does not administer: `forbidden`, nothing created', async () => {
      const email = freshEmail('hospital');
      const el = await prescryptoGate({ doctor: { name: 'Ana', email, hospital: 8 } });
      const log = record(el);
      await el.provision().catch(() => undefined);
      expect(log.of('error')[0]).to.deep.include({ code: 'forbidden', step: 'create', status: 400 });
      expect(await medicState({ email })).to.include({ exists: false });
    });

    it('DRF field errors: `config` naming the fields', async () => {
      const email = freshEmail('drf');
      await faults({
        match: { method: 'POST', path: MEDICS, body: email },
        status: 400,
        body: {
          name: ['This field may not be blank.'],
          specialty: ['Ensure this field has no more than 100 characters.'],
        },
      });
      const el = await prescryptoGate({ doctor: { name: 'Ana', email, specialty: 'x'.repeat(120) } });
      const log = record(el);
      await el.provision().catch(() => undefined);
      expect(log.of('error')[0]).to.deep.include({ code: 'config', step: 'create', status: 400 });
      expect(log.of('error')[0].displayMessage).to.equal('Invalid configuration: doctor-name, specialty');
      expect(await medicState({ email })).to.include({ exists: false });
    });

    it('401 {"message":"Invalid Token"}: `unauthorized` at the check', async () => {
      const el = await prescryptoGate({ attrs: { token: 'pk_wrong' } });
      const log = record(el);
      await el.provision().catch(() => undefined);
      expect(log.of('error')[0]).to.deep.include({
        code: 'unauthorized',
        step: 'check',
        status: 401,
        retryable: false,
      });
      expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.equal('Prescrypto rejected the credential');
    });

    it('a doctor without an email: `config` naming doctor-email, and no request', async () => {
      const since = await lastSeq();
      const el = await prescryptoGate({ doctor: { name: 'Ana' } });
      const log = record(el);
      await el.provision().catch(() => undefined);
      expect(log.of('error')[0]).to.deep.include({ code: 'config', step: 'config' });
      expect(log.of('error')[0].displayMessage).to.equal('Invalid configuration: doctor-email');
      expect(await prescryptoLog(since)).to.have.length(0);
    });

    it('a bad optional field (an impossible date) is refused before any request', async () => {
      const since = await lastSeq();
      const el = await prescryptoGate({ doctor: { name: 'Ana', email: freshEmail(), date_of_birth: '1990-02-30' } });
      const log = record(el);
      await el.provision().catch(() => undefined);
      expect(log.of('error')[0].displayMessage).to.equal('Invalid configuration: date_of_birth');
      expect(await prescryptoLog(since)).to.have.length(0);
    });
  });

  describe('the element', () => {
    it('needs no provider-id, labels itself Prescrypto and is accessible', async () => {
      const el = await prescryptoGate({ doctor: ELENA });
      expect(el.state).to.equal('idle');
      expect(el.shadowRoot!.querySelector('button')!.textContent!.trim()).to.equal('Open Prescrypto');
      await expect(el).to.be.accessible();
    });
  });
});
