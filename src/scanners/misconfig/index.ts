import type { Finding, RuleDescriptor } from '../../core/finding.js';
import type { Scanner, ScannerFactoryOptions, ScanContext, ScanTarget } from '../../core/scanner.js';
import { DEFAULT_OPTIONS, type MisconfigOptions } from './options.js';
import {
  describeCheck,
  parseErrorCheck,
  violationsToFindings,
  type CheckMeta,
  type Violation,
} from './check.js';
import { kubernetesChecks } from './kubernetes/checks.js';
import { requiredKubernetes, scanKubernetes } from './kubernetes/index.js';
import {
  githubActionsChecks,
  looksLikeWorkflow,
  requiredGithubActions,
  scanGithubActions,
} from './github-actions/index.js';
import {
  azurePipelinesChecks,
  looksLikeAzurePipeline,
  requiredAzurePipelines,
  scanAzurePipelines,
} from './azure-pipelines/index.js';
import { clusterChecks, clusterViolations, emptyFacts, type ClusterFacts } from './kubernetes/cluster.js';
import { dockerfileChecks } from './dockerfile/checks.js';
import { requiredDockerfile, scanDockerfile } from './dockerfile/index.js';
import { HelmCollector, isChartFile } from './helm/index.js';
import { terraformChecks } from './terraform/checks.js';
import { requiredTerraform, TerraformCollector, terraformFindings } from './terraform/index.js';

export const MISCONFIG_SCANNER_VERSION = '1';

export interface MisconfigScannerConfig {
  disableRules?: string[];
  trustedRegistries?: string[];
  allowedExternalIPs?: string[];
}

/** One file type the misconfiguration scanner understands. */
interface FileType {
  name: string;
  /** Cheap path test: could a file at this path be of this type? */
  required(path: string): boolean;
  /**
   * For types that share an extension (every YAML file may be a Kubernetes manifest, a workflow or a
   * pipeline): does this content belong to this type? The first type that claims a file scans it.
   */
  claims?(path: string, text: string): boolean;
  scan(
    text: string,
    opts: MisconfigOptions,
  ): { violations: Violation[]; skipped?: string; facts?: ClusterFacts };
  checks: readonly CheckMeta[];
}

const FILE_TYPES: readonly FileType[] = [
  { name: 'dockerfile', required: requiredDockerfile, scan: scanDockerfile, checks: dockerfileChecks },
  {
    name: 'github-actions',
    required: (p) => requiredGithubActions(p) || requiredKubernetes(p),
    claims: (p, text) => requiredGithubActions(p) || looksLikeWorkflow(text),
    scan: scanGithubActions,
    checks: githubActionsChecks,
  },
  {
    name: 'azure-pipelines',
    required: (p) => requiredAzurePipelines(p) || requiredKubernetes(p),
    claims: (_p, text) => looksLikeAzurePipeline(text),
    scan: scanAzurePipelines,
    checks: azurePipelinesChecks,
  },
  { name: 'kubernetes', required: requiredKubernetes, scan: scanKubernetes, checks: kubernetesChecks },
];

export function allMisconfigChecks(): CheckMeta[] {
  return [parseErrorCheck, ...FILE_TYPES.flatMap((t) => t.checks), ...terraformChecks, ...clusterChecks];
}

