// smartDoctor against the sandbox's SMART EHR over real HTTP: a verified id_token names the doctor;
// every forged, foreign or expired one is a 401 with no request to the vendor.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setupServer } from 'msw/node';
import { createSandbox, fixtures, sandboxHandlers } from '../../sandbox/index.js';
import { createGateHandler, DoctorGateError, smartDoctor, toNodeListener } from '../../dist/server.js';
import { listen, rejection, serveSandbox } from './support/server.js';

const VENDOR_PATH = '/sandbox/speaknosis/';
/** The sandbox EHR's Catalan practitioner pr-jordi, as the mapping gives him. */
const JORDI = {
  id: 'smart-jordi',
  name: 'Jordi',
  lastname: 'Puig i Soler',
  email: 'jordi.puig@hospital.example',
  lang: 'CA',
};
const PRACTITIONER_PATH = '/sandbox/ehr/smart/fhir/Practitioner/';

let sandbox;
let issuer;
const servers = [];
before(async () => {
  sandbox = await serveSandbox();
  issuer = `${sandbox.origin}${fixtures.smart.path}`;
});
after(() => Promise.all([sandbox.stop(), ...servers.map((server) => server.stop())]));
beforeEach(() => sandbox.reset());

/** Asks the sandbox EHR for tokens; `params` are the token request's fields (and its test knobs). */
async function mint(params) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  assert.equal(response.status, 200);
  return response.json();
}

/** The request's tokens, as an EHR's session would hold them: here two cookies. */
function tokenOf(request) {
  const cookies = new URLSearchParams((request.headers.get('Cookie') ?? '').replace(/;\s*/g, '&'));
  const idToken = cookies.get('id_token');
  return idToken ? { idToken, accessToken: cookies.get('access_token') ?? undefined } : null;
}

/** A Speaknosis gate handler whose doctor is the SMART sign-in's, served over HTTP. */
async function smartGate(options = {}) {
  const doctorFor = smartDoctor({
    issuer,
    clientId: fixtures.smart.clientId,
    idSystem: fixtures.smart.idSystem,
    token: tokenOf,
    // What a Practitioner does not say: the Speaknosis speciality, and a language when it names none.
    enrich: (doctor) => ({ lang: 'ES', ...doctor, specialityId: 1 }),
    jwksCooldownMs: 0,
    timeoutMs: 2000,
    ...options,
  });
  const handler = createGateHandler({
    vendor: 'speaknosis',
    apiBase: `${sandbox.origin}/sandbox/speaknosis/v1/health`,
    providerId: fixtures.speaknosis.providerId,
    credential: fixtures.speaknosis.token,
    doctorFor,
    retries: 0,
    timeoutMs: 2000,
  });
  const server = await listen(toNodeListener(handler));
  servers.push(server);
  const call = async (tokens, init = {}) => {
    const cookie = tokens
      ? `id_token=${tokens.id_token}${tokens.access_token ? `; access_token=${tokens.access_token}` : ''}`
      : '';
    const response = await fetch(`${server.origin}/ehr/doctor-gate`, {
      ...init,
      headers: { ...(cookie && { Cookie: cookie }), ...init.headers },
    });
    return { status: response.status, text: await response.text() };
  };
  return { doctorFor, call, origin: server.origin };
}

const requestWith = (tokens) =>
  new Request('http://127.0.0.1/ehr/doctor-gate', {
    headers: { Cookie: `id_token=${tokens.id_token}; access_token=${tokens.access_token}` },
  });

