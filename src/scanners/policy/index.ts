/**
 * The `policy` scanner: Kubernetes manifests of the repository evaluated against Kyverno policies
 * (the built-in packs and/or the user's own), with the same engine the admission webhook uses, so
 * CI can gate on the policies the cluster enforces. Objects are collected in scan() (in worker
 * threads when the scan is large), evaluated in finalize() where every Namespace object is known.
 */
import type { Finding, RuleDescriptor } from '../../core/finding.js';
import type { Scanner, ScannerFactoryOptions, ScanContext, ScanTarget } from '../../core/scanner.js';
import { evaluate, loadPolicies, type PolicySet } from '../../policy/engine/index.js';
import type { PolicyLoadError, RequestContext, RuleResult } from '../../policy/engine/types.js';
import { computeRules } from '../../policy/kyverno/index.js';
import { describeRule, policyKey, policyMeta, resultToFinding, type PolicyMeta } from './findings.js';
import { collectObjects, lineOfMessage, MANIFEST_LIMITS, type CollectedObject } from './manifests.js';
import { readPolicyDocuments, type PolicyScannerConfig } from './policy-sources.js';

export { DEFAULT_PACKS, type PolicyScannerConfig } from './policy-sources.js';
export { ruleIdOf } from './findings.js';

export const POLICY_SCANNER_VERSION = '1';

/** Objects kept for finalize() across all files; the rest are counted and reported. */
export const MAX_OBJECTS = 50_000;

const YAML_OR_JSON = /\.(?:ya?ml|json)$/i;

export async function createPolicyScanner(options: ScannerFactoryOptions = { config: {} }): Promise<Scanner> {
  const cfg = options.config as PolicyScannerConfig;
  const { docs, problems } = await readPolicyDocuments(cfg);
  const set = loadPolicies(docs);
  return new PolicyScanner(set, [...problems, ...set.errors.map(describeLoadError)]);
}

interface DrainedState {
  objects: CollectedObject[];
  dropped: number;
}

/** `policy X, rule Y: message` for a load problem. */
export function describeLoadError(e: PolicyLoadError): string {
  return `policy ${e.policy}${e.rule ? `, rule ${e.rule}` : ''} not loaded: ${e.message}`;
}

export class PolicyScanner implements Scanner {
  readonly kind = 'policy' as const;
  readonly version = POLICY_SCANNER_VERSION;
  private objects: CollectedObject[] = [];
  private dropped = 0;
  private readonly metaByKey = new Map<string, PolicyMeta>();
  private readonly rulesById = new Map<string, RuleDescriptor>();
  /**
   * @param problems Load problems (files, policies, rules), reported as warnings by finalize():
   * the factory runs in every worker thread, finalize() only on the main thread.
   */
  constructor(
    private readonly set: PolicySet,
    private readonly problems: readonly string[] = [],
  ) {
    for (const policy of set.policies) {
      const meta = policyMeta(policy);
      this.metaByKey.set(policyKey(meta.name, meta.namespace), meta);
      for (const rule of ruleNames(set, policy)) this.addRule(meta, rule);
    }
  }

  required(path: string): boolean {
    return YAML_OR_JSON.test(path);
  }

  scan(target: ScanTarget, ctx: ScanContext): Finding[] {
    // Diff excerpts (history mode) are not whole manifests.
    if (target.lineMap) return [];
    if (target.content.length > MANIFEST_LIMITS.maxBytes) {
      ctx.warn(
        `${target.path}: not checked by the policy scanner: larger than ${MANIFEST_LIMITS.maxBytes} bytes`,
      );
      return [];
    }
    let found: CollectedObject[];
    try {
      found = collectObjects(target.content.toString('utf8'), target.path);
    } catch (err) {
      ctx.warn(`${target.path}: policy scanner: ${(err as Error).message}`);
      return [];
    }
    for (const o of found) {
      if (target.commit) o.commit = target.commit;
      if (target.layer) o.layer = target.layer;
    }
    this.keep(found);
    return [];
  }

  private keep(found: readonly CollectedObject[]): void {
    const room = Math.max(0, MAX_OBJECTS - this.objects.length);
    this.objects.push(...found.slice(0, room));
    this.dropped += Math.max(0, found.length - room);
  }

  drainState(): unknown {
    const state: DrainedState = { objects: this.objects, dropped: this.dropped };
    this.objects = [];
    this.dropped = 0;
    return state;
  }

