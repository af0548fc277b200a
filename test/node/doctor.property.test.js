// Property tests (fast-check) for the doctor at the edge: valid doctors pass, each single bad
// field is refused by name, and no id that passes can change the request path.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createClient, DoctorGateError, parseDoctor, prescrypto, speaknosis } from '../../dist/core.js';

const RUNS = 2000;
const API = 'https://api.example/v1/health';
const LANGS = ['ES', 'EN', 'CA', 'PT', 'FR'];

/** A client whose fetch records each request's URL and answers 404 (not found: nothing follows). */
function recordingClient(vendor) {
  const urls = [];
  const fetch = async (url) => {
    urls.push(new URL(url));
    return new Response(JSON.stringify({ message: 'Not found' }), { status: 404 });
  };
  return {
    urls,
    client: createClient(vendor, { apiBase: API, providerId: 1001, token: 'tok_valid_123', fetch, retries: 0 }),
  };
}

const refusal = (client, doctor) => {
  try {
    parseDoctor(client, doctor);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof DoctorGateError, String(error));
    assert.equal(error.code, 'config');
    return error.fields;
  }
};

const visible = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((text) => text.trim() !== '');
const email = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,16}$/), fc.stringMatching(/^[a-z]{1,10}$/), fc.stringMatching(/^[a-z]{2,6}$/))
  .map(([local, host, tld]) => `${local}@${host}.${tld}`);
const speciality = fc.oneof(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1 }).map(String));
const speaknosisDoctor = fc.record(
  {
    // eslint-disable-next-line no-control-regex -- ids with control characters are generated as bad ones
    id: visible.filter((id) => !/^\s*\.{1,2}\s*$/.test(id) && !/[\u0000-\u001f\u007f]/.test(id)),
    name: visible,
    lastname: visible,
    email,
    specialityId: speciality,
    lang: fc.constantFrom(...LANGS),
  },
  { requiredKeys: ['id', 'name', 'lastname', 'specialityId', 'lang'] },
);

// For each field, values a page might give that Speaknosis cannot take.
const badSpeaknosis = {
  id: fc.constantFrom('', '   ', '.', '..', ' .. ', 'a\u0000b', 'tab\there', 'x'.repeat(129), 12, null, '\uD800'),
  name: fc.constantFrom('', '   ', 'x'.repeat(101), 7, null),
  lastname: fc.constantFrom('', '\t', 'x'.repeat(101), false),
  email: fc.constantFrom('no-at', 'a@b', 'a b@c.de', ' a@b.co', `${'x'.repeat(250)}@b.co`, 5),
  specialityId: fc.constantFrom(
    0,
    -1,
    1.5,
    NaN,
    Infinity,
    2 ** 53,
    '1e3',
    '0x10',
    '+5',
    ' 5',
    '5 ',
    '5.0',
    '05',
    '',
    '-3',
    'five',
  ),
  lang: fc.constantFrom('xx', 'es', 'Portuguese', '', 'ES ', 1),
};

