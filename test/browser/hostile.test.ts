import { expect } from '@open-wc/testing';
import type { DoctorGate } from '../../src/index.js';
import {
  API,
  click,
  consoleDuring,
  faults,
  type Fault,
  gate,
  isolateEachTest,
  PROVIDER,
  record,
  requests,
  seedSpeaknosis,
  TOKEN,
  uid,
  until,
  userState,
} from './helpers.js';

// A vendor that lies, redirects and echoes secrets, through the element's public contract only:
// every fault on the check and on the create ends in the right code and step, with no false
// success, no duplicate, no popup left open, no unhandled rejection and no secret anywhere.

/** The same sandbox on another origin: localhost and 127.0.0.1 of the test server are two origins. */
const OTHER_ORIGIN = `${location.protocol}//${location.hostname === 'localhost' ? '127.0.0.1' : 'localhost'}:${location.port}`;
/** A medical center the demo token may also use: a followed redirect would find or create the doctor there. */
const ELSEWHERE = '1002';
interface Case {
  name: string;
  /** The fault for this doctor, without its `match`. */
  fault: (id: string) => Omit<Fault, 'match'>;
  code: string;
  /** The doctor exists at another provider, so that a followed redirect would find or create it there. */
  elsewhere?: boolean;
}

const redirects = (step: 'check' | 'create'): Case[] =>
  [301, 302, 307, 308].flatMap((status) =>
    (['same', 'other'] as const).map((where) => ({
      name: `a ${status} to the ${where} origin`,
      elsewhere: true,
      code: 'bad-response',
      fault: (id: string) => ({
        kind: 'status' as const,
        status,
        headers: {
          Location: `${where === 'other' ? OTHER_ORIGIN : ''}${API}/provider/${ELSEWHERE}/user${step === 'check' ? `/${id}` : ''}`,
        },
      }),
    })),
  );

const echoes: Case[] = [
  {
    name: `a 401 "invalid token ${TOKEN}"`,
    fault: () => ({ kind: 'status', status: 401, body: `invalid token ${TOKEN}` }),
    code: 'unauthorized',
  },
  {
    name: 'a 500 "db error for token …" (raw and URL-encoded)',
    fault: () => ({
      kind: 'status',
      status: 500,
      body: { message: `db error for token ${TOKEN} ${encodeURIComponent(TOKEN)}` },
    }),
    code: 'server',
  },
];

const CHECK_CASES: Case[] = [
  ...redirects('check'),
  ...[
    [
      '200 {"success":false,"code":404}',
      { status: 200, body: { success: false, code: 404, response: 'user not found' } },
    ],
    ['an empty 200', { status: 200, body: '' }],
    ['200 {"foo":1}', { status: 200, body: { foo: 1 } }],
    ['a 204', { status: 204 }],
    ['the envelope for another id', { status: 200, body: { success: true, code: 200, response: { id: 'doc-ana' } } }],
  ].map(([name, fault]) => ({
    name: name as string,
    code: 'bad-response',
    fault: () => ({ kind: 'status' as const, ...(fault as object) }),
  })),
  ...echoes,
];

const CREATE_CASES: Case[] = [
  ...redirects('create'),
  ...[
    ['201 {"foo":1}', { status: 201, body: { foo: 1 } }],
    ['an empty 201', { status: 201, body: '' }],
    ['a 204', { status: 204 }],
  ].map(([name, fault]) => ({
    name: name as string,
    code: 'bad-response',
    fault: () => ({ kind: 'status' as const, ...(fault as object) }),
  })),
  {
    name: 'a 201 whose per-doctor status is "user not created: email already exists for another user"',
    code: 'create-failed',
    fault: (id: string) => ({
      kind: 'status',
      status: 201,
      body: {
        success: true,
        code: 201,
        response: [
          { id, name: 'Ana', lastname: 'García', status: 'user not created: email already exists for another user' },
        ],
      },
    }),
  },
  {
    name: 'a 201 for another id only',
    code: 'bad-response',
    fault: () => ({
      kind: 'status',
      status: 201,
      body: { success: true, code: 201, response: [{ id: 'doc-ana', status: 'user created successfully' }] },
    }),
  },
  ...echoes,
];

