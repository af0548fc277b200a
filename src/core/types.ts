import type { DoctorGateError } from './errors.js';

export type VendorName = 'speaknosis' | 'prescrypto';
/** The languages both vendors take, as a tuple so `z.enum(LANGS)` can name them. */
export const LANGS = ['ES', 'EN', 'CA', 'PT', 'FR'] as const;
export type Lang = (typeof LANGS)[number];

/** `es`, `EN`, `es-MX`, `pt_BR` → the gate's language; anything else (`xx`, `Portuguese`) → undefined. */
export function langOf(tag: string): Lang | undefined {
  const primary = /^([a-z]{2})(?:[-_][a-z\d]+)*$/i.exec(tag)?.[1]?.toUpperCase();
  return (LANGS as readonly string[]).includes(primary ?? '') ? (primary as Lang) : undefined;
}

/** The doctor as the page knows them; vendor-specific fields (Prescrypto `password`, `hospital`, …) ride along. */
export interface Doctor {
  /** Speaknosis: the EHR's own user id. Prescrypto: the medic id, when known. */
  id?: string;
  name?: string;
  lastname?: string;
  email?: string;
  /** Speaknosis: a positive integer, or its decimal digits as a string (as an attribute gives it). */
  specialityId?: number | string;
  lang?: Lang;
  [vendorField: string]: unknown;
}

/** How a doctor's account came to be ready, as a tuple so `z.enum(OUTCOMES)` can name them. */
export const OUTCOMES = ['existing', 'created', 'reactivated'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What the vendor told about the account; for Prescrypto creations it holds the medic `id` and `token`. */
export type Account = Record<string, unknown>;

/** What a provisioned account may still lack to work in the vendor app, as a tuple so schemas can name them. */
export const READINESS_GAPS = ['active', 'specialty-verification', 'hospital'] as const;
export type ReadinessGap = (typeof READINESS_GAPS)[number];

/** Whether the doctor can work in the vendor app now (Prescrypto: prescribe), and what is missing. */
export interface Readiness {
  ready: boolean;
  missing: ReadinessGap[];
}

export interface ProvisionResult {
  outcome: Outcome;
  /** The doctor as given, without secrets (no password). */
  doctor: Doctor;
  account: Account;
  /** Speaknosis: always ready. Prescrypto: active, a verified speciality, a hospital membership. */
  readiness: Readiness;
}

/** Ready: nothing missing (a fresh object each time, so no caller can change another's). */
export const fullyReady = (): Readiness => ({ ready: true, missing: [] });

/** One row of a batch that did not provision. */
export interface ProvisionFailure {
  outcome: 'failed';
  doctor: Doctor;
  error: DoctorGateError;
}

export type BatchResult = ProvisionResult | ProvisionFailure;

/** A found account: active means nothing needs to be done. */
export interface Found {
  active: boolean;
  account: Account;
}

/** Copy of the doctor fit for events and results: secrets removed. */
export function publicDoctor(doctor: Doctor): Doctor {
  const { password: _password, token: _token, medicToken: _medicToken, ...rest } = doctor;
  return rest;
}

/** The account reduced to its id (a string or a number), the one part kept beyond the page's memory. */
export function accountId(account: Account | undefined): Account {
  const id = account?.['id'];
  return typeof id === 'string' || typeof id === 'number' ? { id } : {};
}
