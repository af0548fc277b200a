// The handler's own origin under Next.js: `next start` gives a route handler a Request whose URL is
// on `localhost` (http://localhost:3000/…) whatever host the browser addressed, while `Host`
// names that host. The page's own POST must be served; another site's must still be refused.
// The handler is asked directly, as Next.js asks it, and talks to the sandbox over real HTTP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pageHeaders, speaknosisSuite } from './support/server.js';

const { gate, sandbox, state } = speaknosisSuite();

/** The Request Next.js hands a route handler for a browser's request to `host`. */
const asNext = (host, headers, body = '{}') =>
  new Request('http://localhost:3000/ehr/doctor-gate', {
    method: 'POST',
    headers: { Host: host, 'X-Forwarded-Host': host, ...headers },
    body,
  });

describe('own origin: the host the browser addressed, also when the request URL says localhost', () => {
  test('the page’s own POST, at 127.0.0.1:3000, is served', async () => {
    const { handler } = await gate();
    const response = await handler(
      asNext('127.0.0.1:3000', { Cookie: 'session=ana', ...pageHeaders('http://127.0.0.1:3000') }),
    );
    const answer = await response.json();
    assert.equal(response.status, 200, JSON.stringify(answer));
    assert.equal(answer.outcome, 'existing');
    assert.equal(answer.launch.doctorId, 'doc-ana');
  });

  test('another site, a sibling, or another scheme is still refused, with zero vendor requests', async () => {
    const { handler } = await gate();
    const refused = [
      ['another site', 'https://evil.example', 'cross-site'],
      ['a sibling subdomain', 'http://evil.127.0.0.1.nip.io:3000', 'same-site'],
      ['another port of the same host', 'http://127.0.0.1:4000', 'same-site'],
      ['https for an http Host', 'https://127.0.0.1:3000', 'cross-site'],
    ];
    for (const [name, origin, site] of refused) {
      const headers = { Cookie: 'session=newcomer', ...pageHeaders(origin), 'Sec-Fetch-Site': site };
      const response = await handler(asNext('127.0.0.1:3000', headers, '{"create":true}'));
      assert.equal(response.status, 403, name);
      assert.equal((await response.json()).error.code, 'forbidden', name);
      // Without Sec-Fetch-Site (an older browser), the Origin alone decides.
      delete headers['Sec-Fetch-Site'];
      const older = await handler(asNext('127.0.0.1:3000', headers, '{"create":true}'));
      assert.equal(older.status, 403, `${name}, no Sec-Fetch-Site`);
    }
    assert.deepEqual(await sandbox.log('/sandbox/speaknosis'), []);
    assert.equal((await state('doc-new-1')).exists, false);
  });
});
