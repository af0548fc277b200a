import * as z from 'zod/mini';
import { DoctorGateError } from './errors.js';
import { integer, matching, oneOf, stringWhere, untrimmedText } from './schema.js';
import type { VendorName } from './types.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * https anywhere, http only on loopback, or a same-origin path ("/…", not "//host").
 * Everything else (`javascript:`, `data:`, plain http) is refused before any request.
 */
export function isAllowedUrl(value: string): boolean {
  if (/^\/(?![/\\])/.test(value)) return true;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}

const safeUrl = stringWhere(isAllowedUrl);
const optionalText = z.optional(untrimmedText(0, 256));

/** The element's settings other than the doctor, validated once at the edge. */
export const settingsSchema = z.object({
  vendor: oneOf(['speaknosis', 'prescrypto']),
  apiBase: safeUrl,
  mode: oneOf(['popup', 'iframe', 'none']),
  appUrl: z.optional(safeUrl),
  prefetch: oneOf(['intent', 'eager', 'none']),
  timeout: integer(100, 120_000),
  retries: integer(0, 10),
  sessionTtl: integer(0, 86_400_000),
  providerId: z.optional(matching(/^\d{1,18}$/)),
  hasCredential: oneOf([true]),
  appointmentId: optionalText,
  reportExampleId: optionalText,
});

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
