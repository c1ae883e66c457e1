export {
  evaluatePodSecurity,
  evaluatePodSecurityRule,
  formatViolations,
  parseExclusions,
  podViewOf,
  type PodSecurityEvaluation,
  type PodSecurityOptions,
  type PodSecurityRuleResult,
} from './pod-security.js';
export { CONTROL_TO_CHECK_IDS, LATEST_MINOR, controlNameOf } from './registry.js';
export type { PodSecurityExclusion, PssFieldError, PssLevel, PssViolation } from './types.js';
export { wildcardMatch } from './wildcard.js';
