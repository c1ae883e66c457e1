export { evaluateCelRule, compileCelRule, type CelRuleResult } from './cel-rule.js';
export {
  evaluateValidatingPolicy,
  isValidatingPolicyDocument,
  loadValidatingPolicy,
  type LoadedValidatingPolicy,
  type ValidatingPolicyLoad,
  type ValidatingPolicyVariant,
} from './validating-policy.js';
export { autogenVariants, canAutogen, rewriteCelForController, type TemplatePath } from './autogen.js';
export { compileCel, CEL_LIMITS, type CompileResult } from './environment.js';
export type { CelExternalData } from './library.js';
export { kindInfo, type KindInfo } from './kinds.js';
export { Quantity } from './quantity.js';
