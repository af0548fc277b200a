import * as z from 'zod/mini';
import { emailAddress } from './schema.js';
import { DoctorGateError } from './errors.js';
import { langOf, type Doctor } from './types.js';

/**
 * The parts of a FHIR R4 `Practitioner` the mapping reads (a structural subset, so a Practitioner
 * typed by any FHIR library fits it without this package depending on one).
 */
export interface FhirPractitioner {
  resourceType: 'Practitioner';
  id?: string;
  identifier?: { system?: string; value?: string; use?: string }[];
  name?: { use?: string; family?: string; given?: string[]; prefix?: string[]; text?: string }[];
  telecom?: { system?: string; value?: string; use?: string; rank?: number }[];
  communication?: { coding?: { system?: string; code?: string; display?: string }[]; text?: string }[];
}

export interface PractitionerOptions {
  /** The identifier system whose value is the doctor's id (e.g. the EHR's user ids); without it, the resource id. */
  idSystem?: string;
}

/** The doctor fields a Practitioner gives; `email` and `lang` only when it has them. */
export type PractitionerDoctor = Required<Pick<Doctor, 'id' | 'name' | 'lastname'>> & Pick<Doctor, 'email' | 'lang'>;

// The resource type is checked by zod; the rest is read leniently (an odd element is skipped,
// never fatal), by hand: a schema per FHIR element costs the drop-in more than the reading does.
const resource = z.looseObject({ resourceType: z.literal('Practitioner') });

type FhirElement = Record<string, unknown>;
/** The objects in a FHIR list; anything else (absent, not a list, a bare string) reads as none. */
const elements = (value: unknown): FhirElement[] =>
  Array.isArray(value) ? value.filter((item): item is FhirElement => !!item && typeof item === 'object') : [];
/** Text with something in it, kept as given (the vendor schemas trim and bound it later). */
const text = (value: unknown): value is string => typeof value === 'string' && /\S/.test(value);

/** The element of the most preferred `use` (earlier in `preferred` first, unlisted next); `old` never. */
const best = (items: FhirElement[], preferred: string[]): FhirElement | undefined =>
  items
    .filter((item) => item['use'] !== 'old')
    .sort(
      (a, b) => ((preferred.indexOf(a['use'] as string) + 9) % 9) - ((preferred.indexOf(b['use'] as string) + 9) % 9),
    )[0];

/**
 * The doctor a FHIR R4 `Practitioner` describes: `id` from the identifier of `idSystem` (else the
 * resource id), `name` from the given names, `lastname` from the family name (of the `official`
 * name, else `usual`, else the first), `email` from a telecom of system `email` (`work` first),
 * `lang` from the first `communication` coding among ES EN CA PT FR (`es-MX` → ES). Nothing is
 * made up: a field the resource lacks is left out (an `old` name or address is not used), and a
 * missing id, given or family name is a `config` error naming it. Any other input is a `config`
 * error too; nothing else is thrown.
 */
export function doctorFromPractitioner(
  practitioner: FhirPractitioner,
  options?: PractitionerOptions,
): PractitionerDoctor {
  if (!z.safeParse(resource, practitioner).success) {
    throw new DoctorGateError('config', 'Not a FHIR Practitioner', { fields: ['resourceType'] });
  }
  const found = practitioner as unknown as FhirElement;
  const idSystem = options?.idSystem;
  const id =
    idSystem === undefined
      ? found['id']
      : elements(found['identifier']).find((each) => each['system'] === idSystem && text(each['value']))?.['value'];
  const name = best(elements(found['name']), ['official', 'usual']);
  const given = (Array.isArray(name?.['given']) ? (name['given'] as unknown[]) : []).filter(text).join(' ');
  const family = name?.['family'];
  const missing = [
    ...(text(id) ? [] : [idSystem === undefined ? 'id' : 'identifier']),
    ...(given ? [] : ['name.given']),
    ...(text(family) ? [] : ['name.family']),
  ];
  if (missing.length)
    throw new DoctorGateError('config', `The Practitioner has no ${missing.join(', ')}`, { fields: missing });
  const mail = best(
    elements(found['telecom']).filter(
      (each) => each['system'] === 'email' && z.safeParse(emailAddress, each['value']).success,
    ),
    ['work'],
  )?.['value'] as string | undefined;
  const lang = elements(found['communication'])
    .flatMap((each) => elements(each['coding']))
    .map((each) => (typeof each['code'] === 'string' ? langOf(each['code']) : undefined))
    .find(Boolean);
  return {
    id: id as string,
    name: given,
    lastname: family as string,
    ...(mail && { email: mail }),
    ...(lang && { lang }),
  };
}