describe('a hostile vendor', () => {
  const popups = isolateEachTest();

  for (const [step, cases] of [
    ['check', CHECK_CASES],
    ['create', CREATE_CASES],
  ] as const) {
    for (const c of cases) {
      it(`${c.name} on the ${step} → ${c.code} at the ${step}; no false success, duplicate, popup or secret`, async () => {
        const id = uid(`hostile-${step}`);
        if (c.elsewhere) await seedSpeaknosis(step === 'check' ? [{ id, providerId: ELSEWHERE }] : []);
        const match =
          step === 'check'
            ? { method: 'GET', path: `/${PROVIDER}/user/${id}` }
            : { method: 'POST', path: `/provider/${PROVIDER}/user`, body: id };
        await faults({ match, times: 5, ...c.fault(id) });
        const el = await gate({ doctorId: id, attrs: { retries: '1', timeout: '2000' } });
        const log = record(el);
        let rejection: unknown;
        const written = await consoleDuring(async () => {
          const failed = until(el, 'doctor-gate-error');
          await click(el);
          await failed;
          // The same failure through provision(): its rejection must not carry the secret either.
          rejection = await el.provision().then(
            () => undefined,
            (error: unknown) => error,
          );
        });
        const error = log.of('error')[0];
        expect(error).to.deep.include({ code: c.code, step, retryable: false });
        expect(rejection).to.include({ code: c.code, step });
        expect(el.state).to.equal('error');
        // No false success.
        expect(log.of('provisioned')).to.have.length(0);
        expect(log.of('open')).to.have.length(0);
        // No popup left open.
        expect(popups().calls).to.have.length(1);
        expect(popups().calls[0]!.win!.closed).to.equal(true);
        // No account made anywhere: not here, not at the provider a redirect pointed to.
        expect((await userState(id)).exists).to.equal(false);
        if (c.elsewhere && step === 'create') expect((await userState(id, ELSEWHERE)).exists).to.equal(false);
        const posts = (await requests(`/user`, 'POST')).filter((r) => JSON.stringify(r.body).includes(id));
        expect(posts.filter((p) => p.path.includes(`/${ELSEWHERE}/`))).to.deep.equal([]);
        if (step === 'check') expect(posts).to.deep.equal([]);
        expect(posts.filter((p) => p.status === 201 && !p.fault)).to.have.length(0);
        // A redirect is never followed: nothing asked for at the place it pointed to.
        if (c.elsewhere)
          expect(await requests(`/${ELSEWHERE}/user`)).to.satisfy((entries: { body: unknown; path: string }[]) =>
            entries.every((e) => !e.path.includes(id) && !JSON.stringify(e.body).includes(id)),
          );
        // No secret in any event, the console, or the rejection.
        for (const event of log.events) expect(JSON.stringify(event.detail)).to.not.contain(TOKEN);
        expect(written.join('\n')).to.not.contain(TOKEN);
        expect(String((rejection as Error).message)).to.not.contain(TOKEN);
        expect(String((rejection as Error).message)).to.not.contain(encodeURIComponent(TOKEN));
        expect(el.shadowRoot!.textContent).to.not.contain(TOKEN);
      });
    }
  }
});

describe('a tokenProvider that never answers', () => {
  const popups = isolateEachTest();

  it('times out at the check after `timeout` ms, closes the popup, and is asked again on the next click', async () => {
    const el: DoctorGate = await gate({ doctorId: uid('hang-provider'), attrs: { token: undefined, timeout: '300' } });
    let calls = 0;
    el.tokenProvider = () => (calls++, new Promise<string>(() => undefined));
    await el.updateComplete;
    const log = record(el);
    const failed = until(el, 'doctor-gate-error');
    await click(el);
    await failed;
    expect(log.of('error')[0]).to.deep.include({ code: 'timeout', step: 'check' });
    expect(el.state).to.equal('error');
    expect(popups().calls[0]!.win!.closed).to.equal(true);
    expect(calls).to.equal(1);

    const again = until(el, 'doctor-gate-error');
    await click(el);
    await again;
    expect(calls).to.equal(2);
    expect(popups().calls.every((call) => call.win!.closed)).to.equal(true);
  });

  it('a rejecting provider is reported at the check, not config, and asked once per click', async () => {
    const el = await gate({ doctorId: uid('bad-provider'), attrs: { token: undefined, retries: '3' } });
    let calls = 0;
    el.tokenProvider = async () => {
      calls++;
      throw new Error(`backend refused ${TOKEN}`);
    };
    await el.updateComplete;
    const log = record(el);
    const failed = until(el, 'doctor-gate-error');
    await click(el);
    await failed;
    expect(log.of('error')[0]).to.deep.include({ code: 'unauthorized', step: 'check' });
    expect(calls).to.equal(1);
    for (const event of log.events) expect(JSON.stringify(event.detail)).to.not.contain(TOKEN);
  });
});
