import { expect, fixture, html } from '@open-wc/testing';
import { API, gate, PROVIDER, record, requests, TOKEN, uid, until } from './helpers.js';

/** Counts requests leaving the page (the real fetch still runs). */
function countFetches() {
  const original = window.fetch;
  const urls: string[] = [];
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    urls.push(String(input instanceof Request ? input.url : input));
    return original(input, init);
  };
  return { urls, restore: () => (window.fetch = original) };
}

const status = (el: HTMLElement) => el.shadowRoot!.querySelector('[part=status]')!;

describe('configuration is validated once, at the edge', () => {
  const invalid: [string, Record<string, string | undefined>, string][] = [
    ['no api-base', { 'api-base': undefined }, 'api-base'],
    ['an http api-base off loopback', { 'api-base': 'http://api.example.com/v1/health' }, 'api-base'],
    ['a javascript: api-base', { 'api-base': 'javascript:alert(1)' }, 'api-base'],
    ['a protocol-relative api-base', { 'api-base': '//evil.example/v1' }, 'api-base'],
    ['a javascript: app-url', { 'app-url': 'javascript:alert(1)' }, 'app-url'],
    ['a data: app-url', { 'app-url': 'data:text/html,hi' }, 'app-url'],
    ['no token', { token: undefined }, 'token'],
    ['no provider-id', { 'provider-id': undefined }, 'provider-id'],
    ['a provider-id that is not a number', { 'provider-id': '10a' }, 'provider-id'],
    ['no doctor-id', { 'doctor-id': undefined }, 'doctor-id'],
    ['a blank doctor-name', { 'doctor-name': '   ' }, 'doctor-name'],
    ['no doctor-lastname', { 'doctor-lastname': undefined }, 'doctor-lastname'],
    ['a bad doctor-email', { 'doctor-email': 'not-an-email' }, 'doctor-email'],
    ['a speciality-id that is not an integer', { 'speciality-id': 'x' }, 'speciality-id'],
    ['a speciality-id of 0', { 'speciality-id': '0' }, 'speciality-id'],
    ['a speciality-id in exponent notation', { 'speciality-id': '1e3' }, 'speciality-id'],
    ['a hexadecimal speciality-id', { 'speciality-id': '0x10' }, 'speciality-id'],
    ['a signed speciality-id', { 'speciality-id': '+5' }, 'speciality-id'],
    ['a speciality-id with a space', { 'speciality-id': ' 5' }, 'speciality-id'],
    ['an unknown mode', { mode: 'tab' }, 'mode'],
    ['an unknown vendor', { vendor: 'acme' }, 'vendor'],
    ['an unknown prefetch', { prefetch: 'always' }, 'prefetch'],
    ['a negative timeout', { timeout: '-5' }, 'timeout'],
    ['too many retries', { retries: '99' }, 'retries'],
  ];

  for (const [what, attrs, attribute] of invalid) {
    it(`${what}: a config error naming ${attribute}, a visible message, no request`, async () => {
      const fetches = countFetches();
      const id = uid('cfg');
      try {
        const errors: CustomEvent[] = [];
        document.addEventListener('doctor-gate-error', (e) => errors.push(e as CustomEvent));
        const el = await gate({
          doctorId: attrs['doctor-id'] === undefined && 'doctor-id' in attrs ? undefined : id,
          attrs,
        });
        if ('doctor-id' in attrs) el.removeAttribute('doctor-id');
        await el.updateComplete;
        expect(el.state).to.equal('error');
        const detail = errors.at(-1)!.detail;
        expect(detail).to.deep.include({ code: 'config', step: 'config', retryable: false });
        expect(detail.displayMessage).to.contain(attribute);
        expect(detail.displayMessage.startsWith('Invalid configuration: ')).to.equal(true);
        expect(status(el).textContent).to.equal(detail.displayMessage);
        expect(status(el).getAttribute('role')).to.equal('alert');
        // Clicking and calling the API do not send anything either.
        el.shadowRoot!.querySelector('button')!.click();
        await el.provision().catch(() => undefined);
        await el.open();
        expect(fetches.urls).to.deep.equal([]);
      } finally {
        fetches.restore();
      }
      expect(await requests(id)).to.have.length(0);
    });
  }

  it('accepts loopback http and same-origin paths for api-base', async () => {
    for (const base of ['http://127.0.0.1:1/v1', 'http://localhost:1/v1', '/sandbox/speaknosis/v1/health']) {
      const el = await gate({ attrs: { 'api-base': base } });
      expect(el.state, base).to.equal('idle');
    }
  });

  it('a bare tag whose properties come later (hydration) reports nothing before them, then provisions', async () => {
    // What a server-rendered `<doctor-gate>` is between the tag's upgrade and the framework's props.
    const el = (await fixture(html`<doctor-gate></doctor-gate>`)) as HTMLElementTagNameMap['doctor-gate'];
    const log = record(el);
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    expect(log.of('error')).to.deep.equal([]);
    expect(status(el).textContent).to.equal('');
    Object.assign(el, {
      apiBase: API,
      token: TOKEN,
      providerId: PROVIDER,
      doctorId: uid('later'),
      doctorName: 'Ana',
      doctorLastname: 'García',
      specialityId: 1,
      prefetch: 'none',
    });
    await el.updateComplete;
    expect(log.of('error')).to.deep.equal([]);
    expect((await el.provision()).outcome).to.equal('created');
  });

  it('a bare tag asked to provision says what is missing, and sends nothing', async () => {
    const el = (await fixture(html`<doctor-gate></doctor-gate>`)) as HTMLElementTagNameMap['doctor-gate'];
    const log = record(el);
    const before = (await requests('/sandbox/speaknosis/v1/health/')).length;
    const error = await el.provision().catch((e: unknown) => e);
    expect(error).to.include({ code: 'config' });
    expect(log.of('error')[0]).to.deep.include({ code: 'config', source: 'page' });
    expect(log.of('error')[0]!.message).to.match(/api-base/);
    expect(el.state).to.equal('error');
    expect((await requests('/sandbox/speaknosis/v1/health/')).length).to.equal(before);
  });

  it('recovers when the missing attribute is set', async () => {
    const el = await gate({ attrs: { token: undefined } });
    expect(el.state).to.equal('error');
    const log = record(el);
    el.setAttribute('token', 'sk_demo_token');
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    expect(log.states()).to.deep.equal(['idle']);
    expect((await el.provision()).outcome).to.equal('created');
  });

  it('accepts the token from tokenProvider instead of an attribute', async () => {
    const el = await gate({ attrs: { token: undefined } });
    let calls = 0;
    el.tokenProvider = async () => (calls++, 'sk_demo_token');
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    expect((await el.provision()).outcome).to.equal('created');
    expect(calls).to.equal(1);
    expect(el.hasAttribute('token')).to.equal(false);
  });

  it('lets the doctor property win over attributes', async () => {
    const el = await gate({ attrs: { 'doctor-name': undefined } });
    el.doctor = { name: 'Lucía', lastname: 'Gómez' };
    await el.updateComplete;
    const before = until(el, 'doctor-gate-before-create');
    el.provision().catch(() => undefined);
    expect((await before).detail.doctor).to.include({ name: 'Lucía', lastname: 'Gómez' });
  });
});

