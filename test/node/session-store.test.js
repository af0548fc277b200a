// The sessionStorage result store (issue 12 item 8), in Node over a Map-backed Storage: what a page
// script pre-writes there is validated, bound to its doctor, expires, and never supplies a credential.
import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { useSandbox } from './support/sandbox.js';
import * as core from '../../dist/core.js';

const { createClient, sharedProvision, clearProvisionCache, prescrypto } = core;

const sandbox = await useSandbox();
const { origin } = sandbox;
beforeEach(() => clearProvisionCache());

/** Storage as the Web API has it, over a Map, with every write visible. */
function mapStorage() {
  const map = new Map();
  return {
    map,
    getItem: (key) => (map.has(key) ? map.get(key) : null),
    setItem: (key, value) => void map.set(key, String(value)),
    removeItem: (key) => void map.delete(key),
  };
}

const TTL = 60_000;
const speaknosis = () =>
  createClient('speaknosis', {
    apiBase: `${origin}/sandbox/speaknosis/v1/health`,
    providerId: 1001,
    token: 'sk_demo_token',
  });
const doctor = (id) => ({ id, name: 'Lucía', lastname: 'Gómez', specialityId: 1, lang: 'ES' });
/** The key sharedProvision uses for a doctor: the client's identity, then the vendor's key of the doctor. */
const keyOf = (client, d) => `${client.key}|${client.vendor.key(d)}`;
const log = () => sandbox.log();
/** What a result may say about the account when it comes from storage: its id, nothing else. */
const onlyId = (account) => Object.keys(account).every((key) => key === 'id');

