export {
  evaluateKyverno,
  loadKyvernoPolicies,
  policyHasVerifyImages,
  resourceId,
  type KyvernoEvalOptions,
} from './engine.js';
export { computeRules, autogenControllers, AUTOGEN_ANNOTATION } from './autogen.js';
export { matchPattern, type PatternOutcome } from './pattern.js';
export { evaluateConditions, evaluateOperator } from './conditions.js';
export { evaluateJmesPath, JmesPathError } from './jmespath.js';
export { EvalContext, substituteAll, substituteString, SubstitutionError } from './variables.js';
export { ruleMatches } from './match.js';
export { wildcardMatch } from './wildcard.js';
export { evaluateVerifyImagesRule, splitPublicKeys, type ImageAnswers } from './verify-images.js';
