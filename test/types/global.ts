// A page that loads the drop-in with <script src> and types `window.DoctorGate` by the shipped
// global declaration (doctor-gate/global). Compiled by `npm run test:types`.
import type {} from 'doctor-gate/global';

const { DoctorGate, DoctorGateError, createClient, provisionDoctor } = window.DoctorGate;

const client = createClient('speaknosis', {
  apiBase: 'https://api-qa.speaknosis.com/v1/health',
  providerId: '1001',
  tokenProvider: async () => 'token from the EHR backend',
});
export const result = provisionDoctor(client, { id: 'ehr-42', name: 'Lucía', lastname: 'Gómez', specialityId: 1 });
export const isGate = (node: Element) => node instanceof DoctorGate;
export const code = (error: unknown) => (error instanceof DoctorGateError ? error.code : null);

// The tag and its events are typed too.
const gate = document.querySelector('doctor-gate');
gate?.addEventListener('doctor-gate-provisioned', (event) => event.detail.outcome);

// @ts-expect-error the drop-in's API has no such member
window.DoctorGate.provisionEveryone();
// @ts-expect-error batch provisioning is back-office work: doctor-gate/core, not the drop-in
void window.DoctorGate.provisionDoctors;
// The FHIR Practitioner mapping is in the drop-in too, typed with the fields it reads.
const mapped = window.DoctorGate.doctorFromPractitioner(
  { resourceType: 'Practitioner', id: 'pr-1', name: [{ family: 'Ortega', given: ['Ana'] }] },
  { idSystem: 'urn:ehr:staff' },
);
const mappedId: string = mapped.id;
void mappedId;
// @ts-expect-error a Practitioner is named by its resourceType
window.DoctorGate.doctorFromPractitioner({ resourceType: 'Patient' });
// @ts-expect-error createClient takes a vendor name first
createClient({ apiBase: '/api' });

// Overridable UI strings, from the drop-in as from the module.
window.DoctorGate.registerStrings('ES', { open: 'Entrar en %s', 'popup-blocked': 'Permita las ventanas emergentes' });
window.DoctorGate.registerStrings('de', { open: '%s öffnen' });
// @ts-expect-error no such UI string
window.DoctorGate.registerStrings('ES', { opne: 'Entrar en %s' });
// @ts-expect-error a UI string is a string
window.DoctorGate.registerStrings('ES', { open: 42 });
