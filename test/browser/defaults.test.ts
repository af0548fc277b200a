import { expect } from '@open-wc/testing';
import { clearProvisionCache, type DoctorGate } from '../../src/index.js';
import { click, gate, record, until, watchWindowOpen } from './helpers.js';

/** attribute, property, a value other than the default, the default. */
const WITH_DEFAULT: [string, keyof DoctorGate, string, unknown][] = [
  ['mode', 'mode', 'iframe', 'popup'],
  ['prefetch', 'prefetch', 'none', 'intent'],
  ['vendor', 'vendor', 'prescrypto', 'speaknosis'],
  ['timeout', 'timeout', '5000', 10_000],
  ['retries', 'retries', '1', 3],
  ['session-ttl', 'sessionTtl', '60000', 0],
];

/** The three ways a page or a framework unsets an input. */
const UNSET: Record<string, (el: DoctorGate, attribute: string, property: keyof DoctorGate) => void> = {
  'attribute removed': (el, attribute) => el.removeAttribute(attribute),
  'property set to undefined': (el, _, property) => ((el as unknown as Record<string, unknown>)[property] = undefined),
  "attribute set to ''": (el, attribute) => el.setAttribute(attribute, ''),
};

describe('unsetting an input restores its default', () => {
  afterEach(() => clearProvisionCache());

  for (const [attribute, property, value, fallback] of WITH_DEFAULT) {
    for (const [how, unset] of Object.entries(UNSET)) {
      it(`${attribute}: ${how} gives ${String(fallback)}, not a config error`, async () => {
        const el = await gate({
          attrs: { [attribute]: value, ...(attribute === 'prefetch' ? {} : { prefetch: 'none' }) },
        });
        const log = record(el);
        unset(el, attribute, property);
        await el.updateComplete;
        expect(el[property]).to.equal(fallback);
        expect(el.state).to.equal('idle');
        expect(log.of('error')).to.deep.equal([]);
      });
    }
  }

  it('a removed mode opens a popup again, and the gate provisions as before', async () => {
    const popups = watchWindowOpen();
    try {
      const el = await gate({ attrs: { mode: 'iframe' } });
      el.removeAttribute('mode');
      await el.updateComplete;
      const opened = until(el, 'doctor-gate-open');
      await click(el);
      expect((await opened).detail).to.deep.include({ mode: 'popup' });
      expect(popups.calls).to.have.length(1);
      el.close();
    } finally {
      popups.restore();
    }
  });

  it('an invalid value that is then removed clears the config error', async () => {
    const el = await gate({ attrs: { timeout: 'abc' } });
    expect(el.state).to.equal('error');
    el.removeAttribute('timeout');
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    expect(el.timeout).to.equal(10_000);
    expect((await el.provision()).outcome).to.equal('created');
  });
});
