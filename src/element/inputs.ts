import type { PropertyDeclaration } from 'lit';
import type { DoctorGateError } from '../core/errors.js';
import { langOf, type Doctor, type Lang, type VendorName } from '../core/types.js';
import type { GateMode } from './events.js';
import type { UiKey } from './i18n.js';

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

/** `''` counts as unset: frameworks bind an unset value so, and none of these inputs means anything by it. */
export const isUnset = (value: unknown): boolean => value === undefined || value === null || value === '';

/** Puts back the default of each input with one that is unset (`undefined`, `null` or `''`). */
export function restoreDefaults(host: GateInputs): void {
  for (const [name, value] of Object.entries(DEFAULTS))
    if (isUnset(host[name as keyof typeof DEFAULTS])) Object.assign(host, { [name]: value });
}

/** A value as JSON, to compare by value; itself when JSON cannot hold it (a cycle, a BigInt). */
const byValue = (value: unknown): unknown => {
  try {
    return JSON.stringify(value);
  } catch {
    return value;
  }
};

/**
 * The arguments a run is made of, as `@lit/task` compares them: who is provisioned where, and how the
 * app opens. A new value is a new run. The credential, timeouts, retries, `session-ttl`, `prefetch`
 * and `debug` are not among them: a run survives them (a framework passing a new `tokenProvider`
 * function on every render must not abort it). `doctor` counts by value: frameworks pass a new object
 * on every render.
 */
export const runArgs = (host: GateInputs): readonly unknown[] => [
  host.vendor,
  host.server,
  host.apiBase,
  host.providerId,
  host.doctorId,
  host.doctorName,
  host.doctorLastname,
  host.doctorEmail,
  host.specialityId,
  host.doctorLang,
  byValue(host.doctor),
  host.medicToken,
  host.hospital,
  host.mode,
  host.appUrl,
  host.appointmentId,
  host.reportExampleId,
];

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
 * What the doctor is shown for `failure`: its UI text's key, and for a `config` error the attributes
 * the page sets for the fields it names (a vendor's field error names doctor fields).
 */
export function statusOf(
  failure: DoctorGateError,
  properties: ReadonlyMap<PropertyKey, PropertyDeclaration>,
): { key: UiKey; value?: string } {
  const value =
    failure.code === 'config' ? failure.fields?.map((field) => attributeOf(field, properties)).join(', ') : undefined;
  // No credential from the EHR (its server's session, or the page's token route, ended): the doctor
  // signs in again; only a vendor's own 401 says the vendor refused the credential.
  if (failure.code === 'unauthorized' && failure.source !== 'vendor') return { key: 'signed-out' };
  // The EHR's own handler refused the page (its origin): its configuration, not the vendor's permission.
  if (failure.code === 'forbidden' && failure.source === 'server') return { key: 'config', value: 'server' };
  return { key: failure.code, value };
}
