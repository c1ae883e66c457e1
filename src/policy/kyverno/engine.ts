/**
 * The Kyverno ClusterPolicy/Policy validate engine: pure, no I/O.
 *
 *   const { policies, errors } = loadKyvernoPolicies(docs);
 *   const results = evaluateKyverno(policies, resource, ctx);
 *
 * Rules whose match/exclude does not select the resource produce no result; mutate and generate
 * rules produce none either. verifyImages rules read the verifier's answers from `options.images`
 * (see verify-images.ts and `evaluateWithImageVerifier` in the facade); without them they are `skip`.
 * Hostile input never throws: problems become `error` results.
 */
import type {
  FailureAction,
  KubeObject,
  LoadedPolicy,
  RequestContext,
  ResourceId,
  RuleResult,
  RuleStatus,
} from '../engine/types.js';
import { imagesVariable } from './images.js';
import { normalizeFailureAction, policyInternal, type PolicyInternal, type Rule } from './load.js';
import { gvkOf, labelSelectorMatches, ruleMatches } from './match.js';
import { evaluateValidateRule, type RuleEnv } from './rule.js';
import { EvalContext } from './variables.js';
import { evaluateVerifyImagesRule, verifyImagesFailureAction, type ImageAnswers } from './verify-images.js';
import { wildcardMatch } from './wildcard.js';

export { loadKyvernoPolicies } from './load.js';

