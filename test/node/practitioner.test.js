// doctorFromPractitioner: FHIR R4 Practitioners as EHRs send them → the gate's doctor fields; and,
// for any JSON at all, a doctor made only of what the input says, or a `config` error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { doctorFromPractitioner, DoctorGateError } from '../../dist/core.js';
import { fixtures } from '../../sandbox/index.js';

const STAFF = 'urn:ehr:staff';
const NPI = 'http://hl7.org/fhir/sid/us-npi';
const bcp47 = (code) => ({ coding: [{ system: 'urn:ietf:bcp:47', code }] });
const practitioner = (fields) => ({ resourceType: 'Practitioner', id: 'pr-1', ...fields });
const named = { name: [{ family: 'Ortega', given: ['Ana'] }] };

/** [case, Practitioner, options, the doctor expected] */
const TABLE = [
  [
    'several given names and prefixes: the given names joined, no prefix',
    practitioner({ name: [{ use: 'official', family: 'Ortega', given: ['Ana', 'María'], prefix: ['Dra.'] }] }),
    {},
    { id: 'pr-1', name: 'Ana María', lastname: 'Ortega' },
  ],
  [
    'the official name before a usual one, an old one never first',
    practitioner({
      name: [
        { use: 'old', family: 'Viejo', given: ['Ana'] },
        { use: 'usual', family: 'Ortega', given: ['Anita'] },
        { use: 'official', family: 'Ortega Ruiz', given: ['Ana', 'María'], suffix: ['MD'] },
      ],
    }),
    {},
    { id: 'pr-1', name: 'Ana María', lastname: 'Ortega Ruiz' },
  ],
  [
    'multiple telecoms: the work email before home, phones and an old address skipped',
    practitioner({
      ...named,
      telecom: [
        { system: 'phone', value: '+52 55 0101', use: 'work' },
        { system: 'email', value: 'old@hospital.example', use: 'old' },
        { system: 'email', value: 'ana@home.example', use: 'home' },
        { system: 'email', value: 'ana@hospital.example', use: 'work' },
      ],
    }),
    {},
    { id: 'pr-1', name: 'Ana', lastname: 'Ortega', email: 'ana@hospital.example' },
  ],
  [
    'an email without use, and a malformed one skipped',
    practitioner({
      ...named,
      telecom: [
        { system: 'email', value: 'not an email', use: 'work' },
        { system: 'email', value: 'ana@clinic.example' },
      ],
    }),
    {},
    { id: 'pr-1', name: 'Ana', lastname: 'Ortega', email: 'ana@clinic.example' },
  ],
  [
    'identifiers: the one of idSystem, among others and one without system',
    practitioner({
      ...named,
      identifier: [{ value: 'no-system' }, { system: NPI, value: '1234567893' }, { system: STAFF, value: 'staff-7' }],
    }),
    { idSystem: STAFF },
    { id: 'staff-7', name: 'Ana', lastname: 'Ortega' },
  ],
  [
    'identifiers without idSystem: the resource id',
    practitioner({ ...named, identifier: [{ system: STAFF, value: 'staff-7' }] }),
    {},
    { id: 'pr-1', name: 'Ana', lastname: 'Ortega' },
  ],
  [
    'communication es-MX → ES',
    practitioner({ ...named, communication: [bcp47('es-MX')] }),
    {},
    { id: 'pr-1', name: 'Ana', lastname: 'Ortega', lang: 'ES' },
  ],
  [
    'communication ca → CA, after an unsupported language',
    practitioner({ ...named, communication: [bcp47('de'), { text: 'Catalan' }, bcp47('ca'), bcp47('en')] }),
    {},
    { id: 'pr-1', name: 'Ana', lastname: 'Ortega', lang: 'CA' },
  ],
  [
    'communication in unsupported languages only: no lang',
    practitioner({ ...named, communication: [bcp47('de'), bcp47('zh-Hans'), { coding: [{ code: 'Portuguese' }] }] }),
    {},
    { id: 'pr-1', name: 'Ana', lastname: 'Ortega' },
  ],
];

describe('doctorFromPractitioner: real-shaped Practitioners', () => {
  for (const [name, resource, options, expected] of TABLE) {
    test(name, () => assert.deepEqual(doctorFromPractitioner(resource, options), expected));
  }

  test('the sandbox EHR practitioners: Catalan, no email, unsupported language', () => {
    const byId = Object.fromEntries(
      fixtures.smart.practitioners.map((each) => [
        each.id,
        doctorFromPractitioner(each, { idSystem: fixtures.smart.idSystem }),
      ]),
    );
    assert.deepEqual(byId['pr-ana'], {
      id: 'smart-ana',
      name: 'Ana María',
      lastname: 'Ortega',
      email: 'ana.ortega@hospital.example',
      lang: 'ES',
    });
    assert.equal(byId['pr-jordi'].lang, 'CA');
    assert.equal('email' in byId['pr-sam'], false);
    assert.equal('lang' in byId['pr-hanna'], false);
  });
});

/** The `config` error `call` throws. */
function configError(call) {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof DoctorGateError, String(error));
    assert.equal(error.code, 'config');
    return error;
  }
  assert.fail('expected a config error');
}