describe('smartDoctor: a verified sign-in names the doctor', () => {
  it('maps the signed-in Practitioner (Catalan) and the gate checks that doctor at the vendor', async () => {
    const { call, doctorFor } = await smartGate();
    const tokens = await mint({ practitioner: 'pr-jordi' });
    // This gate's `enrich` adds what the Practitioner does not say (the speciality).
    assert.deepEqual(await doctorFor(requestWith(tokens)), { ...JORDI, specialityId: 1 });
    const answer = await call(tokens);
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.text).doctor.id, 'smart-jordi');
    const vendor = await sandbox.log(VENDOR_PATH);
    assert.deepEqual(
      vendor.map((entry) => `${entry.method} ${entry.path}`),
      [`GET /sandbox/speaknosis/v1/health/provider/1001/user/smart-jordi`],
    );
  });

  it('reads the Practitioner with the access token, and creates the doctor on POST', async () => {
    const { call, origin } = await smartGate();
    const tokens = await mint({ practitioner: 'pr-ana' });
    // The page's own POSTs: same origin, JSON; a creation only with the ticket of a needsCreation answer.
    const post = (body) =>
      call(tokens, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: origin, 'Sec-Fetch-Site': 'same-origin' },
        body: JSON.stringify(body),
      });
    const needed = await post({});
    assert.equal(needed.status, 200, needed.text);
    const { needsCreation, ticket } = JSON.parse(needed.text);
    assert.equal(needsCreation, true, needed.text);
    const answer = await post({ create: true, ticket });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(JSON.parse(answer.text).outcome, 'created', answer.text);
    const fhir = await sandbox.log(PRACTITIONER_PATH);
    assert.ok(fhir.length > 0, 'the Practitioner was read');
    assert.deepEqual(
      fhir.map((entry) => [entry.path, entry.auth]),
      fhir.map(() => [`${PRACTITIONER_PATH}pr-ana`, 'Bearer']),
    );
    const state = await sandbox.control('state?vendor=speaknosis&providerId=1001&id=smart-ana');
    assert.equal(JSON.stringify(state).includes('"lang":"ES"'), true, JSON.stringify(state));
  });

  it('without idSystem, the id is the resource id; an unsupported language only leaves lang to enrich', async () => {
    const { doctorFor } = await smartGate({ idSystem: undefined, enrich: undefined });
    const doctor = await doctorFor(requestWith(await mint({ practitioner: 'pr-hanna' })));
    assert.deepEqual(doctor, {
      id: 'pr-hanna',
      name: 'Hanna',
      lastname: 'Schmidt',
      email: 'hanna.schmidt@hospital.example',
    });
  });

  it('a token for several audiences holds when azp names this app', async () => {
    const { doctorFor } = await smartGate();
    const tokens = await mint({
      practitioner: 'pr-ana',
      aud: `another-app,${fixtures.smart.clientId}`,
      azp: fixtures.smart.clientId,
    });
    assert.equal((await doctorFor(requestWith(tokens)))?.id, 'smart-ana');
  });

  it('picks up a rotated key: an unknown kid makes it fetch the keys again', async () => {
    const { doctorFor } = await smartGate();
    assert.equal((await doctorFor(requestWith(await mint({ practitioner: 'pr-sam' }))))?.id, 'smart-sam');
    const fetched = (await sandbox.log('/jwks')).length;
    const rotated = await fetch(`${issuer}/rotate-key`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(rotated.status, 200);
    const tokens = await mint({ practitioner: 'pr-jordi' });
    const header = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url').toString());
    assert.equal(header.kid, (await rotated.json()).kid);
    assert.equal((await doctorFor(requestWith(tokens)))?.id, 'smart-jordi');
    assert.equal((await sandbox.log('/jwks')).length, fetched + 1);
  });
});