describe('sessionResultStore', () => {
  test('a saved result comes back for its own key: the outcome and the account id only', () => {
    const storage = mapStorage();
    const store = core.sessionResultStore(storage, TTL);
    store.set('k', {
      outcome: 'created',
      doctor: { id: 'a', name: 'Ana', password: 'pw' },
      account: { id: 9, token: 'mt_9' },
      readiness: { ready: true, missing: [] },
    });
    const text = [...storage.map.values()].join();
    assert.doesNotMatch(text, /mt_9|pw|Ana/, 'no token, password or doctor data is written');
    assert.deepEqual(store.get('k', { id: 'a', name: 'Ana' }), {
      outcome: 'created',
      doctor: { id: 'a', name: 'Ana' },
      account: { id: 9 },
      readiness: { ready: true, missing: [] },
    });
  });

  const poisoned = {
    'not JSON': '{oops',
    'the old unversioned shape': JSON.stringify({
      expires: Date.now() + 1000,
      result: { outcome: 'existing', doctor: {}, account: {} },
    }),
    'an unknown outcome': entry({ outcome: 'ready' }),
    'saved for another key': entry({ key: 'another|doctor' }),
    expired: entry({ expires: Date.now() - 1 }),
    'expiring beyond the ttl': entry({ expires: Date.now() + 10 * TTL }),
    'an account id that is an object': entry({ account: { id: { $gt: '' } } }),
  };
  function entry(overrides) {
    return JSON.stringify({
      v: 1,
      key: 'k',
      expires: Date.now() + 1000,
      outcome: 'existing',
      account: {},
      ...overrides,
    });
  }
  for (const [name, text] of Object.entries(poisoned)) {
    test(`an entry ${name} is ignored and removed`, () => {
      const storage = mapStorage();
      storage.setItem('doctor-gate:k', text);
      assert.equal(core.sessionResultStore(storage, TTL).get('k', { id: 'a' }), undefined);
      assert.equal(storage.getItem('doctor-gate:k'), null);
    });
  }

  test('a stored account.token is dropped; the doctor is the one asked for, never the stored one', () => {
    const storage = mapStorage();
    storage.setItem('doctor-gate:k', entry({ account: { id: 3, token: 'mt_forged' }, doctor: { id: 'someone-else' } }));
    const result = core.sessionResultStore(storage, TTL).get('k', { id: 'me', password: 'pw' });
    assert.deepEqual(result, {
      outcome: 'existing',
      doctor: { id: 'me' },
      account: { id: 3 },
      readiness: { ready: true, missing: [] },
    });
  });

  test('storage that throws is survived', () => {
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    const store = core.sessionResultStore(broken, TTL);
    assert.equal(store.get('k', {}), undefined);
    store.set('k', { outcome: 'existing', doctor: {}, account: {}, readiness: { ready: true, missing: [] } });
  });

  test('property: random JSON at the key never gives a result for another doctor, nor a token', () => {
    const storage = mapStorage();
    const store = core.sessionResultStore(storage, TTL);
    const me = { id: 'me', name: 'Ana' };
    const json = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          v: fc.oneof(fc.constant(1), fc.jsonValue()),
          key: fc.constantFrom('k', 'k2', '', 'K'),
          expires: fc.oneof(fc.integer(), fc.constant(Date.now() + 1000), fc.double()),
          outcome: fc.constantFrom('existing', 'created', 'reactivated', 'failed', 1),
          account: fc.dictionary(fc.constantFrom('id', 'token', 'medicToken', '__proto__', 'password'), fc.jsonValue()),
          doctor: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(json, (value) => {
        storage.setItem('doctor-gate:k', JSON.stringify(value));
        const result = store.get('k', me);
        if (result === undefined) return;
        assert.deepEqual(result.doctor, me);
        assert.ok(onlyId(result.account), JSON.stringify(result.account));
        assert.ok(['string', 'number', 'undefined'].includes(typeof result.account.id));
        assert.ok(['existing', 'created', 'reactivated'].includes(result.outcome));
        assert.doesNotMatch(JSON.stringify(result), /token|password/);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('sharedProvision with a poisoned store', () => {
  test("another doctor's saved entry copied to this doctor's key does not skip provisioning", async () => {
    const client = speaknosis();
    const storage = mapStorage();
    const store = core.sessionResultStore(storage, TTL);
    const other = doctor('doc-ana');
    await sharedProvision(client, other, { store });
    const [[, saved]] = [...storage.map.entries()];
    clearProvisionCache();
    const me = doctor('poison-new');
    storage.setItem(`doctor-gate:${keyOf(client, me)}`, saved);
    const result = await sharedProvision(client, me, { store });
    assert.equal(result.outcome, 'created', 'the vendor was asked');
    assert.equal(result.doctor.id, 'poison-new');
    assert.ok((await log()).some((e) => e.method === 'POST'));
  });

  test('a result from any store reports the doctor asked for, with the account id only', async () => {
    const client = speaknosis();
    const me = doctor('doc-john');
    // A store that lies outright (the element's own, or a page's).
    const liar = {
      get: () => ({
        outcome: 'existing',
        doctor: { id: 'doc-ana', name: 'Not me' },
        account: { id: 'x', token: 'mt_forged' },
      }),
      set: () => undefined,
    };
    const result = await sharedProvision(client, me, { store: liar });
    assert.deepEqual(result.doctor, me);
    assert.deepEqual(result.account, { id: 'x' });
  });

  test('a store result with an outcome the gate does not know is ignored: the vendor is asked', async () => {
    const client = speaknosis();
    const store = { get: () => ({ outcome: 'ready', doctor: {}, account: {} }), set: () => undefined };
    const result = await sharedProvision(client, doctor('odd-outcome'), { store });
    assert.equal(result.outcome, 'created');
  });

  test('Prescrypto: a stored token never reaches the launch; the page medicToken does', async () => {
    const client = createClient('prescrypto', { apiBase: `${origin}/sandbox/prescrypto`, token: 'pk_demo_key' });
    const me = { name: 'Elena Vidal', email: 'elena.vidal@clinic.example', id: '110' };
    const storage = mapStorage();
    storage.setItem(
      `doctor-gate:${keyOf(client, me)}`,
      entry2({ key: keyOf(client, me), account: { id: 110, token: 'mt_forged' } }),
    );
    const result = await sharedProvision(client, me, { store: core.sessionResultStore(storage, TTL) });
    assert.equal(result.outcome, 'existing');
    assert.deepEqual(
      prescrypto.launchValues({ credential: 'pk_demo_key', account: result.account, medicToken: 'mt_110' }),
      {
        medicToken: 'mt_110',
      },
    );
  });
  function entry2(overrides) {
    return JSON.stringify({ v: 1, expires: Date.now() + 1000, outcome: 'existing', account: {}, ...overrides });
  }
});
