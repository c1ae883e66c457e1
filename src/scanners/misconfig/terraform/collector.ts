/**
 * Terraform needs every file of a module at once: the collector keeps the `.tf` / `.tfvars` texts
 * seen during the scan (worker threads hand theirs over with drain/absorb) and evaluates the tree
 * in finalize. Each directory is evaluated as a root module (its tfvars, else defaults); each local
 * `module` call (`source = "./x"`, `"../.."`) whose directory was scanned is evaluated again with
 * the call's arguments. Registry and git sources are not fetched. Findings stay on the file and line
 * of the module's resource; the same (file, check, resource, line) is reported once, the first
 * evaluation winning: roots come before module calls.
 */
import { PARSE_ERROR_ID, type Violation } from '../check.js';
import { Budget } from './eval.js';
import { HCL_LIMITS, HclSyntaxError, parseHcl, parseHclBody } from './hcl.js';
import { ModuleEvaluator, type ModuleCall, type TfModule } from './module.js';
import { checkResources } from './run.js';

export const TF_LIMITS = {
  maxTotalBytes: 64 * 1024 * 1024,
  maxFiles: 20_000,
  maxModuleDepth: 8,
  maxModuleInstances: 2_000,
  /** Evaluation steps: a base plus some per collected byte, capped. */
  baseSteps: 1_000_000,
  stepsPerByte: 10,
  maxSteps: 20_000_000,
} as const;

export type CollectedTerraform = [string, string][];

export interface TerraformResult {
  path: string;
  violations: Violation[];
  /** The file's text (for inline `rampart:ignore` comments). */
  text: string;
}

export function isTfvars(path: string): boolean {
  return /(?:^|\/)terraform\.tfvars$/i.test(path) || /\.auto\.tfvars$/i.test(path);
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** `dir` joined with a local module source; undefined when not local or above the scan root. */
export function localSourceDir(dir: string, source: string): string | undefined {
  if (!/^\.\.?(?:\/|$)/.test(source)) return undefined;
  const parts = dir ? dir.split('/') : [];
  for (const seg of source.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!parts.length || parts[parts.length - 1] === '..') return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

export class TerraformCollector {
  private readonly files = new Map<string, string>();
  private bytes = 0;

  /** Keeps a file for finalize; returns why it was not kept (too big, too many files). */
  collect(path: string, text: string): string | undefined {
    if (text.length > HCL_LIMITS.maxBytes) return `Terraform file larger than ${HCL_LIMITS.maxBytes} bytes`;
    if (this.files.size >= TF_LIMITS.maxFiles || this.bytes + text.length > TF_LIMITS.maxTotalBytes)
      return 'too much Terraform in this scan (limits: 20,000 files, 64 MB)';
    const prev = this.files.get(path);
    this.bytes += text.length - (prev?.length ?? 0);
    this.files.set(path, text);
    return undefined;
  }

  /** Hands over (and forgets) the files collected so far: plain, structured-cloneable data. */
  drain(): CollectedTerraform {
    const out: CollectedTerraform = [...this.files];
    this.files.clear();
    this.bytes = 0;
    return out;
  }

  /** Merges files collected by another instance (e.g. a worker thread). */
  absorb(state: unknown): void {
    if (!Array.isArray(state)) return;
    for (const e of state as unknown[])
      if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string') this.collect(e[0], e[1]);
  }

  /** Evaluates every collected module (and local module calls); forgets the files. */
  evaluateAll(warn: (m: string) => void, deadline = Infinity): TerraformResult[] {
    const files = new Map(this.files);
    this.files.clear();
    this.bytes = 0;
    return evaluateTree(files, warn, deadline);
  }
}

interface Pending {
  dir: string;
  inputs?: ModuleCall['inputs'];
  via?: string;
  chain: string[];
}

/** Pure: findings of a tree of Terraform files (path → text), grouped by file. */
export function evaluateTree(
  files: ReadonlyMap<string, string>,
  warn: (m: string) => void,
  deadline = Infinity,
): TerraformResult[] {
  const byPath = new Map<string, Violation[]>();
  const seen = new Set<string>();
  const add = (path: string, v: Violation) => {
    const key = `${path}\0${v.checkId}\0${v.subject}\0${v.startLine}`;
    if (seen.has(key)) return;
    seen.add(key);
    byPath.set(path, [...(byPath.get(path) ?? []), v]);
  };

  const modules = new Map<string, TfModule>();
  let totalBytes = 0;
  for (const path of [...files.keys()].sort()) {
    const text = files.get(path)!;
    totalBytes += text.length;
    const dir = dirOf(path);
    let mod = modules.get(dir);
    if (!mod) modules.set(dir, (mod = { dir, files: [], tfvars: [] }));
    try {
      if (isTfvars(path)) mod.tfvars.push({ path, attributes: parseHclBody(text).attributes });
      else mod.files.push({ path, blocks: parseHcl(text) });
    } catch (err) {
      if (!(err instanceof HclSyntaxError)) throw err;
      add(path, {
        checkId: PARSE_ERROR_ID,
        message: `HCL parse error: ${err.message}`,
        startLine: err.line,
        subject: `parse:${err.message}`,
      });
    }
  }
  for (const m of modules.values())
    m.tfvars.sort((a, b) => {
      const rank = (p: string) => (/(?:^|\/)terraform\.tfvars$/i.test(p) ? 0 : 1);
      return rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    });

  const budget = new Budget(
    Math.min(TF_LIMITS.maxSteps, TF_LIMITS.baseSteps + TF_LIMITS.stepsPerByte * totalBytes),
  );
  const queue: Pending[] = [...modules.values()]
    .filter((m) => m.files.length)
    .map((m) => ({ dir: m.dir, chain: [m.dir] }));
  let instances = 0;
  for (let q = 0; q < queue.length; q++) {
    const job = queue[q]!;
    if (Date.now() > deadline) {
      warn(
        `Terraform: evaluation stopped at the time limit; ${queue.length - q} module instance(s) not checked`,
      );
      break;
    }
    if (++instances > TF_LIMITS.maxModuleInstances) {
      warn(`Terraform: more than ${TF_LIMITS.maxModuleInstances} module instances; the rest is not checked`);
      break;
    }
    const mod = modules.get(job.dir)!;
    const { resources, calls } = new ModuleEvaluator(mod, job.inputs, budget).run();
    for (const { path, violation } of checkResources(resources))
      add(path, job.via ? { ...violation, message: `${violation.message} (${job.via})` } : violation);
    if (job.chain.length > TF_LIMITS.maxModuleDepth) continue;
    for (const call of calls) {
      const child = localSourceDir(job.dir, call.source);
      if (child === undefined || !modules.get(child)?.files.length || job.chain.includes(child)) continue;
      queue.push({
        dir: child,
        inputs: call.inputs,
        via: `via module.${call.name} at ${call.path}:${call.line}`,
        chain: [...job.chain, child],
      });
    }
  }
  if (budget.exhausted)
    warn('Terraform: evaluation budget exhausted; remaining expressions were left unknown');
  return [...byPath].map(([path, violations]) => ({ path, violations, text: files.get(path) ?? '' }));
}
