// The `hold` fault: a vendor request kept pending until the control API releases it, its `ms`
// ends or its client leaves — through every way the sandbox runs (node:http, Connect as Vite
// mounts it, Koa as the test runner mounts it, MSW). node --test test/node/sandbox-hold.test.js
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { createSandbox, fixtures } from '../../sandbox/index.js';
import { timerCount, waitFor } from './support/assert.js';
import { SANDBOX_MODES } from './support/modes.js';
import { JSON_HEADERS, controlInProcess } from './support/sandbox.js';
import { SK_AUTH } from './support/vendor-api.js';

const PROVIDER = fixtures.speaknosis.providerId;
/** Long enough for a loaded machine: these conditions are met, not raced. */
const WAIT = { timeoutMs: 5000 };

for (const [name, start] of Object.entries(SANDBOX_MODES)) {
  describe(`hold fault through ${name}`, () => {
    const sandbox = createSandbox();
    /** @type {import('./support/modes.js').Mode} */
    let mode;
    before(async () => (mode = await start(sandbox)));
    after(() => mode.stop());
    beforeEach(() => mode.control('reset', {}));
    /** This suite checks every control answer's status: `{ status, body }`. */
    const control = (/** @type {string} */ path, /** @type {unknown} */ body) => mode.request(path, body);

    const userUrl = (/** @type {string} */ id) => `${mode.speaknosis}/provider/${PROVIDER}/user/${id}`;
    const getUser = (/** @type {string} */ id, /** @type {RequestInit} */ init = {}) =>
      fetch(userUrl(id), { headers: SK_AUTH, ...init });
    const createUser = (/** @type {string} */ id) =>
      fetch(`${mode.speaknosis}/provider/${PROVIDER}/user`, {
        method: 'POST',
        headers: { ...SK_AUTH, ...JSON_HEADERS },
        body: JSON.stringify([{ id, name: 'Hal', lastname: 'Held', specialityId: 1, lang: 'EN' }]),
      });
    /** @returns {Promise<number>} the fault's id */
    const hold = async (/** @type {Record<string, unknown>} */ fault) => {
      const { status, body } = await control('faults', { faults: [{ kind: 'hold', ...fault }] });
      assert.equal(status, 200);
      return body.faults.at(-1).id;
    };
    const exists = async (/** @type {string} */ id) =>
      (await control(`state?vendor=speaknosis&providerId=${PROVIDER}&id=${id}`)).body.exists;
    const logOf = async (/** @type {string} */ path) =>
      (await control(`log?path=${encodeURIComponent(path)}`)).body.entries;

    it('keeps the request until released; held/wait and GET held show it; then it is answered for real', async () => {
      const id = await hold({ match: { method: 'GET', path: 'doc-ana' } });
      let answered = false;
      const pending = getUser('doc-ana').then((response) => ((answered = true), response));
      const waited = await control('held/wait', { id });
      assert.equal(waited.status, 200);
      assert.deepEqual(
        waited.body.held.map((/** @type {any} */ h) => [h.fault, h.method, h.path.endsWith('/user/doc-ana')]),
        [[id, 'GET', true]],
      );
      assert.deepEqual((await control(`held?id=${id}`)).body.held, waited.body.held);
      assert.equal(answered, false, 'a held request has no answer yet');
      const released = await control('release', { id });
      assert.deepEqual(released.body, { released: 1, withdrawn: 0 });
      const response = await pending;
      assert.equal(response.status, 200);
      assert.equal((await response.json()).response.id, 'doc-ana');
      const [entry] = await logOf('doc-ana');
      assert.deepEqual([entry.fault, entry.held, entry.status], ['hold', 'released', 200]);
      assert.deepEqual((await control('held')).body.held, []);
    });

    it('a held create changes nothing until it is released', async () => {
      await hold({ match: { method: 'POST', body: 'doc-held' } });
      const pending = createUser('doc-held');
      await control('held/wait', { match: { method: 'POST' } });
      assert.equal(await exists('doc-held'), false);
      assert.equal((await control('release', { match: { method: 'post' } })).body.released, 1);
      assert.equal((await pending).status, 201);
      assert.equal(await exists('doc-held'), true);
    });

    it('release with `then` answers the held request with that fault instead', async () => {
      const id = await hold({ match: { path: 'doc-john' } });
      const pending = getUser('doc-john');
      await control('held/wait', { id });
      const released = await control('release', {
        id,
        then: { status: 503, headers: { 'Retry-After': '2' }, body: { response: 'later' } },
      });
      assert.equal(released.body.released, 1);
      const response = await pending;
      assert.deepEqual([response.status, response.headers.get('retry-after')], [503, '2']);
      assert.deepEqual(await response.json(), { response: 'later' });
      const [entry] = await logOf('doc-john');
      assert.deepEqual([entry.fault, entry.held, entry.status], ['status', 'released', 503]);
    });

    it('ends by itself after `ms` and then answers normally, logged as a timeout', async () => {
      await hold({ match: { path: 'doc-ana' }, ms: 30 });
      const response = await getUser('doc-ana');
      assert.equal(response.status, 200);
      const [entry] = await logOf('doc-ana');
      assert.deepEqual([entry.fault, entry.held], ['hold', 'timeout']);
    });

    it('a client that leaves ends the hold at once: nothing stays held, no timer is left', async () => {
      await hold({ match: { method: 'POST', body: 'doc-gone' } });
      const baseline = timerCount();
      const controller = new AbortController();
      const pending = fetch(`${mode.speaknosis}/provider/${PROVIDER}/user`, {
        method: 'POST',
        headers: { ...SK_AUTH, ...JSON_HEADERS },
        body: JSON.stringify([{ id: 'doc-gone', name: 'G', lastname: 'One', specialityId: 1, lang: 'EN' }]),
        signal: controller.signal,
      });
      await control('held/wait', { match: { method: 'POST' } });
      controller.abort();
      await assert.rejects(pending, /abort/i);
      await waitFor(async () => (await control('held')).body.held.length === 0, WAIT);
      await waitFor(() => timerCount() <= baseline, WAIT);
      const [entry] = (await logOf('/user')).filter((/** @type {any} */ e) => e.method === 'POST');
      assert.deepEqual([entry.fault, entry.aborted, entry.status], ['hold', true, null]);
      assert.deepEqual((await control('release', {})).body, { released: 0, withdrawn: 0 });
      assert.equal(await exists('doc-gone'), false, 'the left request never reached the handler');
    });

    it('release by id withdraws a hold no request took yet; release {} releases every held request', async () => {
      const unused = await hold({ match: { path: 'doc-nobody' } });
      assert.deepEqual((await control('release', { id: unused })).body, { released: 0, withdrawn: 1 });
      assert.deepEqual((await control('faults')).body.faults, []);
      await hold({ match: { path: 'doc-ana' } });
      await hold({ match: { path: 'doc-john' } });
      await hold({ match: { path: 'doc-queued' } });
      const both = [getUser('doc-ana'), getUser('doc-john')];
      assert.equal((await control('held/wait', { count: 2 })).body.held.length, 2);
      assert.deepEqual((await control('release', {})).body, { released: 2, withdrawn: 1 });
      assert.deepEqual(
        (await Promise.all(both)).map((r) => r.status),
        [200, 200],
      );
      assert.equal((await getUser('doc-queued')).status, 404, 'the withdrawn hold holds nothing');
    });

    it('a reset releases every held request', async () => {
      await hold({ match: { path: 'doc-ana' }, times: 2 });
      const both = [getUser('doc-ana'), getUser('doc-ana')];
      await control('held/wait', { count: 2 });
      await control('reset', {});
      assert.deepEqual(
        (await Promise.all(both)).map((r) => r.status),
        [200, 200],
      );
      assert.deepEqual((await control('held')).body.held, []);
    });

    it('held/wait answers 408 with what is held when too few are held in time', async () => {
      await hold({ match: { path: 'doc-ana' } });
      const pending = getUser('doc-ana');
      const waited = await control('held/wait', { count: 2, timeoutMs: 50 });
      assert.equal(waited.status, 408);
      assert.equal(waited.body.held.length, 1);
      await control('release', {});
      assert.equal((await pending).status, 200);
    });
  });
}

