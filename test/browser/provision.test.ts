import { expect } from '@open-wc/testing';
import { clearProvisionCache } from '../../src/index.js';
import { faults, gate, PROVIDER, record, requests, seedSpeaknosis, uid, until, userState } from './helpers.js';

describe('provisioning on Speaknosis', () => {
  afterEach(() => clearProvisionCache());

  describe('an active doctor', () => {
    it('is "existing" after one GET and no POST', async () => {
      const id = uid('active');
      await seedSpeaknosis([{ id }]);
      const el = await gate({ doctorId: id });
      const log = record(el);
      const result = await el.provision();
      expect(result.outcome).to.equal('existing');
      expect(log.of('provisioned')[0]).to.deep.include({ outcome: 'existing' });
      expect(log.of('before-create')).to.have.length(0);
      const sent = await requests(id);
      expect(sent.map((r) => `${r.method} ${r.status}`)).to.deep.equal(['GET 200']);
      expect(sent[0]!.auth).to.equal('Bearer');
    });
  });

  describe('a new doctor', () => {
    it('is checked (404), announced before creation, POSTed as a one-item array and "created"', async () => {
      const id = uid('new');
      const el = await gate({ doctorId: id, attrs: { 'doctor-email': 'ana@clinic.example' } });
      const log = record(el);
      const result = await el.provision();
      expect(result.outcome).to.equal('created');
      expect(log.states()).to.deep.equal(['checking', 'creating', 'ready']);
      expect(log.types()).to.deep.equal(['state', 'before-create', 'state', 'provisioned', 'state']);
      const { runId, ...beforeCreate } = log.of('before-create')[0];
      expect(runId).to.be.a('string');
      expect(beforeCreate).to.deep.equal({
        doctor: { id, name: 'Ana', lastname: 'García', email: 'ana@clinic.example', specialityId: 1, lang: 'EN' },
        reactivation: null,
      });
      const provisioned = log.of('provisioned')[0];
      expect(provisioned.outcome).to.equal('created');
      expect(provisioned.doctor.id).to.equal(id);
      expect(provisioned.account.id).to.equal(id);
      const sent = await requests(id);
      expect(sent.map((r) => `${r.method} ${r.status}`)).to.deep.equal(['GET 404']);
      const posts = (await requests(`/provider/${PROVIDER}/user`, 'POST')).filter((r) =>
        JSON.stringify(r.body).includes(id),
      );
      expect(posts).to.have.length(1);
      expect(posts[0]!.body).to.deep.equal([
        { id, name: 'Ana', lastname: 'García', email: 'ana@clinic.example', specialityId: 1, lang: 'EN' },
      ]);
      expect(await userState(id)).to.include({ exists: true, active: true });
    });

    it('reflects each state to the `state` attribute', async () => {
      const el = await gate();
      const seen: string[] = [];
      el.addEventListener('doctor-gate-state', () => seen.push(el.getAttribute('state')!));
      expect(el.getAttribute('state')).to.equal('idle');
      await el.provision();
      expect(seen).to.deep.equal(['checking', 'creating', 'ready']);
    });

    it('stops with `cancelled` and sends no POST when before-create is prevented', async () => {
      const id = uid('cancel');
      const el = await gate({ doctorId: id });
      const log = record(el);
      el.addEventListener('doctor-gate-before-create', (event) => event.preventDefault());
      const error = await el.provision().catch((e: unknown) => e);
      expect(error).to.have.property('code', 'cancelled');
      expect(log.of('error')[0]).to.deep.include({ code: 'cancelled', step: 'create', retryable: false });
      const posts = (await requests(`/provider/${PROVIDER}/user`, 'POST')).filter((r) =>
        JSON.stringify(r.body).includes(id),
      );
      expect(posts).to.have.length(0);
      expect(await userState(id)).to.include({ exists: false });
    });
  });

  describe('a soft-deleted doctor', () => {
    it('is POSTed again and "reactivated"', async () => {
      const id = uid('deleted');
      await seedSpeaknosis([{ id, deleted: true }]);
      const el = await gate({ doctorId: id });
      const log = record(el);
      const result = await el.provision();
      expect(result.outcome).to.equal('reactivated');
      expect(log.of('before-create')[0].reactivation).to.equal(null);
      expect(log.of('provisioned')[0].outcome).to.equal('reactivated');
      expect(await userState(id)).to.include({ exists: true, active: true });
    });
  });

  describe('a doctor created meanwhile by another tab', () => {
    it('takes the 409 "user already exists" as "existing"', async () => {
      const id = uid('race');
      // The check still says 404, but another tab has created the user before our POST lands.
      await seedSpeaknosis([{ id }]);
      await faults({
        match: { method: 'GET', path: id },
        status: 404,
        body: { success: false, code: 404, response: 'user not found' },
      });
      const el = await gate({ doctorId: id });
      const result = await el.provision();
      expect(result.outcome).to.equal('existing');
      const posts = (await requests(`/provider/${PROVIDER}/user`, 'POST')).filter((r) =>
        JSON.stringify(r.body).includes(id),
      );
      expect(posts.map((p) => p.status)).to.deep.equal([409]);
    });
  });

  describe('errors', () => {
    it('maps a 401 to `unauthorized` at the check, not retryable', async () => {
      const el = await gate({ attrs: { token: 'sk_wrong' } });
      const log = record(el);
      await el.provision().catch(() => undefined);
      expect(log.of('error')[0]).to.deep.include({
        code: 'unauthorized',
        step: 'check',
        status: 401,
        retryable: false,
      });
      expect(el.state).to.equal('error');
      expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.equal('Speaknosis rejected the credential');
    });

    it('maps a provider the token may not use to `forbidden` (403)', async () => {
      const el = await gate({ attrs: { 'provider-id': '2002' } });
      const log = record(el);
      await el.provision().catch(() => undefined);
      expect(log.of('error')[0]).to.deep.include({ code: 'forbidden', step: 'check', status: 403 });
    });

    it('maps a per-doctor status that is not a success to `create-failed`', async () => {
      const id = uid('failed');
      const el = await gate({ doctorId: id });
      await faults({
        match: { method: 'POST', path: `/provider/${PROVIDER}/user` },
        status: 201,
        body: {
          success: true,
          code: 201,
          response: [{ id, name: 'Ana', lastname: 'García', status: 'invalid user: lang' }],
        },
      });
      const log = record(el);
      await el.provision().catch(() => undefined);
      expect(log.of('error')[0]).to.deep.include({ code: 'create-failed', step: 'create', retryable: false });
    });

    it('maps a 2xx body of the wrong shape to `bad-response`', async () => {
      const id = uid('shape');
      const el = await gate({ doctorId: id });
      await faults({ match: { method: 'POST', path: `/provider/${PROVIDER}/user` }, status: 201, body: { ok: 'yes' } });
      const log = record(el);
      await el.provision().catch(() => undefined);
      expect(log.of('error')[0]).to.deep.include({ code: 'bad-response', step: 'create' });
    });
  });

  describe('path encoding', () => {
    for (const id of ['a/b', '../../admin', 'q?x=1', 'h#frag', 'señor médico', '%2F']) {
      it(`keeps ${JSON.stringify(id)} inside one path segment`, async () => {
        const el = await gate({ doctorId: id + uid('') });
        await el.provision();
        const sent = await requests(`/user/${encodeURIComponent(id)}`, 'GET');
        expect(sent).to.have.length.greaterThan(0);
        expect(sent.at(-1)!.path).to.equal(
          `/sandbox/speaknosis/v1/health/provider/${PROVIDER}/user/${encodeURIComponent(el.doctorId!)}`,
        );
        expect(sent.at(-1)!.query).to.equal('');
      });
    }
  });

  describe('one run per doctor', () => {
    it('twenty gates for one new doctor make one check and one create', async () => {
      const id = uid('twenty');
      const gates = await Promise.all(Array.from({ length: 20 }, () => gate({ doctorId: id })));
      const results = await Promise.all(gates.map((el) => el.provision()));
      expect(new Set(results.map((r) => r.outcome))).to.deep.equal(new Set(['created']));
      expect((await requests(id, 'GET')).length).to.equal(1);
      const posts = (await requests(`/provider/${PROVIDER}/user`, 'POST')).filter((r) =>
        JSON.stringify(r.body).includes(id),
      );
      expect(posts).to.have.length(1);
    });

    it('fires `provisioned` once per gate however often provision() is called', async () => {
      const el = await gate();
      const log = record(el);
      await Promise.all([el.provision(), el.provision()]);
      await el.provision();
      expect(log.of('provisioned')).to.have.length(1);
    });
  });

  describe('prefetch="eager"', () => {
    it('provisions on connect, before any click', async () => {
      const id = uid('eager');
      const provisioned = new Promise<CustomEvent>((resolve) =>
        document.addEventListener('doctor-gate-provisioned', (e) => resolve(e as CustomEvent), { once: true }),
      );
      const el = await gate({ doctorId: id, attrs: { prefetch: 'eager' } });
      const event = await provisioned;
      expect(event.target).to.equal(el);
      expect(event.detail.outcome).to.equal('created');
      expect(el.state).to.equal('ready');
    });
  });

  describe('prefetch="intent"', () => {
    it('adds one preconnect per origin for the app (and none for the page origin), however many gates', async () => {
      const host = location.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
      const appOrigin = `http://${host}:${location.port}`;
      const links = () =>
        [...document.head.querySelectorAll<HTMLLinkElement>('link[rel=preconnect]')].map((l) =>
          l.href.replace(/\/$/, ''),
        );
      const gates = await Promise.all(
        [1, 2, 3].map(() =>
          gate({ attrs: { prefetch: 'intent', 'app-url': `${appOrigin}/sandbox/app/speaknosis#/?d={doctorId}` } }),
        ),
      );
      for (const el of gates) el.shadowRoot!.querySelector('button')!.dispatchEvent(new PointerEvent('pointerenter'));
      expect(links().filter((href) => href === appOrigin)).to.have.length(1);
      expect(links().filter((href) => href === location.origin)).to.have.length(0);
    });

    it('checks on hover without creating anything, then the click creates with no second check', async () => {
      const id = uid('intent');
      const el = await gate({ doctorId: id, attrs: { prefetch: 'intent', mode: 'none' } });
      el.shadowRoot!.querySelector('button')!.dispatchEvent(new PointerEvent('pointerenter'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await requests(id, 'GET')).length).to.equal(1);
      expect(await userState(id)).to.include({ exists: false });
      const done = until(el, 'doctor-gate-provisioned');
      el.shadowRoot!.querySelector('button')!.click();
      expect((await done).detail.outcome).to.equal('created');
      expect((await requests(id, 'GET')).length).to.equal(1);
    });
  });
});
