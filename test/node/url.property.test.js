// Property tests (fast-check) for the URL rules, against the URL as `new URL` (the WHATWG parser
// browsers use) resolves it: what the rule accepts is safe to send a credential to, and what is
// plainly safe is accepted.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { safeParse } from 'zod/mini';
import {
  fillTemplate,
  isAllowedTemplate,
  isAllowedUrl,
  prescrypto,
  settingsSchemaFor,
  speaknosis,
} from '../../dist/core.js';

const RUNS = 3000;
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];
const pages = ['https://ehr.example/chart/7', 'http://ehr.example/app/', 'http://localhost:8000/x/y'];
const page = fc.constantFrom(...pages);

// Pieces an adversary writes into a URL: controls the parser drops or reads as slashes, userinfo,
// IPv6, percent-encoding, schemes, and hosts; joined in any order.
const piece = fc.oneof(
  fc.constantFrom('/', '\\', '\t', '\n', '\r', ' ', '\u0000', '\u001f', '\u007f', '\u00a0'),
  fc.constantFrom('//', ':', '@', '?', '#', '.', '..', '%2F', '%5C', '%40', '%2e', '%00', '%09'),
  fc.constantFrom('https:', 'http:', 'javascript:', 'data:', 'HTTPS:', 'blob:', 'file:'),
  fc.constantFrom('evil.example', 'ehr.example', 'user:pw@', 'ehr.example@', ...LOOPBACK, '[::ffff:7f00:1]', ':8080'),
  fc.string({ maxLength: 4 }),
);
const hostile = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));

const resolve = (value, base) => {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
};

describe('isAllowedUrl, on the URL as the browser resolves it', () => {
  test(`accepts only https, loopback http or the page's origin, without userinfo (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(hostile, fc.option(page, { nil: undefined }), (value, base) => {
        if (!isAllowedUrl(value, base)) return;
        const url = resolve(value, base);
        assert.ok(url, 'an accepted value resolves');
        assert.equal(url.username + url.password, '', 'no userinfo');
        const samePage = base !== undefined && url.origin === new URL(base).origin;
        const transport = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.includes(url.hostname));
        assert.ok(samePage || transport, `${JSON.stringify(value)} → ${url.href}`);
        // Written relative to the page, it is a path from the root and lands on the page
        // ("/\t/evil.example" is "//evil.example").
        if (!resolve(value)) {
          assert.ok(samePage, `${JSON.stringify(value)} → ${url.href} left the page`);
          // eslint-disable-next-line no-control-regex -- the characters the URL parser strips
          assert.match(value, /^[\u0000-\u0020]*\//, 'a path from the root');
        }
      }),
      { numRuns: RUNS },
    );
  });

  test(`a path with tabs, newlines, spaces or backslashes that resolves off the page is refused (${RUNS} runs)`, () => {
    const trick = fc
      .tuple(
        fc.constantFrom('', ' ', '  ', '\t', '\n'),
        fc.array(fc.constantFrom('/', '\\', '\t', '\n', '\r'), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('evil.example', 'evil.example/api', '127.0.0.1.evil.example'),
      )
      .map(([lead, slashes, host]) => lead + slashes.join('') + host);
    fc.assert(
      fc.property(trick, page, (value, base) => {
        const url = resolve(value, base);
        if (url && url.origin !== new URL(base).origin) assert.ok(!isAllowedUrl(value, base), JSON.stringify(value));
      }),
      { numRuns: RUNS },
    );
    // The issue's own cases, on an http page where the rule alone cannot let plain http through.
    for (const value of [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r/evil.example',
      '/\\evil.example',
      ' //evil.example',
    ])
      assert.ok(!isAllowedUrl(value, 'http://ehr.example/app/'), JSON.stringify(value));
  });

  test(`accepts what is plainly allowed: https hosts, loopback http, paths on the page (${RUNS} runs)`, () => {
    const segment = fc.stringMatching(/^[a-z0-9-]{1,10}$/);
    const path = fc.array(segment, { maxLength: 3 }).map((parts) => parts.map((part) => `/${part}`).join(''));
    const host = fc.oneof(
      fc.domain(),
      fc.ipV4().filter((ip) => !ip.startsWith('0.')),
      fc.ipV6().map((ip) => `[${ip}]`),
    );
    const good = fc.oneof(
      fc.tuple(host, path).map(([name, rest]) => `https://${name}${rest}`),
      fc
        .tuple(fc.constantFrom(...LOOPBACK), fc.integer({ min: 1, max: 65535 }), path)
        .map(([name, port, rest]) => `http://${name}:${port}${rest}`),
    );
    fc.assert(
      fc.property(good, fc.option(page, { nil: undefined }), (value, base) => {
        assert.ok(isAllowedUrl(value, base), value);
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(path.filter(Boolean), page, (value, base) => assert.ok(isAllowedUrl(value, base), value)),
      { numRuns: RUNS },
    );
    // Node has no page: a path has nothing to resolve against.
    fc.assert(
      fc.property(path.filter(Boolean), (value) => assert.ok(!isAllowedUrl(value))),
      { numRuns: RUNS },
    );
  });
});

