import { DoctorGateError } from './errors.js';
import { HttpClient, type ClientOptions } from './http.js';
import type { Vendor, VendorScope } from './vendor.js';

export interface GateClientOptions extends ClientOptions, Omit<VendorScope, 'hospital'> {
  /** Prescrypto hospital id: the medic's membership there is ensured after provisioning. */
  hospital?: number | string;
}

/** A vendor bound to its API, credential and scope: what `provisionDoctor` works with. */
export interface GateClient {
  readonly vendor: Vendor;
  readonly http: HttpClient;
  readonly scope: VendorScope;
  /** Identity of the API and scope, so runs for one doctor are shared across gates. */
  readonly key: string;
}

/**
 * Binds a vendor module to its API, credential and scope. The core knows vendors only through
 * this interface; `createClient` (above the core and the vendors) looks one up by name.
 */
export function bindVendor(vendor: Vendor, options: GateClientOptions): GateClient {
  const http = new HttpClient(options, vendor.authScheme);
  // A hospital id is a positive whole number (given as text by a CSV column or an attribute).
  const hospital = options.hospital == null || options.hospital === '' ? undefined : +options.hospital;
  if (hospital !== undefined && !(hospital > 0 && Number.isSafeInteger(hospital)))
    throw new DoctorGateError('config', 'Invalid hospital id', { fields: ['hospital'] });
  const scope: VendorScope = {
    providerId: options.providerId === undefined ? undefined : String(options.providerId),
    hospital,
  };
  return {
    vendor,
    http,
    scope,
    key: [vendor.name, http.base.href, scope.providerId ?? '', hospital ?? ''].join('|'),
  };
}
