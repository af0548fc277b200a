// Two copies of the drop-in on one page (the page's and a same-origin iframe's, each numbering its
// gates from 1): one copy's failure never closes, nor navigates, the other copy's open app.
import { expect } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import type { DoctorGate } from '../../src/index.js';
import { click, faults, gate, isolateEachTest, uid, until, waitFor } from './helpers.js';

/** A same-origin frame running its own copy of the built drop-in. */
async function frameWithDropIn(): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width:400px;height:120px;border:0';
  frame.srcdoc = '<!doctype html><script src="/dist/doctor-gate.iife.js"></script>';
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  return frame;
}

describe('two copies of the drop-in', () => {
  const popups = isolateEachTest();

  it("the frame copy's failed check closes its own popup, never the page copy's open app", async () => {
    const doctorA = uid('copy-page');
    const page = await gate({ doctorId: doctorA });
    const opened = until(page, 'doctor-gate-open');
    await click(page);
    await opened;
    const app = popups().calls[0]!.win!;
    await waitFor(() => app.location.href.includes(doctorA));

    const frame = await frameWithDropIn();
    try {
      const win = frame.contentWindow! as Window & typeof globalThis;
      const theirs: Window[] = [];
      const open = win.open.bind(win);
      win.open = ((...args: Parameters<typeof window.open>) => {
        const opened = open(...args);
        if (opened) theirs.push(opened);
        return opened;
      }) as typeof window.open;
      const doctorB = uid('copy-frame');
      await faults({ match: { method: 'GET', path: doctorB }, status: 500, times: 5 });
      const other = win.document.createElement('doctor-gate') as DoctorGate;
      for (const [name, value] of Object.entries({
        // Absolute: a srcdoc frame's own URL is about:srcdoc.
        'api-base': `${location.origin}/sandbox/speaknosis/v1/health`,
        token: 'sk_demo_token',
        'provider-id': '1001',
        'doctor-id': doctorB,
        'doctor-name': 'Bea',
        'doctor-lastname': 'Copy',
        'speciality-id': '1',
        'doctor-lang': 'EN',
        'app-url': `${location.origin}/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}`,
        prefetch: 'none',
        retries: '0',
      }))
        other.setAttribute(name, value);
      win.document.body.append(other);
      await other.updateComplete;
      const failed = until(other, 'doctor-gate-error');
      // A real click on the frame copy's button, in page coordinates.
      const inFrame = other.shadowRoot!.querySelector('button')!.getBoundingClientRect();
      const at = frame.getBoundingClientRect();
      await sendMouse({
        type: 'click',
        position: [Math.round(at.x + inFrame.x + inFrame.width / 2), Math.round(at.y + inFrame.y + inFrame.height / 2)],
      });
      expect((await failed).detail).to.deep.include({ code: 'server', step: 'check' });
      expect(theirs).to.have.length(1);
      expect(theirs[0]).to.not.equal(app);
      await waitFor(() => theirs[0]!.closed);
      // The page copy's app is still open, on its own doctor, and the page gate still says so.
      expect(app.closed).to.equal(false);
      expect(app.location.href).to.contain(doctorA);
      expect(page.state).to.equal('open');
    } finally {
      frame.remove();
      page.close();
    }
  });
});
