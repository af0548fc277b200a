import type { ZodMiniType } from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import type { HttpClient } from './http.js';
import type { Account, Doctor, Found, Outcome, Readiness, VendorName } from './types.js';

export interface Created {
  outcome: Outcome;
  account: Account;
}

/** Everything the element and the core need from a vendor; adding a vendor means one module like this. */
export interface Vendor {
  readonly name: VendorName;
  readonly authScheme: 'Bearer' | 'Token';
  /** True when the vendor tells an inactive account from a missing one (before-create's `reactivation`). */
  readonly knowsInactive: boolean;
  /** Display name in the UI. */
  readonly label: string;
  /** The launch URL template used when the page gives no `app-url`. */
  readonly appUrl: string;
  /** Popup name and features the vendor documents. */
  readonly popup: { name: string; features: string };
  /**
   * Vendor-specific launch template values (credentials), built at the moment of opening.
   * Throws a `config` error when the vendor cannot be opened with what is known.
   */
  launchValues(launch: LaunchContext): Record<string, string | undefined>;
  /** Doctor fields this vendor needs, checked once at the edge. */
  // Any zod schema whose output is a Doctor (ZodMiniType's methods would make it invariant).
  readonly doctorSchema: $ZodType<Doctor>;
  /** Stable identity of a doctor at this vendor, for sharing runs between gates. */
  key(doctor: Doctor): string;
  find(http: HttpClient, doctor: Doctor, scope: VendorScope, signal?: AbortSignal): Promise<Found | null>;
  /** Creates the doctor, or reactivates the inactive account `found`. */
  create(
    http: HttpClient,
    doctor: Doctor,
    found: Found | null,
    scope: VendorScope,
    signal?: AbortSignal,
  ): Promise<Created>;
  /**
   * For batches, when the vendor finds doctors by listing: one listing of every account this
   * credential can see, then `find` answered from it for each doctor.
   */
  index?(http: HttpClient, scope: VendorScope, signal?: AbortSignal): Promise<(doctor: Doctor) => Found | null>;
  /** Many doctors in one call, one answer per doctor (an Error for a failed one), when the vendor supports it. */
  createMany?(
    http: HttpClient,
    doctors: Doctor[],
    scope: VendorScope,
    signal?: AbortSignal,
  ): Promise<(Created | Error)[]>;
  /**
   * What the provisioned account still lacks to work in the vendor app, after ensuring what can be
   * ensured (Prescrypto: the hospital membership). Never rejects but on abort: what it could not
   * ensure is missing, and `membership.error` says why. Absent: ready once provisioned.
   */
  readiness?(
    http: HttpClient,
    account: Account,
    scope: VendorScope,
    signal?: AbortSignal,
  ): Promise<{ readiness: Readiness; membership?: { error?: unknown } }>;
  /** True when ensuring `hospital` for `account` would send a write (reconcile plans it). */
  membershipPending?(account: Account, hospital: number): boolean;
  /** The account's id at the vendor, as `deprovisionDoctor` and the audit name it. */
  accountId?(found: Found): string;
  /**
   * Deactivates (soft-deletes) the active account `found`; a later create or reactivation undoes
   * it. `not-found` when the account went away meanwhile.
   */
  deactivate?(
    http: HttpClient,
    found: Found,
    scope: VendorScope,
    signal?: AbortSignal,
  ): Promise<'deactivated' | 'not-found'>;
  /**
   * Every account this credential can see, for reconcile's prune (Prescrypto: its medic list).
   * Absent: the vendor has no list, and reconcile prunes only the ids it is told about.
   */
  list?(http: HttpClient, scope: VendorScope, signal?: AbortSignal): Promise<Listed[]>;
  /** Finds doctors in a `list` answer, the way `find` would. */
  lookup?(listing: readonly Listed[]): (doctor: Doctor) => Found | null;
}

/** One account of a vendor's list, by its id there. */
export interface Listed {
  id: string;
  found: Found;
}

export interface LaunchContext {
  /** The API credential in use. */
  credential: string;
  /** The provisioning result (its `account` may hold a medic token). */
  account: Account;
  /** Credentials the page gave for the launch (Prescrypto `medicToken`). */
  medicToken?: string;
}

/** Per-client values a vendor needs besides the doctor (Speaknosis: the medical center). */
export interface VendorScope {
  providerId?: string;
  /** Prescrypto: the hospital whose membership is ensured. */
  hospital?: number;
}

/** Validation issue paths name doctor fields by their camelCase property names. */
export type { ZodMiniType };
