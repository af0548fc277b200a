// The framework-free core: no DOM, no vendor. `src/api.ts` adds the vendors and `createClient`.
export {
  DoctorGateError,
  ERROR_SOURCES,
  isAbort,
  redact,
  REDACTED,
  type ErrorCode,
  type ErrorSource,
  type Step,
} from './errors.js';
export {
  HttpClient,
  notAToken,
  type ClientOptions,
  type HttpRequest,
  type HttpResponse,
  type RequestEntry,
} from './http.js';
export { isDebug, setDebug } from './debug.js';
export { bindVendor, type GateClient, type GateClientOptions } from './client.js';
export type { Created, LaunchContext, Vendor, VendorScope } from './vendor.js';
export {
  provisionDoctor,
  provisionDoctors,
  parseDoctor,
  type BatchOptions,
  type BeforeCreate,
  type ProvisionOptions,
} from './provision.js';
export { sharedProvision, prefetchCheck, knownResult, clearProvisionCache, type ResultStore } from './shared.js';
export { sessionResultStore, type ResultStorage } from './session-store.js';
export { isAllowedUrl, isAllowedTemplate, fillTemplate, settingsSchemaFor } from './config.js';
export * from './types.js';
