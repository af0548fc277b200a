// The README's Angular example, compiled against the shipped declarations: Angular types `$event`
// of a custom element as a plain `Event`, and `gateEvent` gives it the gate's detail type.
import 'doctor-gate/define';
import { Component, CUSTOM_ELEMENTS_SCHEMA, input } from '@angular/core';
import { gateEvent } from 'doctor-gate';

@Component({
  selector: 'app-open-scribe',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <doctor-gate
      api-base="https://api-qa.speaknosis.com/v1/health"
      provider-id="1001"
      [doctorId]="doctorId()"
      [doctorName]="doctorName()"
      [doctorLastname]="doctorLastname()"
      [specialityId]="1"
      doctor-lang="ES"
      [tokenProvider]="getToken"
      (doctor-gate-provisioned)="onProvisioned($event)"
      (doctor-gate-error)="onError($event)"
      >Abrir Speaknosis</doctor-gate
    >
  `,
})
export class OpenScribeComponent {
  readonly doctorId = input.required<string>();
  readonly doctorName = input.required<string>();
  readonly doctorLastname = input.required<string>();
  readonly getToken = () =>
    fetch('/ehr/speaknosis-token', { cache: 'no-store' }).then((r) => {
      if (!r.ok) throw new Error(`token route: HTTP ${r.status}`);
      return r.text();
    });

  onProvisioned(event: Event) {
    console.info(gateEvent<'doctor-gate-provisioned'>(event).detail.outcome);
  }
  onError(event: Event) {
    // `message` is for you (English, names the request); the gate shows `displayMessage` to the doctor.
    const { code, source, message, runId } = gateEvent<'doctor-gate-error'>(event).detail;
    console.warn(code, source, message, runId);
  }
}

// The helper types the detail by the event's name, and refuses a name the gate does not fire.
declare const any: Event;
const source: 'page' | 'vendor' | 'server' | 'browser' = gateEvent<'doctor-gate-error'>(any).detail.source;
const outcome: string = gateEvent<'doctor-gate-provisioned'>(any).detail.outcome;
// @ts-expect-error not an event of the gate
gateEvent<'doctor-gate-nope'>(any);
void [source, outcome];
