// The framework-free core, in Node (no DOM), against the sandbox over real HTTP.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { useSandbox } from './support/sandbox.js';
import {
  createClient,
  provisionDoctor,
  provisionDoctors,
  DoctorGateError,
  fillTemplate,
  isAllowedUrl,
  speaknosis,
} from '../../dist/core.js';

const { origin, control, log } = await useSandbox();

const client = (options = {}) =>
  createClient('speaknosis', {
    apiBase: `${origin}/sandbox/speaknosis/v1/health`,
    providerId: 1001,
    token: 'sk_demo_token',
    retryDelayMs: 10,
    ...options,
  });
const doctor = (id, extra = {}) => ({ id, name: 'Lucía', lastname: 'Gómez', specialityId: 1, lang: 'ES', ...extra });

describe('the core has no DOM dependency', () => {
  // That importing it defines no browser global: package.test.js, `doctor-gate/core` touches no browser global at all.
  test('src/core and src/vendors import nothing from Lit or the document', () => {
    for (const dir of ['src/core', 'src/vendors']) {
      for (const file of readdirSync(dir)) {
        const text = readFileSync(`${dir}/${file}`, 'utf8');
        assert.doesNotMatch(text, /from ['"]lit/, `${dir}/${file} imports lit`);
        assert.doesNotMatch(text, /\b(document|window|customElements|HTMLElement)\b/, `${dir}/${file} touches the DOM`);
      }
    }
  });
});

describe('provisionDoctor', () => {
  test('an active doctor is existing after one GET', async () => {
    const result = await provisionDoctor(client(), doctor('doc-ana'));
    assert.equal(result.outcome, 'existing');
    assert.deepEqual(
      (await log()).map((e) => `${e.method} ${e.status}`),
      ['GET 200'],
    );
  });

  test('a new doctor is created: GET 404 then POST [doctor]', async () => {
    const result = await provisionDoctor(client(), doctor('doc-new-1'));
    assert.equal(result.outcome, 'created');
    const entries = await log();
    assert.deepEqual(
      entries.map((e) => `${e.method} ${e.status}`),
      ['GET 404', 'POST 201'],
    );
    assert.deepEqual(entries[1].body, [doctor('doc-new-1')]);
  });

  test('a soft-deleted doctor is reactivated', async () => {
    const result = await provisionDoctor(client(), doctor('doc-marta'));
    assert.equal(result.outcome, 'reactivated');
  });

  test('the result carries no password', async () => {
    const result = await provisionDoctor(client(), doctor('doc-pw', { password: 's3cret!' }));
    assert.equal('password' in result.doctor, false);
  });

  test('beforeCreate returning false cancels with no POST', async () => {
    await assert.rejects(provisionDoctor(client(), doctor('doc-no'), { beforeCreate: () => false }), {
      code: 'cancelled',
    });
    assert.deepEqual((await log('', 'POST')).length, 0);
  });

  test('an aborted signal rejects with AbortError and sends nothing more', async () => {
    const controller = new AbortController();
    await control('faults', { faults: [{ match: { method: 'GET' }, kind: 'hang' }] });
    const run = provisionDoctor(client(), doctor('doc-abort'), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(run, { name: 'AbortError' });
  });
});

describe('HTTP errors become DoctorGateError values', () => {
  const cases = [
    [{ status: 401 }, 'unauthorized', false],
    [{ status: 403 }, 'forbidden', false],
    [{ status: 500 }, 'server', false],
    [{ status: 503 }, 'server', true],
    [{ status: 429, headers: { 'Retry-After': '0' } }, 'rate-limited', true],
    [{ kind: 'malformed' }, 'bad-response', false],
    [{ kind: 'drop' }, 'network', true],
  ];
  for (const [fault, code, retryable] of cases) {
    test(`${JSON.stringify(fault)} on the check → ${code}, retryable ${retryable}`, async () => {
      await control('faults', { faults: [{ match: { method: 'GET' }, times: 10, ...fault }] });
      const error = await provisionDoctor(client({ retries: 0 }), doctor('doc-err')).catch((e) => e);
      assert.ok(error instanceof DoctorGateError, String(error));
      assert.equal(error.code, code);
      assert.equal(error.step, 'check');
      assert.equal(error.retryable, retryable);
    });
  }

  test('a hang past the timeout is `timeout`', async () => {
    await control('faults', { faults: [{ match: { method: 'GET' }, kind: 'hang' }] });
    const error = await provisionDoctor(client({ retries: 0, timeoutMs: 200 }), doctor('doc-hang')).catch((e) => e);
    assert.equal(error.code, 'timeout');
    assert.equal(error.retryable, true);
  });

  test('a retryable failure is retried, then succeeds', async () => {
    await control('faults', { faults: [{ match: { method: 'GET' }, status: 503, times: 2 }] });
    const result = await provisionDoctor(client({ retries: 3 }), doctor('doc-ana'));
    assert.equal(result.outcome, 'existing');
    assert.equal((await log('', 'GET')).length, 3);
  });

  test('concurrent requests that get a 401 share one refresh', async () => {
    let calls = 0;
    const shared = client({
      token: undefined,
      tokenProvider: async () => (calls++ === 0 ? 'expired-token' : 'sk_demo_token'),
    });
    const results = await Promise.all(
      ['doc-ana', 'doc-john', 'doc-ana'].map((id) => provisionDoctor(shared, doctor(id))),
    );
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['existing', 'existing', 'existing'],
    );
    assert.equal(calls, 2);
  });

  test('a 401 asks tokenProvider once more, then succeeds', async () => {
    const tokens = ['expired-token', 'sk_demo_token'];
    let calls = 0;
    const result = await provisionDoctor(
      client({ token: undefined, tokenProvider: async () => tokens[calls++] }),
      doctor('doc-ana'),
    );
    assert.equal(result.outcome, 'existing');
    assert.equal(calls, 2);
  });
});

describe('provisionDoctors', () => {
  test('250 doctors: 250 checks, then the 249 missing (one soft-deleted) in POSTs of at most 100, one result each, in order', async () => {
    const doctors = Array.from({ length: 250 }, (_, i) => doctor(`batch-${i}`));
    doctors[5] = doctor('doc-marta');
    doctors[6] = doctor('doc-ana');
    const progress = [];
    const results = await provisionDoctors(client(), doctors, { chunkSize: 100, onProgress: (p) => progress.push(p) });
    assert.equal(results.length, 250);
    assert.equal(results[0].outcome, 'created');
    assert.equal(results[5].outcome, 'reactivated');
    assert.equal(results[6].outcome, 'existing');
    assert.equal(results[249].doctor.id, 'batch-249');
    const posts = await log('', 'POST');
    // The active doc-ana is never POSTed: nothing relies on what the vendor does with an active id.
    assert.deepEqual(
      posts.map((p) => p.body.length),
      [100, 100, 49],
    );
    assert.equal(posts.flatMap((p) => p.body).filter((d) => d.id === 'doc-ana').length, 0);
    assert.equal((await log('', 'GET')).length, 250);
    assert.deepEqual(progress.at(-1), { done: 250, total: 250, failed: 0 });
  });

  test('invalid doctors fail with config and are never sent', async () => {
    const results = await provisionDoctors(client(), [doctor('ok-1'), { id: 'bad' }, doctor('ok-2', { lang: 'DE' })]);
    assert.equal(results[0].outcome, 'created');
    assert.equal(results[1].outcome, 'failed');
    assert.equal(results[1].error.code, 'config');
    assert.deepEqual(results[1].error.fields, ['name', 'lastname', 'specialityId', 'lang']);
    assert.deepEqual(results[2].error.fields, ['lang']);
    const posts = await log('', 'POST');
    assert.deepEqual(
      posts.map((p) => p.body.map((d) => d.id)),
      [['ok-1']],
    );
  });

  test('a chunk that fails transiently is re-sent, and nobody is created twice', async () => {
    await control('faults', { faults: [{ match: { method: 'POST' }, kind: 'drop', after: true }] });
    const results = await provisionDoctors(client(), [doctor('re-1'), doctor('re-2')]);
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['existing', 'existing'],
    );
    const state = await control(
      `state?${new URLSearchParams({ vendor: 'speaknosis', providerId: '1001', id: 're-1' })}`,
    );
    assert.equal(state.exists, true);
  });
});

describe('launch URL and URL rules', () => {
  test('the default Speaknosis template, each value encoded', () => {
    assert.equal(
      fillTemplate(speaknosis.appUrl, {
        view: 'analysis',
        token: 't/k',
        doctorId: 'a b',
        appointmentId: undefined,
        reportExampleId: '3',
      }),
      'https://portal.speaknosis.com/#/pop-up/?view=analysis&token=t%2Fk&doctorId=a%20b&appointmentId=&reportExampleId=3',
    );
  });

  test('https, loopback http and same-origin paths only', () => {
    // The rule is on the URL as resolved against the page; an http page, so only the rule lets https through.
    const page = 'http://ehr.example/chart/7';
    for (const ok of ['https://api.example.com', 'http://localhost:8787/x', 'http://127.0.0.1/x', '/sandbox/x'])
      assert.ok(isAllowedUrl(ok, page), ok);
    // In Node there is no page: a path has nothing to resolve against.
    assert.ok(!isAllowedUrl('/sandbox/x'));
    for (const bad of [
      'http://api.example.com',
      'javascript:alert(1)',
      '//evil.example',
      '/\\evil.example',
      'data:text/html,x',
      'ftp://x',
      '/\t/evil.example',
      'https://ehr.example@evil.example/',
      'relative/path',
      '',
      ' ',
    ])
      assert.ok(!isAllowedUrl(bad, page), bad);
    assert.ok(!isAllowedUrl('', undefined));
  });
});
