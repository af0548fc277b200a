// The recipes of docs/server-mode.md, run as written: each ```js recipe block is written to a
// module inside the package (so `doctor-gate/server` resolves to this build), beside a stand-in for
// the EHR's own sign-in (`./ehr-session.js`) and database (`./ehr-db.js`), and driven over real
// HTTP against the sandbox as a browser page of the EHR would.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { fixtures } from '../../sandbox/index.js';
import { runCli } from './support/process.js';
import { listen, pageHeaders, serveSandbox } from './support/server.js';

const ROOT = new URL('../../', import.meta.url);
const DOC = readFileSync(new URL('docs/server-mode.md', ROOT), 'utf8');
const RECIPES = Object.fromEntries(
  [...DOC.matchAll(/```js recipe title="([\w-]+)"\n([\s\S]*?)```/g)].map(([, title, code]) => [title, code]),
);

/** The EHR's sign-in, as the recipes import it: the cookie `ehr=<id>` names a signed-in doctor. */
const SESSION_MODULE = `
const DOCTORS = {
  ana: { id: 'doc-ana', name: 'Ana', lastname: 'García', specialityId: 1, lang: 'ES' },
  nuria: { id: 'doc-recipe-new', name: 'Nuria', lastname: 'Nueva', specialityId: 2, lang: 'CA' },
  elena: { id: '110', name: 'Elena', lastname: 'Vidal', email: 'elena.vidal@clinic.example' },
  rosa: { name: 'Rosa', lastname: 'Receta', email: 'rosa.receta@clinic.example' },
  lucia: { name: 'Lucía', lastname: 'Lista', email: 'lucia.lista@clinic.example' },
};
const who = (cookie) => DOCTORS[/(?:^|;\\s*)ehr=(\\w+)/.exec(cookie ?? '')?.[1]] ?? null;
export const ehrSession = (req, _res, next) => {
  const doctor = who(req.headers.cookie);
  if (doctor) req.user = doctor;
  next();
};
export const doctorOfRequest = (request) => who(request.headers.get('Cookie'));
`;

let sandbox;
let dir;
let db;
const servers = [];
before(async () => {
  // PGlite first: its start-up holds the event loop for seconds.
  const { PGlite } = await import('@electric-sql/pglite');
  db = await PGlite.create();
  sandbox = await serveSandbox();
  dir = mkdtempSync(join(new URL('.', import.meta.url).pathname, '.recipes-'));
  writeFileSync(join(dir, 'ehr-session.js'), SESSION_MODULE);
  writeFileSync(join(dir, 'ehr-db.js'), 'export const db = globalThis.__recipeDb;\n');
  globalThis.__recipeDb = db;
});
after(async () => {
  await Promise.all([sandbox.stop(), db.close(), ...servers.map((server) => server.stop())]);
  rmSync(dir, { recursive: true, force: true });
  for (const key of Object.keys(process.env))
    if (/^(SPEAKNOSIS|PRESCRYPTO|DOCTOR_GATE|MEDIC)_/.test(key)) delete process.env[key];
});

/**
 * The recipe as a module; importing it must not need a single secret. `instance` names a fresh
 * module (a recipe's handler keeps the options it first read: a test with new ones needs its own).
 */
async function recipe(title, instance) {
  assert.ok(RECIPES[title], `docs/server-mode.md has a "${title}" recipe block`);
  const file = join(dir, `${title}.mjs`);
  writeFileSync(file, RECIPES[title]);
  return import(`${pathToFileURL(file).href}${instance ? `?${instance}` : ''}`);
}

function speaknosisEnvironment() {
  Object.assign(process.env, {
    SPEAKNOSIS_API: `${sandbox.origin}/sandbox/speaknosis/v1/health`,
    SPEAKNOSIS_PROVIDER_ID: fixtures.speaknosis.providerId,
    SPEAKNOSIS_TOKEN_URL: `${sandbox.origin}/sandbox/speaknosis/api/iam/integration/token`,
    SPEAKNOSIS_CLIENT_ID: fixtures.speaknosis.clientId,
    SPEAKNOSIS_CLIENT_SECRET: fixtures.speaknosis.clientSecret,
    DOCTOR_GATE_SECRET: randomBytes(32).toString('base64'),
  });
}

