// React 19 JSX typing for <doctor-gate>, opted into the way the README says. Compiled by
// `npm run test:types` against dist/types. (Installed apps may also write
// `/// <reference types="doctor-gate/react" />`; a package cannot resolve that form for itself.)
import type {} from 'doctor-gate/react';
import { useRef } from 'react';
import type { DoctorGate, ErrorCode } from 'doctor-gate';
import type { DoctorGateJsxProps } from 'doctor-gate/react';

export function Typed() {
  const ref = useRef<DoctorGate>(null);
  return (
    <doctor-gate
      ref={ref}
      apiBase="/sandbox/speaknosis/v1/health"
      providerId="1001"
      doctorId="ehr-42"
      doctorName="Lucía"
      doctorLastname="Gómez"
      specialityId={1}
      doctorLang="ES"
      mode="iframe"
      prefetch="eager"
      tokenProvider={async () => 'token from the EHR backend'}
      doctor={{ id: 'ehr-42', name: 'Lucía' }}
      className="gate"
      ondoctor-gate-state={(event) => event.detail.state}
      ondoctor-gate-provisioned={(event) => event.detail.outcome satisfies 'existing' | 'created' | 'reactivated'}
      ondoctor-gate-error={(event) => event.detail.code satisfies ErrorCode}
    >
      Abrir Speaknosis
    </doctor-gate>
  );
}

// One element per line: TypeScript reports a wrong hyphenated prop at the tag, not at the prop.
export const wrong = [
  // @ts-expect-error mode is 'popup' | 'iframe' | 'none'
  <doctor-gate mode="window" />,
  // @ts-expect-error tokenProvider returns a Promise<string>
  <doctor-gate tokenProvider={() => 'token'} />,
  // @ts-expect-error the handler's detail type must match the event's
  <doctor-gate ondoctor-gate-provisioned={(event: CustomEvent<{ outcome: number }>) => event.detail.outcome} />,
  // @ts-expect-error the state event's detail has no outcome
  <doctor-gate ondoctor-gate-state={(event) => event.detail.outcome} />,
  // @ts-expect-error React's camelCase event naming does not reach a custom element's events
  <doctor-gate onDoctorGateProvisioned={() => undefined} />,
];

export const props: DoctorGateJsxProps = { providerId: '1001', 'ondoctor-gate-open': (event) => event.detail.mode };

// doctor-gate/react's component: inputs and the on… event props, each typed with its detail.
import { DoctorGateReact, type DoctorGateReactProps } from 'doctor-gate/react';

export function Wrapped() {
  const ref = useRef<DoctorGate>(null);
  return (
    <DoctorGateReact
      ref={ref}
      apiBase="/sandbox/speaknosis/v1/health"
      providerId="1001"
      doctorId="ehr-42"
      mode="iframe"
      tokenProvider={async () => 'token from the EHR backend'}
      onState={(event) => event.detail.state satisfies 'idle' | 'checking' | 'creating' | 'ready' | 'open' | 'error'}
      onBeforeCreate={(event) => event.detail.reactivation satisfies boolean | null}
      onProvisioned={(event) => event.detail.outcome satisfies 'existing' | 'created' | 'reactivated'}
      onOpen={(event) => event.detail.mode}
      onClose={(event) => event.detail.reason satisfies 'user' | 'api' | 'disconnected'}
      onMessage={(event) => event.detail.data satisfies unknown}
      onError={(event) => event.detail.code satisfies ErrorCode}
    >
      Abrir Speaknosis
    </DoctorGateReact>
  );
}

export const wrongWrapped = [
  // @ts-expect-error mode is 'popup' | 'iframe' | 'none'
  <DoctorGateReact mode="window" />,
  // @ts-expect-error the provisioned event's detail has no code
  <DoctorGateReact onProvisioned={(event) => event.detail.code} />,
  // @ts-expect-error tokenProvider returns a Promise<string>
  <DoctorGateReact tokenProvider={() => 'token'} />,
];

export const wrappedProps: DoctorGateReactProps = { doctorId: 'ehr-42', onError: (event) => event.detail.retryable };
