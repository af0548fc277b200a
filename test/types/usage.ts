// Compiled with `npm run test:types` against the shipped declarations (dist/types, through the
// package's own `exports`): it fails when a public type breaks. Each `@ts-expect-error` line must
// stay an error, so a type that loosens fails the test too.
import 'doctor-gate/define';
import {
  DoctorGate,
  DoctorGateError,
  createClient,
  provisionDoctor,
  provisionDoctors,
  type BatchResult,
  type Doctor,
  type DoctorGateEventMap,
  type DoctorGateProperties,
  type ErrorCode,
  type ErrorDetail,
  type GateClientOptions,
  type GateState,
  type ProvisionedDetail,
  type ProvisionResult,
  type Step,
} from 'doctor-gate';
import { createClient as createCoreClient, type ProvisionResult as CoreResult } from 'doctor-gate/core';

// HTMLElementTagNameMap: the tag gives the class.
const queried: DoctorGate | null = document.querySelector('doctor-gate');
const created: DoctorGate = document.createElement('doctor-gate');

// Properties.
created.apiBase = '/sandbox/speaknosis/v1/health';
created.providerId = '1001';
created.mode = 'iframe';
created.tokenProvider = async () => 'sk_demo_token';
created.doctor = { id: 'ehr-42', name: 'Lucía', lastname: 'Gómez', specialityId: 1, lang: 'ES' };
// @ts-expect-error mode is 'popup' | 'iframe' | 'none'
created.mode = 'window';
// @ts-expect-error tokenProvider returns a Promise<string>
created.tokenProvider = () => 'sk_demo_token';
// @ts-expect-error state is read-only
created.state = 'ready';
const state: GateState = created.state;

// Methods.
const provisioned: Promise<ProvisionResult> = created.provision();
const opened: Promise<void> = created.open();
created.close();
DoctorGate.define('doctor-gate');

// Every event in GlobalEventHandlersEventMap with its detail, on the element and on any ancestor.
created.addEventListener('doctor-gate-state', (event) => {
  const next: GateState = event.detail.state;
  const previous: GateState = event.detail.previous;
  void [next, previous];
});
created.addEventListener('doctor-gate-before-create', (event) => {
  const reactivation: boolean | null = event.detail.reactivation;
  const doctor: Doctor = event.detail.doctor;
  event.preventDefault();
  void [reactivation, doctor];
});
created.addEventListener('doctor-gate-provisioned', (event) => {
  const outcome: 'existing' | 'created' | 'reactivated' = event.detail.outcome;
  const account: Record<string, unknown> = event.detail.account;
  // @ts-expect-error outcome is a string union, not a number
  const wrong: number = event.detail.outcome;
  void [outcome, account, wrong];
});
created.addEventListener('doctor-gate-open', (event) => {
  const mode: 'popup' | 'iframe' | 'none' = event.detail.mode;
  void mode;
});
created.addEventListener('doctor-gate-close', (event) => {
  const reason: 'user' | 'api' | 'disconnected' = event.detail.reason;
  // @ts-expect-error reason has no 'timeout'
  const never: typeof reason = 'timeout';
  void [reason, never];
});
created.addEventListener('doctor-gate-message', (event) => {
  const data: unknown = event.detail.data;
  void data;
});
document.body.addEventListener('doctor-gate-error', (event) => {
  const detail: ErrorDetail = event.detail;
  const code: ErrorCode = detail.code;
  const step: Step = detail.step;
  const status: number | undefined = detail.status;
  const retryable: boolean = detail.retryable;
  // @ts-expect-error the error detail has no token or credential
  void detail.token;
  void [code, step, status, retryable];
});
// GlobalEventHandlersEventMap: listeners on document and window get the typed detail too.
document.addEventListener('doctor-gate-error', (event) => {
  const code: ErrorCode = event.detail.code;
  void code;
});
window.addEventListener('doctor-gate-provisioned', (event) => {
  const outcome: 'existing' | 'created' | 'reactivated' = event.detail.outcome;
  void outcome;
});
// postMessage() answers whether anything was open to post to.
const posted: boolean = created.postMessage({ type: 'host-focus' });
void posted;
// @ts-expect-error the listener's detail type must match the event's
created.addEventListener('doctor-gate-provisioned', (event: CustomEvent<{ outcome: number }>) => event);
const mapped: DoctorGateEventMap['doctor-gate-provisioned'] = new CustomEvent<ProvisionedDetail>(
  'doctor-gate-provisioned',
  {
    detail: {
      outcome: 'created',
      doctor: { id: 'x' },
      account: {},
      readiness: { ready: false, missing: ['specialty-verification'] },
      runId: 'r1',
    },
  },
);

// The properties a framework binds.
const props: DoctorGateProperties = {
  apiBase: '/api',
  providerId: '1001',
  prefetch: 'eager',
  tokenProvider: async () => 't',
};
// @ts-expect-error prefetch is 'intent' | 'eager' | 'none'
const badProps: DoctorGateProperties = { prefetch: 'always' };
// @ts-expect-error the members the gate's controllers use are internal, not properties to set
const internalProps: DoctorGateProperties = { _moveTo: () => undefined };

// Config, doctor, result and error of the core API.
const options: GateClientOptions = {
  apiBase: 'https://api-qa.speaknosis.com/v1/health',
  providerId: '1001',
  tokenProvider: async () => 't',
};
const client = createClient('speaknosis', options);
// @ts-expect-error unknown vendor
createClient('acme', options);
const doctor: Doctor = { id: 'ehr-42', name: 'Lucía', lastname: 'Gómez', specialityId: 1, lang: 'ES' };
// @ts-expect-error lang is one of ES EN CA PT FR
const badDoctor: Doctor = { id: 'ehr-42', lang: 'DE' };

async function run(): Promise<void> {
  const one: ProvisionResult = await provisionDoctor(client, doctor, { signal: AbortSignal.timeout(1000) });
  const rows: BatchResult[] = await provisionDoctors(client, [doctor], { chunkSize: 100, onProgress: () => undefined });
  for (const row of rows) {
    if (row.outcome === 'failed') {
      const error: DoctorGateError = row.error;
      const code: ErrorCode = error.code;
      void code;
    } else {
      const result: ProvisionResult = row;
      void result;
    }
  }
  try {
    await provisionDoctor(createCoreClient('speaknosis', options), doctor);
  } catch (error) {
    if (error instanceof DoctorGateError) {
      const retry: boolean = error.retryable;
      // @ts-expect-error code is a known union
      const code: 'teapot' = error.code;
      void [retry, code];
    }
  }
  const fromCore: CoreResult = one;
  void fromCore;
}

void [queried, state, provisioned, opened, mapped, props, badProps, internalProps, badDoctor, run];
