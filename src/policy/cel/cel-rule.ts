/**
 * Kyverno `ClusterPolicy` / `Policy` rules with `validate.cel` (pkg/engine/handlers/validation/
 * validate_cel.go): `celPreconditions`, `variables`, `expressions` with `message` /
 * `messageExpression`; `auditAnnotations` are ignored. Kyverno runs these through Kubernetes'
 * validator with failure policy Fail, so an expression that errors *fails* the rule with the error
 * text (it is not an `error` result).
 */
import type { KubeObject, RequestContext } from '../engine/types.js';
import { buildRequest, createActivation, namespaceObjectFor, requestFacts } from './activation.js';
import type { CelExternalData } from './library.js';
import { compileNamed, compileValidations, runMatchConditions, runValidations } from './validations.js';

type Rec = Record<string, unknown>;

export interface CelRuleResult {
  status: 'pass' | 'fail' | 'skip' | 'error';
  message: string;
}

function rec(value: unknown): Rec | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Rec) : undefined;
}

interface CompiledRule {
  preconditions: ReturnType<typeof compileNamed>;
  variables: ReturnType<typeof compileNamed>;
  validations: ReturnType<typeof compileValidations>;
  hasParams: boolean;
  errors: string[];
}

const compiledRules = new WeakMap<object, CompiledRule>();

/** Compiles a rule's CEL once (cached per rule object); `errors` lists compile problems. */
export function compileCelRule(rule: KubeObject): CompiledRule {
  const hit = compiledRules.get(rule);
  if (hit) return hit;
  const validate = rec(rule['validate']) ?? {};
  const cel = rec(validate['cel']) ?? {};
  const errors: string[] = [];
  const defaultMessage = typeof validate['message'] === 'string' ? validate['message'] : '';
  const compiled: CompiledRule = {
    preconditions: compileNamed(rule['celPreconditions'], 'celPrecondition', errors),
    variables: compileNamed(cel['variables'], 'variable', errors),
    validations: compileValidations(cel['expressions'], defaultMessage, errors),
    hasParams: cel['paramKind'] !== undefined || cel['paramRef'] !== undefined,
    errors,
  };
  if (!rec(validate['cel'])) errors.push('rule has no validate.cel');
  compiledRules.set(rule, compiled);
  return compiled;
}

/**
 * Evaluates one `validate.cel` rule on a resource (already selected by the rule's match/exclude).
 * `data` supplies what a cluster would (resources for `resource.Get`, namespaces …) when available.
 */
export function evaluateCelRule(
  rule: KubeObject,
  resource: KubeObject | null | undefined,
  ctx: RequestContext = {},
  data: CelExternalData = {},
): CelRuleResult {
  if (!rec(rule)) return { status: 'error', message: 'rule must be an object' };
  const name = typeof rule['name'] === 'string' ? rule['name'] : '';
  try {
    const compiled = compileCelRule(rule);
    if (!rec(rec(rule['validate'])?.['cel']))
      return { status: 'error', message: `rule ${name} has no validate.cel` };
    if (compiled.hasParams) {
      return {
        status: 'error',
        message: 'error in parameterized resource: params are not available offline',
      };
    }
    const facts = requestFacts(resource, ctx);
    const activation = createActivation(
      {
        object: facts.object,
        oldObject: facts.oldObject,
        request: buildRequest(facts, ctx),
        namespaceObject: namespaceObjectFor(facts, ctx, data),
      },
      compiled.variables,
      data,
    );
    const match = runMatchConditions(compiled.preconditions, activation, 'Fail');
    if (match.status === 'no-match') return { status: 'skip', message: 'cel preconditions not met' };
    if (match.status === 'error') return { status: 'fail', message: match.message };
    const outcome = runValidations(compiled.validations, activation, 'kubernetes');
    if (outcome.status === 'pass') return { status: 'pass', message: `Validation rule '${name}' passed.` };
    return { status: 'fail', message: outcome.message };
  } catch (error) {
    return {
      status: 'error',
      message: `CEL evaluation failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
