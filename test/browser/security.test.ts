import { expect } from '@open-wc/testing';
import { clearProvisionCache } from '../../src/index.js';
import {
  click,
  consoleDuring,
  gate,
  PROVIDER,
  record,
  requests,
  uid,
  until,
  waitFor,
  watchWindowOpen,
} from './helpers.js';

const SECRET = 'sk_demo_token';
describe('security', () => {
  let popups: ReturnType<typeof watchWindowOpen>;
  beforeEach(() => (popups = watchWindowOpen()));
  afterEach(() => {
    popups.restore();
    clearProvisionCache();
  });

  for (const how of ['attribute', 'tokenProvider'] as const) {
    it(`the token (${how}) never appears in an API URL, an event, the console, an attribute or the DOM`, async () => {
      const id = uid('secret');
      const el = await gate({
        doctorId: id,
        attrs: { mode: 'iframe', ...(how === 'tokenProvider' ? { token: undefined } : {}) },
      });
      if (how === 'tokenProvider') el.tokenProvider = async () => SECRET;
      await el.updateComplete;
      const log = record(el);
      const written = await consoleDuring(async () => {
        const opened = until(el, 'doctor-gate-open');
        await click(el);
        await opened;
        await waitFor(() => log.of('message').length > 0);
      });
      expect(written.filter((line) => line.includes(SECRET))).to.deep.equal([]);
      for (const event of log.events) expect(JSON.stringify(event.detail)).to.not.contain(SECRET);
      for (const entry of [...(await requests(id)), ...(await requests(`/provider/${PROVIDER}/user`, 'POST'))]) {
        expect(entry.path + entry.query).to.not.contain(SECRET);
      }
      const attributes = [...el.attributes].map((a) => `${a.name}=${a.value}`);
      if (how === 'tokenProvider') expect(attributes.join(' ')).to.not.contain(SECRET);
      else expect(attributes.filter((a) => a.includes(SECRET))).to.deep.equal([`token=${SECRET}`]);
      // The launch URL carries the token (the vendor defines it so), but never in a DOM attribute.
      const frame = el.shadowRoot!.querySelector('iframe')!;
      expect(frame.hasAttribute('src')).to.equal(false);
      expect(el.shadowRoot!.innerHTML).to.not.contain(SECRET);
      el.close();
    });
  }

  it('renders doctor names with markup as text and sends them unchanged', async () => {
    const id = uid('markup');
    const name = '<img src=x onerror="window.__pwned=1">';
    const el = await gate({ doctorId: id, attrs: { 'doctor-name': name, mode: 'none' } });
    const result = await el.provision();
    expect(result.outcome).to.equal('created');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
    const post = (await requests(`/provider/${PROVIDER}/user`, 'POST')).find((r) =>
      JSON.stringify(r.body).includes(id),
    )!;
    expect((post.body as { name: string }[])[0]!.name).to.equal(name);
  });

  it('hostile ids stay inside one path segment', async () => {
    for (const hostile of ['../../provider/2002/user/x', 'a?token=leak', 'b#frag', 'ü/ñ/中文', '%2e%2e%2f']) {
      const id = `${hostile}-${uid('')}`;
      const el = await gate({ doctorId: id, attrs: { mode: 'none' } });
      await el.provision();
      const [entry] = await requests(encodeURIComponent(id), 'GET');
      expect(entry!.path).to.equal(`/sandbox/speaknosis/v1/health/provider/${PROVIDER}/user/${encodeURIComponent(id)}`);
      expect(entry!.query).to.equal('');
    }
  });

  it('can still close a popup that has navigated to another origin (the opener link is kept)', async () => {
    // Same server, other origin: localhost and 127.0.0.1 are different origins.
    const host = location.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    const appUrl = `http://${host}:${location.port}/sandbox/app/speaknosis#/pop-up/?doctorId={doctorId}&token={token}`;
    const el = await gate({ attrs: { 'app-url': appUrl } });
    const opened = until(el, 'doctor-gate-open');
    await click(el);
    await opened;
    const popup = popups.calls[0]!.win!;
    await waitFor(() => {
      try {
        void popup.location.href;
        return false;
      } catch {
        return true; // Cross-origin now: the vendor app has loaded.
      }
    });
    const closed = until(el, 'doctor-gate-close');
    el.close();
    expect((await closed).detail).to.deep.include({ mode: 'popup', reason: 'api' });
    await waitFor(() => popup.closed);
  });

  it('keeps the opener for a same-origin app, so it can talk to the gate', async () => {
    const el = await gate();
    const log = record(el);
    const opened = until(el, 'doctor-gate-open');
    await click(el);
    await opened;
    await waitFor(() => log.of('message').length > 0);
    expect(log.of('message')[0].data).to.include({ type: 'sandbox-app:ready' });
    el.close();
  });
});

