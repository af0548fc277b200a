import { auditor, type Auditor, type AuditSink } from './audit.js';
import { DoctorGateError } from './errors.js';
import { HttpClient, type ClientOptions } from './http.js';
import type { Vendor, VendorScope } from './vendor.js';

export interface GateClientOptions extends ClientOptions, Omit<VendorScope, 'hospital'> {
  /** Prescrypto hospital id: the medic's membership there is ensured after provisioning. */
  hospital?: number | string;
  /** Receives one record per action (check, create, reactivate, deactivate, membership). */
  audit?: AuditSink;
  /** Who the audit names as acting (default "doctor-gate"). */
  actor?: string;
  /** The request that caused these actions, for the audit (server mode). */
  requestId?: string;
}

/** A vendor bound to its API, credential and scope: what `provisionDoctor` works with. */
export interface GateClient {
  readonly vendor: Vendor;
  readonly http: HttpClient;
  readonly scope: VendorScope;
  /** Identity of the API and scope, so runs for one doctor are shared across gates. */
  readonly key: string;
  /** Present when an `audit` sink was given. */
  readonly audit?: Auditor;
}

/**
 * Binds a vendor module to its API, credential and scope. The core knows vendors only through
 * this interface; `createClient` (above the core and the vendors) looks one up by name.
 */
export function bindVendor(vendor: Vendor, options: GateClientOptions): GateClient {
  const http = new HttpClient(options, vendor.authScheme);
  const hospital = options.hospital === undefined || options.hospital === '' ? undefined : Number(options.hospital);
  if (
    hospital !== undefined &&
    !(Number.isSafeInteger(hospital) && hospital > 0 && /^\d+$/.test(String(options.hospital)))
  ) {
    throw new DoctorGateError('config', 'hospital must be a positive whole number (the hospital id)', {
      step: 'config',
      fields: ['hospital'],
    });
  }
  const scope: VendorScope = {
    providerId: options.providerId === undefined ? undefined : String(options.providerId),
    ...(hospital !== undefined ? { hospital } : {}),
  };
  const audit = options.audit
    ? auditor(options.audit, {
        vendor: vendor.name,
        api: http.base,
        actor: options.actor,
        requestId: options.requestId,
      })
    : undefined;
  return {
    vendor,
    http,
    scope,
    key: [vendor.name, http.base.href, scope.providerId ?? '', hospital ?? ''].join('|'),
    ...(audit ? { audit } : {}),
  };
}
