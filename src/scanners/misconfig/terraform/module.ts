/**
 * Evaluation of one Terraform module instance: the `.tf` files of a directory share their
 * variables and locals. `var.x` is the module-call argument, else (root module) the value from
 * `terraform.tfvars` / `*.auto.tfvars`, else the variable's default, else unknown; `local.x` is
 * its expression, evaluated on demand with a loop and depth guard. Resources get their `count` /
 * `for_each` instances (each.*, count.index) and their `dynamic` blocks expanded; module blocks
 * become calls with evaluated arguments. Pure: the caller decides which directories exist.
 */
import { HclExpr, type HclAttribute, type HclBlock, type HclValue } from './hcl.js';
import { evaluate, type Budget, type Scope } from './eval.js';

export interface TfFile {
  path: string;
  blocks: HclBlock[];
}
export interface TfVarsFile {
  path: string;
  attributes: Record<string, HclAttribute>;
}
export interface TfModule {
  dir: string;
  files: TfFile[];
  /** Root-module variable values, applied in order (terraform.tfvars, then *.auto.tfvars sorted). */
  tfvars: TfVarsFile[];
}

export interface EvaluatedResource {
  /** Resource type; data sources as `data.<type>`. */
  type: string;
  name: string;
  path: string;
  /** A copy of the resource block with every attribute evaluated. */
  block: HclBlock;
}

export interface ModuleCall {
  name: string;
  /** `source` as written: local sources start with `./` or `../`. */
  source: string;
  path: string;
  line: number;
  inputs: Record<string, HclValue>;
}

export const MODULE_LIMITS = { maxInstances: 16, maxLocalDepth: 100 } as const;

const NO_INPUT = ['source', 'version', 'providers', 'depends_on', 'count', 'for_each'];

function bind(scope: Scope, root: string, values: Record<string, HclValue>): Scope {
  return {
    ref: (r, n) =>
      r === root
        ? Object.prototype.hasOwnProperty.call(values, n)
          ? values[n]
          : undefined
        : scope.ref(r, n),
  };
}

/** Replaces every attribute (recursively) by an unknown: the block may or may not exist. */
function uncertain(b: HclBlock, type: string): HclBlock {
  const attributes: Record<string, HclAttribute> = {};
  for (const [k, a] of Object.entries(b.attributes))
    attributes[k] = { line: a.line, value: new HclExpr(`dynamic "${type}"`) };
  return {
    type,
    labels: [],
    attributes,
    blocks: b.blocks.map((x) => uncertain(x, x.type === 'dynamic' ? (x.labels[0] ?? x.type) : x.type)),
    line: b.line,
    endLine: b.endLine,
  };
}

export class ModuleEvaluator {
  private readonly vars = new Map<string, HclValue>();
  private readonly localExprs = new Map<string, HclValue>();
  private readonly locals = new Map<string, HclValue>();
  private readonly evaluating = new Set<string>();
  private depth = 0;
  readonly scope: Scope;

  constructor(
    private readonly mod: TfModule,
    inputs: Record<string, HclValue> | undefined,
    private readonly budget: Budget,
  ) {
    this.scope = { ref: (root, name) => this.ref(root, name) };
    const empty: Scope = { ref: () => undefined };
    const tfvars = new Map<string, HclValue>();
    if (!inputs)
      for (const f of mod.tfvars)
        for (const [k, a] of Object.entries(f.attributes)) tfvars.set(k, evaluate(a.value, empty, budget));
    for (const f of mod.files)
      for (const b of f.blocks) {
        if (b.type === 'variable' && b.labels[0]) {
          const name = b.labels[0];
          const def = b.attributes.default;
          const defVal = def ? evaluate(def.value, empty, budget) : undefined;
          let v: HclValue | undefined;
          if (inputs && Object.prototype.hasOwnProperty.call(inputs, name)) {
            v = inputs[name]!;
            if (v === null && b.attributes.nullable?.value === false && defVal !== undefined) v = defVal;
          } else if (tfvars.has(name)) v = tfvars.get(name)!;
          else v = defVal;
          this.vars.set(name, v === undefined ? new HclExpr(`var.${name}`) : v);
        }
        if (b.type === 'locals')
          for (const [k, a] of Object.entries(b.attributes)) this.localExprs.set(k, a.value);
      }
  }

  private ref(root: string, name: string): HclValue | undefined {
    if (root === 'var') return this.vars.get(name);
    if (root !== 'local') return undefined;
    if (this.locals.has(name)) return this.locals.get(name);
    const expr = this.localExprs.get(name);
    if (expr === undefined || this.evaluating.has(name) || this.depth >= MODULE_LIMITS.maxLocalDepth)
      return undefined;
    this.evaluating.add(name);
    this.depth++;
    try {
      const v = evaluate(expr, this.scope, this.budget);
      this.locals.set(name, v);
      return v;
    } finally {
      this.depth--;
      this.evaluating.delete(name);
    }
  }

