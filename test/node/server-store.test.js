// Medic-token stores of doctor-gate/server: in memory, and in SQL on PGlite (real Postgres, in process).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { DoctorGateError, memoryMedicTokens, sqlMedicTokens } from '../../dist/server.js';
import { rejection } from './support/assert.js';

const KEY = { vendor: 'prescrypto', api: 'https://api.prescrypto.example/', doctor: '110' };
const OTHER = { ...KEY, doctor: '111' };
const TOKEN = 'mt_plaintext_medic_token_7f3a9c';

/** The behaviour every store shares. */
function storeContract(name, make) {
  describe(`${name}: get, set, delete`, () => {
    test('a token set is read back for its key only', async () => {
      const store = await make();
      assert.equal(await store.get(KEY), undefined);
      await store.set(KEY, TOKEN);
      assert.equal(await store.get(KEY), TOKEN);
      assert.equal(await store.get(OTHER), undefined);
      assert.equal(await store.get({ ...KEY, api: 'https://other.example/' }), undefined);
    });
    test('a second set replaces the token; delete removes it', async () => {
      const store = await make();
      await store.set(KEY, TOKEN);
      await store.set(KEY, 'mt_rotated');
      assert.equal(await store.get(KEY), 'mt_rotated');
      await store.delete(KEY);
      assert.equal(await store.get(KEY), undefined);
    });
  });
}

storeContract('memoryMedicTokens', () => memoryMedicTokens());

describe('sqlMedicTokens on PGlite', () => {
  let db;
  let tables = 0;
  before(async () => (db = await PGlite.create()));
  after(() => db.close());
  const table = () => `medic_tokens_${++tables}`;
  const storedColumn = async (name) => (await db.query(`SELECT token FROM ${name}`)).rows.map((row) => row.token);

  storeContract('plain', () => sqlMedicTokens(db, { table: table() }));
  storeContract('encrypted', () => sqlMedicTokens(db, { table: table(), encryptionKey: randomBytes(32) }));

  test('creates its table when missing (default name), once', async () => {
    const store = sqlMedicTokens(db);
    await Promise.all([store.set(KEY, TOKEN), store.get(OTHER)]);
    const { rows } = await db.query(`SELECT to_regclass('doctor_gate_medic_tokens') AS name`);
    assert.equal(rows[0].name, 'doctor_gate_medic_tokens');
    assert.equal(await sqlMedicTokens(db).get(KEY), TOKEN);
  });

  test('without a key the column holds the token as given', async () => {
    const name = table();
    await sqlMedicTokens(db, { table: name }).set(KEY, TOKEN);
    assert.deepEqual(await storedColumn(name), [TOKEN]);
  });

  test('with a key the column never holds the plaintext, and each value has its own IV', async () => {
    const name = table();
    const store = sqlMedicTokens(db, { table: name, encryptionKey: randomBytes(32) });
    await store.set(KEY, TOKEN);
    await store.set(OTHER, TOKEN);
    const stored = await storedColumn(name);
    assert.equal(stored.length, 2);
    for (const value of stored) assert.ok(!value.includes(TOKEN) && !value.includes('mt_plaintext'), value);
    assert.notEqual(stored[0], stored[1]);
    assert.equal(await store.get(OTHER), TOKEN);
  });

  test('a wrong key is a clear error without the value; so is a value moved to another row', async () => {
    const name = table();
    const key = randomBytes(32);
    await sqlMedicTokens(db, { table: name, encryptionKey: key }).set(KEY, TOKEN);
    const wrong = await rejection(sqlMedicTokens(db, { table: name, encryptionKey: randomBytes(32) }).get(KEY));
    assert.ok(wrong instanceof DoctorGateError);
    assert.equal(wrong.code, 'config');
    assert.match(wrong.message, /could not be decrypted/);
    const [stored] = await storedColumn(name);
    assert.ok(!wrong.message.includes(stored) && !wrong.message.includes(TOKEN));

    // Someone with write access copies one doctor's value into another doctor's row.
    await db.query(`INSERT INTO ${name} (vendor, api, doctor, token) VALUES ($1, $2, $3, $4)`, [
      OTHER.vendor,
      OTHER.api,
      OTHER.doctor,
      stored,
    ]);
    const moved = await rejection(sqlMedicTokens(db, { table: name, encryptionKey: key }).get(OTHER));
    assert.equal(moved.code, 'config');
  });

  test('a tampered value fails its tag check', async () => {
    const name = table();
    const key = randomBytes(32);
    await sqlMedicTokens(db, { table: name, encryptionKey: key }).set(KEY, TOKEN);
    const [stored] = await storedColumn(name);
    // One bit of the ciphertext flipped, the encoding otherwise untouched.
    const [prefix, sealed] = stored.split('.');
    const bytes = Buffer.from(sealed, 'base64');
    bytes[0] ^= 1;
    const flipped = `${prefix}.${bytes.toString('base64')}`;
    await db.query(`UPDATE ${name} SET token = $1`, [flipped]);
    const error = await rejection(sqlMedicTokens(db, { table: name, encryptionKey: key }).get(KEY));
    assert.equal(error.code, 'config');
  });

  test('an encrypted value read without the key says so', async () => {
    const name = table();
    await sqlMedicTokens(db, { table: name, encryptionKey: randomBytes(32) }).set(KEY, TOKEN);
    const error = await rejection(sqlMedicTokens(db, { table: name }).get(KEY));
    assert.match(error.message, /encrypted/);
  });

  test('refuses an unsafe table name, a key that is not 32 bytes, and a client without query()', () => {
    for (const name of ['x; DROP TABLE users', 'a"b', 'a.b.c', '1abc', '']) {
      assert.throws(() => sqlMedicTokens(db, { table: name }), { code: 'config' });
    }
    assert.doesNotThrow(() => sqlMedicTokens(db, { table: 'public.medic_tokens_ok' }));
    assert.throws(() => sqlMedicTokens(db, { encryptionKey: randomBytes(16) }), { code: 'config' });
    assert.throws(() => sqlMedicTokens(db, { encryptionKey: 'not bytes' }), { code: 'config' });
    assert.throws(() => sqlMedicTokens({}), { code: 'config' });
  });

  test('uses only query(text, params) with $n placeholders, as pg does', async () => {
    const calls = [];
    const pgLike = { query: (text, params) => (calls.push({ text, params }), db.query(text, params)) };
    const store = sqlMedicTokens(pgLike, { table: table() });
    await store.set(KEY, TOKEN);
    assert.equal(await store.get(KEY), TOKEN);
    for (const { text, params = [] } of calls) {
      const placeholders = new Set(text.match(/\$\d+/g) ?? []);
      assert.equal(placeholders.size, params.length, text);
      assert.ok(!params.some((param) => text.includes(String(param))), 'values travel as parameters');
    }
  });
});