describe('fillTemplate on an allowed template', () => {
  const names = ['providerId', 'doctorId', 'lang', 'token', 'view', 'appointmentId', 'reportExampleId', 'medicToken'];
  const placeholder = fc.constantFrom(...names).map((name) => `{${name}}`);
  // Templates with placeholders anywhere: scheme, host, port, userinfo, path, query, fragment.
  const templatePiece = fc.oneof(
    placeholder,
    fc.constantFrom(
      'https://',
      'http://localhost',
      '//',
      '/',
      '?',
      '#',
      '&',
      '=',
      ':',
      '@',
      '.',
      'app.example',
      'http',
    ),
    fc.constantFrom('x=', 'a=', 's'),
  );
  const template = fc.oneof(
    fc.constantFrom(speaknosis.appUrl, prescrypto.appUrl),
    fc.array(templatePiece, { minLength: 1, maxLength: 10 }).map((parts) => parts.join('')),
  );
  const values = fc.record(
    Object.fromEntries(names.map((name) => [name, fc.string({ unit: 'grapheme', maxLength: 12 })])),
  );
  const keys = (params) => [...params.keys()].join('&');
  const hashParams = (url) =>
    new URLSearchParams(url.hash.includes('?') ? url.hash.slice(url.hash.indexOf('?') + 1) : '');

  test(`no value moves the origin or adds a parameter (${RUNS} runs)`, () => {
    let checked = 0;
    fc.assert(
      fc.property(template, values, page, (text, given, base) => {
        if (!isAllowedTemplate(text, base)) return;
        checked++;
        // The same template filled with a plain letter: what the values may change is only the text
        // between the template's own separators.
        const plain = new URL(fillTemplate(text, Object.fromEntries(names.map((name) => [name, 'x']))), base);
        const filled = new URL(fillTemplate(text, given), base);
        assert.equal(filled.origin, new URL(text, base).origin, `${text} with ${JSON.stringify(given)}`);
        // (An empty value where the template puts a parameter's name leaves that parameter out.)
        assert.ok(filled.searchParams.size <= plain.searchParams.size, 'query parameters');
        assert.ok(hashParams(filled).size <= hashParams(plain).size, 'fragment parameters');
        if (text === speaknosis.appUrl || text === prescrypto.appUrl) {
          assert.equal(keys(filled.searchParams), keys(plain.searchParams));
          assert.equal(keys(hashParams(filled)), keys(hashParams(plain)));
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(checked > RUNS / 10, `only ${checked} generated templates were allowed`);
  });

  test(`each value comes back whole from its parameter (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ maxLength: 20 }), (doctorId, token) => {
        const url = new URL(fillTemplate(speaknosis.appUrl, { doctorId, token, view: 'iframe' }));
        const params = hashParams(url);
        assert.equal(params.get('doctorId'), doctorId);
        assert.equal(params.get('token'), token);
      }),
      { numRuns: RUNS },
    );
  });

  test('a placeholder in the scheme, host or port makes the template invalid', () => {
    for (const text of [
      'https://{lang}.app.example/',
      'https://app{lang}.example/',
      'https://app.example:{view}/',
      'http{view}://app.example/',
    ])
      assert.ok(!isAllowedTemplate(text, pages[0]), text);
    assert.ok(isAllowedTemplate('https://app.example/{lang}/?t={token}', pages[0]));
  });
});

describe('the settings schema applies the rule to api-base and app-url', () => {
  const settings = (extra) => ({
    vendor: 'speaknosis',
    apiBase: '/sandbox/speaknosis/v1/health',
    mode: 'popup',
    prefetch: 'intent',
    timeout: 10000,
    retries: 3,
    sessionTtl: 0,
    providerId: '1001',
    hasCredential: true,
    ...extra,
  });
  const failing = (base, extra) => {
    const result = safeParse(settingsSchemaFor(base), settings(extra));
    return result.success ? [] : result.error.issues.map((issue) => String(issue.path[0]));
  };

  test('a same-origin path passes on a page, and not in Node', () => {
    assert.deepEqual(failing(pages[1], {}), []);
    assert.deepEqual(failing(undefined, {}), ['apiBase']);
  });

  test('"/\\t/evil.example" and its kin are refused on an http page, naming the field', () => {
    for (const trick of [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r/evil.example',
      '/\\evil.example',
      '  //evil.example',
    ]) {
      assert.deepEqual(failing(pages[1], { apiBase: trick }), ['apiBase'], JSON.stringify(trick));
      assert.deepEqual(failing(pages[1], { appUrl: `${trick}/?t={token}` }), ['appUrl'], JSON.stringify(trick));
    }
  });
});
