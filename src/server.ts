// doctor-gate/server: the server half (Node 20+, no DOM). It keeps the vendor credentials on the
// EHR's backend and lets the backend, not the page, say who the doctor is.
export {
  createGateHandler,
  type CheckAnswer,
  type CreationNeeded,
  type Credential,
  type GateHandler,
  type GateHandlerOptions,
  type Launch,
  type ProvisionAnswer,
} from './server/handler.js';
export type { GateErrorBody } from './server/answers.js';
export type { GateLogger, VendorCall } from './server/observe.js';
export { apiKey } from './server/medic-tokens.js';
export { speaknosisToken, type SpeaknosisTokenOptions, type TokenAsk, type TokenSource } from './server/token.js';
export {
  memoryMedicTokens,
  sqlMedicTokens,
  type MedicTokenKey,
  type MedicTokenStore,
  type SqlClient,
  type SqlMedicTokensOptions,
} from './server/medic-tokens.js';
export { sqlAuditLog, type SqlAuditLogOptions } from './server/audit.js';
export { toNodeListener, type NodeContext, type NodeListener } from './server/node.js';
export {
  DoctorGateError,
  type AuditRecord,
  type AuditSink,
  type Doctor,
  type ErrorCode,
  type Readiness,
  type Step,
  type VendorName,
} from './core/index.js';
export {
  smartDoctor,
  SMART_ALGORITHMS,
  type SmartClaims,
  type SmartContext,
  type SmartDoctorFor,
  type SmartDoctorOptions,
  type SmartTokens,
} from './server/smart.js';
export {
  doctorFromPractitioner,
  type FhirPractitioner,
  type PractitionerDoctor,
  type PractitionerOptions,
} from './core/index.js';
