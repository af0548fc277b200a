// Unsetting an input from a framework restores its default (issue 14, item 2): React 19 passing
// `undefined` after a value, Vue 3 binding an unset value (`undefined`, `null` or `''`).
import { expect } from '@open-wc/testing';
import { createRoot, type Root } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { createApp, nextTick, ref, type App } from 'vue/dist/vue.esm-browser.js';
import { clearProvisionCache, type DoctorGate } from '../../src/index.js';
import { API, PROVIDER, TOKEN, uid } from '../browser/helpers.js';

interface Inputs {
  mode?: 'popup' | 'iframe' | 'none';
  timeout?: number;
  retries?: number;
  prefetch?: 'intent' | 'eager' | 'none';
}

const SET: Inputs = { mode: 'iframe', timeout: 5000, retries: 1, prefetch: 'none' };
const DEFAULTS: Inputs = { mode: 'popup', timeout: 10_000, retries: 3, prefetch: 'intent' };

const inputsOf = (el: DoctorGate): Inputs => ({
  mode: el.mode,
  timeout: el.timeout,
  retries: el.retries,
  prefetch: el.prefetch,
});

function watchErrors(el: Element) {
  const codes: string[] = [];
  el.addEventListener('doctor-gate-error', (event) => codes.push((event as CustomEvent).detail.code));
  return codes;
}

describe('unset restores the default, from a framework', () => {
  let host: HTMLDivElement;
  beforeEach(() => {
    host = document.createElement('div');
    document.body.append(host);
  });
  afterEach(() => {
    host.remove();
    clearProvisionCache();
  });

  describe('React 19', () => {
    let root: Root | undefined;
    afterEach(() => {
      root?.unmount();
      root = undefined;
    });

    const Gate = ({ inputs, doctorId }: { inputs: Inputs; doctorId: string }) => (
      <doctor-gate
        apiBase={API}
        token={TOKEN}
        providerId={PROVIDER}
        doctorId={doctorId}
        doctorName="Ana"
        doctorLastname="García"
        specialityId={1}
        doctorLang="EN"
        {...inputs}
      />
    );

    it('mode={undefined} after mode="iframe" gives popup (and timeout, retries, prefetch their defaults), no error', async () => {
      const doctorId = uid('react-unset');
      root = createRoot(host);
      flushSync(() => root!.render(<Gate inputs={SET} doctorId={doctorId} />));
      const el = host.querySelector('doctor-gate')!;
      const errors = watchErrors(el);
      await el.updateComplete;
      expect(inputsOf(el)).to.deep.equal(SET);
      const unset = { mode: undefined, timeout: undefined, retries: undefined, prefetch: undefined };
      flushSync(() => root!.render(<Gate inputs={unset} doctorId={doctorId} />));
      await el.updateComplete;
      expect(inputsOf(el)).to.deep.equal(DEFAULTS);
      expect(el.state).to.equal('idle');
      expect(errors).to.deep.equal([]);
    });
  });

  describe('Vue 3', () => {
    let app: App | undefined;
    afterEach(() => {
      app?.unmount();
      app = undefined;
    });

    for (const [what, empty] of [
      ["''", ''],
      ['undefined', undefined],
      ['null', null],
    ] as const) {
      it(`binding ${what} after a value restores each default, no error`, async () => {
        const bound = ref<Record<string, unknown>>({ ...SET });
        app = createApp({
          // Strings bound as Vue decides (here a property). Numbers with `.attr`: bound as a property,
          // Vue turns an unset number into 0 (its rule for number properties), which is a real value.
          template: `<doctor-gate :api-base="api" :token="token" :provider-id="provider" :doctor-id="doctorId"
            doctor-name="Ana" doctor-lastname="García" speciality-id="1" doctor-lang="EN"
            :mode="bound.mode" :prefetch="bound.prefetch" :timeout.attr="bound.timeout" :retries.attr="bound.retries"
          ></doctor-gate>`,
          setup: () => ({ api: API, token: TOKEN, provider: PROVIDER, doctorId: uid('vue-unset'), bound }),
        });
        app.config.compilerOptions.isCustomElement = (tag: string) => tag === 'doctor-gate';
        app.mount(host);
        const el = host.querySelector('doctor-gate')!;
        const errors = watchErrors(el);
        await el.updateComplete;
        expect(inputsOf(el)).to.deep.equal(SET);
        bound.value = { mode: empty, timeout: empty, retries: empty, prefetch: empty };
        await nextTick();
        await el.updateComplete;
        expect(inputsOf(el)).to.deep.equal(DEFAULTS);
        expect(el.state).to.equal('idle');
        expect(errors).to.deep.equal([]);
      });
    }
  });
});