describe('language', () => {
  const labels: Record<string, string> = {
    ES: 'Abrir Speaknosis',
    EN: 'Open Speaknosis',
    CA: 'Obre Speaknosis',
    PT: 'Abrir Speaknosis',
    FR: 'Ouvrir Speaknosis',
  };
  const configMessages: Record<string, string> = {
    ES: 'Configuración no válida: token',
    EN: 'Invalid configuration: token',
    CA: 'Configuració no vàlida: token',
    PT: 'Configuração inválida: token',
    FR: 'Configuration invalide : token',
  };

  for (const lang of Object.keys(labels)) {
    it(`doctor-lang="${lang}" drives the UI strings`, async () => {
      const el = await gate({ attrs: { 'doctor-lang': lang, token: undefined } });
      const slot = el.shadowRoot!.querySelector('slot')!;
      expect(slot.textContent!.trim()).to.equal(labels[lang]);
      expect(status(el).textContent).to.equal(configMessages[lang]);
    });
  }

  it('falls back to the nearest page lang, then to ES', async () => {
    const wrapper = await fixture(html`<section lang="fr-CA"><div></div></section>`);
    const el = document.createElement('doctor-gate');
    wrapper.querySelector('div')!.append(el);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('slot')!.textContent!.trim()).to.equal('Ouvrir Speaknosis');
    const plain = await fixture(html`<div lang="de"><doctor-gate></doctor-gate></div>`);
    const other = plain.querySelector('doctor-gate')!;
    await other.updateComplete;
    expect(other.shadowRoot!.querySelector('slot')!.textContent!.trim()).to.equal('Abrir Speaknosis');
  });

  for (const given of ['xx', 'Portuguese', 'de-DE']) {
    it(`doctor-lang="${given}" is a config error naming doctor-lang (the UI falls back to the page, then ES)`, async () => {
      const fetches = countFetches();
      try {
        const el = await gate({ attrs: { 'doctor-lang': given } });
        const errors: CustomEvent[] = [];
        el.addEventListener('doctor-gate-error', (e) => errors.push(e as CustomEvent));
        expect(el.state).to.equal('error');
        expect(status(el).textContent).to.equal('Configuración no válida: doctor-lang');
        await el.provision().catch(() => undefined);
        expect(errors[0]!.detail).to.deep.include({ code: 'config', step: 'config' });
        expect(fetches.urls).to.deep.equal([]);
      } finally {
        fetches.restore();
      }
    });
  }

  for (const [given, sent] of [
    ['es-MX', 'ES'],
    ['pt-BR', 'PT'],
    ['fr', 'FR'],
    ['eN', 'EN'],
  ]) {
    it(`doctor-lang="${given}" counts as ${sent}`, async () => {
      const el = await gate({ attrs: { 'doctor-lang': given } });
      expect(el.state).to.equal('idle');
      const before = until(el, 'doctor-gate-before-create');
      el.provision().catch(() => undefined);
      expect((await before).detail.doctor.lang).to.equal(sent);
    });
  }

  it('sends the resolved language with the doctor', async () => {
    const el = await gate({ attrs: { 'doctor-lang': 'CA' } });
    const before = until(el, 'doctor-gate-before-create');
    el.provision().catch(() => undefined);
    expect((await before).detail.doctor.lang).to.equal('CA');
  });

  it('shows the slotted label instead of the default', async () => {
    const el = await gate();
    el.textContent = 'Abrir escriba';
    await el.updateComplete;
    const slot = el.shadowRoot!.querySelector('slot')!;
    expect(
      slot
        .assignedNodes()
        .map((n) => n.textContent)
        .join(''),
    ).to.equal('Abrir escriba');
  });
});
