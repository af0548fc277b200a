// Property test (fast-check) of server mode end to end: the gate's ServerClient (the element's own
// transport, from dist/core.js) talking to a real handler over HTTP, with the sandbox behind it. Over
// random sequences of sign-in, sign-out, doctor switch (by this page, or by another tab), hover,
// click with before-create allowed or cancelled, and reload:
// - no vendor account is ever created without an uncancelled before-create event for that doctor;
// - no opening carries another doctor's launch (the one window: a launch fetched on hover for the
//   doctor signed in then, when another tab switched the session before the click).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { clearProvisionCache, ServerClient, speaknosis } from '../../dist/core.js';
import { createGateHandler, toNodeListener } from '../../dist/server.js';
import { doctorOfSession, listen, serveSandbox, SESSIONS } from './support/server.js';

const RUNS = 40;
const WHO = Object.keys(SESSIONS);

let sandbox;
let served;
/** The handler of the current run: a fresh one per run, as a fresh deployment would be. */
let current;
before(async () => {
  sandbox = await serveSandbox();
  served = await listen(toNodeListener((request, context) => current(request, context)));
});
after(async () => Promise.all([sandbox.stop(), served.stop()]));

const action = fc.oneof(
  fc.record({ kind: fc.constant('sign-in'), who: fc.constantFrom(...WHO), elsewhere: fc.boolean() }),
  fc.record({ kind: fc.constant('sign-out'), elsewhere: fc.boolean() }),
  fc.record({ kind: fc.constant('hover') }),
  fc.record({ kind: fc.constant('click'), cancel: fc.boolean() }),
  fc.record({ kind: fc.constant('reload') }),
);

/** Creations the vendor received, by doctor id (the Speaknosis create body is an array of users). */
async function creations() {
  const made = new Map();
  for (const entry of await sandbox.log('/sandbox/speaknosis/v1/health/provider/1001/user')) {
    if (entry.method !== 'POST' || entry.status >= 300) continue;
    for (const user of entry.body ?? []) made.set(user.id, (made.get(user.id) ?? 0) + 1);
  }
  return made;
}

describe('server mode, property: consent before creation, and the session’s own launch', () => {
  test('over random sequences of sign-in/out, switch, hover, click, cancel and reload', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 8 }), async (actions) => {
        await sandbox.reset();
        clearProvisionCache();
        current = createGateHandler({
          vendor: 'speaknosis',
          apiBase: `${sandbox.origin}/sandbox/speaknosis/v1/health`,
          providerId: '1001',
          credential: 'sk_demo_token',
          doctorFor: doctorOfSession,
          retries: 0,
        });
        let session;
        /** What the browser adds: the session cookie, and the headers of a same-origin page. */
        const browserFetch = (url, init = {}) =>
          fetch(url, {
            ...init,
            headers: {
              ...init.headers,
              ...(session ? { Cookie: `session=${session}` } : {}),
              ...(init.method === 'POST' ? { Origin: served.origin, 'Sec-Fetch-Site': 'same-origin' } : {}),
            },
          });
        const page = () =>
          new ServerClient({
            server: `${served.origin}/ehr/doctor-gate`,
            vendor: speaknosis,
            retries: 0,
            fetch: browserFetch,
          });
        let client = page();
        /** Uncancelled before-create events, by doctor id. */
        const consents = new Map();
        /** The doctor signed in when the page last hovered, while its prefetched launch may be unused. */
        let hoveredFor;

        for (const step of actions) {
          if (step.kind === 'sign-in' || step.kind === 'sign-out') {
            session = step.kind === 'sign-in' ? step.who : undefined;
            // A page that signs doctors in and out itself forgets what it fetched for the last one.
            if (!step.elsewhere) {
              clearProvisionCache();
              hoveredFor = undefined;
            }
          } else if (step.kind === 'reload') {
            clearProvisionCache();
            client = page();
            hoveredFor = undefined;
          } else if (step.kind === 'hover') {
            await client.prefetch().catch(() => undefined);
            hoveredFor = session && SESSIONS[session].id;
          } else {
            const signedIn = session && SESSIONS[session].id;
            try {
              const { result, launch } = await client.provision({
                beforeCreate: ({ doctor }) => {
                  if (!step.cancel) consents.set(doctor.id, (consents.get(doctor.id) ?? 0) + 1);
                  return !step.cancel;
                },
              });
              assert.ok(
                launch.doctorId === signedIn || launch.doctorId === hoveredFor,
                `launch for ${launch.doctorId}, session ${signedIn}, hovered for ${hoveredFor}`,
              );
              assert.equal(result.doctor.id, launch.doctorId);
            } catch (error) {
              if (error.code === 'unauthorized') assert.equal(signedIn, undefined);
              else assert.equal(error.code, 'cancelled', String(error));
            }
            hoveredFor = undefined;
          }
          for (const [id, count] of await creations()) {
            assert.ok(
              count <= (consents.get(id) ?? 0),
              `${id} created ${count}× with ${consents.get(id) ?? 0} consent(s)`,
            );
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