async function serve(listener) {
  const server = await listen(listener);
  servers.push(server);
  return server.origin;
}

/**
 * What the gate does from a page of the EHR: signed out → 401 from the server; signed in as a known
 * doctor → the launch; as a new doctor → creation needed, then created after consent.
 */
async function asThePage(url, known = 'ana', fresh = 'nuria') {
  const origin = new URL(url).origin;
  const ask = async (who, body) => {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...(who ? { Cookie: `ehr=${who}` } : {}), ...(body === undefined ? {} : pageHeaders(origin)) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, id: response.headers.get('X-Request-Id'), body: await response.json() };
  };
  const signedOut = await ask(undefined, {});
  assert.equal(signedOut.status, 401);
  assert.deepEqual(
    { code: signedOut.body.error.code, source: signedOut.body.error.source },
    { code: 'unauthorized', source: 'server' },
  );
  assert.ok(signedOut.id);
  const checked = await ask(known);
  assert.equal(checked.body.found, true);
  const existing = await ask(known, { ticket: checked.body.ticket });
  assert.equal(existing.body.outcome, 'existing', JSON.stringify(existing.body));
  const needed = await ask(fresh, {});
  assert.equal(needed.body.needsCreation, true);
  const created = await ask(fresh, { create: true, ticket: needed.body.ticket });
  assert.equal(created.body.outcome, 'created');
  return { existing: existing.body, created: created.body };
}

