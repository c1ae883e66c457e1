/**
 * Prometheus metrics of the webhook, on a registry of its own (several servers can live in one
 * process, e.g. in tests). Names follow Prometheus conventions; Kyverno's nearest equivalents are
 * `kyverno_admission_requests_total` and `kyverno_admission_review_duration_seconds`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DecisionKind } from './types.js';
import type { RuleRef } from './decision.js';

/** Fine buckets below 10 ms: the latency goal is p99 ≤ 10 ms. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface AdmissionMetrics {
  registry: Registry;
  observeRequest(decision: DecisionKind, seconds: number): void;
  observeRules(denied: readonly RuleRef[], warned: readonly RuleRef[]): void;
  setPolicies(policies: number, rules: number | undefined, loadErrors: number): void;
  observeReload(ok: boolean): void;
}

export function createAdmissionMetrics(options: { defaultMetrics?: boolean } = {}): AdmissionMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'rampart_admission_' });
  const requests = new Counter({
    name: 'rampart_admission_requests_total',
    help: 'AdmissionReview requests by decision (allowed, warned, denied, failed_open, failed_closed, invalid)',
    labelNames: ['decision'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'rampart_admission_request_duration_seconds',
    help: 'Time from receiving an AdmissionReview to sending the answer, in seconds',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const ruleOutcomes = new Counter({
    name: 'rampart_admission_rule_outcomes_total',
    help: 'Rules that denied a request or produced a warning, by policy and rule',
    labelNames: ['policy', 'rule', 'outcome'] as const,
    registers: [registry],
  });
  const policies = new Gauge({
    name: 'rampart_admission_policies',
    help: 'Policies currently loaded',
    registers: [registry],
  });
  const rules = new Gauge({
    name: 'rampart_admission_rules',
    help: 'Rules in the loaded policies (when the engine reports it)',
    registers: [registry],
  });
  const loadErrors = new Gauge({
    name: 'rampart_admission_policy_load_errors',
    help: 'Policy load errors of the current policy set (those policies or rules are not active)',
    registers: [registry],
  });
  const reloads = new Counter({
    name: 'rampart_admission_policy_reloads_total',
    help: 'Policy reloads by result (success: a new policy set is active; failure: the previous one stays)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  for (const d of ['allowed', 'warned', 'denied', 'failed_open', 'failed_closed', 'invalid'] as const)
    requests.labels(d).inc(0);
  return {
    registry,
    observeRequest(decision, seconds) {
      requests.labels(decision).inc();
      duration.observe(seconds);
    },
    observeRules(denied, warned) {
      for (const r of denied) ruleOutcomes.labels(r.policy, r.rule, 'denied').inc();
      for (const r of warned) ruleOutcomes.labels(r.policy, r.rule, 'warned').inc();
    },
    setPolicies(policyCount, ruleCount, errorCount) {
      policies.set(policyCount);
      if (ruleCount !== undefined) rules.set(ruleCount);
      loadErrors.set(errorCount);
    },
    observeReload(ok) {
      reloads.labels(ok ? 'success' : 'failure').inc();
    },
  };
}
