// The mapping and smartDoctor, typed from the shipped declarations: a Practitioner typed by a FHIR
// R4 library fits `doctorFromPractitioner` as it is, and the options refuse what they must.
import type { Practitioner } from '@medplum/fhirtypes';
import { doctorFromPractitioner, type Lang } from 'doctor-gate/core';
import { createGateHandler, smartDoctor } from 'doctor-gate/server';

declare const practitioner: Practitioner;
const doctor = doctorFromPractitioner(practitioner, { idSystem: 'urn:ehr:staff' });
export const id: string = doctor.id;
export const name: string = doctor.name;
export const lang: Lang | undefined = doctor.lang;
// @ts-expect-error -- email is only there when the Practitioner has one
export const email: string = doctor.email;
// @ts-expect-error -- a Patient is no Practitioner
doctorFromPractitioner({ resourceType: 'Patient', id: 'p' });

export const handler = createGateHandler({
  vendor: 'speaknosis',
  apiBase: 'https://api-qa.speaknosis.com/v1/health',
  providerId: '1001',
  credential: 'token',
  doctorFor: smartDoctor({
    issuer: 'https://ehr.example/smart',
    clientId: 'app',
    token: (request) => request.headers.get('Authorization')?.replace(/^Bearer /, ''),
    enrich: (mapped, { practitioner: resource }) => ({
      ...mapped,
      specialityId: 1,
      npi: resource.identifier?.[0]?.value,
    }),
  }),
});

smartDoctor({
  issuer: 'https://ehr.example/smart',
  clientId: 'app',
  token: () => ({ idToken: 'a.b.c', accessToken: 'at' }),
  // @ts-expect-error -- a shared-secret algorithm is never accepted
  algorithms: ['HS256'],
});