describe('the recipes of docs/server-mode.md, run as written', () => {
  test('the page has the four recipes', () => {
    assert.deepEqual(Object.keys(RECIPES).sort(), [
      'express',
      'hono',
      'import-cli-medic-tokens',
      'next-route',
      'node-http-prescrypto',
    ]);
  });

  test('Express: toNodeListener mounted under a path, the doctor from req.user', async () => {
    const { app } = await recipe('express');
    speaknosisEnvironment();
    const origin = await serve(app);
    const { existing, created } = await asThePage(`${origin}/ehr/doctor-gate`);
    assert.equal(existing.launch.doctorId, 'doc-ana');
    assert.match(existing.launch.token, /^sk_iam_/);
    assert.equal(created.doctor.id, 'doc-recipe-new');
  });

  test('Hono: app.all(path, (c) => gate(c.req.raw))', async () => {
    await sandbox.reset();
    const { app } = await recipe('hono');
    speaknosisEnvironment();
    const origin = await serve(getRequestListener(app.fetch, { overrideGlobalObjects: false }));
    const { existing } = await asThePage(`${origin}/ehr/doctor-gate`);
    assert.equal(existing.launch.doctorId, 'doc-ana');
  });

  test('Next.js route: imported with no secret set, then GET and POST answer', async () => {
    await sandbox.reset();
    for (const key of Object.keys(process.env)) if (key.startsWith('SPEAKNOSIS_')) delete process.env[key];
    // `next build` imports the route without the secrets: that must not throw.
    const route = await recipe('next-route');
    const early = await route.GET(
      new Request('https://ehr.example/ehr/doctor-gate', { headers: { Cookie: 'ehr=ana' } }),
    );
    assert.equal(early.status, 500);
    assert.equal((await early.json()).error.code, 'config');
    speaknosisEnvironment();
    // Next.js calls the exported functions with the Request (and a context of its own).
    const origin = await serve(
      getRequestListener((request) => route[request.method](request, { params: Promise.resolve({}) }), {
        overrideGlobalObjects: false,
      }),
    );
    const { existing } = await asThePage(`${origin}/ehr/doctor-gate`);
    assert.equal(existing.launch.doctorId, 'doc-ana');
  });

  test('Node http, Prescrypto, medic tokens in PostgreSQL (PGlite), encrypted', async () => {
    await sandbox.reset();
    Object.assign(process.env, {
      PRESCRYPTO_API: `${sandbox.origin}/sandbox/prescrypto`,
      PRESCRYPTO_API_KEY: fixtures.prescrypto.apiKey,
      MEDIC_TOKEN_KEY: randomBytes(32).toString('base64'),
    });
    const { server } = await recipe('node-http-prescrypto');
    const origin = await serve(server.listeners('request')[0]);
    // Elena exists at Prescrypto; her medic token was saved when she was created elsewhere.
    const { sqlMedicTokens } = await import('../../dist/server.js');
    const key = Buffer.from(process.env.MEDIC_TOKEN_KEY, 'base64');
    await sqlMedicTokens(db, { encryptionKey: key }).set(
      { vendor: 'prescrypto', api: `${sandbox.origin}/sandbox/prescrypto`, doctor: '110' },
      'mt_110',
    );
    const { existing, created } = await asThePage(`${origin}/`, 'elena', 'rosa');
    assert.deepEqual(existing.launch, { medicToken: 'mt_110' });
    assert.match(created.launch.medicToken, /\S{8,}/);
    const { rows } = await db.query('SELECT token FROM doctor_gate_medic_tokens');
    for (const row of rows) assert.doesNotMatch(row.token, /mt_110|^mt_/);
  });
  test('medic tokens created by the CLI: imported from its JSON Lines file, then the handler opens that medic', async () => {
    await sandbox.reset();
    Object.assign(process.env, {
      PRESCRYPTO_API: `${sandbox.origin}/sandbox/prescrypto`,
      PRESCRYPTO_API_KEY: fixtures.prescrypto.apiKey,
      MEDIC_TOKEN_KEY: randomBytes(32).toString('base64'),
    });
    // Rosa is created by the roster command line, which appends her one-time token to its file.
    const roster = join(dir, 'cli-roster.csv');
    writeFileSync(
      roster,
      'name,lastname,email\nRosa,Receta,rosa.receta@clinic.example\nLeo,Libro,leo.libro@clinic.example\n',
    );
    const tokens = join(dir, 'medic-tokens.jsonl');
    const args = ['provision', '--vendor', 'prescrypto', '--api-base', process.env.PRESCRYPTO_API];
    const run = await runCli([...args, '--token-env', 'PK', '--file', roster, '--tokens-out', tokens], {
      env: { PK: fixtures.prescrypto.apiKey },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    // A run killed mid-write leaves its last line unfinished: the import skips it.
    appendFileSync(tokens, '{"vendor":"prescrypto","apiBase":"x","medicId":9,"tok');

    const { importMedicTokens } = await recipe('import-cli-medic-tokens');
    const { sqlMedicTokens } = await import('../../dist/server.js');
    const key = Buffer.from(process.env.MEDIC_TOKEN_KEY, 'base64');
    assert.deepEqual(await importMedicTokens(tokens, sqlMedicTokens(db, { encryptionKey: key })), {
      imported: 2,
      skipped: [3],
    });
    // An earlier version's single-document file is read too.
    const legacy = join(dir, 'medic-tokens.json');
    const elena = {
      line: 2,
      email: 'elena.vidal@clinic.example',
      medicId: 110,
      token: 'mt_110',
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    writeFileSync(
      legacy,
      JSON.stringify(
        { tool: 'doctor-gate provision', vendor: 'prescrypto', apiBase: process.env.PRESCRYPTO_API, medics: [elena] },
        null,
        2,
      ),
    );
    const other = sqlMedicTokens(db, { table: 'imported_legacy', encryptionKey: key });
    assert.deepEqual(await importMedicTokens(legacy, other), { imported: 1, skipped: [] });
    assert.equal(await other.get({ vendor: 'prescrypto', api: process.env.PRESCRYPTO_API, doctor: '110' }), 'mt_110');

    // The handler of the Prescrypto recipe finds Rosa existing and opens her with the CLI's token.
    const { server } = await recipe('node-http-prescrypto', 'cli-tokens');
    const origin = await serve(server.listeners('request')[0]);
    const { existing } = await asThePage(`${origin}/`, 'rosa', 'lucia');
    const rosa = [...sandbox.store.prescrypto.medics.values()].find((m) => m.email === 'rosa.receta@clinic.example');
    assert.deepEqual(existing.launch, { medicToken: rosa.token });
  });
});