export interface KyvernoEvalOptions {
  /** Per-rule variables (Kyverno CLI values file `policies[].rules[].values`), applied before context entries. */
  ruleVariables?: (policy: string, rule: string) => Record<string, unknown> | undefined;
  /** The image verifier's answers for verifyImages rules; without them those rules are `skip`. */
  images?: ImageAnswers;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function metaOf(o: unknown): Record<string, unknown> {
  return isRecord(o) && isRecord(o.metadata) ? o.metadata : {};
}

export function resourceId(resource: KubeObject): ResourceId {
  const meta = metaOf(resource);
  const name =
    typeof meta.name === 'string' && meta.name
      ? meta.name
      : typeof meta.generateName === 'string'
        ? meta.generateName
        : '';
  const id: ResourceId = {
    apiVersion: typeof resource.apiVersion === 'string' ? resource.apiVersion : '',
    kind: typeof resource.kind === 'string' ? resource.kind : '',
    name,
  };
  if (typeof meta.namespace === 'string' && meta.namespace) id.namespace = meta.namespace;
  return id;
}

function namespaceOf(resource: KubeObject): string {
  const ns = metaOf(resource).namespace;
  return typeof ns === 'string' ? ns : '';
}

function operationOf(ctx: RequestContext): string {
  if (ctx.operation) return ctx.operation;
  const fromVars = ctx.variables?.['request.operation'];
  return typeof fromVars === 'string' && fromVars ? fromVars : 'CREATE';
}

/** The JSON context Kyverno builds for an admission request (before rule context entries). */
function baseContext(resource: KubeObject, ctx: RequestContext, operation: string): EvalContext {
  const gvk = gvkOf(resource);
  const meta = metaOf(resource);
  const request: Record<string, unknown> = {
    operation,
    kind: { group: gvk.group, version: gvk.version, kind: gvk.kind },
    namespace: namespaceOf(resource),
    name: typeof meta.name === 'string' ? meta.name : '',
    userInfo: {
      username: ctx.userInfo?.username ?? '',
      uid: ctx.userInfo?.uid ?? '',
      groups: ctx.userInfo?.groups ?? [],
    },
    roles: ctx.roles ?? [],
    clusterRoles: ctx.clusterRoles ?? [],
    dryRun: ctx.dryRun ?? false,
  };
  if (operation === 'DELETE') {
    request.oldObject = ctx.oldObject ?? resource;
  } else {
    request.object = resource;
    request.oldObject = ctx.oldObject ?? null;
  }
  const data: Record<string, unknown> = { request };
  const images = imagesVariable(resource);
  if (images) data.images = images;
  const username = ctx.userInfo?.username;
  if (typeof username === 'string') {
    const prefix = 'system:serviceaccount:';
    const parts = username.length > prefix.length ? username.slice(prefix.length).split(':') : [];
    data.serviceAccountName = parts.length >= 2 && username.startsWith(prefix) ? parts[1] : '';
    data.serviceAccountNamespace = parts.length >= 2 && username.startsWith(prefix) ? parts[0] : '';
  }
  return new EvalContext(data).withVariables(ctx.variables);
}

function oldContext(base: EvalContext, oldResource: KubeObject): EvalContext {
  const request = isRecord(base.data.request) ? base.data.request : {};
  return base.withTopLevel('request', { ...request, object: oldResource, oldObject: null });
}

function failureActionFor(
  internal: PolicyInternal,
  rule: Rule,
  resource: KubeObject,
  ctx: RequestContext,
): FailureAction {
  const v = isRecord(rule.validate) ? rule.validate : {};
  const base =
    normalizeFailureAction(v.failureAction) ??
    normalizeFailureAction(verifyImagesFailureAction(rule)) ??
    normalizeFailureAction(internal.spec.validationFailureAction) ??
    'Audit';
  const overrides = Array.isArray(v.failureActionOverrides)
    ? v.failureActionOverrides
    : Array.isArray(internal.spec.validationFailureActionOverrides)
      ? internal.spec.validationFailureActionOverrides
      : [];
  const ns = namespaceOf(resource);
  for (const o of overrides) {
    if (!isRecord(o)) continue;
    const action = normalizeFailureAction(o.action);
    if (!action) continue;
    const namespaces = Array.isArray(o.namespaces)
      ? o.namespaces.filter((n): n is string => typeof n === 'string')
      : [];
    const nsHit = namespaces.length > 0 && namespaces.some((n) => wildcardMatch(n, ns));
    const selHit =
      o.namespaceSelector !== undefined &&
      labelSelectorMatches(o.namespaceSelector, ctx.namespaceLabels ?? {}) === true;
    if (nsHit || selHit) return action;
  }
  return base;
}

function makeResult(
  internal: PolicyInternal,
  ruleName: string,
  resource: KubeObject,
  status: RuleStatus,
  message: string,
  failureAction: FailureAction,
): RuleResult {
  const r: RuleResult = {
    policy: internal.name,
    rule: ruleName,
    resource: resourceId(resource),
    status,
    message,
    failureAction,
  };
  if (internal.namespace) r.policyNamespace = internal.namespace;
  return r;
}

function touchesRequestObject(vars: Record<string, unknown> | undefined): boolean {
  return (
    vars !== undefined &&
    Object.keys(vars).some((k) => k === 'request.object' || k.startsWith('request.object.'))
  );
}

/** True when a loaded Kyverno policy has verifyImages rules (they need an image verifier). */
export function policyHasVerifyImages(policy: LoadedPolicy): boolean {
  const internal = policyInternal(policy);
  return internal !== undefined && internal.rules.some((r) => Array.isArray(r.verifyImages));
}

/** Evaluates the validate and verifyImages rules of Kyverno policies against one resource. Never throws. */
export function evaluateKyverno(
  policies: LoadedPolicy[],
  resource: KubeObject,
  ctx: RequestContext,
  options: KyvernoEvalOptions = {},
): RuleResult[] {
  const results: RuleResult[] = [];
  if (!isRecord(resource)) return results;
  const request: RequestContext = ctx ?? {};
  const operation = operationOf(request);
  let base: EvalContext;
  try {
    base = baseContext(resource, request, operation);
  } catch (e) {
    for (const p of policies) {
      results.push({
        policy: p.name,
        rule: '',
        resource: resourceId(resource),
        status: 'error',
        message: `failed to build the evaluation context: ${(e as Error).message}`,
        failureAction: 'Audit',
      });
    }
    return results;
  }
  // Values may rewrite request.object (Kyverno CLI reads the resource back from the context).
  let target: KubeObject = resource;
  if (operation !== 'DELETE' && touchesRequestObject(request.variables)) {
    const obj = (base.data.request as Record<string, unknown> | undefined)?.object;
    if (isRecord(obj)) target = obj;
  }
  const oldResource = operation === 'UPDATE' && isRecord(request.oldObject) ? request.oldObject : null;
  const old = oldResource ? oldContext(base, oldResource) : undefined;
  const plainContext = (useOld: boolean): EvalContext => (useOld && old ? old : base);
  const matchInput = { resource: target, ctx: request, operation, gvk: gvkOf(target) };
  for (const policy of policies) {
    const internal = policyInternal(policy);
    if (!internal) continue;
    if (internal.namespace !== undefined) {
      const ns = namespaceOf(target);
      if (ns === '' || ns !== internal.namespace) continue;
      if (oldResource && namespaceOf(oldResource) !== internal.namespace) continue;
    }
    const applyOne = internal.spec.applyRules === 'One';
    let applied = 0;
    for (const rule of internal.rules) {
      if (applyOne && applied > 0) break;
      const ruleName = typeof rule.name === 'string' ? rule.name : '';
      const verifyImages = !isRecord(rule.validate) && Array.isArray(rule.verifyImages);
      if (!verifyImages && !isRecord(rule.validate)) continue;
      try {
        if (!ruleMatches(rule, matchInput)) continue;
        const extra = options.ruleVariables?.(internal.name, ruleName);
        const env: RuleEnv = {
          rule,
          ruleName,
          resource: target,
          oldResource,
          request,
          operation,
          context: extra ? (useOld) => plainContext(useOld).withVariables(extra) : plainContext,
        };
        const outcome = verifyImages
          ? evaluateVerifyImagesRule(env, options.images)
          : evaluateValidateRule(env);
        if (!outcome) continue;
        if (outcome.status === 'pass' || outcome.status === 'fail') applied++;
        results.push(
          makeResult(
            internal,
            ruleName,
            target,
            outcome.status,
            outcome.message,
            failureActionFor(internal, rule, target, request),
          ),
        );
      } catch (e) {
        results.push(
          makeResult(
            internal,
            ruleName,
            target,
            'error',
            `rule evaluation failed: ${(e as Error).message}`,
            'Audit',
          ),
        );
      }
    }
  }
  return results;
}
