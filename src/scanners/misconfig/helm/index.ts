import { parse as parseYaml } from 'yaml';
import type { Violation } from '../check.js';
import { scanKubernetes } from '../kubernetes/index.js';
import type { ClusterFacts } from '../kubernetes/cluster.js';
import { YAML_LIMITS } from '../kubernetes/parse.js';
import { parseTemplate, render, TemplateError } from './template.js';
import { DEFAULT_OPTIONS, type MisconfigOptions } from '../options.js';

/** Bounds on what is kept in memory between scan() and finalize(). */
export const HELM_LIMITS = { maxChartBytes: 8 * 1024 * 1024, maxCharts: 500 } as const;

interface ChartFiles {
  chartYaml?: string;
  valuesYaml?: string;
  templates: Map<string, string>;
  bytes: number;
}

export type CollectedCharts = {
  root: string;
  chartYaml?: string;
  valuesYaml?: string;
  templates: [string, string][];
}[];

export interface RenderedTemplate {
  path: string;
  violations: Violation[];
  facts?: ClusterFacts;
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}
function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

/** Is this path part of a Helm chart (a template, its Chart.yaml or its values.yaml)? */
export function isChartFile(path: string): boolean {
  return /(?:^|\/)(?:Chart|values)\.ya?ml$/.test(path) || /(?:^|\/)templates\/.+\.(?:ya?ml|tpl)$/.test(path);
}

/**
 * Collects chart files during the scan and renders every chart with its default values at the end
 * (like `helm template`), so the Kubernetes checks run on what would be deployed. Findings point at
 * the template file, with the line of the rendered manifest (as Trivy reports them).
 */
export class HelmCollector {
  private readonly charts = new Map<string, ChartFiles>();

  collect(path: string, text: string): void {
    const base = path.slice(path.lastIndexOf('/') + 1);
    let root: string;
    let kind: 'chart' | 'values' | 'template';
    const t = /^(.*?)(?:^|\/)templates\/(.+)$/.exec(path);
    if (base === 'Chart.yaml' || base === 'Chart.yml') {
      root = dirOf(path);
      kind = 'chart';
    } else if (base === 'values.yaml' || base === 'values.yml') {
      root = dirOf(path);
      kind = 'values';
    } else if (t) {
      root = t[1]!.replace(/\/$/, '');
      kind = 'template';
    } else return;
    let c = this.charts.get(root);
    if (!c) {
      if (this.charts.size >= HELM_LIMITS.maxCharts) return;
      c = { templates: new Map(), bytes: 0 };
      this.charts.set(root, c);
    }
    if (c.bytes + text.length > HELM_LIMITS.maxChartBytes) return;
    c.bytes += text.length;
    if (kind === 'chart') c.chartYaml = text;
    else if (kind === 'values') c.valuesYaml = text;
    else c.templates.set(path, text);
  }

  /** Hands over (and forgets) the chart files collected so far: plain, structured-cloneable data. */
  drain(): CollectedCharts {
    const out: CollectedCharts = [...this.charts].map(([root, c]) => ({
      root,
      ...(c.chartYaml !== undefined ? { chartYaml: c.chartYaml } : {}),
      ...(c.valuesYaml !== undefined ? { valuesYaml: c.valuesYaml } : {}),
      templates: [...c.templates],
    }));
    this.charts.clear();
    return out;
  }

  /** Merges chart files collected by another instance (e.g. a worker thread). */
  absorb(state: unknown): void {
    if (!Array.isArray(state)) return;
    for (const c of state as CollectedCharts) {
      if (typeof c?.root !== 'string') continue;
      if (typeof c.chartYaml === 'string') this.collect(join(c.root, 'Chart.yaml'), c.chartYaml);
      if (typeof c.valuesYaml === 'string') this.collect(join(c.root, 'values.yaml'), c.valuesYaml);
      for (const [p, t] of Array.isArray(c.templates) ? c.templates : [])
        if (typeof p === 'string' && typeof t === 'string') this.collect(p, t);
    }
  }

  /** Renders each collected chart; `warn` receives charts or templates that could not be rendered. */
  renderAll(warn: (m: string) => void, opts: MisconfigOptions = DEFAULT_OPTIONS): RenderedTemplate[] {
    const out: RenderedTemplate[] = [];
    for (const [root, c] of this.charts) {
      if (c.chartYaml === undefined || c.templates.size === 0) continue;
      out.push(...renderChart(root, c, warn, opts));
    }
    this.charts.clear();
    return out;
  }
}

function renderChart(
  root: string,
  c: ChartFiles,
  warn: (m: string) => void,
  opts: MisconfigOptions,
): RenderedTemplate[] {
  let chart: Record<string, unknown>;
  let values: unknown;
  try {
    chart = (parseYaml(c.chartYaml!, { maxAliasCount: YAML_LIMITS.maxAliasCount }) ?? {}) as Record<
      string,
      unknown
    >;
    values = c.valuesYaml
      ? (parseYaml(c.valuesYaml, { maxAliasCount: YAML_LIMITS.maxAliasCount }) ?? {})
      : {};
  } catch (err) {
    warn(`${join(root, 'Chart.yaml')}: chart not rendered: ${(err as Error).message}`);
    return [];
  }
  const defines = new Map<string, ReturnType<typeof parseTemplate>>();
  const parsed = new Map<string, ReturnType<typeof parseTemplate>>();
  for (const [path, text] of c.templates) {
    try {
      parsed.set(path, parseTemplate(text, defines));
    } catch (err) {
      warn(`${path}: Helm template not parsed: ${(err as Error).message}`);
    }
  }
  const cap = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), v]));
  const out: RenderedTemplate[] = [];
  for (const [path, nodes] of parsed) {
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base.startsWith('_') || !/\.ya?ml$/.test(base)) continue;
    const rootValue = {
      Values: values,
      Chart: cap(chart),
      Release: {
        Name: 'release-name',
        Namespace: 'default',
        Service: 'Helm',
        IsInstall: true,
        IsUpgrade: false,
        Revision: 1,
      },
      Capabilities: {
        KubeVersion: { Version: 'v1.29.0', GitVersion: 'v1.29.0', Major: '1', Minor: '29' },
        APIVersions: { Has: () => true },
      },
      Template: { Name: path, BasePath: join(root, 'templates') },
      Files: { Get: () => '', Glob: () => ({}), AsConfig: () => '', AsSecrets: () => '' },
    };
    let text: string;
    try {
      text = render(nodes, rootValue, defines);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      warn(`${path}: Helm template not rendered: ${err.message}`);
      continue;
    }
    const r = scanKubernetes(text, opts);
    if (r.skipped) warn(`${path}: rendered manifest not checked: ${r.skipped}`);
    out.push({
      path,
      violations: r.violations.map((v) => ({ ...v, message: `${v.message} (rendered with default values)` })),
    });
  }
  return out;
}
