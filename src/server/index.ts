// doctor-gate/server: the server half (Node 20+, no DOM). It keeps the vendor credentials on the
// EHR's backend and lets the backend, not the page, say who the doctor is.
export {
  createGateHandler,
  type CheckAnswer,
  type Credential,
  type GateHandler,
  type GateHandlerOptions,
  type Launch,
  type ProvisionAnswer,
} from './handler.js';
export type { GateErrorBody } from './answers.js';
export { speaknosisToken, type SpeaknosisTokenOptions, type TokenSource } from './token.js';
export {
  memoryMedicTokens,
  sqlMedicTokens,
  type MedicTokenKey,
  type MedicTokenStore,
  type SqlClient,
  type SqlMedicTokensOptions,
} from './medic-tokens.js';
export { sqlAuditLog, type SqlAuditLogOptions } from './audit.js';
export { toNodeListener, type NodeContext, type NodeListener } from './node.js';
export {
  DoctorGateError,
  type AuditRecord,
  type AuditSink,
  type Doctor,
  type ErrorCode,
  type Readiness,
  type Step,
  type VendorName,
} from '../core/index.js';
