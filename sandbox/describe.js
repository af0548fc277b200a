// `GET /sandbox/`: what the sandbox serves and the fixture credentials, as JSON.
import { FAULT_KINDS } from './control.js';
import { PRESCRYPTO_PREFIX } from './prescrypto.js';
import { PRACTITIONERS, SMART_CLIENT_ID, SMART_PREFIX, STAFF_ID_SYSTEM } from './smart.js';
import { SPEAKNOSIS_BASE, SPEAKNOSIS_PREFIX, TOKEN_PATH } from './speaknosis.js';
import { FIXTURE_CLIENTS, FIXTURE_CREDENTIALS } from './store.js';

/** @param {{ cors: boolean, latencyMs: number }} state */
export function indexDocument({ cors, latencyMs }) {
  return {
    name: 'doctor-gate sandbox',
    description: 'Local stand-in for the Speaknosis and Prescrypto doctor APIs. Demo credentials only.',
    cors,
    latencyMs,
    vendors: {
      speaknosis: {
        apiBase: SPEAKNOSIS_BASE,
        tokenUrl: `${SPEAKNOSIS_PREFIX}${TOKEN_PATH}`,
        auth: 'Authorization: Bearer <token>',
        routes: [
          `POST   ${TOKEN_PATH}   (form: grant_type=client_credentials&client_id=&client_secret=; host root)`,
          'GET    /provider/:providerId/user/:id',
          'DELETE /provider/:providerId/user/:id   (soft delete)',
          'POST   /provider/:providerId/user       (JSON array, max 1000)',
        ],
        tokens: FIXTURE_CREDENTIALS.speaknosis,
        clients: Object.fromEntries(
          Object.entries(FIXTURE_CLIENTS).map(([id, { secret, providers }]) => [id, { secret, providers }]),
        ),
        fixtures: {
          1001: { active: ['doc-ana', 'doc-john'], deleted: ['doc-marta'] },
        },
        appUrl:
          '/sandbox/app/speaknosis#/pop-up/?view={view}&token={token}&doctorId={doctorId}&appointmentId={appointmentId}&reportExampleId={reportExampleId}',
      },
      prescrypto: {
        apiBase: PRESCRYPTO_PREFIX,
        auth: 'Authorization: Token <key>',
        routes: [
          'GET   /api/v2/medics/?limit=&offset=   (default 15, max 100)',
          'GET   /api/v2/medics/:id/',
          'POST  /api/v2/medics/',
          'PATCH /api/v2/medics/:id/',
        ],
        keys: FIXTURE_CREDENTIALS.prescrypto,
        fixtures: {
          pk_demo_key: 'medics 1..120 (7 and 113 inactive; 110 is Elena Vidal), medic token mt_<id>',
          pk_other_key: 'medic 500 taken@elsewhere.example',
        },
        appUrl: '/sandbox/app/prescrypto?token={medicToken}&v2_redirect=true',
      },
    },
    ehr: {
      smart: {
        issuer: SMART_PREFIX,
        clientId: SMART_CLIENT_ID,
        idSystem: STAFF_ID_SYSTEM,
        routes: [
          'GET  /.well-known/openid-configuration   (also /.well-known/smart-configuration)',
          'GET  /jwks',
          'POST /token   (form or JSON: practitioner=<id>; knobs: client_id, aud (a,b for several), azp, iss, expires_in, not_before, fhir_user, nonce, alg=none|HS256, key=unpublished)',
          'POST /rotate-key   (JSON)',
          'GET  /fhir/Practitioner/:id',
        ],
        practitioners: PRACTITIONERS.map((each) => each.id),
      },
    },
    app: ['/sandbox/app/speaknosis', '/sandbox/app/prescrypto', 'GET /sandbox/app-api/whoami?vendor=&doctorId='],
    control: {
      'POST /sandbox/_control/reset': 'restore fixtures, clear faults and log, initial latency',
      'GET|POST /sandbox/_control/latency': '{ "ms": 100 }',
      'GET|POST|DELETE /sandbox/_control/faults': `{ "faults": [ { "match": { "method", "path", "body" }, "times", "kind": "${FAULT_KINDS.join('|')}", "status", "body", "headers", "after", "ms", "location", "doctor" } ] }`,
      'GET|DELETE /sandbox/_control/log': '?path=&method=&since=',
      'POST /sandbox/_control/seed':
        '{ "speaknosis": [...], "prescrypto": [...], "tokens": { "speaknosis": {}, "prescrypto": {} } }',
      'GET /sandbox/_control/state': '?vendor=speaknosis&providerId=&id= | ?vendor=prescrypto&email= (or id=)',
      'POST /sandbox/_control/expire-tokens': '{ "clientId"?: "demo-client" } — minted Speaknosis tokens answer 401',
      'GET /sandbox/_control/held': '?id=&method=&path= — requests a "hold" fault keeps now',
      'POST /sandbox/_control/held/wait':
        '{ "id"?, "match"?: { "method", "path" }, "count"?: 1, "timeoutMs"?: 10000 } — answers once that many are held (408 after timeoutMs)',
      'POST /sandbox/_control/release':
        '{ "id"?, "match"?, "then"?: fault } — releases held requests (all, without id or match) → { released, withdrawn }',
    },
  };
}
