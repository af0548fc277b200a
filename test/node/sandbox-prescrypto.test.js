// The sandbox's Prescrypto medics API over real HTTP: the paged list, detail, create and update.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { useSandbox } from './support/sandbox.js';
import { JSON_HEADERS } from './support/sandbox.js';
import { PX, PX_AUTH, vendorApi } from './support/vendor-api.js';

const { origin } = await useSandbox();
const { callJson, pxState, postMedic } = vendorApi(origin);

/** A medic's fields as the seed lists them, in its order (written here, not taken from the sandbox). */
const medicKeys = [
  'id',
  'name',
  'email',
  'hospital',
  'date_of_birth',
  'cedula_prof',
  'specialty_no',
  'specialty',
  'alma_mater',
  'female',
  'is_active',
  'specialty_verified',
  'campaign',
  'is_admin_membership',
];

describe('Prescrypto: list', () => {
  it('defaults to 15 per page with absolute next/previous from the Host header', async () => {
    const { status, body, res } = await callJson(PX, { headers: PX_AUTH });
    assert.equal(status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(Object.keys(body), ['count', 'next', 'previous', 'results']);
    assert.equal(body.count, 120);
    assert.equal(body.results.length, 15);
    assert.equal(body.next, `${origin}${PX}?limit=15&offset=15`);
    assert.equal(body.previous, null);
    assert.deepEqual(
      body.results.map((/** @type {any} */ m) => m.id),
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
  });

  it('medics have exactly the seed fields, never token or password', async () => {
    const { body } = await callJson(`${PX}?limit=100&offset=100`, { headers: PX_AUTH });
    for (const medic of body.results) assert.deepEqual(Object.keys(medic), medicKeys);
    const text = JSON.stringify(body);
    assert.doesNotMatch(text, /token|password|mt_/);
  });

  it('clamps limit to 100; page 2 holds Elena Vidal (110); links keep limit', async () => {
    const first = await callJson(`${PX}?limit=500`, { headers: PX_AUTH });
    assert.equal(first.body.results.length, 100);
    assert.equal(first.body.next, `${origin}${PX}?limit=100&offset=100`);
    const second = await callJson(`${PX}?limit=100&offset=100`, { headers: PX_AUTH });
    assert.equal(second.body.results.length, 20);
    assert.equal(second.body.next, null);
    assert.equal(second.body.previous, `${origin}${PX}?limit=100`);
    const elena = second.body.results.find((/** @type {any} */ m) => m.id === 110);
    assert.equal(elena.name, 'Elena Vidal');
    assert.equal(elena.email, 'elena.vidal@clinic.example');
    assert.equal(elena.is_active, true);
  });

  it('previous keeps an offset when one page back is not the start', async () => {
    const { body } = await callJson(`${PX}?offset=40&limit=10&search=x`, { headers: PX_AUTH });
    assert.equal(body.previous, `${origin}${PX}?limit=10&offset=30&search=x`);
    assert.equal(body.next, `${origin}${PX}?limit=10&offset=50&search=x`);
  });

  it('inactive fixtures are 7 and 113', async () => {
    const all = [
      ...(await callJson(`${PX}?limit=100`, { headers: PX_AUTH })).body.results,
      ...(await callJson(`${PX}?limit=100&offset=100`, { headers: PX_AUTH })).body.results,
    ];
    assert.equal(all.length, 120);
    assert.deepEqual(
      all.filter((m) => !m.is_active).map((m) => m.id),
      [7, 113],
    );
    assert.ok(
      all.every((m) => m.email === (m.id === 110 ? 'elena.vidal@clinic.example' : `medic${m.id}@clinic.example`)),
    );
  });

  it('uses X-Forwarded-Proto and the Host header for absolute links', async () => {
    const { body } = await callJson(`${PX}?limit=50`, {
      headers: { ...PX_AUTH, 'X-Forwarded-Proto': 'https' },
    });
    assert.ok(body.next.startsWith(`https://${new URL(origin).host}/sandbox/prescrypto/`));
  });

  it('invalid limit/offset fall back to the defaults; the collection works without a trailing slash', async () => {
    const { body } = await callJson('/sandbox/prescrypto/api/v2/medics?limit=0&offset=-3', { headers: PX_AUTH });
    assert.equal(body.results.length, 15);
    assert.equal(body.results[0].id, 1);
  });

  it('only lists medics created with the caller token', async () => {
    const { body } = await callJson(PX, { headers: { Authorization: 'Token pk_other_key' } });
    assert.equal(body.count, 1);
    assert.equal(body.results[0].id, 500);
    assert.equal(body.results[0].email, 'taken@elsewhere.example');
    assert.equal(body.next, null);
  });

  it('missing or unknown key, or a medic token → 401 {"message":"Invalid Token"}', async () => {
    /** @type {Record<string, string>[]} */
    const variants = [
      {},
      { Authorization: 'Token nope' },
      { Authorization: 'Bearer pk_demo_key' },
      { Authorization: 'Token mt_1' },
    ];
    for (const headers of variants) {
      const { status, body } = await callJson(PX, { headers });
      assert.equal(status, 401);
      assert.deepEqual(body, { message: 'Invalid Token' });
    }
  });
});

describe('Prescrypto: detail', () => {
  it('GET /medics/:id/ with or without the trailing slash', async () => {
    for (const path of [`${PX}110/`, `${PX}110`]) {
      const { status, body } = await callJson(path, { headers: PX_AUTH });
      assert.equal(status, 200);
      assert.equal(body.name, 'Elena Vidal');
      assert.equal(body.token, undefined);
      assert.equal(body.password, undefined);
    }
  });

  it('404 {"message":"Not found"} when missing or created by another token', async () => {
    for (const [path, auth] of [
      [`${PX}999/`, PX_AUTH],
      [`${PX}500/`, PX_AUTH],
      [`${PX}1/`, { Authorization: 'Token pk_other_key' }],
      [`${PX}abc/`, PX_AUTH],
    ]) {
      const { status, body } = await callJson(/** @type {string} */ (path), { headers: /** @type {any} */ (auth) });
      assert.equal(status, 404);
      assert.deepEqual(body, { message: 'Not found' });
    }
  });
});

describe('Prescrypto: create', () => {
  const medic = { name: 'Nueva Médica', password: 'S3cret!pass', email: 'nueva@clinic.example' };

  it('201 with the medic, a fresh token and a pbkdf2 password hash, ids increasing', async () => {
    const a = await postMedic({ ...medic, hospital: 7, female: true, specialty: 'Pediatría' });
    assert.equal(a.status, 201);
    // A created medic: its token after the id and its password hash after the name, then the rest.
    assert.deepEqual(Object.keys(a.body), ['id', 'token', 'name', 'password', ...medicKeys.slice(2)]);
    assert.equal(a.body.name, 'Nueva Médica');
    assert.equal(a.body.hospital, 7);
    assert.equal(a.body.female, true);
    assert.equal(a.body.is_active, true);
    assert.match(a.body.token, /^\S{20,}$/);
    assert.match(a.body.password, /^pbkdf2_sha256\$150000\$[^$]+\$[A-Za-z0-9+/=]+$/);
    assert.ok(!a.body.password.includes('S3cret!pass'));

    const b = await postMedic({ ...medic, email: 'otra@clinic.example' });
    assert.ok(Number.isInteger(a.body.id) && b.body.id > a.body.id && a.body.id > 120);
    assert.notEqual(a.body.token, b.body.token);

    // The token is returned only by the create call.
    const detail = await callJson(`${PX}${a.body.id}/`, { headers: PX_AUTH });
    assert.equal(detail.status, 200);
    assert.equal(detail.body.token, undefined);
    assert.equal(detail.body.password, undefined);
    const list = await callJson(`${PX}?limit=100&offset=100`, { headers: PX_AUTH });
    assert.equal(list.body.count, 122);
    assert.doesNotMatch(JSON.stringify(list.body), new RegExp(a.body.token));
    // ...and it works as the medic's credential for the app page.
    const who = await callJson('/sandbox/app-api/whoami?vendor=prescrypto', {
      headers: { Authorization: `Token ${a.body.token}` },
    });
    assert.equal(who.body.doctorId, a.body.id);
  });

  it('missing name, password or email → 400 DRF-style field errors', async () => {
    const { status, body } = await postMedic({});
    assert.equal(status, 400);
    assert.deepEqual(body, {
      password: ['This field is required.'],
      name: ['This field is required.'],
      email: ['This field is required.'],
    });
    const partial = await postMedic({ name: 'X', email: 'x@clinic.example' });
    assert.deepEqual(partial.body, { password: ['This field is required.'] });
    const invalid = await postMedic({
      ...medic,
      email: 'not-an-email',
      date_of_birth: '1990-02-30',
      female: 'maybe',
    });
    assert.equal(invalid.status, 400);
    assert.deepEqual(Object.keys(invalid.body).sort(), ['date_of_birth', 'email', 'female']);
    assert.equal((await pxState('not-an-email')).count, 0);
  });

  it('a duplicate email (any token, any case) → 400 with the seed body, nothing created', async () => {
    const expected = (/** @type {string} */ email) => [
      `duplicate key value violates unique constraint "medics_medic_email_c4aaaa6a_uniq"\nDETAIL: Key (email)=(${email}) already exists.\n`,
    ];
    const taken = await postMedic({ ...medic, email: 'Taken@Elsewhere.example' });
    assert.equal(taken.status, 400);
    assert.deepEqual(taken.body, expected('Taken@Elsewhere.example'));
    const own = await postMedic({ ...medic, email: 'medic3@clinic.example' });
    assert.deepEqual(own.body, expected('medic3@clinic.example'));
    assert.equal((await pxState('taken@elsewhere.example')).count, 1);
    assert.equal((await pxState('medic3@clinic.example')).count, 1);
    const list = await callJson(PX, { headers: PX_AUTH });
    assert.equal(list.body.count, 120);
  });

  it('a hospital the token does not administer → 400 with the permission message', async () => {
    const { status, body } = await postMedic({ ...medic, hospital: 9 });
    assert.equal(status, 400);
    assert.deepEqual(body, { message: 'You do not have sufficient permissions to assign this hospital: 9' });
    const other = await postMedic({ ...medic, hospital: 7 }, { Authorization: 'Token pk_other_key' });
    assert.deepEqual(other.body, { message: 'You do not have sufficient permissions to assign this hospital: 7' });
    assert.equal((await pxState(medic.email)).exists, false);
  });

  it('a non-object or unparsable body → 400', async () => {
    assert.equal((await postMedic(/** @type {any} */ ([medic]))).status, 400);
    const raw = await callJson(PX, { method: 'POST', headers: PX_AUTH, body: '{"name":' });
    assert.equal(raw.status, 400);
  });

  it('other methods → 405', async () => {
    assert.equal((await callJson(`${PX}1/`, { method: 'DELETE', headers: PX_AUTH })).status, 405);
    assert.equal((await callJson(PX, { method: 'PATCH', headers: PX_AUTH, body: '{}' })).status, 405);
  });
});

describe('Prescrypto: update', () => {
  /** @param {string} path @param {unknown} body @param {Record<string, string>} [auth] */
  const patch = (path, body, auth = PX_AUTH) =>
    callJson(path, { method: 'PATCH', headers: { ...auth, ...JSON_HEADERS }, body: JSON.stringify(body) });

  it('PATCH updates the given fields → 202 with the medic', async () => {
    const { status, body } = await patch(`${PX}7/`, {
      is_active: true,
      name: 'Daniel Hale Williams',
      token: 'x',
      id: 99,
    });
    assert.equal(status, 202);
    assert.equal(body.id, 7);
    assert.equal(body.name, 'Daniel Hale Williams');
    assert.equal(body.is_active, true);
    assert.equal(body.email, 'medic7@clinic.example');
    assert.equal(body.token, undefined);
    assert.equal((await pxState('medic7@clinic.example')).active, true);
    const deactivated = await patch(`${PX}8`, { is_active: false });
    assert.equal(deactivated.status, 202);
    assert.equal(deactivated.body.is_active, false);
  });

  it('PATCH of a medic of another token, or missing → 404', async () => {
    const a = await patch(`${PX}500/`, { name: 'x' });
    assert.equal(a.status, 404);
    assert.deepEqual(a.body, { message: 'Not found' });
    assert.equal((await patch(`${PX}4242/`, { name: 'x' })).status, 404);
    assert.equal((await patch(`${PX}1/`, { name: 'x' }, { Authorization: 'Token nope' })).status, 401);
  });

  it('PATCH to an email already taken → 400 duplicate body; own email is fine', async () => {
    const dup = await patch(`${PX}5/`, { email: 'TAKEN@elsewhere.example' });
    assert.equal(dup.status, 400);
    assert.match(dup.body[0], /^duplicate key value violates unique constraint/);
    assert.equal((await patch(`${PX}5/`, { email: 'MEDIC5@clinic.example' })).status, 202);
  });
});
