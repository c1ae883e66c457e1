/**
 * A stand-in for the policy engine facade (src/policy/engine/index.ts) with the same exports, for
 * the webhook's tests. Its "policies" are Kyverno-shaped documents whose rules carry a `fake` block:
 *
 *   rules:
 *     - name: no-bad-label
 *       fake:
 *         failIfPresent: metadata.labels.bad   # fail when this dotted path exists in the resource
 *         message: bad label                   # the failure message
 *         busyMs: 50                           # burn CPU synchronously before answering…
 *         busyIfPresent: metadata.labels.slow  # …only when this path exists (default: always)
 *         throws: true                         # evaluation throws
 *         invalid: true                        # reported as a load error naming policy and rule
 *
 * Failure action: rule `validate.failureAction`, else `spec.validationFailureAction`, else Audit.
 */
import type {
  FailureAction,
  KubeObject,
  LoadedPolicy,
  PolicyLoadError,
  RequestContext,
  RuleResult,
} from '../../policy/engine/types.js';

export interface PolicySet {
  policies: LoadedPolicy[];
  errors: PolicyLoadError[];
}

interface FakeRule {
  name: string;
  failIfPresent?: string;
  message?: string;
  busyMs?: number;
  busyIfPresent?: string;
  throws?: boolean;
  action: FailureAction;
}

const compiled = new WeakMap<LoadedPolicy, FakeRule[]>();

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function loadPolicies(docs: unknown[]): PolicySet {
  const set: PolicySet = { policies: [], errors: [] };
  for (const doc of docs) {
    const d = rec(doc);
    const name = rec(d?.metadata)?.name;
    if (!d || typeof name !== 'string') {
      set.errors.push({ policy: '<unnamed>', message: 'metadata.name is missing' });
      continue;
    }
    const spec = rec(d.spec) ?? {};
    const policyAction = spec.validationFailureAction === 'Enforce' ? 'Enforce' : 'Audit';
    const rules: FakeRule[] = [];
    let broken = false;
    for (const r of Array.isArray(spec.rules) ? spec.rules : []) {
      const rule = rec(r);
      const ruleName = typeof rule?.name === 'string' ? rule.name : '<unnamed>';
      const fake = rec(rule?.fake) ?? {};
      if (fake.invalid === true) {
        set.errors.push({ policy: name, rule: ruleName, message: 'invalid pattern (fake)' });
        broken = true;
        continue;
      }
      const ruleAction = rec(rule?.validate)?.failureAction;
      rules.push({
        name: ruleName,
        ...(typeof fake.failIfPresent === 'string' ? { failIfPresent: fake.failIfPresent } : {}),
        ...(typeof fake.message === 'string' ? { message: fake.message } : {}),
        ...(typeof fake.busyMs === 'number' ? { busyMs: fake.busyMs } : {}),
        ...(typeof fake.busyIfPresent === 'string' ? { busyIfPresent: fake.busyIfPresent } : {}),
        ...(fake.throws === true ? { throws: true } : {}),
        action: ruleAction === 'Enforce' || ruleAction === 'Audit' ? ruleAction : policyAction,
      });
    }
    if (broken) continue;
    const policy: LoadedPolicy = { kind: String(d.kind ?? 'ClusterPolicy'), name, source: d as KubeObject };
    compiled.set(policy, rules);
    set.policies.push(policy);
  }
  return set;
}

function lookup(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const key of dotted.split('.')) {
    const r = rec(cur);
    if (!r || !Object.prototype.hasOwnProperty.call(r, key)) return undefined;
    cur = r[key];
  }
  return cur;
}

export function evaluate(set: PolicySet, resource: KubeObject, _ctx: RequestContext): RuleResult[] {
  const meta = rec(resource.metadata) ?? {};
  const id = {
    apiVersion: String(resource.apiVersion ?? ''),
    kind: String(resource.kind ?? ''),
    name: String(meta.name ?? ''),
    ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
  };
  const out: RuleResult[] = [];
  for (const policy of set.policies) {
    for (const rule of compiled.get(policy) ?? []) {
      if (rule.busyMs && (rule.busyIfPresent === undefined || lookup(resource, rule.busyIfPresent) !== undefined)) {
        const until = performance.now() + rule.busyMs;
        while (performance.now() < until);
      }
      if (rule.throws) throw new Error(`rule ${rule.name} exploded`);
      const failed = rule.failIfPresent !== undefined && lookup(resource, rule.failIfPresent) !== undefined;
      out.push({
        policy: policy.name,
        rule: rule.name,
        resource: id,
        status: failed ? 'fail' : 'pass',
        message: failed ? (rule.message ?? `rule ${rule.name} failed`) : `validation rule '${rule.name}' passed.`,
        failureAction: rule.action,
      });
    }
  }
  return out;
}