export async function createMisconfigScanner(
  options: ScannerFactoryOptions = { config: {} },
): Promise<Scanner> {
  const cfg = options.config as MisconfigScannerConfig;
  const disabled = new Set((cfg.disableRules ?? []).map((id) => id.replace(/^misconfig\//, '')));
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  const opts: MisconfigOptions = {
    ...DEFAULT_OPTIONS,
    trustedRegistries: strings(cfg.trustedRegistries),
    allowedExternalIPs: strings(cfg.allowedExternalIPs),
  };
  return new MisconfigScanner(disabled, opts);
}

class MisconfigScanner implements Scanner {
  readonly kind = 'misconfig' as const;
  readonly version = MISCONFIG_SCANNER_VERSION;
  private readonly metaById: Map<string, CheckMeta>;

  constructor(
    disabled: ReadonlySet<string>,
    private readonly opts: MisconfigOptions,
  ) {
    this.metaById = new Map(
      allMisconfigChecks()
        .filter((c) => !disabled.has(c.id))
        .map((c) => [c.id, c]),
    );
  }

  private readonly helm = new HelmCollector();
  /** Terraform modules span files: collected in scan(), evaluated in finalize(). */
  private readonly terraform = new TerraformCollector();
  private facts: ClusterFacts = emptyFacts();

  required(path: string): boolean {
    return isChartFile(path) || requiredTerraform(path) || FILE_TYPES.some((t) => t.required(path));
  }

  scan(target: ScanTarget, ctx: ScanContext): Finding[] {
    // Diff excerpts (history mode) are not whole files: structure-based checks would be wrong.
    if (target.lineMap) return [];
    const text = target.content.toString('utf8');
    if (isChartFile(target.path)) this.helm.collect(target.path, text);
    if (requiredTerraform(target.path)) {
      const skipped = this.terraform.collect(target.path, text);
      if (skipped) ctx.warn(`${target.path}: not checked as terraform: ${skipped}`);
      return [];
    }
    const type = FILE_TYPES.find((t) => t.required(target.path) && (t.claims?.(target.path, text) ?? true));
    if (!type) return [];
    let result: { violations: Violation[]; skipped?: string; facts?: ClusterFacts };
    try {
      result = type.scan(text, this.opts);
    } catch (err) {
      ctx.warn(`${target.path}: ${type.name} checks failed: ${(err as Error).message}`);
      return [];
    }
    if (result.skipped) ctx.warn(`${target.path}: not checked as ${type.name}: ${result.skipped}`);
    if (result.facts) this.addFacts(result.facts, target.path);
    return violationsToFindings(result.violations, this.metaById, target.path, [type.name]);
  }

  /**
   * Helm charts are rendered here, once all their files were seen. With worker threads each worker
   * has its own scanner instance and this main-thread instance sees no file: see docs/misconfig.md.
   */
  finalize(ctx: ScanContext): Finding[] {
    const out: Finding[] = [];
    out.push(...terraformFindings(this.terraform.evaluateAll(ctx.warn, ctx.deadline), this.metaById));
    for (const r of this.helm.renderAll(ctx.warn, this.opts)) {
      out.push(...violationsToFindings(r.violations, this.metaById, r.path, ['helm', 'kubernetes']));
      if (r.facts) this.addFacts(r.facts, r.path);
    }
    const byPath = new Map<string, Violation[]>();
    for (const { path, violation } of clusterViolations(this.facts))
      byPath.set(path, [...(byPath.get(path) ?? []), violation]);
    for (const [path, vs] of byPath)
      out.push(...violationsToFindings(vs, this.metaById, path, ['kubernetes']));
    this.facts = emptyFacts();
    return out;
  }

  private addFacts(f: ClusterFacts, path: string): void {
    for (const w of f.workloads) this.facts.workloads.push({ ...w, path });
    this.facts.policies.push(...f.policies);
    this.facts.pdbs.push(...f.pdbs);
  }

  /**
   * Cross-file state for the scan pipeline: a worker-thread instance drains what it collected
   * (Helm chart files) and the main-thread instance absorbs it before finalize(). Not yet part of
   * the Scanner interface: proposed as `drainState?(): unknown` / `absorbState?(s: unknown): void`.
   */
  drainState(): unknown {
    const state = { charts: this.helm.drain(), facts: this.facts, terraform: this.terraform.drain() };
    this.facts = emptyFacts();
    return state;
  }

  absorbState(state: unknown): void {
    if (typeof state !== 'object' || state === null) return;
    const s = state as { charts?: unknown; facts?: Partial<ClusterFacts>; terraform?: unknown };
    this.helm.absorb(s.charts);
    this.terraform.absorb(s.terraform);
    const f = s.facts;
    if (f && Array.isArray(f.workloads) && Array.isArray(f.policies) && Array.isArray(f.pdbs)) {
      this.facts.workloads.push(...f.workloads);
      this.facts.policies.push(...f.policies);
      this.facts.pdbs.push(...f.pdbs);
    }
  }

  rules(): RuleDescriptor[] {
    return [...this.metaById.values()].map(describeCheck);
  }
}
