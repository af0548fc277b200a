import { HttpClient, type ClientOptions } from './http.js';
import type { VendorName } from './types.js';
import type { Vendor, VendorScope } from '../vendors/vendor.js';
import { vendors } from '../vendors/index.js';

export interface GateClientOptions extends ClientOptions, VendorScope {}

/** A vendor bound to its API, credential and scope: what `provisionDoctor` works with. */
export interface GateClient {
  readonly vendor: Vendor;
  readonly http: HttpClient;
  readonly scope: VendorScope;
  /** Identity of the API and scope, so runs for one doctor are shared across gates. */
  readonly key: string;
}

export function createClient(vendor: VendorName | Vendor, options: GateClientOptions): GateClient {
  const impl = typeof vendor === 'string' ? vendors[vendor] : vendor;
  const http = new HttpClient(options, impl.authScheme);
  const scope: VendorScope = { providerId: options.providerId === undefined ? undefined : String(options.providerId) };
  return { vendor: impl, http, scope, key: [impl.name, http.base.href, scope.providerId ?? ''].join('|') };
}
