// The sandbox's Speaknosis doctor API over real HTTP: users per provider, auth, the batch create.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { useSandbox } from './support/sandbox.js';
import { SK, SK_AUTH, user, vendorApi } from './support/vendor-api.js';

const { origin } = await useSandbox();
const { callJson, skState, postUsers } = vendorApi(origin);

describe('Speaknosis: GET and DELETE user', () => {
  it('GET an active user answers the envelope with the user', async () => {
    const { status, body } = await callJson(`${SK}/provider/1001/user/doc-ana`, { headers: SK_AUTH });
    assert.equal(status, 200);
    assert.deepEqual(body, {
      success: true,
      code: 200,
      response: {
        id: 'doc-ana',
        name: 'Ana',
        lastname: 'García',
        email: 'ana.garcia@clinic.example',
        specialityId: 1,
        lang: 'ES',
      },
    });
  });

  it('GET a missing or soft-deleted user answers 404 "user not found"', async () => {
    for (const id of ['nobody', 'doc-marta']) {
      const { status, body } = await callJson(`${SK}/provider/1001/user/${id}`, { headers: SK_AUTH });
      assert.equal(status, 404);
      assert.deepEqual(body, { success: false, code: 404, response: 'user not found' });
    }
  });

  it('users are scoped per provider', async () => {
    const { status } = await callJson(`${SK}/provider/1002/user/doc-ana`, { headers: SK_AUTH });
    assert.equal(status, 404);
  });

  it('DELETE soft-deletes; a second DELETE and a GET answer 404', async () => {
    const del = await callJson(`${SK}/provider/1001/user/doc-john`, { method: 'DELETE', headers: SK_AUTH });
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { success: true, code: 200, response: { id: 'doc-john', status: 'user deleted' } });
    assert.deepEqual(await skState('1001', 'doc-john'), {
      exists: true,
      active: false,
      user: {
        id: 'doc-john',
        name: 'John',
        lastname: 'Smith',
        email: 'john.smith@clinic.example',
        specialityId: 1,
        lang: 'EN',
        deleted: true,
      },
    });
    const again = await callJson(`${SK}/provider/1001/user/doc-john`, { method: 'DELETE', headers: SK_AUTH });
    assert.equal(again.status, 404);
    assert.deepEqual(again.body, { success: false, code: 404, response: 'user not found' });
    assert.equal((await callJson(`${SK}/provider/1001/user/doc-john`, { headers: SK_AUTH })).status, 404);
    assert.equal(
      (await callJson(`${SK}/provider/1001/user/ghost`, { method: 'DELETE', headers: SK_AUTH })).status,
      404,
    );
  });

  it('decodes each path segment once: unicode and %2F stay part of the id', async () => {
    const ids = ['dr/ñandú 1', 'Zoë😀', '100%', 'a?b#c'];
    const created = await postUsers(ids.map((id) => user({ id })));
    assert.equal(created.status, 201);
    for (const id of ids) {
      const { status, body } = await callJson(`${SK}/provider/1001/user/${encodeURIComponent(id)}`, {
        headers: SK_AUTH,
      });
      assert.equal(status, 200, id);
      assert.equal(body.response.id, id);
    }
    // '%252F' decodes once to the literal '%2F', which is a different id.
    assert.equal(
      (await callJson(`${SK}/provider/1001/user/dr%252F%C3%B1and%C3%BA%201`, { headers: SK_AUTH })).status,
      404,
    );
  });

  it('tolerates a trailing slash and answers 405 for other methods', async () => {
    assert.equal((await callJson(`${SK}/provider/1001/user/doc-ana/`, { headers: SK_AUTH })).status, 200);
    const put = await callJson(`${SK}/provider/1001/user/doc-ana`, { method: 'PUT', headers: SK_AUTH });
    assert.equal(put.status, 405);
    assert.equal(put.res.headers.get('allow'), 'GET, DELETE');
    assert.equal((await callJson(`${SK}/provider/1001/user`, { headers: SK_AUTH })).status, 405);
  });

  it('unknown paths under the Speaknosis base answer a 404 envelope', async () => {
    const { status, body } = await callJson(`${SK}/specialities`, { headers: SK_AUTH });
    assert.equal(status, 404);
    assert.equal(body.success, false);
    assert.equal(body.code, 404);
  });
});

describe('Speaknosis: auth', () => {
  it('missing or unknown token, or a wrong scheme → 401 "unauthorized"', async () => {
    /** @type {Record<string, string>[]} */
    const variants = [{}, { Authorization: 'Bearer nope' }, { Authorization: 'Token sk_demo_token' }];
    for (const headers of variants) {
      const { status, body } = await callJson(`${SK}/provider/1001/user/doc-ana`, { headers });
      assert.equal(status, 401);
      assert.deepEqual(body, { success: false, code: 401, response: 'unauthorized' });
    }
  });

  it('the Bearer scheme is case-insensitive', async () => {
    const { status } = await callJson(`${SK}/provider/1001/user/doc-ana`, {
      headers: { Authorization: 'bearer sk_demo_token' },
    });
    assert.equal(status, 200);
  });

  it('a known token on a provider it may not use → 403 "forbidden provider"', async () => {
    const expected = { success: false, code: 403, response: 'forbidden provider' };
    const a = await callJson(`${SK}/provider/2002/user/doc-ana`, { headers: SK_AUTH });
    assert.equal(a.status, 403);
    assert.deepEqual(a.body, expected);
    const b = await postUsers([user()], '1001', { Authorization: 'Bearer sk_other_token' });
    assert.equal(b.status, 403);
    assert.deepEqual(b.body, expected);
    assert.equal((await skState('1001', 'doc-new')).exists, false);
    const c = await postUsers([user()], '2002', { Authorization: 'Bearer sk_other_token' });
    assert.equal(c.status, 201);
  });
});