describe('Speaknosis doctor validation', () => {
  const { client } = recordingClient('speaknosis');

  test(`generated valid doctors pass, specialityId as a number (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(speaknosisDoctor, (doctor) => {
        const parsed = parseDoctor(client, doctor);
        assert.equal(parsed.specialityId, Number(doctor.specialityId));
        assert.equal(parsed.id, doctor.id.trim());
        assert.equal(parsed.name, doctor.name.trim());
      }),
      { numRuns: RUNS },
    );
  });

  test(`each single invalid field is refused with its field named (${RUNS} runs)`, () => {
    const oneBad = fc
      .constantFrom(...Object.keys(badSpeaknosis))
      .chain((field) => fc.tuple(fc.constant(field), badSpeaknosis[field], speaknosisDoctor));
    fc.assert(
      fc.property(oneBad, ([field, value, doctor]) => {
        assert.deepEqual(refusal(client, { ...doctor, [field]: value }), [field], `${field}: ${JSON.stringify(value)}`);
      }),
      { numRuns: RUNS },
    );
  });

  test('specialityId is decimal digits or a safe integer: no coercion', () => {
    for (const value of ['1e3', '0x10', '+5', ' 5', '5.0', '0b1', '1_000'])
      assert.deepEqual(refusal(client, { id: 'd', name: 'A', lastname: 'B', lang: 'ES', specialityId: value }), [
        'specialityId',
      ]);
    const parsed = parseDoctor(client, { id: 'd', name: 'A', lastname: 'B', lang: 'ES', specialityId: '42' });
    assert.equal(parsed.specialityId, 42);
  });
});

describe('Prescrypto doctor validation', () => {
  const { client } = recordingClient('prescrypto');
  const medic = fc.record(
    {
      id: fc.oneof(fc.integer({ min: 1, max: 10 ** 15 }), fc.integer({ min: 0, max: 10 ** 9 }).map(String)),
      name: visible,
      email,
      password: fc.string({ minLength: 1, maxLength: 128 }),
      hospital: fc.integer({ min: 1, max: 10 ** 6 }),
      date_of_birth: fc
        .date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10)),
      female: fc.boolean(),
    },
    { requiredKeys: ['name', 'email'] },
  );
  const bad = {
    id: fc.constantFrom('abc', '1.5', -1, 0, 1.5, '12a'),
    name: fc.constantFrom('', '  ', 'x'.repeat(151)),
    email: fc.constantFrom('', 'nobody', 'a@b'),
    password: fc.constantFrom('', 'x'.repeat(129)),
    hospital: fc.constantFrom(0, -2, 1.5, '3'),
    date_of_birth: fc.constantFrom('2023-02-29', '2023-13-01', '1/2/2000', '2000-1-01', ''),
    female: fc.constantFrom('yes', 1, null),
  };

  test(`generated valid medics pass, and each single invalid field is refused by name (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(medic, (doctor) => {
        const parsed = parseDoctor(client, doctor);
        if (doctor.id !== undefined) assert.equal(parsed.id, String(doctor.id));
      }),
      { numRuns: RUNS },
    );
    const oneBad = fc
      .constantFrom(...Object.keys(bad))
      .chain((field) => fc.tuple(fc.constant(field), bad[field], medic));
    fc.assert(
      fc.property(oneBad, ([field, value, doctor]) => {
        assert.deepEqual(refusal(client, { ...doctor, [field]: value }), [field], `${field}: ${JSON.stringify(value)}`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('an id is exactly one path segment of the check', () => {
  // What an adversarial id is made of: dot segments, slashes in every spelling, query and fragment.
  const piece = fc.oneof(
    fc.constantFrom('.', '..', '/', '\\', '%2F', '%2f', '%5C', '%2e', '%2E%2E', '?', '#', '&', '=', '%', '@', ':', ';'),
    fc.string({ unit: 'grapheme', maxLength: 3 }),
  );
  const id = fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));

  test(`a Speaknosis id never changes the request path (${RUNS} runs)`, async () => {
    const { urls, client } = recordingClient('speaknosis');
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(id, async (value) => {
        const doctor = { id: value, name: 'Ana', lastname: 'Gómez', specialityId: 1, lang: 'ES' };
        if (refusal(client, doctor)) return;
        const parsed = parseDoctor(client, doctor);
        urls.length = 0;
        await speaknosis.find(client.http, parsed, client.scope).catch(() => undefined);
        assert.equal(urls.length, 1, JSON.stringify(value));
        const url = urls[0];
        sent++;
        assert.equal(url.origin, 'https://api.example');
        assert.equal(url.search + url.hash, '', 'no query or fragment');
        const segments = url.pathname.split('/');
        assert.deepEqual(segments.slice(0, -1), ['', 'v1', 'health', 'provider', '1001', 'user']);
        assert.equal(decodeURIComponent(segments.at(-1)), parsed.id, JSON.stringify(value));
      }),
      { numRuns: RUNS },
    );
    assert.ok(sent > RUNS / 2, `only ${sent} generated ids were valid`);
  });

  test(`a Prescrypto medic id never changes the request path (${RUNS} runs)`, async () => {
    const { urls, client } = recordingClient('prescrypto');
    await fc.assert(
      fc.asyncProperty(id, async (value) => {
        const doctor = { id: value, name: 'Ana', email: 'ana@clinic.example' };
        if (refusal(client, doctor)) return;
        urls.length = 0;
        await prescrypto.find(client.http, parseDoctor(client, doctor), client.scope).catch(() => undefined);
        // A valid id is digits: the detail URL, then (on 404) the list; never another path.
        for (const url of urls) assert.match(url.pathname, /^\/v1\/health\/api\/v2\/medics\/(\d+\/)?$/, url.href);
      }),
      { numRuns: RUNS },
    );
  });
});