describe('hold: validation and clean-up', () => {
  const sandbox = createSandbox();
  const { request } = controlInProcess(sandbox);
  /** A POST (or a GET when `body` is undefined) to the control API, in process. */
  const control = (/** @type {string} */ path, /** @type {unknown} */ body, init = {}) =>
    request(path, body, body === undefined ? 'GET' : 'POST', init);
  beforeEach(() => sandbox.reset());

  it('refuses a bad hold, release or wait with a 400 and the field at fault', async () => {
    const cases = [
      ['faults', { kind: 'hold', ms: -1 }, /ms must be a number/],
      ['faults', { kind: 'hold', ms: 1e9 }, /ms must be a number/],
      ['release', { id: 0 }, /id must be a fault id/],
      ['release', { id: '1' }, /id must be a fault id/],
      ['release', { match: 'doc' }, /match must be an object/],
      ['release', { match: { method: '' } }, /match.method/],
      ['release', { then: { kind: 'hold' } }, /then.kind must not be hold/],
      ['release', { then: { kind: 'nope' } }, /then.kind must be one of/],
      ['release', [1], /body must be a JSON object/],
      ['held/wait', { count: 0 }, /count must be a positive integer/],
      ['held/wait', { timeoutMs: 60_001 }, /timeoutMs must be a number/],
    ];
    for (const [path, body, message] of cases) {
      const { status, body: answer } = await control(/** @type {string} */ (path), body);
      assert.equal(status, 400, `${path} ${JSON.stringify(body)}`);
      assert.match(answer.error, /** @type {RegExp} */ (message));
    }
    assert.equal((await control('held?id=x')).status, 400);
    assert.deepEqual((await control('faults')).body.faults, []);
  });

  it('a hold without ms is bounded (60 s by default)', async () => {
    const { body } = await control('faults', { kind: 'hold' });
    assert.equal(body.faults[0].ms, 60_000);
  });

  it('a wait whose client leaves stops waiting and leaves no timer', async () => {
    const baseline = timerCount();
    const controller = new AbortController();
    const waiting = control('held/wait', { timeoutMs: 60_000 }, { signal: controller.signal });
    await waitFor(() => timerCount() > baseline, WAIT);
    controller.abort();
    await waiting.catch(() => {});
    await waitFor(() => timerCount() <= baseline, WAIT);
  });
});
