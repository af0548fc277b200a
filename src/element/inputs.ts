import type { PropertyDeclaration } from 'lit';
import { langOf, type Doctor, type Lang, type VendorName } from '../core/types.js';
import type { GateMode } from './events.js';

/** What a page sets on the gate: the element's inputs, as the controllers read them. */
export interface GateInputs {
  vendor: VendorName;
  server?: string;
  apiBase?: string;
  token?: string;
  tokenProvider?: () => Promise<string>;
  providerId?: string;
  doctorId?: string;
  doctorName?: string;
  doctorLastname?: string;
  doctorEmail?: string;
  specialityId?: number;
  doctorLang?: string;
  doctor?: Doctor;
  medicToken?: string;
  hospital?: number;
  mode: GateMode;
  appUrl?: string;
  appointmentId?: string;
  reportExampleId?: string;
  prefetch: 'intent' | 'eager' | 'none';
  timeout: number;
  retries: number;
  sessionTtl: number;
  debug?: boolean;
}

/** The inputs that have a default: unsetting one (attribute removed, `undefined`, or `''`) restores it. */
export const DEFAULTS = {
  vendor: 'speaknosis',
  mode: 'popup',
  prefetch: 'intent',
  timeout: 10_000,
  retries: 3,
  sessionTtl: 0,
} as const satisfies Partial<GateInputs>;

export const hasDefault = (name: PropertyKey): name is keyof typeof DEFAULTS => Object.hasOwn(DEFAULTS, name);

/**
 * Inputs that do not change who is provisioned where: a run under way survives them (a framework
 * passing a new `tokenProvider` function on every render must not abort it).
 */
export const KEEPS_RUN: ReadonlySet<PropertyKey> = new Set([
  'token',
  'tokenProvider',
  'timeout',
  'retries',
  'sessionTtl',
  'prefetch',
  'debug',
]);

/** Frameworks pass a new `doctor` object on every render: only a different value is a change. */
export const changedValue = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);

/** `''` counts as unset: frameworks bind an unset value so, and none of these inputs means anything by it. */
export const isUnset = (value: unknown): boolean => value === undefined || value === null || value === '';

/** The value an input stands for: its default when unset. */
export const effective = (name: PropertyKey, value: unknown): unknown =>
  hasDefault(name) && isUnset(value) ? DEFAULTS[name] : value;

/** Number attributes: empty or removed is unset; anything else is `Number(…)`, so junk becomes NaN and fails validation. */
export const numberAttribute = {
  fromAttribute: (value: string | null) => (value === null || value.trim() === '' ? undefined : Number(value)),
};

/** Decimal digits only: `1e3`, `0x10`, `+5` and ` 5` are not numbers here (NaN: a `config` error), as the contract says. */
export const decimalAttribute = {
  fromAttribute: (value: string | null) => (value === null ? undefined : /^\d+$/.test(value) ? Number(value) : NaN),
};

/** `doctor-lang` when set (`''` counts as unset), else the nearest `lang` in the page when supported, else ES. */
export function uiLang(host: Element & { doctorLang?: string }): Lang {
  const wanted = host.doctorLang;
  if (!isUnset(wanted)) return langOf(wanted!) ?? 'ES';
  return langOf(host.closest('[lang]')?.getAttribute('lang') ?? '') ?? 'ES';
}

/** `doctor-lang` is set but names no supported language: a `config` error rather than a silent ES. */
export const badDoctorLang = (host: { doctorLang?: string }): boolean =>
  !isUnset(host.doctorLang) && !langOf(host.doctorLang!);

/**
 * The attribute a page sets for a field a `config` error names: the field's own property, or the
 * `doctor…` property of a doctor field (`id` is `doctor-id`); fields with no attribute keep their name.
 */
export function attributeOf(field: string, properties: ReadonlyMap<PropertyKey, PropertyDeclaration>): string {
  const property = field === 'hasCredential' ? 'token' : `doctor${field.charAt(0).toUpperCase()}${field.slice(1)}`;
  for (const name of [field, property]) {
    const { attribute } = properties.get(name) ?? {};
    if (typeof attribute === 'string') return attribute;
    // Lit's default for a declared property is its name in lowercase.
    if ((attribute === true || attribute === undefined) && properties.has(name)) return name.toLowerCase();
  }
  return field;
}

/** `apibase` → `api-base`: filled when the tag is defined (`observedAttributes`). */
const ALIASES = new Map<string, string>();

/**
 * The observed attributes and the lowercase run-together spelling of each kebab-case one
 * (`apibase`, `providerid`…), which React 19's server renderer writes for camelCase props.
 */
export function withAliases(names: readonly string[]): string[] {
  for (const name of names) if (name.includes('-')) ALIASES.set(name.replaceAll('-', ''), name);
  return [...names, ...ALIASES.keys()];
}

/** The kebab-case attribute an alias stands for (any other name as it is). */
export const unalias = (name: string): string => ALIASES.get(name) ?? name;

/**
 * Whether setting `key` changed the inputs a run is made of, by the property's own test; an unset
 * value first restores the default (which re-enters Lit's `requestUpdate` with it).
 */
export function inputChanged(
  host: GateInputs,
  key: keyof GateInputs,
  oldValue: unknown,
  declared: PropertyDeclaration,
): boolean {
  if (hasDefault(key) && isUnset(host[key])) (host as unknown as Record<string, unknown>)[key] = DEFAULTS[key];
  const changed = declared.hasChanged ?? ((value: unknown, old: unknown) => !Object.is(value, old));
  return !KEEPS_RUN.has(key) && changed(host[key], effective(key, oldValue));
}
