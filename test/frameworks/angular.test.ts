// <doctor-gate> in an Angular app (standalone component, CUSTOM_ELEMENTS_SCHEMA, zoneless, compiled
// JIT in the browser): `[tokenProvider]` binds a property and `(doctor-gate-*)` listens to events.
// Asserted over HTTP on the sandbox.
import '@angular/compiler';
import { expect } from '@open-wc/testing';
import {
  Component,
  CUSTOM_ELEMENTS_SCHEMA,
  provideZonelessChangeDetection,
  signal,
  type ApplicationRef,
} from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { clearProvisionCache, gateEvent } from '../../src/index.js';
import { API, PROVIDER, TOKEN, requests, uid, userState, waitFor } from '../browser/helpers.js';

/** What the next bootstrapped app binds: set by each test before it bootstraps. */
const inputs = { doctorId: '', prefetch: 'none', tokenProvider: async () => TOKEN };

@Component({
  selector: 'gate-app',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <doctor-gate
      [apiBase]="api"
      [providerId]="provider"
      [doctorId]="doctorId()"
      doctor-name="Ana"
      doctor-lastname="García"
      [specialityId]="1"
      doctor-lang="EN"
      mode="none"
      [prefetch]="prefetch"
      [tokenProvider]="tokenProvider"
      (doctor-gate-state)="onState($event)"
      (doctor-gate-provisioned)="onProvisioned($event)"
      (doctor-gate-error)="onError($event)"
      >Open Speaknosis</doctor-gate
    >
    <p class="outcome">{{ outcome() }}</p>
  `,
})
class GateApp {
  readonly api = API;
  readonly provider = PROVIDER;
  readonly doctorId = signal(inputs.doctorId);
  readonly prefetch = inputs.prefetch;
  readonly tokenProvider = inputs.tokenProvider;
  readonly outcome = signal('');
  readonly states: string[] = [];
  readonly provisioned: { outcome: string; id: unknown }[] = [];
  readonly errors: string[] = [];

  onState(event: Event) {
    this.states.push(gateEvent<'doctor-gate-state'>(event).detail.state);
  }
  onProvisioned(event: Event) {
    const { outcome, account } = gateEvent<'doctor-gate-provisioned'>(event).detail;
    this.provisioned.push({ outcome, id: account['id'] });
    this.outcome.set(outcome);
  }
  onError(event: Event) {
    this.errors.push(gateEvent<'doctor-gate-error'>(event).detail.code);
  }
}

describe('Angular (JIT, zoneless)', () => {
  let host: HTMLElement;
  let appRef: ApplicationRef | undefined;

  beforeEach(() => {
    host = document.createElement('gate-app');
    document.body.append(host);
  });
  afterEach(() => {
    appRef?.destroy();
    appRef = undefined;
    host.remove();
    clearProvisionCache();
  });

  async function bootstrap(doctorId: string, prefetch: 'none' | 'eager', tokenProvider: () => Promise<string>) {
    Object.assign(inputs, { doctorId, prefetch, tokenProvider });
    appRef = await bootstrapApplication(GateApp, { providers: [provideZonelessChangeDetection()] });
    const gate = host.querySelector('doctor-gate');
    expect(gate).to.be.instanceOf(HTMLElement);
    return { gate: gate!, component: appRef.components[0]!.instance as GateApp };
  }

  it('binds [tokenProvider] as a property and hears the events through (doctor-gate-*)', async () => {
    const id = uid('ng');
    let asked = 0;
    const tokenProvider = async () => (asked++, TOKEN);
    const { gate, component } = await bootstrap(id, 'none', tokenProvider);
    await gate.updateComplete;

    expect(gate.tokenProvider).to.equal(tokenProvider);
    expect(gate.doctorId).to.equal(id);
    expect(gate.specialityId).to.equal(1);
    expect(gate.hasAttribute('token')).to.equal(false);

    gate.shadowRoot!.querySelector('button')!.click();
    await waitFor(() => component.provisioned.length > 0 || component.errors.length > 0);

    expect(component.errors).to.deep.equal([]);
    expect(component.provisioned).to.deep.equal([{ outcome: 'created', id }]);
    expect(component.states).to.deep.equal(['checking', 'creating', 'ready']);
    expect(asked).to.be.greaterThan(0);
    // The handler's signal update re-rendered the zoneless app.
    await waitFor(() => host.querySelector('.outcome')!.textContent === 'created');
    expect((await requests(id)).map((r) => `${r.method} ${r.status} ${r.auth}`)).to.deep.equal(['GET 404 Bearer']);
    expect(await userState(id)).to.include({ exists: true, active: true });
  });

  it('a signal change of [doctorId] provisions the new doctor', async () => {
    const first = uid('ng-a');
    const second = uid('ng-b');
    const { gate, component } = await bootstrap(first, 'eager', async () => TOKEN);
    await waitFor(() => component.provisioned.length === 1 || component.errors.length > 0);

    component.doctorId.set(second);
    await waitFor(() => gate.doctorId === second);
    await waitFor(() => component.provisioned.length === 2 || component.errors.length > 0);

    expect(component.errors).to.deep.equal([]);
    expect(component.provisioned).to.deep.equal([
      { outcome: 'created', id: first },
      { outcome: 'created', id: second },
    ]);
    expect((await requests(second)).map((r) => r.method)).to.deep.equal(['GET']);
    expect(await userState(second)).to.include({ exists: true, active: true });
  });
});