  /** Scopes of the instances of a resource or module block; [] when count = 0 / for_each empty. */
  private instances(b: HclBlock): Scope[] {
    const count = b.attributes.count;
    if (count) {
      const n = evaluate(count.value, this.scope, this.budget);
      if (typeof n === 'number') {
        const k = Math.max(0, Math.min(Math.floor(n), MODULE_LIMITS.maxInstances));
        return Array.from({ length: k }, (_, i) => bind(this.scope, 'count', { index: i }));
      }
      return [bind(this.scope, 'count', {})];
    }
    const fe = b.attributes.for_each;
    if (fe) {
      const v = evaluate(fe.value, this.scope, this.budget);
      const pairs = entries(v);
      if (!pairs) return [bind(this.scope, 'each', {})];
      return pairs
        .slice(0, MODULE_LIMITS.maxInstances)
        .map(([key, value]) => bind(this.scope, 'each', { key, value }));
    }
    return [this.scope];
  }

  private block(b: HclBlock, scope: Scope): HclBlock {
    const attributes: Record<string, HclAttribute> = {};
    for (const [k, a] of Object.entries(b.attributes)) {
      if (k === 'count' || k === 'for_each') continue;
      attributes[k] = { line: a.line, value: evaluate(a.value, scope, this.budget) };
    }
    const blocks: HclBlock[] = [];
    for (const sub of b.blocks) {
      if (sub.type === 'dynamic' && sub.labels[0]) blocks.push(...this.dynamic(sub, scope));
      else blocks.push(this.block(sub, scope));
    }
    return { type: b.type, labels: b.labels, attributes, blocks, line: b.line, endLine: b.endLine };
  }

  /** `dynamic "x" { for_each = …, content { … } }` → one `x` block per element. */
  private dynamic(d: HclBlock, scope: Scope): HclBlock[] {
    const type = d.labels[0]!;
    const content = d.blocks.find((x) => x.type === 'content');
    if (!content) return [];
    const it = d.attributes.iterator?.value;
    const iterName = it instanceof HclExpr ? it.raw : typeof it === 'string' ? it : type;
    const fe = d.attributes.for_each ? evaluate(d.attributes.for_each.value, scope, this.budget) : null;
    const pairs = entries(fe);
    const at = { line: d.line, endLine: d.endLine };
    if (!pairs) return [{ ...uncertain(content, type), ...at }];
    return pairs.slice(0, MODULE_LIMITS.maxInstances).map(([key, value]) => ({
      ...this.block(content, bind(scope, iterName, { key, value })),
      type,
      labels: [],
      ...at,
    }));
  }

  /** Every resource instance, evaluated, and every module call with its arguments. */
  run(): { resources: EvaluatedResource[]; calls: ModuleCall[] } {
    const resources: EvaluatedResource[] = [];
    const calls: ModuleCall[] = [];
    for (const f of this.mod.files)
      for (const b of f.blocks) {
        if ((b.type === 'resource' || b.type === 'data') && b.labels.length >= 2) {
          // Data sources are listed as `data.<type>` (policy documents are checked like policies).
          const type = b.type === 'data' ? `data.${b.labels[0]!}` : b.labels[0]!;
          for (const s of this.instances(b))
            resources.push({ type, name: b.labels[1]!, path: f.path, block: this.block(b, s) });
        } else if (b.type === 'module' && b.labels[0]) {
          const src = b.attributes.source
            ? evaluate(b.attributes.source.value, this.scope, this.budget)
            : null;
          if (typeof src !== 'string') continue;
          for (const s of this.instances(b)) {
            const inputs: Record<string, HclValue> = {};
            for (const [k, a] of Object.entries(b.attributes))
              if (!NO_INPUT.includes(k)) inputs[k] = evaluate(a.value, s, this.budget);
            calls.push({ name: b.labels[0], source: src, path: f.path, line: b.line, inputs });
          }
        }
      }
    return { resources, calls };
  }
}

/** (key, value) pairs of a known for_each collection; undefined when unknown. */
function entries(v: HclValue): [HclValue, HclValue][] | undefined {
  if (v instanceof HclExpr) return undefined;
  if (Array.isArray(v)) return v.map((x, i) => [typeof x === 'string' ? x : i, x]);
  if (v && typeof v === 'object') return Object.entries(v);
  if (v === null) return [];
  return undefined;
}
