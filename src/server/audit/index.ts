export { canonicalJson } from './canonical.js';
export {
  appendEntry,
  entryHash,
  GENESIS_HASH,
  jsonLines,
  MIN_KEY_BYTES,
  toJsonLines,
  verifyChain,
  type AuditEntry,
  type AuditFields,
  type AuditKey,
  type AuditProblem,
  type VerifyOptions,
  type VerifyResult,
} from './chain.js';