  absorbState(state: unknown): void {
    if (typeof state !== 'object' || state === null) return;
    const s = state as Partial<DrainedState>;
    if (Array.isArray(s.objects)) this.keep(s.objects);
    if (typeof s.dropped === 'number') this.dropped += s.dropped;
  }

  finalize(ctx: ScanContext): Finding[] {
    for (const p of this.problems) ctx.warn(p);
    if (this.dropped)
      ctx.warn(
        `policy scanner: ${this.dropped} Kubernetes objects over the limit of ${MAX_OBJECTS} were not evaluated`,
      );
    const labels = namespaceLabels(this.objects);
    const findings: Finding[] = [];
    const seen = new Map<string, number>();
    let evaluated = 0;
    for (const object of this.objects) {
      if (Date.now() > ctx.deadline) {
        ctx.warn(
          `policy scanner: time budget exhausted, ${this.objects.length - evaluated} of ${this.objects.length} Kubernetes objects were not evaluated (raise --file-timeout)`,
        );
        break;
      }
      evaluated++;
      for (const result of this.evaluateOne(object, labels, ctx)) {
        if (result.status !== 'fail' && result.status !== 'error') continue;
        const meta = this.metaOf(result);
        const key = `${result.policyNamespace ?? ''}\0${result.policy}\0${result.rule}\0${object.path}\0${object.kind}\0${object.namespace ?? ''}\0${object.name}`;
        const occurrence = seen.get(key) ?? 0;
        seen.set(key, occurrence + 1);
        const finding = resultToFinding({
          result,
          meta,
          object,
          line: lineOfMessage(object, result.message),
          ...(object.commit ? { commit: object.commit } : {}),
          ...(object.layer ? { layer: object.layer } : {}),
          occurrence,
        });
        if (!this.rulesById.has(finding.ruleId)) this.addRule(meta, result.rule);
        findings.push(finding);
      }
    }
    this.objects = [];
    this.dropped = 0;
    return findings;
  }

  private evaluateOne(
    object: CollectedObject,
    labels: ReadonlyMap<string, Record<string, string>>,
    ctx: ScanContext,
  ): RuleResult[] {
    const request: RequestContext = { operation: 'CREATE' };
    if (object.namespace !== undefined)
      request.namespaceLabels = {
        ...labels.get(object.namespace),
        'kubernetes.io/metadata.name': object.namespace,
      };
    try {
      return evaluate(this.set, object.value, request);
    } catch (err) {
      ctx.warn(
        `${object.path}: policy evaluation of ${object.kind}/${object.name} failed: ${(err as Error).message}`,
      );
      return [];
    }
  }

  private metaOf(result: RuleResult): PolicyMeta {
    return (
      this.metaByKey.get(policyKey(result.policy, result.policyNamespace)) ??
      this.metaByKey.get(policyKey(result.policy)) ?? {
        name: result.policy,
        kind: 'Policy',
        title: result.policy,
        severity: 'medium',
      }
    );
  }

  private addRule(meta: PolicyMeta, rule: string): void {
    const d = describeRule(meta, rule);
    if (!this.rulesById.has(d.id)) this.rulesById.set(d.id, d);
  }

  rules(): RuleDescriptor[] {
    return [...this.rulesById.values()];
  }
}

/** Rule names of a loaded policy, Kyverno autogen variants included. */
function ruleNames(set: PolicySet, policy: PolicySet['policies'][number]): string[] {
  const validating = set.validating.find((v) => v === policy);
  if (validating) return validating.variants.map((v) => v.rule);
  try {
    return computeRules(policy.source).flatMap((r) => (typeof r.name === 'string' ? [r.name] : []));
  } catch {
    return [];
  }
}

/** Labels of the Namespace objects found in the repository, by name. */
function namespaceLabels(objects: readonly CollectedObject[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const o of objects) {
    if (o.kind !== 'Namespace' || o.apiVersion !== 'v1' || !o.name) continue;
    const meta = o.value.metadata as Record<string, unknown>;
    const labels: Record<string, string> = {};
    if (typeof meta.labels === 'object' && meta.labels !== null)
      for (const [k, v] of Object.entries(meta.labels)) if (typeof v === 'string') labels[k] = v;
    out.set(o.name, labels);
  }
  return out;
}
