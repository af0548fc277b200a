import * as z from 'zod/mini';
import { DoctorGateError } from './errors.js';
import type { VendorName } from './types.js';
import { safeInt } from './schema.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const parseUrl = (value: string, base?: string): URL | undefined => {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
};

/**
 * The URL rule, applied to the URL as the browser resolves `value` against `base` (it drops tabs
 * and newlines, reads backslashes as slashes, strips leading spaces), never to the raw string:
 * https, or http on loopback, or the origin of `base` itself; no userinfo
 * (`https://ehr.example@evil.example` is a disguise, and fetch refuses it anyway). A value
 * relative to the page must be a path from its root ("/…") and resolve onto the page's origin:
 * "/\t/evil.example" resolves to "//evil.example". `base` is the page's URL; without one (Node,
 * where there is no page) a relative value has nothing to resolve against and is refused.
 */
export function isAllowedUrl(value: string, base?: string): boolean {
  const url = parseUrl(value, base);
  if (!url || url.username || url.password) return false;
  const page = base === undefined ? undefined : parseUrl(base);
  const samePage = !!page && page.origin !== 'null' && url.origin === page.origin;
  // The parser strips leading spaces and control characters before it reads the path.
  // eslint-disable-next-line no-control-regex -- those are the characters it strips
  if (!parseUrl(value)) return samePage && /^[\u0000-\u0020]*\//.test(value);
  return samePage || url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

/**
 * The URL rule for a launch template, on the template as the browser resolves it; no filled-in
 * value may move its origin either. A value adds nothing but letters, digits and `-_.!~*'()%`
 * (`fillTemplate` encodes the rest), so filling every placeholder with "" and with "a" shows
 * whether one sits in the scheme, host or port.
 */
export function isAllowedTemplate(template: string, base?: string): boolean {
  const originOf = (url: string) => (isAllowedUrl(url, base) ? parseUrl(url, base)!.origin : undefined);
  const origin = originOf(template);
  return origin !== undefined && ['', 'a'].every((probe) => originOf(template.replace(/\{\w+\}/g, probe)) === origin);
}

/** The page's URL in a browser (read at check time, as `HttpClient.base` does); none in Node. */
const pageUrl = () => (globalThis as { location?: { href?: string } }).location?.href;

const optionalText = z.optional(z.string().check(z.maxLength(256)));

/**
 * The element's settings other than the doctor, validated once at the edge. URLs are resolved
 * against `base`, by default the page's URL (none in Node: there only absolute URLs pass).
 */
export const settingsSchemaFor = (base?: string) =>
  z.object({
    vendor: z.enum(['speaknosis', 'prescrypto']),
    apiBase: z.string().check(z.refine((value: string) => isAllowedUrl(value, base ?? pageUrl()))),
    mode: z.enum(['popup', 'iframe', 'none']),
    appUrl: z.optional(z.string().check(z.refine((value: string) => isAllowedTemplate(value, base ?? pageUrl())))),
    prefetch: z.enum(['intent', 'eager', 'none']),
    timeout: safeInt.check(z.minimum(100), z.maximum(120_000)),
    retries: safeInt.check(z.minimum(0), z.maximum(10)),
    sessionTtl: safeInt.check(z.minimum(0), z.maximum(86_400_000)),
    // Digits: the seed types the medical center's id as a number.
    providerId: z.optional(z.string().check(z.regex(/^\d{1,18}$/))),
    hasCredential: z.literal(true),
    appointmentId: optionalText,
    reportExampleId: optionalText,
  });

/** The settings schema resolving URLs against the page, as the browser will. */
export const settingsSchema = settingsSchemaFor();

export type Settings = z.infer<typeof settingsSchema>;

/** Vendor-specific requirements on the settings that one schema cannot say. */
export function checkVendorSettings(vendor: VendorName, settings: { providerId?: string }): string[] {
  return vendor === 'speaknosis' && !settings.providerId ? ['providerId'] : [];
}

/** Fills `{name}` placeholders, each value `encodeURIComponent`-encoded (empty when unset). */
export function fillTemplate(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? encodeURIComponent(values[name] ?? '') : whole,
  );
}

/** Turns schema issues into one `config` error that names the offending fields. */
export function configError(fields: string[]): DoctorGateError {
  return new DoctorGateError('config', `Invalid or missing: ${fields.join(', ')}`, { step: 'config', fields });
}
