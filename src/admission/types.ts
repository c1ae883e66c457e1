/**
 * The admission webhook's own vocabulary. The policy engine's types (RuleResult, RequestContext…)
 * come from src/policy/engine/types.ts; this file adds what the HTTP side needs.
 */
import type { KubeObject, PolicyLoadError, RequestContext, RuleResult } from '../policy/engine/types.js';

/**
 * What the server evaluates requests with. Production wires the policy engine facade
 * (engine-evaluator.ts); tests inject a fake. An evaluator is immutable: a policy reload builds a new
 * one and swaps it in, so a request keeps the evaluator it started with.
 */
export interface Evaluator {
  /** May return a promise (e.g. an evaluator running the engine in a worker thread). */
  evaluate(resource: KubeObject, ctx: RequestContext): RuleResult[] | Promise<RuleResult[]>;
  /** Policies (or rules) that could not be loaded; the other policies stay active. */
  readonly errors: readonly PolicyLoadError[];
  /** Number of loaded policies (for /metrics and /readyz). */
  readonly policyCount: number;
  /** Number of rules in the loaded policies, when the evaluator knows it. */
  readonly ruleCount?: number;
  /** Releases resources (worker threads); called once the evaluator is no longer current and idle. */
  dispose?(): void | Promise<void>;
}

/** Builds an evaluator from parsed policy documents (Kyverno ClusterPolicy/Policy, ValidatingPolicy, VAP). */
export type EvaluatorFactory = (docs: unknown[]) => Evaluator | Promise<Evaluator>;

/** What happens when the evaluation fails or exceeds its time budget. */
export type FailurePolicy = 'Ignore' | 'Fail';

/** `admission.k8s.io/v1` AdmissionRequest, as far as the webhook reads it. */
export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  userInfo?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  object?: KubeObject | null;
  oldObject?: KubeObject | null;
  dryRun?: boolean;
}

/** `admission.k8s.io/v1` AdmissionResponse. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** How a request ended, as counted in `/metrics` and written to the decision log. */
export type DecisionKind = 'allowed' | 'warned' | 'denied' | 'failed_open' | 'failed_closed' | 'invalid';
