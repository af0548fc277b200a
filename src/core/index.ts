export { DoctorGateError, isAbort, redact, REDACTED, type ErrorCode, type Step } from './errors.js';
export { HttpClient, type ClientOptions, type HttpRequest, type HttpResponse } from './http.js';
export { createClient, type GateClient, type GateClientOptions } from './client.js';
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
export { isAllowedUrl, fillTemplate } from './config.js';
export * from './types.js';
export { speaknosis } from '../vendors/speaknosis.js';
export { prescrypto } from '../vendors/prescrypto.js';
