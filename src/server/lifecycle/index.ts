export { LifecycleError } from './errors.js';
export {
  expireRiskAcceptances,
  reconcile,
  type CreatedFinding,
  type IncomingFinding,
  type ReconcileInput,
  type ReconcileResult,
} from './reconcile.js';
export { DEFAULT_SLA_DAYS, slaDueDate } from './sla.js';
export { applyTriage, type TriageAction } from './triage.js';
export * from './types.js';
