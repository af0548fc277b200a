import { expect } from '@open-wc/testing';
import { gate, until } from './helpers.js';

describe('accessibility', () => {
  it('is accessible when idle', async () => {
    const el = await gate();
    await expect(el).to.be.accessible();
  });

  it('is accessible in error, with the message in an alert', async () => {
    const el = await gate({ attrs: { token: undefined } });
    expect(el.state).to.equal('error');
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.equal('Invalid configuration: token');
    await expect(el).to.be.accessible();
  });

  it('is accessible when open in an iframe, with a titled frame and a status', async () => {
    const el = await gate({ attrs: { mode: 'iframe' } });
    const opened = until(el, 'doctor-gate-open');
    void el.open();
    await opened;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.equal('Speaknosis open');
    await expect(el).to.be.accessible();
    el.close();
  });
});
