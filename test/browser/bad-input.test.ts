import { expect } from '@open-wc/testing';
import { gate, requests } from './helpers.js';

/** Invalid values per attribute: each must alone make the gate refuse to send anything. */
const INVALID: Record<string, string[]> = {
  'api-base': [
    '',
    'http://api.example.com/v1',
    'javascript:alert(1)',
    '//evil.example/v1',
    'ftp://example.com',
    'data:,x',
    'relative/path',
    'https//missing-colon',
    '/\\evil.example',
  ],
  'provider-id': ['', 'abc', '-1', '1.5', '1e3', '１２', '1234567890123456789', '12 34'],
  'doctor-id': [
    '',
    '   ',
    '.',
    '..',
    'a'.repeat(129),
    'x'.repeat(10 * 1024),
    'nul\u0000byte',
    'tab\tin',
    'line\nbreak',
  ],
  'doctor-name': ['', '   ', 'n'.repeat(101)],
  'doctor-lastname': ['', '  ', 'l'.repeat(101)],
  'doctor-email': ['x', 'a@', '@b.example', 'a b@c.example', 'a@b'],
  'speciality-id': ['', 'x', '0', '-3', '1.5', 'NaN', '1e999', '1e3', '0x10', '+5', ' 5'],
  'doctor-lang': ['xx', 'Portuguese', 'e', 'es-', 'de-DE'],
  // An empty mode, vendor or prefetch is unset and restores the default (test/browser/defaults.test.ts).
  mode: ['tab', 'POPUP', ' popup'],
  vendor: ['acme', 'SPEAKNOSIS', 'Speaknosis '],
  prefetch: ['always', 'Eager'],
  timeout: ['0', '-1', 'abc', '99999999', '50'],
  retries: ['-1', '11', 'x', '1.5'],
  'app-url': ['javascript:alert(1)', 'http://evil.example/app', 'data:text/html,x', '//evil.example/app', 'vbscript:x'],
  token: [''],
  'session-ttl': ['-1', 'x', '1.5'],
};

type Combo = Record<string, string>;

/** Every single invalid value, every pair of attributes, and seeded triples: well over 200 mounts. */
function combinations(): Combo[] {
  const names = Object.keys(INVALID);
  const combos: Combo[] = [];
  for (const name of names) for (const value of INVALID[name]!) combos.push({ [name]: value });
  names.forEach((a, i) =>
    names.slice(i + 1).forEach((b, j) => {
      const av = INVALID[a]!;
      const bv = INVALID[b]!;
      combos.push({ [a]: av[(i + j) % av.length]!, [b]: bv[(i * 3 + j) % bv.length]! });
    }),
  );
  let seed = 7;
  const next = (n: number) => ((seed = (seed * 48271) % 2147483647), seed % n);
  for (let k = 0; k < 40; k++) {
    const combo: Combo = {};
    while (Object.keys(combo).length < 3) {
      const name = names[next(names.length)]!;
      combo[name] = INVALID[name]![next(INVALID[name]!.length)]!;
    }
    combos.push(combo);
  }
  return combos;
}

describe('bad input: generated attribute combinations', () => {
  const combos = combinations();
  const marker = `badinput-${Date.now().toString(36)}`;

  it(`has at least 200 combinations (${combos.length})`, () => {
    expect(combos.length).to.be.at.least(200);
  });

  it('every invalid combination is a config error naming an offending attribute, with zero requests', async function () {
    this.timeout(120_000);
    const original = window.fetch;
    const sent: string[] = [];
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.includes('/sandbox/_control/')) sent.push(url);
      return original(input, init);
    };
    const failures: string[] = [];
    try {
      for (const [index, combo] of combos.entries()) {
        const attrs: Record<string, string> = { mode: 'none', ...combo };
        const doctorId = 'doctor-id' in combo ? undefined : `${marker}-${index}`;
        const el = await gate({ ...(doctorId ? { doctorId } : {}), attrs });
        if ('doctor-id' in combo) el.setAttribute('doctor-id', combo['doctor-id']!);
        const errors: CustomEvent[] = [];
        el.addEventListener('doctor-gate-error', (e) => errors.push(e as CustomEvent));
        await el.updateComplete;
        await el.provision().catch(() => undefined);
        await el.open();
        const detail = errors[0]?.detail;
        const named = detail && Object.keys(combo).some((name) => detail.displayMessage.includes(name));
        if (el.state !== 'error' || detail?.code !== 'config' || detail.step !== 'config' || !named) {
          failures.push(
            `${JSON.stringify(combo).slice(0, 120)} → state ${el.state}, ${JSON.stringify(detail)?.slice(0, 120)}`,
          );
        }
        el.parentElement!.remove();
      }
    } finally {
      window.fetch = original;
    }
    expect(failures).to.deep.equal([]);
    expect(sent).to.deep.equal([]);
    expect(await requests(marker)).to.deep.equal([]);
  });
});