describe('smartDoctor: anything but a valid sign-in is 401, and the vendor hears nothing', () => {
  const forged = {
    'no token at all': async () => null,
    expired: () => mint({ practitioner: 'pr-ana', expires_in: -120 }),
    'not valid yet (nbf)': () => mint({ practitioner: 'pr-ana', not_before: 600 }),
    'another audience': () => mint({ practitioner: 'pr-ana', client_id: 'another-app' }),
    'several audiences without azp': () =>
      mint({ practitioner: 'pr-ana', aud: `${fixtures.smart.clientId},another-app` }),
    'several audiences, azp another app': () =>
      mint({ practitioner: 'pr-ana', aud: `another-app,${fixtures.smart.clientId}`, azp: 'another-app' }),
    'another issuer': () => mint({ practitioner: 'pr-ana', iss: 'https://evil.example/smart' }),
    'alg none': () => mint({ practitioner: 'pr-ana', alg: 'none' }),
    'HS256 keyed with the public key': () => mint({ practitioner: 'pr-ana', alg: 'HS256' }),
    'a key the issuer never published': () => mint({ practitioner: 'pr-ana', key: 'unpublished' }),
    'a fhirUser on another origin': () =>
      mint({ practitioner: 'pr-ana', fhir_user: 'http://127.0.0.2:9/fhir/Practitioner/pr-ana' }),
    'a fhirUser outside the FHIR base': () =>
      mint({ practitioner: 'pr-ana', fhir_user: `${sandbox.origin}/sandbox/elsewhere/Practitioner/pr-ana` }),
    'a fhirUser that is a Patient': () => mint({ practitioner: 'pr-ana', fhir_user: `${issuer}/fhir/Patient/pr-ana` }),
    'a payload swapped under a valid signature': async () => {
      const ana = await mint({ practitioner: 'pr-ana' });
      const jordi = await mint({ practitioner: 'pr-jordi' });
      const [header, , signature] = ana.id_token.split('.');
      return { ...ana, id_token: `${header}.${jordi.id_token.split('.')[1]}.${signature}` };
    },
    'a token that is no JWS': async () => ({ id_token: 'not-a-token', access_token: 'x' }),
  };
  for (const [name, tokensFor] of Object.entries(forged)) {
    it(name, async () => {
      const { call } = await smartGate({ fhirBase: `${issuer}/fhir` });
      const tokens = await tokensFor();
      await sandbox.control('log', undefined, 'DELETE');
      const answer = await call(tokens);
      assert.equal(answer.status, 401, answer.text);
      assert.equal(JSON.parse(answer.text).error.code, 'unauthorized');
      assert.deepEqual(await sandbox.log(VENDOR_PATH), []);
      // Not even the Practitioner is read for a token that does not hold.
      assert.deepEqual(await sandbox.log(PRACTITIONER_PATH), []);
      if (tokens?.id_token) assert.equal(answer.text.includes(tokens.id_token), false);
    });
  }
});

describe('smartDoctor: failures of the issuer or the FHIR server are the server’s, told without tokens', () => {
  it('an issuer that cannot be reached is a network error (502), not a 401', async () => {
    const closed = await listen((req, res) => res.end());
    await closed.stop();
    const tokens = await mint({ practitioner: 'pr-ana' });
    const { doctorFor } = await smartGate({ issuer: closed.origin });
    const error = await rejection(doctorFor(requestWith(tokens)));
    assert.ok(error instanceof DoctorGateError);
    assert.equal(error.code, 'network');
    assert.equal(JSON.stringify({ ...error, message: error.message }).includes(tokens.id_token), false);
  });

  it('a FHIR server that never answers is a timeout after timeoutMs, not a hang', async () => {
    const silent = await listen(() => {});
    servers.push(silent);
    const { doctorFor } = await smartGate({ fhirBase: silent.origin, timeoutMs: 300 });
    const tokens = await mint({ practitioner: 'pr-ana', fhir_user: `${silent.origin}/Practitioner/pr-ana` });
    const started = Date.now();
    const error = await rejection(doctorFor(requestWith(tokens)));
    assert.equal(error.code, 'timeout');
    assert.ok(Date.now() - started < 3000);
    assert.equal(error.message.includes(tokens.access_token), false);
  });

  it('a FHIR server that redirects is refused, and the redirect is not followed', async () => {
    const seen = [];
    const target = await listen((req, res) => (seen.push(req.url), res.end('{}')));
    const fhir = await listen((req, res) =>
      res.writeHead(302, { Location: `${target.origin}/Practitioner/pr-ana` }).end(),
    );
    servers.push(target, fhir);
    const { call } = await smartGate({ fhirBase: fhir.origin });
    const tokens = await mint({ practitioner: 'pr-ana', fhir_user: `${fhir.origin}/Practitioner/pr-ana` });
    const answer = await call(tokens);
    assert.equal(answer.status, 502, answer.text);
    assert.equal(JSON.parse(answer.text).error.code, 'bad-response');
    assert.deepEqual(seen, []);
    assert.equal(answer.text.includes(tokens.access_token), false);
    assert.deepEqual(await sandbox.log(VENDOR_PATH), []);
  });

  it('an access token the FHIR server refuses is an error, never a doctor', async () => {
    const { call } = await smartGate();
    const tokens = { ...(await mint({ practitioner: 'pr-ana' })), access_token: 'smart_at_forged' };
    const answer = await call(tokens);
    assert.equal(answer.status, 502, answer.text);
    assert.equal(answer.text.includes('smart_at_forged'), false);
    assert.deepEqual(await sandbox.log(VENDOR_PATH), []);
  });

  it('a Practitioner without a usable name is a config error naming the missing field', async () => {
    const nameless = await listen((req, res) =>
      res
        .writeHead(200, { 'Content-Type': 'application/fhir+json' })
        .end(JSON.stringify({ resourceType: 'Practitioner', id: 'pr-x', name: [{ text: 'Dr X' }] })),
    );
    servers.push(nameless);
    const { doctorFor } = await smartGate({ fhirBase: nameless.origin, idSystem: undefined });
    const tokens = await mint({ practitioner: 'pr-ana', fhir_user: `${nameless.origin}/Practitioner/pr-x` });
    const error = await rejection(doctorFor(requestWith(tokens)));
    assert.equal(error.code, 'config');
    assert.deepEqual(error.fields, ['name.given', 'name.family']);
  });

  it('refuses options that would weaken it: an http issuer off loopback, a symmetric algorithm', () => {
    for (const options of [
      { issuer: 'http://ehr.example/smart' },
      { algorithms: ['HS256'] },
      { algorithms: ['none'] },
      { clientId: '' },
    ]) {
      assert.throws(
        () => smartDoctor({ issuer, clientId: 'app', token: tokenOf, ...options }),
        (error) => error instanceof DoctorGateError && error.code === 'config',
        JSON.stringify(options),
      );
    }
  });
});

