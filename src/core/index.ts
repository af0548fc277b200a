// The framework-free core: no DOM, no vendor. `src/core.ts` adds the vendors and `createClient`.
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
export { bindVendor, type GateClient, type GateClientOptions } from './gate-client.js';
export type { Created, LaunchContext, Listed, Vendor, VendorScope } from './vendor.js';
export {
  provisionDoctor,
  provisionDoctors,
  parseDoctor,
  type BatchOptions,
  type BeforeCreate,
  type ProvisionOptions,
} from './provision.js';
export { sharedProvision, prefetchCheck, knownResult, clearProvisionCache, type ResultStore } from './page-runs.js';
export { sessionResultStore, type ResultStorage } from './session-store.js';
export { ServerClient, type ServerClientOptions, type ServerOpening, type ServerProvision } from './server-client.js';
export { isAllowedUrl, isAllowedTemplate, fillTemplate, settingsSchemaFor } from './config.js';
export {
  AUDIT_ACTIONS,
  WRITE_ACTIONS,
  auditId,
  withAudit,
  type AuditAction,
  type AuditContext,
  type AuditRecord,
  type AuditSink,
} from './audit.js';
export {
  deprovisionDoctor,
  DEPROVISION_OUTCOMES,
  type DeprovisionOptions,
  type DeprovisionOutcome,
  type DeprovisionResult,
} from './deprovision.js';
export {
  planReconcile,
  reconcileDoctors,
  PLAN_ACTIONS,
  type PlanAction,
  type PlanRow,
  type ReconcileOptions,
  type ReconcileOutcome,
  type ReconcilePlan,
  type ReconcileRowResult,
  type Reconciliation,
} from './reconcile.js';
export { readinessOf } from './readiness.js';
export * from './types.js';
export {
  doctorFromPractitioner,
  type FhirPractitioner,
  type PractitionerDoctor,
  type PractitionerOptions,
} from './practitioner.js';
