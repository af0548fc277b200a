// <doctor-gate> in a Vue 3 app whose template is compiled at runtime: `.tokenProvider` binds a
// property, `@doctor-gate-*` listens to the gate's events, and a reactive change re-provisions.
// Asserted over HTTP on the sandbox.
import { expect } from '@open-wc/testing';
// The full build for the browser (runtime + template compiler). The `esm-bundler` build expects a
// bundler to replace `process.env.NODE_ENV`; native modules in the test runner have no bundler.
import { createApp, nextTick, ref, type App } from 'vue/dist/vue.esm-browser.js';
import { clearProvisionCache } from '../../src/index.js';
import { API, PROVIDER, TOKEN, requests, uid, userState, waitFor } from '../browser/helpers.js';

const TEMPLATE = `
  <doctor-gate
    :api-base="api"
    :provider-id="provider"
    :doctor-id="doctorId"
    doctor-name="Ana"
    doctor-lastname="García"
    :speciality-id="1"
    doctor-lang="EN"
    mode="none"
    :prefetch="prefetch"
    .tokenProvider="tokenProvider"
    @doctor-gate-state="seen.states.push($event.detail.state)"
    @doctor-gate-provisioned="onProvisioned"
    @doctor-gate-error="seen.errors.push($event.detail.code)"
  >Open Speaknosis</doctor-gate>`;

describe('Vue 3', () => {
  let host: HTMLDivElement;
  let app: App | undefined;

  beforeEach(() => {
    host = document.createElement('div');
    document.body.append(host);
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
    host.remove();
    clearProvisionCache();
  });

  function mount(doctorId: string, prefetch: 'none' | 'eager', tokenProvider: () => Promise<string>) {
    const seen = {
      states: [] as string[],
      provisioned: [] as { outcome: string; id: unknown }[],
      errors: [] as string[],
    };
    const doctor = ref(doctorId);
    app = createApp({
      template: TEMPLATE,
      setup: () => ({
        api: API,
        provider: PROVIDER,
        doctorId: doctor,
        prefetch,
        tokenProvider,
        seen,
        onProvisioned: (event: CustomEvent<{ outcome: string; account: Record<string, unknown> }>) =>
          seen.provisioned.push({ outcome: event.detail.outcome, id: event.detail.account['id'] }),
      }),
    });
    app.config.compilerOptions.isCustomElement = (tag: string) => tag === 'doctor-gate';
    app.mount(host);
    const gate = host.querySelector('doctor-gate');
    expect(gate).to.be.instanceOf(HTMLElement);
    return { gate: gate!, seen, doctor };
  }

  it('binds tokenProvider as a property and hears the events through @doctor-gate-*', async () => {
    const id = uid('vue');
    let asked = 0;
    const tokenProvider = async () => (asked++, TOKEN);
    const { gate, seen } = mount(id, 'none', tokenProvider);
    await gate.updateComplete;

    expect(gate.tokenProvider).to.equal(tokenProvider);
    expect(gate.apiBase).to.equal(API);
    expect(gate.hasAttribute('token')).to.equal(false);

    gate.shadowRoot!.querySelector('button')!.click();
    await waitFor(() => seen.provisioned.length > 0 || seen.errors.length > 0);

    expect(seen.errors).to.deep.equal([]);
    expect(seen.provisioned).to.deep.equal([{ outcome: 'created', id }]);
    expect(seen.states).to.deep.equal(['checking', 'creating', 'ready']);
    expect(asked).to.be.greaterThan(0);
    expect((await requests(id)).map((r) => `${r.method} ${r.status} ${r.auth}`)).to.deep.equal(['GET 404 Bearer']);
    expect(await userState(id)).to.include({ exists: true, active: true });
  });

  it('a reactive change of :doctor-id provisions the new doctor', async () => {
    const first = uid('vue-a');
    const second = uid('vue-b');
    const { gate, seen, doctor } = mount(first, 'eager', async () => TOKEN);
    await waitFor(() => seen.provisioned.length === 1 || seen.errors.length > 0);

    doctor.value = second;
    await nextTick();
    expect(gate.doctorId).to.equal(second);
    await waitFor(() => seen.provisioned.length === 2 || seen.errors.length > 0);

    expect(seen.errors).to.deep.equal([]);
    expect(seen.provisioned).to.deep.equal([
      { outcome: 'created', id: first },
      { outcome: 'created', id: second },
    ]);
    expect((await requests(second)).map((r) => r.method)).to.deep.equal(['GET']);
    expect(await userState(second)).to.include({ exists: true, active: true });
  });
});
