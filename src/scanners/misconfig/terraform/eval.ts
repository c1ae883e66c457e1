/**
 * Evaluates Terraform expressions over known values. An unknown value is an `HclExpr` carrying the
 * text as written (`aws_s3_bucket.b.id`, `data.x.y`, `file("p")`): references other than the bound
 * namespaces (var, local, each, count, dynamic-block iterators), unsupported functions and syntax
 * stay unknown, and so does anything computed from an unknown. Nothing is guessed.
 */
import { HclExpr, type HclValue } from './hcl.js';
import { ExprSyntaxError, parseExpr, type Node, type Step } from './expr.js';
import { callFunction, EvalError, isKnown, sizeOf, VALUE_LIMITS } from './functions.js';

/** Where references are looked up: `var.x` → ref('var', 'x'); undefined when not known. */
export interface Scope {
  ref(root: string, name: string): HclValue | undefined;
}

export class BudgetExceeded extends Error {}

/** Evaluation steps left for one scan of a module tree (hostile input cannot make it run long). */
export class Budget {
  /** Current nesting of expression evaluation (locals included), bounded to protect the stack. */
  depth = 0;
  constructor(public steps: number) {}
  get exhausted(): boolean {
    return this.steps < 0;
  }
  spend(n = 1): void {
    this.steps -= n;
    if (this.steps < 0) throw new BudgetExceeded('evaluation budget exhausted');
  }
}

const astCache = new WeakMap<HclExpr, Node | ExprSyntaxError>();

function astOf(e: HclExpr): Node | undefined {
  let n = astCache.get(e);
  if (n === undefined) {
    try {
      n = parseExpr(e.raw);
    } catch (err) {
      if (!(err instanceof ExprSyntaxError)) throw err;
      n = err;
    }
    astCache.set(e, n);
  }
  return n instanceof ExprSyntaxError ? undefined : n;
}

type V = HclValue | EvalError;

/** Nested evaluations (through locals too) beyond this are unknown. */
export const EVAL_MAX_DEPTH = 400;

const unknownAt = (src: string, n: Node): HclExpr => new HclExpr(src.slice(n.s, n.e).trim() || src);

/**
 * The value of a parsed attribute value in `scope`: literals as they are, lists and objects element
 * by element, expressions evaluated. Unknown (or failing) parts become `HclExpr`. Once the budget
 * is spent, expressions are left unevaluated (unknown).
 */
export function evaluate(v: HclValue, scope: Scope, budget: Budget): HclValue {
  if (budget.exhausted) return v;
  try {
    return evaluateValue(v, scope, budget);
  } catch (err) {
    if (err instanceof BudgetExceeded) return v;
    throw err;
  }
}

function evaluateValue(v: HclValue, scope: Scope, budget: Budget): HclValue {
  budget.spend();
  if (v instanceof HclExpr) {
    const ast = astOf(v);
    if (!ast) return v;
    const r = new Evaluator(v.raw, scope, budget).node(ast);
    return r instanceof EvalError ? v : r;
  }
  let out: HclValue;
  if (Array.isArray(v)) out = v.map((x) => evaluateValue(x, scope, budget));
  else if (v && typeof v === 'object')
    out = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evaluateValue(x, scope, budget)]));
  else return v;
  // Elements built from shared parts can make a huge tree: keep the value unevaluated then.
  return sizeOf(out) > VALUE_LIMITS.maxElements && sizeOf(out) > sizeOf(v) ? v : out;
}

const asBool = (v: HclValue): boolean | undefined =>
  v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined;
const asNumber = (v: HclValue): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;

export function deepEqual(a: HclValue, b: HclValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]!));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    if (a instanceof HclExpr || b instanceof HclExpr) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k]!, b[k]!));
  }
  return false;
}

class Evaluator {
  constructor(
    private readonly src: string,
    private readonly scope: Scope,
    private readonly budget: Budget,
  ) {}

  /** A node's value for storing in a structure: errors and unknowns become `HclExpr`. */
  private settle(n: Node): HclValue {
    const v = this.node(n);
    return v instanceof EvalError ? unknownAt(this.src, n) : v;
  }

  node(n: Node): V {
    this.budget.spend();
    if (this.budget.depth >= EVAL_MAX_DEPTH) return unknownAt(this.src, n);
    this.budget.depth++;
    try {
      return this.nodeInner(n);
    } finally {
      this.budget.depth--;
    }
  }