describe('doctorFromPractitioner: no usable doctor is a config error naming what is missing', () => {
  test('not a Practitioner', () => {
    for (const value of [null, 'Practitioner', [], { resourceType: 'Patient', id: 'p' }, { id: 'p' }]) {
      assert.deepEqual(configError(() => doctorFromPractitioner(value)).fields, ['resourceType']);
    }
  });
  test('no id, no given, no family', () => {
    const error = configError(() => doctorFromPractitioner({ resourceType: 'Practitioner', name: [{ text: 'Dr X' }] }));
    assert.deepEqual(error.fields, ['id', 'name.given', 'name.family']);
    assert.match(error.message, /id, name\.given, name\.family/);
  });
  test('idSystem given but no identifier of it: an error, never the resource id (another id space)', () => {
    const resource = practitioner({ ...named, identifier: [{ system: NPI, value: '1234567893' }] });
    assert.deepEqual(configError(() => doctorFromPractitioner(resource, { idSystem: STAFF })).fields, ['identifier']);
  });
  test('blank values count as missing', () => {
    const resource = { resourceType: 'Practitioner', id: '  ', name: [{ family: ' ', given: ['', ' '] }] };
    assert.deepEqual(configError(() => doctorFromPractitioner(resource)).fields, ['id', 'name.given', 'name.family']);
  });
});

// ——— property: any JSON in, a doctor made of the input or a config error out ———

/** Every string anywhere in `value`, and every array (for the joined given names). */
function collect(value, strings = new Set(), arrays = []) {
  if (typeof value === 'string') strings.add(value);
  else if (Array.isArray(value)) {
    arrays.push(value);
    for (const each of value) collect(each, strings, arrays);
  } else if (value && typeof value === 'object') {
    for (const [key, each] of Object.entries(value)) {
      strings.add(key);
      collect(each, strings, arrays);
    }
  }
  return { strings, arrays };
}

const LANGS = ['ES', 'EN', 'CA', 'PT', 'FR'];
const some = (arbitrary) => fc.oneof({ weight: 4, arbitrary }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
const list = (arbitrary) => some(fc.array(some(arbitrary), { maxLength: 4 }));
const use = fc.constantFrom('official', 'usual', 'old', 'work', 'home', undefined, 7);
const practitionerLike = (requiredKeys) =>
  fc.record(
    {
      resourceType: fc.constantFrom('Practitioner', 'Practitioner', 'Patient', undefined),
      id: some(fc.constantFrom('pr-1', ' ', '', 'x')),
      identifier: list(fc.record({ system: fc.constantFrom(STAFF, NPI, undefined), value: some(fc.string()) })),
      name: list(
        fc.record(
          { use, family: some(fc.string()), given: list(fc.string()), prefix: list(fc.string()), text: fc.string() },
          { requiredKeys: requiredKeys.length ? ['family', 'given'] : [] },
        ),
      ),
      telecom: list(
        fc.record({
          system: fc.constantFrom('email', 'phone', 'url'),
          value: some(fc.oneof(fc.emailAddress(), fc.string())),
          use,
        }),
      ),
      communication: list(
        fc.record({
          coding: list(
            fc.record({ code: some(fc.constantFrom('es-MX', 'ca', 'EN', 'pt_BR', 'de', 'Portuguese', 'fr-')) }),
          ),
        }),
      ),
    },
    { requiredKeys },
  );
/** Mostly usable Practitioners, so that the success path is explored as much as the errors. */
const usable = fc.record({
  resourceType: fc.constant('Practitioner'),
  id: fc.constantFrom('pr-1', 'x'),
  name: fc.array(
    fc.record({
      use,
      family: fc.string({ minLength: 1 }),
      given: fc.array(some(fc.string({ minLength: 1 })), { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  identifier: fc.array(fc.record({ system: fc.constantFrom(STAFF, NPI), value: fc.string({ minLength: 1 }) })),
  telecom: fc.array(fc.record({ system: fc.constantFrom('email', 'phone'), value: fc.emailAddress(), use })),
  communication: fc.array(
    fc.record({ coding: fc.array(fc.record({ code: fc.constantFrom('es-MX', 'ca', 'de', 'pt_BR', 'EN') })) }),
  ),
});
const options = fc.oneof(
  fc.constant(undefined),
  fc.record({ idSystem: fc.constantFrom(STAFF, NPI) }),
  fc.jsonValue({ maxDepth: 1 }),
);

describe('doctorFromPractitioner: property over any JSON', () => {
  test('returns a doctor or throws a config DoctorGateError, and never invents a field', () => {
    let doctors = 0;
    fc.assert(
      fc.property(
        fc.oneof(practitionerLike([]), practitionerLike(['resourceType', 'id', 'name']), usable, fc.jsonValue()),
        options,
        (input, given) => {
          let doctor;
          try {
            doctor = doctorFromPractitioner(input, given);
          } catch (error) {
            assert.ok(error instanceof DoctorGateError, `threw ${error}`);
            assert.equal(error.code, 'config');
            assert.ok(error.fields.length > 0);
            return;
          }
          doctors++;
          const { strings, arrays } = collect(input);
          assert.deepEqual(
            Object.keys(doctor).filter((key) => !['id', 'name', 'lastname', 'email', 'lang'].includes(key)),
            [],
          );
          assert.ok(strings.has(doctor.id), 'id');
          assert.ok(strings.has(doctor.lastname), 'lastname');
          if ('email' in doctor) assert.ok(strings.has(doctor.email), 'email');
          const joined = arrays.map((each) =>
            each.filter((part) => typeof part === 'string' && /\S/.test(part)).join(' '),
          );
          assert.ok(joined.includes(doctor.name), 'name');
          if ('lang' in doctor) {
            assert.ok(LANGS.includes(doctor.lang));
            assert.ok(
              [...strings].some((each) => each.toUpperCase().startsWith(doctor.lang)),
              'lang',
            );
          }
          for (const value of Object.values(doctor)) assert.ok(typeof value === 'string' && /\S/.test(value));
        },
      ),
      { numRuns: 3000 },
    );
    // The generator reaches the success path, not only the errors.
    assert.ok(doctors > 100, `only ${doctors} doctors`);
  });
});
