import { expect } from '@open-wc/testing';
import { clearProvisionCache, type DoctorGate } from '../../src/index.js';
import {
  click,
  clickAnd,
  faults,
  gate,
  hold,
  record,
  requests,
  seedSpeaknosis,
  uid,
  until,
  userState,
  waitFor,
  watchWindowOpen,
} from './helpers.js';

describe('opening the app', () => {
  let popups: ReturnType<typeof watchWindowOpen>;
  beforeEach(() => (popups = watchWindowOpen()));
  afterEach(() => {
    popups.restore();
    clearProvisionCache();
  });

  describe('mode="popup"', () => {
    it('opens the popup inside the click, before the check answers, then navigates it to the app', async () => {
      const id = uid('popup');
      const check = await hold({ match: { method: 'GET', path: id } });
      const el = await gate({ doctorId: id });
      const log = record(el);
      const opening = until(el, 'doctor-gate-open');
      // Still inside the check: the popup exists already, on a local "preparing" page.
      const inClick = await clickAnd(el, () => ({
        urls: popups.calls.map((call) => call.url),
        state: el.state,
        text: popups.calls[0]?.win?.document.body.textContent,
      }));
      expect(inClick).to.deep.equal({ urls: ['about:blank'], state: 'checking', text: 'Preparing Speaknosis…' });
      await check.arrived();
      // Still so once the driver's click has returned: the check has no answer until released.
      expect([popups.calls.length, el.state, popups.calls[0]?.url]).to.deep.equal([1, 'checking', 'about:blank']);
      const popup = popups.calls[0]!.win!;
      expect(await check.release()).to.equal(1);
      const opened = await opening;
      expect(opened.detail).to.deep.include({ mode: 'popup' });
      expect(log.states()).to.deep.equal(['checking', 'creating', 'ready', 'open']);
      await waitFor(() => {
        try {
          return popup.location.pathname === '/sandbox/app/speaknosis';
        } catch {
          return false;
        }
      });
      const hash = new URLSearchParams(popup.location.hash.replace(/^#\/pop-up\/\?/, ''));
      expect(hash.get('doctorId')).to.equal(id);
      expect(hash.get('view')).to.equal('analysis');
      expect(hash.get('token')).to.equal('sk_demo_token');
      el.close();
    });

    it('uses the vendor popup name and size', async () => {
      const el = await gate();
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      const [url, name, features] = popups.calls[0]!.args as string[];
      expect([url, features]).to.deep.equal(['about:blank', 'width=900,height=650']);
      expect(name).to.match(/^SpeaknosisPopUp-[0-9a-z]{2,}$/);
      await opened;
      el.close();
    });

    it('closes the popup again when provisioning fails', async () => {
      const id = uid('fails');
      await faults({ match: { method: 'GET', path: id }, status: 403 });
      const el = await gate({ doctorId: id });
      const failed = until(el, 'doctor-gate-error');
      await click(el);
      const popup = popups.calls[0]!.win!;
      const error = await failed;
      expect(error.detail).to.deep.include({ code: 'forbidden', step: 'check' });
      expect(popup.closed).to.equal(true);
      expect(el.state).to.equal('error');
    });

    it('a gate that fails never closes the popup another gate opened', async () => {
      const first = await gate();
      const opened = until(first, 'doctor-gate-open');
      await click(first);
      await opened;
      const id = uid('other');
      await faults({ match: { method: 'GET', path: id }, status: 401 });
      const second = await gate({ doctorId: id });
      const failed = until(second, 'doctor-gate-error');
      await click(second);
      await failed;
      expect(popups.calls).to.have.length(2);
      expect(popups.calls[0]!.win).to.not.equal(popups.calls[1]!.win);
      expect(popups.calls[1]!.win!.closed).to.equal(true);
      expect(popups.calls[0]!.win!.closed).to.equal(false);
      expect(first.state).to.equal('open');
      first.close();
    });

    it('each opening owns its window: a stale run never closes the popup of a newer click', async () => {
      const id = uid('owns');
      // Every check for this doctor is held: the first run cannot end before the second click.
      const check = await hold({ match: { method: 'GET', path: id }, times: 2 });
      const el = await gate({ doctorId: id });
      const log = record(el);
      await click(el);
      await check.arrived();
      // The doctor closes the "Preparing…" popup and clicks again before the first run ends.
      popups.calls[0]!.win!.close();
      await waitFor(() => popups.calls[0]!.win!.closed);
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      expect(popups.calls).to.have.length(2);
      const second = popups.calls[1]!.win!;
      expect(second).to.not.equal(popups.calls[0]!.win);
      expect(log.of('open')).to.deep.equal([]);
      await check.release();
      await opened;
      // Past a `closed` poll of the stale opening, had it one.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(second.closed).to.equal(false);
      expect(el.state).to.equal('open');
      expect(log.of('open')).to.have.length(1);
      expect(log.of('close')).to.deep.equal([]);
      el.close();
      expect(second.closed).to.equal(true);
    });

    it('window names are unique per page load, even across two copies of the drop-in', async () => {
      /** A same-origin frame with its own copy of the drop-in, as a page with an embedded EHR view has. */
      const copy = async () => {
        const frame = document.createElement('iframe');
        frame.srcdoc = '<!doctype html><script src="/dist/doctor-gate.iife.js"></script>';
        const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
        document.body.append(frame);
        await loaded;
        return frame;
      };
      const frames = [await copy(), await copy()];
      const names: string[] = [];
      try {
        for (const frame of frames) {
          const win = frame.contentWindow! as Window & typeof globalThis;
          // Recorded and refused: the name is what matters here, not a real popup.
          win.open = ((_url: string, name: string) => (names.push(name), null)) as typeof window.open;
          const el = win.document.createElement('doctor-gate') as DoctorGate;
          for (const [name, value] of Object.entries({
            // Absolute: a srcdoc frame's own URL is about:srcdoc.
            'api-base': `${location.origin}/sandbox/speaknosis/v1/health`,
            token: 'sk_demo_token',
            'provider-id': '1001',
            'doctor-id': uid('names'),
            'doctor-name': 'Ana',
            'doctor-lastname': 'Copy',
            'speciality-id': '1',
            prefetch: 'none',
          }))
            el.setAttribute(name, value);
          win.document.body.append(el);
          await el.updateComplete;
          const failed = until(el, 'doctor-gate-error');
          void el.open();
          const detail = (await failed).detail;
          expect(detail, detail.message).to.deep.include({ code: 'popup-blocked' });
        }
      } finally {
        for (const frame of frames) frame.remove();
      }
      expect(names).to.have.length(2);
      expect(names[0]).to.match(/^SpeaknosisPopUp-/);
      expect(names[0]).to.not.equal(names[1]);
    });

    it('reports `popup-blocked` when window.open returns null, and creates nothing', async () => {
      const id = uid('blocked');
      const original = window.open;
      window.open = () => null;
      try {
        const el = await gate({ doctorId: id });
        const log = record(el);
        const failed = until(el, 'doctor-gate-error');
        await click(el);
        expect((await failed).detail).to.deep.include({ code: 'popup-blocked', step: 'open', retryable: false });
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.equal(
          'The browser blocked the window; allow pop-ups',
        );
        // The check had already left (requests go out before window.open); it is abandoned.
        expect(log.of('provisioned')).to.deep.equal([]);
        expect(el.state).to.equal('error');
      } finally {
        window.open = original;
      }
      expect(await requests(id, 'POST')).to.have.length(0);
      expect(await userState(id)).to.include({ exists: false });
    });

    /** The order of fetch and window.open calls during one click on the gate. */
    async function orderOfClick(el: DoctorGate): Promise<string[]> {
      const original = window.fetch;
      const open = window.open;
      const order: string[] = [];
      window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
        order.push(`fetch ${init?.method ?? 'GET'}`);
        return original(input, init);
      };
      window.open = (...args: Parameters<typeof window.open>) => (order.push('window.open'), open.apply(window, args));
      try {
        const opened = until(el, 'doctor-gate-open');
        await click(el);
        await opened;
      } finally {
        window.fetch = original;
        window.open = open;
      }
      return order;
    }

    it('sends the check before window.open blocks the page', async () => {
      const el = await gate();
      expect((await orderOfClick(el)).slice(0, 2)).to.deep.equal(['fetch GET', 'window.open']);
      el.close();
    });

    it('after a hover found a new doctor, sends the create before window.open', async () => {
      const id = uid('hover-new');
      const el = await gate({ doctorId: id, attrs: { prefetch: 'intent' } });
      el.shadowRoot!.querySelector('button')!.dispatchEvent(new PointerEvent('pointerenter'));
      await waitFor(async () => (await requests(id, 'GET')).some((r) => r.status === 404));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const log = record(el);
      expect((await orderOfClick(el)).slice(0, 2)).to.deep.equal(['fetch POST', 'window.open']);
      expect(log.of('before-create')).to.have.length(1);
      expect(log.states()).to.deep.equal(['checking', 'creating', 'ready', 'open']);
      el.close();
    });

    it('a click that finds the gate ready opens the popup straight on the app', async () => {
      const id = uid('ready');
      await seedSpeaknosis([{ id }]);
      const el = await gate({ doctorId: id, attrs: { prefetch: 'intent' } });
      const log = record(el);
      el.shadowRoot!.querySelector('button')!.dispatchEvent(new PointerEvent('pointerenter'));
      await waitFor(async () => (await requests(id, 'GET')).some((r) => r.status === 200));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      const url = String(popups.calls[0]!.url);
      expect(url.startsWith('/sandbox/app/speaknosis#')).to.equal(true);
      expect(url).to.contain(`doctorId=${encodeURIComponent(id)}`);
      await opened;
      // The app's own messages may already follow (WebDriver's click returns later than CDP's).
      const types = log.types();
      expect(types.slice(0, 4)).to.deep.equal(['provisioned', 'state', 'state', 'open']);
      expect(types.slice(4).filter((type) => type !== 'message')).to.deep.equal([]);
      expect(log.states()).to.deep.equal(['ready', 'open']);
      expect((await requests(id, 'GET')).length).to.equal(1);
      el.close();
    });

    it('emits close with reason "user" when the doctor closes the popup', async () => {
      const el = await gate();
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await opened;
      const popup = popups.calls[0]!.win!;
      // The doctor closes the app, not a window still navigating to it (WebKit may ignore that close).
      await waitFor(() => {
        try {
          return popup.location.pathname === '/sandbox/app/speaknosis';
        } catch {
          return false;
        }
      });
      const closed = until(el, 'doctor-gate-close');
      popup.close();
      expect((await closed).detail).to.deep.include({ mode: 'popup', reason: 'user' });
      expect(el.state).to.equal('ready');
    });

    it('close() closes the popup with reason "api"', async () => {
      const el = await gate();
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await opened;
      const closed = until(el, 'doctor-gate-close');
      el.close();
      expect((await closed).detail).to.deep.include({ mode: 'popup', reason: 'api' });
      expect(popups.calls[0]!.win!.closed).to.equal(true);
    });

    it('a second click focuses the open popup instead of opening another', async () => {
      const el = await gate();
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await opened;
      await click(el);
      expect(popups.calls).to.have.length(1);
      el.close();
    });
  });

  describe('mode="iframe"', () => {
    it('renders a titled, permission-scoped iframe and navigates it by location, not src', async () => {
      const id = uid('iframe');
      const el = await gate({ doctorId: id, attrs: { mode: 'iframe' } });
      const log = record(el);
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      expect((await opened).detail).to.deep.include({ mode: 'iframe' });
      const frame = el.shadowRoot!.querySelector('iframe')!;
      expect(frame.getAttribute('part')).to.equal('frame');
      expect(frame.getAttribute('allow')).to.equal(
        `microphone ${location.origin}; screen-wake-lock ${location.origin}`,
      );
      expect(frame.getAttribute('referrerpolicy')).to.equal('no-referrer');
      expect(frame.getAttribute('title')).to.equal('Speaknosis app');
      expect(frame.hasAttribute('src')).to.equal(false);
      await waitFor(() => frame.contentWindow!.location.pathname === '/sandbox/app/speaknosis');
      expect(frame.contentWindow!.location.hash).to.contain('view=iframe');
      expect(frame.contentWindow!.location.hash).to.contain(`doctorId=${encodeURIComponent(id)}`);
      expect(popups.calls).to.have.length(0);
      expect(log.states()).to.deep.equal(['checking', 'creating', 'ready', 'open']);
      el.close();
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('iframe')).to.equal(null);
      expect(log.of('close')[0]).to.deep.include({ mode: 'iframe', reason: 'api' });
    });

    it('grants the microphone to a cross-origin app, whose messages are forwarded', async () => {
      const host = location.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
      const appOrigin = `http://${host}:${location.port}`;
      const el = await gate({
        attrs: {
          mode: 'iframe',
          'app-url': `${appOrigin}/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}&host=${encodeURIComponent(location.origin)}`,
        },
      });
      const log = record(el);
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await opened;
      expect(el.shadowRoot!.querySelector('iframe')!.getAttribute('allow')).to.equal(
        `microphone ${appOrigin}; screen-wake-lock ${appOrigin}`,
      );
      await waitFor(() => log.of('message').length > 0);
      // The app reads its grant from document.featurePolicy; WebKit has no such API, so there only the
      // `allow` above is checked (the app reports null: "cannot tell").
      const canTell = 'featurePolicy' in document;
      expect(log.of('message')[0].data).to.include({ type: 'sandbox-app:ready', microphone: canTell ? true : null });
      el.close();
    });

    it('is 320×220 by default, Speaknosis\'s documented "MD" size', async () => {
      const el = await gate({ attrs: { mode: 'iframe' } });
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await opened;
      const box = el.shadowRoot!.querySelector('iframe')!.getBoundingClientRect();
      expect([box.width, box.height]).to.deep.equal([320, 220]);
      el.close();
    });

    it('a double click opens the iframe once, with one doctor-gate-open', async () => {
      const id = uid('double');
      const check = await hold({ match: { method: 'GET', path: id }, times: 2 });
      const el = await gate({ doctorId: id, attrs: { mode: 'iframe' } });
      const log = record(el);
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await check.arrived();
      // The second click comes while the first one's check is in flight.
      await click(el);
      expect(log.of('open')).to.deep.equal([]);
      await check.release();
      await opened;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(log.of('open')).to.have.length(1);
      expect(el.shadowRoot!.querySelectorAll('iframe')).to.have.length(1);
      el.close();
    });

    it('postMessage() posts to the opened app with its exact origin, and is false when nothing is open', async () => {
      const el = await gate({ attrs: { mode: 'iframe' } });
      const log = record(el);
      expect(el.postMessage({ type: 'early' })).to.equal(false);
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await opened;
      await waitFor(() => log.of('message').length > 0); // the app has loaded
      const app = el.shadowRoot!.querySelector('iframe')!.contentWindow!;
      const received = new Promise<MessageEvent>((resolve) =>
        app.addEventListener('message', resolve as EventListener, { once: true }),
      );
      expect(el.postMessage({ type: 'host-focus' })).to.equal(true);
      const event = await received;
      expect([event.data, event.origin, event.source === window]).to.deep.equal([
        { type: 'host-focus' },
        location.origin,
        true,
      ]);
      // The target origin is the launch URL's, never '*'.
      const targets: unknown[] = [];
      const post = app.postMessage.bind(app);
      app.postMessage = ((data: unknown, origin: string) => (targets.push(origin), post(data, origin))) as typeof post;
      el.postMessage({ type: 'host-blur' });
      expect(targets).to.deep.equal([location.origin]);
      el.close();
      expect(el.postMessage({ type: 'late' })).to.equal(false);
    });

    it('honours --doctor-gate-frame-width and --doctor-gate-frame-height', async () => {
      const el = await gate({ attrs: { mode: 'iframe' } });
      el.style.setProperty('--doctor-gate-frame-width', '200px');
      el.style.setProperty('--doctor-gate-frame-height', '120px');
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await opened;
      const box = el.shadowRoot!.querySelector('iframe')!.getBoundingClientRect();
      expect([box.width, box.height]).to.deep.equal([200, 120]);
      el.close();
    });

    it('forwards messages from the app only, and stops after close', async () => {
      const el = await gate({ attrs: { mode: 'iframe' } });
      const log = record(el);
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await opened;
      const frame = el.shadowRoot!.querySelector('iframe')!;
      // The stand-in app announces itself once loaded.
      await waitFor(() => log.of('message').length > 0);
      expect(log.of('message')[0].data).to.include({ type: 'sandbox-app:ready' });
      // Same origin but another source (this window, another frame): dropped.
      window.postMessage({ type: 'forged' }, location.origin);
      const other = document.createElement('iframe');
      document.body.append(other);
      other.contentWindow!.parent.postMessage({ type: 'forged-frame' }, '*');
      // Right source, wrong origin: a MessageEvent built by hand with the frame as source.
      window.dispatchEvent(
        new MessageEvent('message', {
          data: { type: 'wrong-origin' },
          origin: 'https://evil.example',
          source: frame.contentWindow,
        }),
      );
      // Right source and origin.
      window.dispatchEvent(
        new MessageEvent('message', { data: { type: 'good' }, origin: location.origin, source: frame.contentWindow }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      other.remove();
      const received = log.of('message').map((m) => (m.data as { type: string }).type);
      expect(received).to.include('good');
      expect(received).to.not.include('forged');
      expect(received).to.not.include('forged-frame');
      expect(received).to.not.include('wrong-origin');
      const window0 = frame.contentWindow;
      el.close();
      const before = log.of('message').length;
      window.dispatchEvent(
        new MessageEvent('message', { data: { type: 'late' }, origin: location.origin, source: window0 }),
      );
      expect(log.of('message').length).to.equal(before);
    });

    it('removes the iframe and reports reason "disconnected" when the gate is removed', async () => {
      const el = await gate({ attrs: { mode: 'iframe' } });
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await opened;
      const closed = new Promise<CustomEvent>((resolve) =>
        el.addEventListener('doctor-gate-close', (e) => resolve(e as CustomEvent)),
      );
      el.remove();
      expect((await closed).detail).to.deep.include({ mode: 'iframe', reason: 'disconnected' });
    });
  });

  describe('mode="none"', () => {
    it('provisions on click and opens nothing', async () => {
      const el = await gate({ attrs: { mode: 'none' } });
      const log = record(el);
      const provisioned = until(el, 'doctor-gate-provisioned');
      await click(el);
      await provisioned;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(popups.calls).to.have.length(0);
      expect(log.of('open')).to.have.length(0);
      expect(el.state).to.equal('ready');
    });
  });

  describe('app-url', () => {
    it('fills every placeholder, each encodeURIComponent-encoded', async () => {
      const id = uid('tpl') + ' &=#';
      const el = await gate({
        doctorId: id,
        attrs: {
          mode: 'iframe',
          'appointment-id': 'a&b',
          'report-example-id': '7',
          'app-url':
            '/sandbox/app/speaknosis#/pop-up/?p={providerId}&d={doctorId}&l={lang}&v={view}&a={appointmentId}&r={reportExampleId}&m={medicToken}&x={unknown}',
        },
      });
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      await opened;
      const frame = el.shadowRoot!.querySelector('iframe')!;
      await waitFor(() => frame.contentWindow!.location.pathname === '/sandbox/app/speaknosis');
      expect(frame.contentWindow!.location.hash).to.equal(
        `#/pop-up/?p=1001&d=${encodeURIComponent(id)}&l=EN&v=iframe&a=a%26b&r=7&m=&x={unknown}`,
      );
    });
  });
});
