/**
 * The one entry point of the policy engine: load any mix of Kyverno `ClusterPolicy` / `Policy`,
 * Kyverno `ValidatingPolicy` and Kubernetes `ValidatingAdmissionPolicy` (+ bindings) documents, then
 * evaluate resources against all of them. Pure: no I/O. Used by `rampart policy apply|test`, by
 * `rampart scan` gates and by the admission webhook.
 */
import { evaluateKyverno, loadKyvernoPolicies } from '../kyverno/index.js';
import { evaluateValidatingPolicy, loadValidatingPolicy, type LoadedValidatingPolicy } from '../cel/index.js';
import type { KubeObject, LoadedPolicy, PolicyLoadError, RequestContext, RuleResult } from './types.js';

export type * from './types.js';

export interface PolicySet {
  /** Every loaded policy (Kyverno and CEL-based), for listing and counting. */
  policies: LoadedPolicy[];
  /** Problems found at load time, with policy and rule names; the other policies stay usable. */
  errors: PolicyLoadError[];
  /** @internal Kyverno ClusterPolicy / Policy documents. */
  kyverno: LoadedPolicy[];
  /** @internal ValidatingPolicy / ValidatingAdmissionPolicy. */
  validating: LoadedValidatingPolicy[];
}

const VALIDATING_KINDS = new Set([
  'ValidatingPolicy',
  'NamespacedValidatingPolicy',
  'ValidatingAdmissionPolicy',
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const nameOf = (doc: Record<string, unknown>) =>
  isRecord(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : '<unnamed>';

/** Loads policy documents of every supported kind; other documents are ignored. Never throws. */
export function loadPolicies(docs: readonly unknown[]): PolicySet {
  const kyvernoDocs: unknown[] = [];
  const validatingDocs: Record<string, unknown>[] = [];
  const bindings: KubeObject[] = [];
  for (const doc of docs) {
    if (!isRecord(doc) || typeof doc.kind !== 'string') continue;
    if (doc.kind === 'ClusterPolicy' || doc.kind === 'Policy') kyvernoDocs.push(doc);
    else if (VALIDATING_KINDS.has(doc.kind)) validatingDocs.push(doc);
    else if (doc.kind === 'ValidatingAdmissionPolicyBinding') bindings.push(doc);
  }
  const k = loadKyvernoPolicies(kyvernoDocs);
  const errors: PolicyLoadError[] = [...k.errors];
  const validating: LoadedValidatingPolicy[] = [];
  for (const doc of validatingDocs) {
    const name = nameOf(doc);
    const own = bindings.filter((b) => isRecord(b.spec) && b.spec.policyName === name);
    try {
      const r = loadValidatingPolicy(doc, { bindings: own });
      errors.push(...r.errors);
      if (r.policy) validating.push(r.policy);
    } catch (err) {
      errors.push({ policy: name, message: `cannot load: ${(err as Error).message}` });
    }
  }
  return { policies: [...k.policies, ...validating], errors, kyverno: k.policies, validating };
}

/** Every rule result of every policy that selects `resource`. Never throws. */
export function evaluate(set: PolicySet, resource: KubeObject, ctx: RequestContext = {}): RuleResult[] {
  const results = evaluateKyverno(set.kyverno, resource, ctx);
  for (const policy of set.validating) {
    try {
      results.push(...evaluateValidatingPolicy(policy, resource, ctx));
    } catch (err) {
      results.push({
        policy: policy.name,
        rule: '',
        resource: {
          apiVersion: String(resource.apiVersion ?? ''),
          kind: String(resource.kind ?? ''),
          name: String(isRecord(resource.metadata) ? (resource.metadata.name ?? '') : ''),
        },
        status: 'error',
        message: (err as Error).message,
        failureAction: policy.failureAction,
      });
    }
  }
  return results;
}
