import { isRecord, type Json, type Path } from '../kubernetes/parse.js';

/** Hostile-input limits for Azure Pipelines files. */
export const ADO_LIMITS = {
  /** Larger files are not parsed (reported as a skip with reason). */
  maxBytes: 4 * 1024 * 1024,
  /** Deepest block nesting walked (deeper content is ignored). */
  maxDepth: 100,
} as const;

/** Keys that make a list item a step (https://learn.microsoft.com/azure/devops/pipelines/yaml-schema/steps). */
const STEP_KEYS = [
  'script',
  'bash',
  'pwsh',
  'powershell',
  'task',
  'checkout',
  'download',
  'downloadBuild',
  'getPackage',
  'publish',
  'reviewApp',
] as const;
export type StepKind = (typeof STEP_KEYS)[number];

/** Step keys whose value is script text run by a shell. */
export const SCRIPT_KEYS = ['script', 'bash', 'pwsh', 'powershell'] as const;

export interface Step {
  path: Path;
  node: { [k: string]: Json };
  kind: StepKind;
  /** `stage/job` the step belongs to (`(root)` for a pipeline without jobs). */
  owner: string;
  /** Stable, human-readable identity within its owner: name, displayName, task, or kind#n. */
  label: string;
}

export interface Job {
  path: Path;
  node: { [k: string]: Json };
  /** `stage/job`. */
  name: string;
}

export interface Variable {
  name: string;
  value: Json;
  /** Path of the value node. */
  path: Path;
  owner: string;
}

export interface ScriptText {
  text: string;
  path: Path;
  step: Step;
}

export interface PipelineModel {
  root: { [k: string]: Json };
  steps: Step[];
  /** Records with a `job` or `deployment` key. */
  jobs: Job[];
  variables: Variable[];
  /** `resources.containers[]`: alias → image. */
  containerResources: { alias: string; image: Json; path: Path }[];
}

/**
 * Handlebars/Mustache placeholders of starter templates (`{{ branch }}`, `{{#if reviewApp}}`) are not
 * pipeline syntax: they are replaced by filler of the same length (lines holding only block tags
 * become blank) so the file parses and positions stay exact. Template expressions `${{ … }}` are kept.
 */