describe('a page with a strict CSP and Trusted Types (only the lit-html policy allowed)', () => {
  /** Loads test/csp/ on `path` in a fixed frame and resolves each report it posts. */
  function strictPage(path: 'iframe' | 'popup' | 'error') {
    const frame = document.createElement('iframe');
    frame.style.cssText = 'position:fixed;top:0;left:0;width:400px;height:300px;border:0;z-index:10';
    const reports: Record<string, unknown>[] = [];
    let notify = () => {};
    const onMessage = (event: MessageEvent) => {
      if (event.source === frame.contentWindow && (event.data as { type?: string }).type === 'csp-result') {
        reports.push(event.data as Record<string, unknown>);
        notify();
      }
    };
    window.addEventListener('message', onMessage);
    frame.src = `/test/csp/index.html?path=${path}&doctor=${encodeURIComponent(uid('csp'))}`;
    document.body.append(frame);
    const next = async (count: number) => {
      while (reports.length < count) await new Promise<void>((resolve) => (notify = resolve));
      return reports[count - 1]!;
    };
    const remove = () => (window.removeEventListener('message', onMessage), frame.remove());
    return { frame, next, remove };
  }

  function expectClean(data: Record<string, unknown>) {
    expect(data['csp']).to.contain("require-trusted-types-for 'script'");
    // lit-html's policy is the one the page allows, and the only one the gate needs.
    expect(data['csp']).to.contain('trusted-types lit-html');
    expect(data['violations']).to.deep.equal([]);
    expect(data['trustedTypes']).to.equal(true);
    // The drop-in exposes what a page needs of the core API as window.DoctorGate, and no more
    // (batch provisioning is back-office work, in doctor-gate/core).
    expect(data['api']).to.deep.equal([
      'DoctorGate',
      'DoctorGateError',
      'clearProvisionCache',
      'createClient',
      'doctorFromPractitioner',
      'provisionDoctor',
      'registerStrings',
    ]);
  }

  for (const path of ['iframe', 'popup'] as const) {
    it(`${path}: provisions and opens the app with no violation`, async function () {
      this.timeout(20_000);
      const page = strictPage(path);
      try {
        if (path === 'popup') {
          // A popup needs the doctor's click; the frame sits at the top left, so its coordinates are the page's.
          expect(await page.next(1)).to.include({ ready: true });
          await click(page.frame.contentDocument!.querySelector('doctor-gate')!);
        }
        const data = await page.next(path === 'popup' ? 2 : 1);
        expectClean(data);
        expect(data['outcome']).to.equal('created');
        expect(data['state']).to.equal('open');
        expect(data['appLoaded']).to.equal(true);
      } finally {
        page.remove();
      }
    });
  }

  it('error: a rejected credential is reported and shown with no violation', async function () {
    this.timeout(20_000);
    const page = strictPage('error');
    try {
      const data = await page.next(1);
      expectClean(data);
      expect(data['error']).to.deep.include({ code: 'unauthorized', step: 'check' });
      expect(data['state']).to.equal('error');
      expect(data['status']).to.equal('Speaknosis rejected the credential');
    } finally {
      page.remove();
    }
  });
});