describe('smartDoctor through MSW: the sandbox EHR at a public URL, no port', () => {
  const EHR = 'https://ehr.example.org/smart';
  let msw;
  before(() => {
    msw = setupServer(...sandboxHandlers({ sandbox: createSandbox(), speaknosis: false, smart: EHR }));
    msw.listen({ onUnhandledRequest: 'bypass' });
  });
  after(() => msw.close());

  it('verifies a token of the mocked issuer and reads the Practitioner at its public URL', async () => {
    const discovery = await (await fetch(`${EHR}/.well-known/openid-configuration`)).json();
    assert.equal(discovery.issuer, EHR);
    assert.equal(discovery.jwks_uri, `${EHR}/jwks`);
    const minted = await fetch(`${EHR}/token`, {
      method: 'POST',
      body: new URLSearchParams({ practitioner: 'pr-jordi' }),
    });
    const tokens = await minted.json();
    const doctorFor = smartDoctor({
      issuer: EHR,
      clientId: fixtures.smart.clientId,
      idSystem: fixtures.smart.idSystem,
      token: tokenOf,
    });
    assert.deepEqual(await doctorFor(requestWith(tokens)), JORDI);
    const forged = { ...tokens, id_token: `${tokens.id_token.slice(0, -4)}AAAA` };
    assert.equal(await doctorFor(requestWith(forged)), null);
  });
});

describe('smartDoctor without jose installed', () => {
  it('fails with a config error that names the package to install', async () => {
    // A resolve hook that hides `jose`, as in an app that did not install the optional peer.
    const hooks = `export async function resolve(specifier, context, next) {
      if (specifier === 'jose') throw Object.assign(new Error('Cannot find package jose'), { code: 'ERR_MODULE_NOT_FOUND' });
      return next(specifier, context);
    }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(
      `data:text/javascript,${encodeURIComponent(hooks)}`,
    )});`;
    const script = `
      const { smartDoctor } = await import(${JSON.stringify(new URL('../../dist/server.js', import.meta.url).href)});
      const doctorFor = smartDoctor({ issuer: 'https://ehr.example/smart', clientId: 'app', token: () => 'a.b.c' });
      try { await doctorFor(new Request('https://ehr.example/')); console.log('resolved'); }
      catch (error) { console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })); }`;
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      `data:text/javascript,${encodeURIComponent(register)}`,
      '--input-type=module',
      '--eval',
      script,
    ]);
    const error = JSON.parse(stdout);
    assert.equal(error.name, 'DoctorGateError');
    assert.equal(error.code, 'config');
    assert.match(error.message, /npm install jose/);
  });
});
