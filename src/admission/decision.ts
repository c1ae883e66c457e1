/**
 * Turning rule results into an admission answer, the way Kyverno does it: failing (or erroring)
 * Enforce rules deny with their messages grouped per policy; failing Audit rules and `warn` results
 * admit with a warning `policy <policy>.<rule>: <message>`. Pure.
 */
import type { RuleResult } from '../policy/engine/types.js';
import type { AdmissionResponse } from './types.js';

/** Bounds so a policy set with many long messages cannot produce a huge response. */
const MAX_WARNINGS = 100;
const MAX_WARNING_LENGTH = 1024;
const MAX_DENY_MESSAGE_LENGTH = 32 * 1024;

export interface RuleRef {
  policy: string;
  rule: string;
}

export interface Decision {
  allowed: boolean;
  /** Set when denied: the Kyverno-style message listing each blocking rule. */
  message?: string;
  warnings: string[];
  /** Rules that blocked the request. */
  denied: RuleRef[];
  /** Rules reported as warnings. */
  warned: RuleRef[];
}

function policyLabel(r: RuleResult): string {
  return r.policyNamespace ? `${r.policyNamespace}/${r.policy}` : r.policy;
}

function isFailing(r: RuleResult): boolean {
  return r.status === 'fail' || r.status === 'error';
}

/** `resource` is `Kind/namespace/name`, used in the denial message. */
export function decide(results: readonly RuleResult[], resource: string): Decision {
  const blocking: RuleResult[] = [];
  const warning: RuleResult[] = [];
  for (const r of results) {
    if (isFailing(r) && r.failureAction === 'Enforce') blocking.push(r);
    else if (isFailing(r) || r.status === 'warn') warning.push(r);
  }
  const warnings = warning
    .slice(0, MAX_WARNINGS)
    .map((r) => truncate(`policy ${policyLabel(r)}.${r.rule}: ${r.message}`, MAX_WARNING_LENGTH));
  if (warning.length > MAX_WARNINGS) warnings.push(`… ${warning.length - MAX_WARNINGS} more policy warnings`);
  const ref = (r: RuleResult): RuleRef => ({ policy: policyLabel(r), rule: r.rule });
  if (blocking.length === 0) return { allowed: true, warnings, denied: [], warned: warning.map(ref) };
  return {
    allowed: false,
    message: truncate(denialMessage(blocking, resource), MAX_DENY_MESSAGE_LENGTH),
    warnings,
    denied: blocking.map(ref),
    warned: warning.map(ref),
  };
}

/**
 * Kyverno's layout:
 *
 *   resource Pod/default/demo was blocked due to the following policies
 *
 *   disallow-latest-tag:
 *     validate-image-tag: 'validation error: …'
 */
export function denialMessage(blocking: readonly RuleResult[], resource: string): string {
  const byPolicy = new Map<string, RuleResult[]>();
  for (const r of blocking) {
    const key = policyLabel(r);
    const list = byPolicy.get(key);
    if (list) list.push(r);
    else byPolicy.set(key, [r]);
  }
  const lines = [`resource ${resource} was blocked due to the following policies`, ''];
  for (const [policy, rules] of byPolicy) {
    lines.push(`${policy}:`);
    for (const r of rules) lines.push(`  ${r.rule}: ${r.message.replace(/\s*\n\s*/g, ' ')}`);
  }
  return lines.join('\n');
}

/** The AdmissionResponse for a decision. */
export function toAdmissionResponse(uid: string, decision: Decision): AdmissionResponse {
  const response: AdmissionResponse = { uid, allowed: decision.allowed };
  if (!decision.allowed)
    response.status = { code: 403, reason: 'Forbidden', message: decision.message ?? 'denied by policy' };
  if (decision.warnings.length > 0) response.warnings = decision.warnings;
  return response;
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
