/**
 * Kyverno `ValidatingPolicy` (policies.kyverno.io v1alpha1 / v1beta1 / v1, also the namespaced
 * kind) and Kubernetes `ValidatingAdmissionPolicy` (admissionregistration.k8s.io): load once
 * (compile every expression, generate pod-controller variants), then evaluate per request.
 */
import type {
  FailureAction,
  KubeObject,
  LoadedPolicy,
  PolicyLoadError,
  RequestContext,
  ResourceId,
  RuleResult,
} from '../engine/types.js';
import {
  buildRequest,
  createActivation,
  namespaceObjectFor,
  requestFacts,
  type NamedCompiled,
} from './activation.js';
import { autogenSpec, autogenVariants } from './autogen.js';
import type { CelExternalData } from './library.js';
import { constraintsMatch, parseMatchConstraints, type MatchConstraints } from './match-constraints.js';
import {
  compileNamed,
  compileValidations,
  runMatchConditions,
  runValidations,
  type CompiledValidation,
  type MessageStyle,
} from './validations.js';

type Rec = Record<string, unknown>;

export interface ValidatingPolicyVariant {
  /** Rule name in results: the policy name, or `autogen-…` / `autogen-cronjob-…` for controllers. */
  rule: string;
  match: MatchConstraints;
  /** Extra constraints from a ValidatingAdmissionPolicyBinding's `matchResources`. */
  bindingMatch?: MatchConstraints;
  matchConditions: NamedCompiled[];
  variables: NamedCompiled[];
  validations: CompiledValidation[];
}

export interface LoadedValidatingPolicy extends LoadedPolicy {
  engine: 'ValidatingPolicy' | 'ValidatingAdmissionPolicy';
  validationActions: string[];
  failureAction: FailureAction;
  failurePolicy: 'Fail' | 'Ignore';
  /** `JSON` mode (Kyverno) evaluates `object` only, without admission matching. */
  evaluationMode: 'Kubernetes' | 'JSON';
  hasParams: boolean;
  variants: ValidatingPolicyVariant[];
}

export interface ValidatingPolicyLoad {
  policy?: LoadedValidatingPolicy;
  errors: PolicyLoadError[];
}

const KYVERNO_KINDS = new Set(['ValidatingPolicy', 'NamespacedValidatingPolicy']);
const KYVERNO_VERSIONS = new Set([
  'policies.kyverno.io/v1alpha1',
  'policies.kyverno.io/v1beta1',
  'policies.kyverno.io/v1',
]);
const VAP_VERSIONS = new Set([
  'admissionregistration.k8s.io/v1',
  'admissionregistration.k8s.io/v1beta1',
  'admissionregistration.k8s.io/v1alpha1',
]);

function rec(value: unknown): Rec | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Rec) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function isValidatingPolicyDocument(doc: unknown): boolean {
  const object = rec(doc);
  const apiVersion = str(object?.['apiVersion']) ?? '';
  const kind = str(object?.['kind']) ?? '';
  return (
    (KYVERNO_VERSIONS.has(apiVersion) && KYVERNO_KINDS.has(kind)) ||
    (VAP_VERSIONS.has(apiVersion) && kind === 'ValidatingAdmissionPolicy')
  );
}

function failureActionOf(actions: readonly string[]): FailureAction {
  return actions.includes('Deny') ? 'Enforce' : 'Audit';
}

function compileVariant(rule: string, spec: Rec, errors: string[]): ValidatingPolicyVariant {
  return {
    rule,
    match: parseMatchConstraints(spec['matchConstraints']),
    matchConditions: compileNamed(spec['matchConditions'], 'matchCondition', errors),
    variables: compileNamed(spec['variables'], 'variable', errors),
    validations: compileValidations(spec['validations'], '', errors),
  };
}

/**
 * Loads a ValidatingPolicy or ValidatingAdmissionPolicy. Compile problems are returned as load
 * errors (policy name + the failing expression); the policy is still returned when it has a
 * name and spec, and its broken expressions evaluate to `error` results.
 */