describe('Speaknosis: POST users', () => {
  it('creates a new user: 201 and "user created successfully"', async () => {
    const { status, body } = await postUsers([user({ email: 'nora@clinic.example' })]);
    assert.equal(status, 201);
    assert.deepEqual(body, {
      success: true,
      code: 201,
      response: [{ id: 'doc-new', name: 'Nora', lastname: 'Díaz', status: 'user created successfully' }],
    });
    const state = await skState('1001', 'doc-new');
    assert.equal(state.active, true);
    assert.equal(state.user.email, 'nora@clinic.example');
    const got = await callJson(`${SK}/provider/1001/user/doc-new`, { headers: SK_AUTH });
    assert.equal(got.body.response.lastname, 'Díaz');
  });

  it('an omitted email is stored as null', async () => {
    await postUsers([user()]);
    const got = await callJson(`${SK}/provider/1001/user/doc-new`, { headers: SK_AUTH });
    assert.equal(got.body.response.email, null);
  });

  it('reactivates a soft-deleted id with the new data: "updated and reactivated userId"', async () => {
    const { status, body } = await postUsers([
      { id: 'doc-marta', name: 'Marta', lastname: 'Puig i Vila', specialityId: 3, lang: 'EN' },
    ]);
    assert.equal(status, 201);
    assert.deepEqual(body.response, [
      { id: 'doc-marta', name: 'Marta', lastname: 'Puig i Vila', status: 'updated and reactivated userId' },
    ]);
    const got = await callJson(`${SK}/provider/1001/user/doc-marta`, { headers: SK_AUTH });
    assert.equal(got.status, 200);
    assert.equal(got.body.response.lastname, 'Puig i Vila');
    assert.equal(got.body.response.specialityId, 3);
    assert.equal(got.body.response.lang, 'EN');
  });

  it('an already active id: 409 with "user already exists", data unchanged', async () => {
    const { status, body } = await postUsers([user({ id: 'doc-ana', name: 'Changed' })]);
    assert.equal(status, 409);
    assert.deepEqual(body, {
      success: false,
      code: 409,
      response: [{ id: 'doc-ana', name: 'Changed', lastname: 'Díaz', status: 'user already exists' }],
    });
    assert.equal((await skState('1001', 'doc-ana')).user.name, 'Ana');
  });

  it('a mixed batch answers 201 with one status per item, in order', async () => {
    const { status, body } = await postUsers([
      user({ id: 'doc-ana' }),
      user({ id: 'doc-b1' }),
      user({ id: 'doc-marta' }),
      user({ id: 'doc-b1' }),
      user({ id: 'doc-bad', lang: 'DE' }),
    ]);
    assert.equal(status, 201);
    assert.equal(body.success, true);
    assert.deepEqual(
      body.response.map((/** @type {any} */ r) => r.status),
      [
        'user already exists',
        'user created successfully',
        'updated and reactivated userId',
        'user already exists',
        'invalid user: lang',
      ],
    );
    for (const item of body.response) assert.deepEqual(Object.keys(item), ['id', 'name', 'lastname', 'status']);
  });

  it('validates every item: "invalid user: <field>"; all invalid → 400 with the array', async () => {
    const cases = [
      [user({ id: '' }), 'id'],
      [user({ name: '  ' }), 'name'],
      [{ ...user(), lastname: undefined }, 'lastname'],
      [user({ specialityId: '1' }), 'specialityId'],
      [user({ specialityId: 1.5 }), 'specialityId'],
      [user({ lang: 'es' }), 'lang'],
      [user({ email: 42 }), 'email'],
      ['not an object', 'body'],
    ];
    const { status, body } = await postUsers(cases.map(([item]) => item));
    assert.equal(status, 400);
    assert.equal(body.success, false);
    assert.equal(body.code, 400);
    assert.deepEqual(
      body.response.map((/** @type {any} */ r) => r.status),
      cases.map(([, field]) => `invalid user: ${field}`),
    );
    assert.equal((await skState('1001', 'doc-new')).exists, false);
  });

  it('nothing created with invalid and existing items → 400', async () => {
    const { status } = await postUsers([user({ id: 'doc-ana' }), user({ lang: 'XX' })]);
    assert.equal(status, 400);
  });

  it('every lang of the seed is accepted', async () => {
    const langs = ['ES', 'EN', 'CA', 'PT', 'FR'];
    const { status, body } = await postUsers(langs.map((lang) => user({ id: `doc-${lang}`, lang })));
    assert.equal(status, 201);
    assert.ok(body.response.every((/** @type {any} */ r) => r.status === 'user created successfully'));
  });

  it('a non-array, invalid JSON or an empty array → 400 with a reason string', async () => {
    for (const raw of [JSON.stringify(user()), '{"id":', '[]', '', 'null']) {
      const { status, body } = await postUsers(raw);
      assert.equal(status, 400, raw);
      assert.equal(body.success, false);
      assert.equal(body.code, 400);
      assert.equal(typeof body.response, 'string');
      assert.ok(body.response.length > 0);
    }
  });

  it('more than 1000 items → 413 "too many users (max 1000)"; 1000 are fine', async () => {
    const many = (/** @type {number} */ n) => Array.from({ length: n }, (_, i) => user({ id: `bulk-${i}` }));
    const tooMany = await postUsers(many(1001));
    assert.equal(tooMany.status, 413);
    assert.deepEqual(tooMany.body, { success: false, code: 413, response: 'too many users (max 1000)' });
    assert.equal((await skState('1001', 'bulk-0')).exists, false);
    const ok = await postUsers(many(1000));
    assert.equal(ok.status, 201);
    assert.equal(ok.body.response.length, 1000);
  });
});