export function neutraliseHandlebars(text: string): string {
  if (!/(?:^|[^$]){{/.test(text)) return text;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*(?:\{\{\s*(?:[#/^!>]|else\b)[^{}]*\}\}\s*)+\r?$/.test(line))
        return line.replace(/[^\r]/g, ' ');
      return line.replace(
        /(^|[^$])\{\{\{?[^{}\n]*\}?\}\}/g,
        (m: string, pre: string) => pre + '_'.repeat(m.length - pre.length),
      );
    })
    .join('\n');
}

/** A string made of a template's filler (see neutraliseHandlebars) or a replace-token placeholder. */
export function isPlaceholder(s: string): boolean {
  const t = s.trim();
  return (
    /_{3,}/.test(t) ||
    /^<[^<>]*>$/.test(t) ||
    /#\{[^}]*\}#/.test(t) ||
    /^__\w+__$/.test(t) ||
    /^(?:x+|\*+|\.+|-+|todo|tbd|changeit|replace[-_ ]?me|your[-_ ].*)$/i.test(t)
  );
}

/** Contains a pipeline variable, parameter or expression reference, resolved at run time. */
export function hasReference(s: string): boolean {
  return /\$\(|\$\[|\$\{\{|\$\{?[A-Za-z_]|%[A-Za-z_][A-Za-z0-9_]*%/.test(s);
}

const str = (v: Json | undefined): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

const isExpressionKey = (k: string) => k.trimStart().startsWith('${{');

function stepKind(node: { [k: string]: Json }): StepKind | undefined {
  return STEP_KEYS.find((k) => k in node);
}

/** Builds the model of one pipeline document by walking it generically (stages, jobs, steps, templates, extends). */
export function buildModel(root: { [k: string]: Json }): PipelineModel {
  const m: PipelineModel = { root, steps: [], jobs: [], variables: [], containerResources: [] };
  const counters = new Map<string, number>();
  const ownerOf = (stage: string | undefined, job: string | undefined) =>
    stage !== undefined ? `${stage}/${job ?? ''}` : (job ?? '(root)');

  const walk = (
    v: Json,
    path: Path,
    stage: string | undefined,
    job: string | undefined,
    depth: number,
    inList: boolean,
  ): void => {
    if (depth > ADO_LIMITS.maxDepth) return;
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...path, i], stage, job, depth + 1, true));
      return;
    }
    if (!isRecord(v)) return;
    if (inList) {
      if ('stage' in v) stage = str(v.stage) ?? '?';
      const jobName = 'job' in v ? v.job : 'deployment' in v ? v.deployment : undefined;
      if (jobName !== undefined) {
        job = str(jobName) ?? '?';
        m.jobs.push({ path, node: v, name: ownerOf(stage, job) });
      }
      const kind = stepKind(v);
      if (kind && jobName === undefined && !('stage' in v)) {
        const owner = ownerOf(stage, job);
        const named = str(v.name) ?? str(v.displayName) ?? (kind === 'task' ? str(v.task) : undefined);
        const key = `${owner}\0${named ?? kind}`;
        const n = counters.get(key) ?? 0;
        counters.set(key, n + 1);
        const base = named ?? kind;
        m.steps.push({ path, node: v, kind, owner, label: n === 0 ? base : `${base}#${n}` });
      }
    }
    for (const [k, child] of Object.entries(v)) {
      if (k === 'variables') collectVariables(child, [...path, k], ownerOf(stage, job), m, depth + 1);
      if (k === 'resources' && depth === 0) collectContainers(child, [...path, k], m);
      // Items under a `${{ if … }}:` / `${{ each … }}:` key stand where the expression stands.
      walk(child, [...path, k], stage, job, depth + 1, inList && isExpressionKey(k) ? true : false);
    }
  };
  walk(root, [], undefined, undefined, 0, false);
  return m;
}

function collectVariables(v: Json, path: Path, owner: string, m: PipelineModel, depth: number): void {
  if (depth > ADO_LIMITS.maxDepth) return;
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (!isRecord(item)) return;
      const name = str(item.name);
      if (name !== undefined && 'value' in item) {
        m.variables.push({ name, value: item.value ?? null, path: [...path, i, 'value'], owner });
        return;
      }
      for (const [k, child] of Object.entries(item))
        if (isExpressionKey(k)) collectVariables(child, [...path, i, k], owner, m, depth + 1);
    });
  } else if (isRecord(v)) {
    for (const [k, child] of Object.entries(v)) {
      if (isExpressionKey(k)) collectVariables(child, [...path, k], owner, m, depth + 1);
      else m.variables.push({ name: k, value: child, path: [...path, k], owner });
    }
  }
}

function collectContainers(resources: Json, path: Path, m: PipelineModel): void {
  if (!isRecord(resources) || !Array.isArray(resources.containers)) return;
  resources.containers.forEach((c, i) => {
    if (!isRecord(c)) return;
    const alias = str(c.container);
    if (alias !== undefined && 'image' in c)
      m.containerResources.push({ alias, image: c.image ?? null, path: [...path, 'containers', i, 'image'] });
  });
}

/** Shell text of a step: `script`/`bash`/`pwsh`/`powershell`, or a task's inline-script input. */
export function scriptsOf(step: Step): ScriptText[] {
  const out: ScriptText[] = [];
  for (const k of SCRIPT_KEYS) {
    const t = step.node[k];
    if (typeof t === 'string') out.push({ text: t, path: [...step.path, k], step });
  }
  const inputs = step.node.inputs;
  if (step.kind === 'task' && isRecord(inputs)) {
    for (const [k, t] of Object.entries(inputs))
      if (/^(?:script|inlineScript|inline)$/i.test(k) && typeof t === 'string')
        out.push({ text: t, path: [...step.path, 'inputs', k], step });
  }
  return out;
}

/** Splits a variable or input name into lower-case words (`ARM_CLIENT_SECRET`, `dbPassword`, `Azure.Key`). */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}