  private nodeInner(n: Node): V {
    switch (n.k) {
      case 'lit':
        return n.v;
      case 'tpl':
        return this.template(n);
      case 'list': {
        const out = n.items.map((x) => this.settle(x));
        return sizeOf(out) > VALUE_LIMITS.maxElements ? unknownAt(this.src, n) : out;
      }
      case 'obj': {
        const out: { [k: string]: HclValue } = {};
        for (const [kn, vn] of n.items) {
          const k = this.node(kn);
          if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'boolean')
            return unknownAt(this.src, n);
          out[String(k)] = this.settle(vn);
        }
        return sizeOf(out) > VALUE_LIMITS.maxElements ? unknownAt(this.src, n) : out;
      }
      case 'ref': {
        const [first, ...rest] = n.steps;
        if (!first || !('attr' in first)) return unknownAt(this.src, n);
        const v = this.scope.ref(n.root, first.attr);
        if (v === undefined) return unknownAt(this.src, n);
        return this.steps(v, rest, n);
      }
      case 'access': {
        const v = this.node(n.x);
        if (v instanceof EvalError) return v;
        return this.steps(v, n.steps, n);
      }
      case 'un': {
        const x = this.node(n.x);
        if (x instanceof EvalError) return x;
        if (x instanceof HclExpr) return unknownAt(this.src, n);
        if (n.op === '!') {
          const b = asBool(x);
          return b === undefined ? new EvalError('! of a non-boolean') : !b;
        }
        const num = asNumber(x);
        return num === undefined ? new EvalError('- of a non-number') : -num;
      }
      case 'bin':
        return this.binary(n);
      case 'cond': {
        const c = this.node(n.c);
        if (c instanceof EvalError) return c;
        const b = c instanceof HclExpr ? undefined : asBool(c);
        if (b === true) return this.node(n.a);
        if (b === false) return this.node(n.b);
        if (!(c instanceof HclExpr)) return new EvalError('condition is not a boolean');
        // Unknown condition: known only when both branches agree.
        const a = this.node(n.a);
        const z = this.node(n.b);
        if (a instanceof EvalError || z instanceof EvalError) return unknownAt(this.src, n);
        return isKnown(a) && isKnown(z) && deepEqual(a, z) ? a : unknownAt(this.src, n);
      }
      case 'call': {
        const name = n.name.replace(/^provider::[^:]+::/, '');
        if (name === 'try' || name === 'can') {
          for (const a of n.args) {
            const v = this.node(a);
            if (v instanceof EvalError) continue;
            if (!isKnown(v)) return unknownAt(this.src, n);
            return name === 'can' ? true : v;
          }
          return name === 'can' ? false : new EvalError('no argument of try() succeeded');
        }
        const args: HclValue[] = [];
        for (const a of n.args) {
          const v = this.node(a);
          if (v instanceof EvalError) return v;
          args.push(v);
        }
        if (n.expand) {
          const last = args.pop();
          if (!Array.isArray(last)) return unknownAt(this.src, n);
          args.push(...last);
        }
        const r = callFunction(name, args);
        if (r === undefined) return unknownAt(this.src, n);
        if (!(r instanceof EvalError)) this.budget.spend(sizeOf(r));
        return r;
      }
    }
  }

  private steps(v0: HclValue, steps: Step[], n: Node): V {
    let v: HclValue = v0;
    for (const st of steps) {
      if (v instanceof HclExpr) return unknownAt(this.src, n);
      let key: HclValue;
      if ('attr' in st) key = st.attr;
      else {
        const k = this.node(st.index);
        if (k instanceof EvalError) return k;
        key = k;
      }
      if (key instanceof HclExpr) return unknownAt(this.src, n);
      if (v === null) return new EvalError('attribute of null');
      if (Array.isArray(v)) {
        const i = asNumber(key);
        if (i === undefined || !Number.isInteger(i)) return new EvalError('bad list index');
        if (i < 0 || i >= v.length) return new EvalError('index out of range');
        v = v[i]!;
      } else if (typeof v === 'object') {
        const k = String(key);
        // A key missing from a known object may be an optional attribute of the variable's type.
        if (!Object.prototype.hasOwnProperty.call(v, k)) return unknownAt(this.src, n);
        v = v[k]!;
      } else return new EvalError('attribute of a primitive');
    }
    return v;
  }

  private binary(n: Extract<Node, { k: 'bin' }>): V {
    const l = this.node(n.l);
    if (l instanceof EvalError) return l;
    if (n.op === '&&' || n.op === '||') {
      // false && x is false and true || x is true whatever x is.
      const lb = l instanceof HclExpr ? undefined : asBool(l);
      if (n.op === '&&' && lb === false) return false;
      if (n.op === '||' && lb === true) return true;
      const r = this.node(n.r);
      if (r instanceof EvalError) return r;
      const rb = r instanceof HclExpr ? undefined : asBool(r);
      if (n.op === '&&' && rb === false) return false;
      if (n.op === '||' && rb === true) return true;
      if (lb !== undefined && rb !== undefined) return n.op === '&&' ? lb && rb : lb || rb;
      return unknownAt(this.src, n);
    }
    const r = this.node(n.r);
    if (r instanceof EvalError) return r;
    if (!isKnown(l) || !isKnown(r)) return unknownAt(this.src, n);
    if (n.op === '==') return deepEqual(l, r);
    if (n.op === '!=') return !deepEqual(l, r);
    const a = asNumber(l);
    const b = asNumber(r);
    if (a === undefined || b === undefined) return new EvalError(`${n.op} needs numbers`);
    switch (n.op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return b === 0 ? new EvalError('division by zero') : a / b;
      case '%':
        return b === 0 ? new EvalError('division by zero') : a % b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      default:
        return a >= b;
    }
  }

  private template(n: Extract<Node, { k: 'tpl' }>): V {
    let out = '';
    for (const p of n.parts) {
      if (typeof p === 'string') out += p;
      else {
        const v = this.node(p);
        if (v instanceof EvalError) return v;
        if (typeof v === 'string') out += v;
        else if (typeof v === 'number' || typeof v === 'boolean') out += String(v);
        else if (v instanceof HclExpr) return unknownAt(this.src, n);
        else return new EvalError('cannot interpolate a null, list or object');
      }
      if (out.length > VALUE_LIMITS.maxStringLength) return unknownAt(this.src, n);
    }
    this.budget.spend(Math.ceil(out.length / 64));
    return out;
  }
}
