// The contract of `<DoctorGateReact>` (doctor-gate/react), run once per React version: the test
// file hands in its React, its react-dom and the component built against that React. No JSX here:
// JSX would compile against whichever React this module's URL maps to, not the caller's.
import { expect } from '@open-wc/testing';
import type * as ReactModule from 'react';
import type { Root } from 'react-dom/client';
import type { DoctorGateReact as Component } from '../../src/react.js';
import { clearProvisionCache, type DoctorGate } from '../../src/index.js';
import { API, APP, PROVIDER, TOKEN, faults, requests, uid, userState, waitFor } from '../browser/helpers.js';

export interface ReactUnderTest {
  label: string;
  React: typeof ReactModule;
  createRoot: (host: Element) => Root;
  flushSync: (run: () => void) => void;
  DoctorGateReact: typeof Component;
}

type Props = ReactModule.ComponentProps<typeof Component>;

export function describeDoctorGateReact({ label, React, createRoot, flushSync, DoctorGateReact }: ReactUnderTest) {
  describe(`<DoctorGateReact> in ${label}`, () => {
    let host: HTMLDivElement;
    let root: Root | undefined;

    beforeEach(() => {
      host = document.createElement('div');
      document.body.append(host);
    });
    afterEach(() => {
      root?.unmount();
      root = undefined;
      host.remove();
      clearProvisionCache();
    });

    const render = (props: Props, ref?: ReactModule.Ref<DoctorGate>) => {
      root ??= createRoot(host);
      flushSync(() => root!.render(React.createElement(DoctorGateReact, { ...props, ref }, 'Open Speaknosis')));
      const gate = host.querySelector('doctor-gate');
      expect(gate).to.be.instanceOf(customElements.get('doctor-gate')!);
      return gate!;
    };

    const doctor = (doctorId: string): Props => ({
      apiBase: API,
      providerId: PROVIDER,
      doctorId,
      doctorName: 'Ana',
      doctorLastname: 'García',
      specialityId: 1,
      doctorLang: 'EN',
      prefetch: 'none',
    });

    it('React is the version under test', () => {
      expect(React.version.split('.')[0]).to.equal(label.replace(/\D/g, ''));
    });

    it('sets every input as a property and fires onState, onBeforeCreate, onProvisioned, onOpen, onMessage and onClose with their details', async () => {
      const id = uid(`wrap${React.version.split('.')[0]}`);
      const seen: string[] = [];
      let asked = 0;
      const tokenProvider = async () => (asked++, TOKEN);
      const ref = React.createRef<DoctorGate>();
      const gate = render(
        {
          ...doctor(id),
          mode: 'iframe',
          appUrl: APP,
          tokenProvider,
          className: 'gate',
          onState: (event) => seen.push(`state ${event.detail.previous}→${event.detail.state}`),
          onBeforeCreate: (event) => seen.push(`before-create ${event.detail.doctor.id} ${event.detail.reactivation}`),
          onProvisioned: (event) => seen.push(`provisioned ${event.detail.outcome}`),
          onOpen: (event) => seen.push(`open ${event.detail.mode}`),
          onMessage: (event) => seen.push(`message ${(event.detail.data as { type: string }).type}`),
          onClose: (event) => seen.push(`close ${event.detail.mode} ${event.detail.reason}`),
          onError: (event) => seen.push(`error ${event.detail.code}`),
        },
        ref,
      );
      await gate.updateComplete;

      expect(ref.current).to.equal(gate);
      expect(gate.tokenProvider).to.equal(tokenProvider);
      expect(gate.specialityId).to.equal(1);
      expect(gate.apiBase).to.equal(API);
      expect(gate.className).to.equal('gate');
      // Inputs travel as properties, events as listeners: nothing is stringified into an attribute.
      expect(gate.getAttributeNames().filter((name) => name !== 'state' && name !== 'class')).to.deep.equal([]);

      gate.shadowRoot!.querySelector('button')!.click();
      await waitFor(() => seen.some((line) => line.startsWith('message')) || seen.some((l) => l.startsWith('error')));
      ref.current!.close();

      expect(seen).to.deep.equal([
        'state idle→checking',
        `before-create ${id} null`,
        'state checking→creating',
        'provisioned created',
        'state creating→ready',
        'state ready→open',
        'open iframe',
        'message sandbox-app:ready',
        'state open→ready',
        'close iframe api',
      ]);
      expect(asked).to.be.greaterThan(0);
      expect(await userState(id)).to.include({ exists: true, active: true });
    });

    it('fires onError with the typed detail, over HTTP', async () => {
      const id = uid('wrap-error');
      await faults({ match: { method: 'GET', path: id }, status: 401, body: { message: 'no' }, times: 2 });
      const errors: string[] = [];
      const gate = render({
        ...doctor(id),
        mode: 'none',
        token: 'sk_wrong',
        onError: (event) => errors.push(`${event.detail.code} ${event.detail.step} ${event.detail.status}`),
      });
      await gate.provision().catch(() => undefined);
      await waitFor(() => errors.length > 0);

      expect(errors).to.deep.equal(['unauthorized check 401']);
      expect((await requests(id)).map((r) => `${r.method} ${r.status}`)[0]).to.equal('GET 401');
    });

    it('a new handler replaces the old one: one listener per event', async () => {
      const id = uid('wrap-handler');
      const first: string[] = [];
      const second: string[] = [];
      const props = { ...doctor(id), mode: 'none' as const, tokenProvider: async () => TOKEN };
      render({ ...props, onState: (event) => first.push(event.detail.state) });
      const gate = render({ ...props, onState: (event) => second.push(event.detail.state) });
      await gate.provision();
      expect(first).to.deep.equal([]);
      expect(second).to.deep.equal(['checking', 'creating', 'ready']);
    });
  });
}
