import * as z from 'zod';
import { DoctorGateError, type Doctor, type Found } from '../core/index.js';
import type { GateHandlerOptions } from './options.js';

/** What a `POST` may say: `create` once the page fired an uncancelled `doctor-gate-before-create`. */
const postBody = z.object({ create: z.optional(z.boolean()), ticket: z.optional(z.string().max(2048)) });

/** The `POST` body: JSON (checked before by the cross-site rule), at most 4 kB, `{}` when empty. */
export async function readBody(request: Request): Promise<z.infer<typeof postBody>> {
  const text = await request.text();
  const refuse = (why: string) =>
    new DoctorGateError('config', `The POST body ${why}`, { step: 'check', source: 'server', status: 400 });
  if (text.length > 4096) throw refuse('is too large');
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw refuse('is not JSON');
  }
  const parsed = postBody.safeParse(value);
  if (!parsed.success) throw refuse('must be { "create"?: boolean, "ticket"?: string }');
  return parsed.data;
}

/** The session's doctor; a throwing `doctorFor` is the server's failure, reported without its text. */
export async function sessionDoctor<Context>(
  doctorFor: GateHandlerOptions<Context>['doctorFor'],
  request: Request,
  context: Context,
): Promise<Doctor | null> {
  let doctor: unknown;
  try {
    doctor = await doctorFor(request, context);
  } catch (error) {
    if (error instanceof DoctorGateError) throw error;
    throw new DoctorGateError('server', 'doctorFor failed', {
      step: 'check',
      status: 500,
      source: 'server',
      cause: error,
    });
  }
  if (doctor === null || doctor === undefined) return null;
  if (typeof doctor !== 'object' || Array.isArray(doctor)) {
    throw new DoctorGateError('config', 'doctorFor must return a doctor object or null', {
      step: 'config',
      source: 'server',
    });
  }
  return doctor as Doctor;
}

/** `promise`, or a `timeout` error after `ms`: a credential function that never answers must not hang the handler. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DoctorGateError('timeout', `The credential gave no answer within ${ms} ms`, {
            step: 'check',
            source: 'server',
          }),
        ),
      ms,
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * A Prescrypto medic counts only when its email is the doctor's (case-insensitive): a wrong medic
 * id in the EHR's data must not open another doctor's prescribing account with its medic token.
 */
export function sameMedic(found: Found | null, doctor: Doctor): Found | null {
  const theirs = found?.account['email'];
  const key = (email: unknown) => (typeof email === 'string' ? email.trim().toLowerCase() : undefined);
  if (found && key(theirs) !== key(doctor.email)) {
    const id = String(found.account['id'] ?? doctor.id);
    throw new DoctorGateError(
      'conflict',
      `Prescrypto medic ${id} has another email than the doctor's: is the medic id the EHR gives for this doctor right?`,
      { step: 'check', source: 'server' },
    );
  }
  return found;
}