export function loadValidatingPolicy(
  doc: unknown,
  options: { bindings?: readonly KubeObject[] } = {},
): ValidatingPolicyLoad {
  const object = rec(doc);
  const name = str(rec(object?.['metadata'])?.['name']) ?? '';
  const fail = (message: string): ValidatingPolicyLoad => ({
    errors: [{ policy: name || '<unnamed>', message }],
  });
  if (!object || !isValidatingPolicyDocument(object)) {
    return fail('not a ValidatingPolicy or ValidatingAdmissionPolicy document');
  }
  if (name === '') return fail('metadata.name is required');
  const spec = rec(object['spec']);
  if (!spec) return fail('spec is required');

  const isVap = object['kind'] === 'ValidatingAdmissionPolicy';
  const compileErrors: string[] = [];
  const variants: ValidatingPolicyVariant[] = [compileVariant(name, spec, compileErrors)];
  if (!isVap) {
    for (const variant of autogenVariants(spec)) {
      const rule = variant.path === 'cronjob' ? `autogen-cronjob-${name}` : `autogen-${name}`;
      variants.push(compileVariant(rule, autogenSpec(spec, variant), []));
    }
  }

  let validationActions = Array.isArray(spec['validationActions'])
    ? spec['validationActions'].map(String)
    : [];
  if (isVap) {
    const binding = (options.bindings ?? []).find(
      (b) => str(rec(b['spec'])?.['policyName']) === name && b['kind'] === 'ValidatingAdmissionPolicyBinding',
    );
    const bindingSpec = rec(binding?.['spec']);
    validationActions = Array.isArray(bindingSpec?.['validationActions'])
      ? bindingSpec['validationActions'].map(String)
      : ['Deny'];
    if (bindingSpec?.['matchResources'] !== undefined) {
      const bindingMatch = parseMatchConstraints(bindingSpec['matchResources']);
      for (const variant of variants) {
        variant.bindingMatch = bindingMatch;
      }
    }
  } else if (validationActions.length === 0) {
    validationActions = ['Audit'];
  }
  const unknownActions = validationActions.filter((a) => !['Deny', 'Audit', 'Warn'].includes(a));
  if (unknownActions.length > 0)
    compileErrors.push(`unknown validationActions: ${unknownActions.join(', ')}`);

  const namespace = str(rec(object['metadata'])?.['namespace']);
  const policy: LoadedValidatingPolicy = {
    kind: String(object['kind']),
    name,
    source: object,
    engine: isVap ? 'ValidatingAdmissionPolicy' : 'ValidatingPolicy',
    validationActions,
    failureAction: failureActionOf(validationActions),
    failurePolicy: spec['failurePolicy'] === 'Ignore' ? 'Ignore' : 'Fail',
    evaluationMode: rec(spec['evaluation'])?.['mode'] === 'JSON' ? 'JSON' : 'Kubernetes',
    hasParams: spec['paramKind'] !== undefined,
    variants,
  };
  if (namespace !== undefined && object['kind'] === 'NamespacedValidatingPolicy')
    policy.namespace = namespace;
  return { policy, errors: compileErrors.map((message) => ({ policy: name, message })) };
}

function resourceIdOf(resource: KubeObject | null): ResourceId {
  const metadata = rec(resource?.['metadata']) ?? {};
  const id: ResourceId = {
    apiVersion: str(resource?.['apiVersion']) ?? '',
    kind: str(resource?.['kind']) ?? '',
    name: str(metadata['name']) ?? '',
  };
  const namespace = str(metadata['namespace']);
  if (namespace) id.namespace = namespace;
  return id;
}

/**
 * Evaluates a loaded policy on one resource. Returns one result per matching variant (none when
 * the resource is not selected by `matchConstraints`); `matchConditions` that are false give `skip`.
 */
export function evaluateValidatingPolicy(
  policy: LoadedValidatingPolicy,
  resource: KubeObject | null | undefined,
  ctx: RequestContext = {},
  data: CelExternalData = {},
): RuleResult[] {
  const facts = requestFacts(resource, ctx);
  const subject = facts.object ?? facts.oldObject;
  const given = resource && Object.keys(resource).length > 0 ? resource : (ctx.oldObject ?? null);
  const resourceId = resourceIdOf(given);
  const style: MessageStyle = policy.engine === 'ValidatingPolicy' ? 'kyverno' : 'kubernetes';
  const results: RuleResult[] = [];
  const result = (rule: string, status: RuleResult['status'], message: string): RuleResult => {
    const out: RuleResult = {
      policy: policy.name,
      rule,
      resource: resourceId,
      status,
      message,
      failureAction: policy.failureAction,
    };
    if (policy.namespace !== undefined) out.policyNamespace = policy.namespace;
    return out;
  };
  if (!subject) return results;
  if (policy.namespace !== undefined && facts.namespace !== policy.namespace) return results;

  let namespaceObject: KubeObject | null;
  let request: Record<string, unknown> | null;
  try {
    namespaceObject = namespaceObjectFor(facts, ctx, data);
    request = buildRequest(facts, ctx);
  } catch (error) {
    return [result(policy.name, 'error', `cannot build request: ${String(error)}`)];
  }

  for (const variant of policy.variants) {
    try {
      if (policy.evaluationMode === 'Kubernetes') {
        if (!constraintsMatch(variant.match, facts, ctx, namespaceObject)) continue;
        if (variant.bindingMatch && !constraintsMatch(variant.bindingMatch, facts, ctx, namespaceObject))
          continue;
      } else if (variant.rule !== policy.name) {
        continue;
      }
      if (policy.hasParams) {
        results.push(result(variant.rule, 'error', 'params are not available offline (paramKind is set)'));
        continue;
      }
      const json = policy.evaluationMode === 'JSON';
      const activation = createActivation(
        {
          object: facts.object,
          oldObject: json ? null : facts.oldObject,
          request: json ? null : request,
          namespaceObject: json ? null : namespaceObject,
        },
        variant.variables,
        data,
      );
      const match = runMatchConditions(variant.matchConditions, activation, policy.failurePolicy);
      if (match.status === 'no-match') {
        results.push(result(variant.rule, 'skip', 'match conditions not met'));
        continue;
      }
      if (match.status === 'error') {
        results.push(result(variant.rule, 'error', match.message));
        continue;
      }
      const outcome = runValidations(variant.validations, activation, style);
      if (outcome.status === 'pass') results.push(result(variant.rule, 'pass', ''));
      else if (outcome.status === 'fail') results.push(result(variant.rule, 'fail', outcome.message));
      else if (policy.engine === 'ValidatingAdmissionPolicy' && policy.failurePolicy === 'Ignore') {
        results.push(result(variant.rule, 'skip', `ignored (failurePolicy Ignore): ${outcome.message}`));
      } else results.push(result(variant.rule, 'error', outcome.message));
    } catch (error) {
      results.push(
        result(
          variant.rule,
          'error',
          `CEL evaluation failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
  }
  return results;
}
