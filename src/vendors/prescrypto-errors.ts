// How Prescrypto's refusals (seed 000's 400 bodies) become DoctorGateErrors.
import { DoctorGateError, type Step } from '../core/errors.js';
import type { HttpResponse } from '../core/http-types.js';

/** The keys under which Prescrypto's error bodies carry their text. */
export const ERROR_KEYS = ['message', 'detail', 'details'] as const;

/** The seed's raw unique-email violation: a list of lines naming the email constraint. */
export const isDuplicateEmail = (body: unknown): boolean =>
  Array.isArray(body) &&
  body.some(
    (line) => typeof line === 'string' && /unique constraint|already exists/i.test(line) && /email/i.test(line),
  );

/**
 * Maps the seed's 400 bodies: the raw unique-email violation, the hospital-permission message,
 * and DRF field errors `{ field: [messages] }`. Messages about the password are never repeated.
 */
export function prescryptoRefusal(
  { status, body, where }: HttpResponse,
  step: Step,
  redact: (text: string) => string = (text) => text,
): DoctorGateError {
  if (isDuplicateEmail(body)) {
    return new DoctorGateError(
      'conflict',
      `${where}: HTTP ${status}, the email is a medic's this API key cannot see (another key made it)`,
      { step, status },
    );
  }
  const record =
    body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  // Prescrypto words its errors under `message`, `detail` or `details`, in Spanish or English.
  const message = [record?.['message'], record?.['detail'], record?.['details']].find(
    (value): value is string => typeof value === 'string',
  );
  if (message && /permission/i.test(message) && /hospital/i.test(message)) {
    return new DoctorGateError(
      'forbidden',
      `${where}: HTTP ${status}, the API key is not an admin of that hospital: ${redact(message).slice(0, 160)}`,
      { step, status },
    );
  }
  const fields = record ? Object.keys(record).filter((key) => !(ERROR_KEYS as readonly string[]).includes(key)) : [];
  if (fields.length) {
    const details = fields.map((field) => {
      const messages = record![field];
      const first = Array.isArray(messages) && typeof messages[0] === 'string' ? messages[0] : undefined;
      return field === 'password' || !first ? field : `${field} (${redact(first).slice(0, 120)})`;
    });
    return new DoctorGateError('config', `${where}: HTTP ${status}, refused field(s): ${details.join('; ')}`, {
      step,
      status,
      fields,
    });
  }
  const detail = message;
  return new DoctorGateError('config', `${where}: HTTP ${status}${detail ? `: ${redact(detail).slice(0, 160)}` : ''}`, {
    step,
    status,
  });
}
