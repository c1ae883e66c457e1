/**
 * Adapter to the rule types other modules implement: `validate.podSecurity` (../pss), `validate.cel`
 * and ValidatingPolicy / ValidatingAdmissionPolicy (../cel). Normalizes their results to the engine's
 * vocabulary and turns anything they throw into `error` results.
 */
import type { KubeObject, PolicyLoadError, RequestContext, RuleResult, RuleStatus } from '../engine/types.js';
import { evaluatePodSecurityRule } from '../pss/index.js';
import {
  evaluateCelRule,
  evaluateValidatingPolicy as evaluateVp,
  loadValidatingPolicy as loadVp,
  type CelExternalData,
  type LoadedValidatingPolicy,
} from '../cel/index.js';

export type { CelExternalData, LoadedValidatingPolicy };

export interface DelegateOutcome {
  status: RuleStatus;
  message: string;
}

function toOutcome(v: unknown): DelegateOutcome {
  if (typeof v === 'object' && v !== null) {
    const o = v as { status?: unknown; message?: unknown };
    const status = o.status;
    if (
      status === 'pass' ||
      status === 'fail' ||
      status === 'skip' ||
      status === 'warn' ||
      status === 'error'
    )
      return { status, message: typeof o.message === 'string' ? o.message : '' };
  }
  return { status: 'error', message: 'delegate returned an invalid result' };
}

function guarded(what: string, run: () => unknown): DelegateOutcome {
  try {
    return toOutcome(run());
  } catch (e) {
    return { status: 'error', message: `${what} evaluation failed: ${(e as Error).message}` };
  }
}

/** `validate.podSecurity` of a rule (after autogen). */
export function evaluatePodSecurity(
  rule: Record<string, unknown>,
  resource: KubeObject,
  ctx: RequestContext,
): DelegateOutcome {
  return guarded('validate.podSecurity', () => evaluatePodSecurityRule(rule, resource, ctx));
}

/** `validate.cel` of a ClusterPolicy/Policy rule. */
export function evaluateCel(
  rule: Record<string, unknown>,
  resource: KubeObject,
  ctx: RequestContext,
): DelegateOutcome {
  return guarded('validate.cel', () => evaluateCelRule(rule, resource, ctx));
}

/** Loads a ValidatingPolicy / ValidatingAdmissionPolicy. */
export function loadValidatingPolicy(doc: unknown): {
  policy?: LoadedValidatingPolicy;
  errors: PolicyLoadError[];
} {
  try {
    const out = loadVp(doc);
    return { policy: out.policy, errors: out.errors ?? [] };
  } catch (e) {
    return { errors: [{ policy: '<unknown>', message: (e as Error).message }] };
  }
}

export function evaluateValidatingPolicy(
  policy: LoadedValidatingPolicy,
  resource: KubeObject,
  ctx: RequestContext,
  data: CelExternalData = {},
): RuleResult[] {
  try {
    return evaluateVp(policy, resource, ctx, data);
  } catch (e) {
    return [
      {
        policy: policy.name,
        rule: '',
        resource: {
          apiVersion: String(resource.apiVersion ?? ''),
          kind: String(resource.kind ?? ''),
          name: '',
        },
        status: 'error',
        message: (e as Error).message,
        failureAction: 'Audit',
      },
    ];
  }
}
