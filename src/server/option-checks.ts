import * as z from 'zod';
import { DoctorGateError, isAllowedUrl } from '../core/index.js';

/** An absolute URL the server may send a credential to: https, or http on loopback only. */
export const httpsOrLoopback = z
  .string()
  .refine((value) => !value.startsWith('/') && isAllowedUrl(value), 'must be an absolute https URL');

/** A function, typed as `T` (zod cannot check a signature). */
export const fn = <T>() => z.custom<T>((value) => typeof value === 'function');

/** A `config` error naming the option fields that failed, never their values (one may be a secret). */
export function optionsError(where: string, error: z.ZodError): DoctorGateError {
  const fields = [...new Set(error.issues.map((issue) => String(issue.path[0] ?? 'options')))];
  return new DoctorGateError('config', `${where}: invalid or missing option(s): ${fields.join(', ')}`, {
    step: 'config',
    fields,
  });
}
