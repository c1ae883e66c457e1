/**
 * The few pure Terraform functions the evaluator knows (collections, strings, conversions,
 * jsonencode). Any other function (file, templatefile, timestamp, uuid, regex, cidrsubnet…) yields
 * undefined: the call stays unknown. Functions only run on wholly known arguments, except the
 * collection functions that just move values around (concat, merge, length, lookup…).
 */
import { HclExpr, type HclValue } from './hcl.js';

/** A definite evaluation error (attribute of null, index out of range): `try()` skips it. */
export class EvalError {
  constructor(readonly message: string) {}
}

export const VALUE_LIMITS = { maxElements: 10_000, maxStringLength: 1024 * 1024, maxDepth: 64 } as const;

const knownness = new WeakMap<object, boolean>();

/** No unknown anywhere inside (memoised per object, like sizeOf). */
export function isKnown(v: HclValue): boolean {
  if (v instanceof HclExpr) return false;
  if (!v || typeof v !== 'object') return true;
  const memo = knownness.get(v);
  if (memo !== undefined) return memo;
  const r = (Array.isArray(v) ? v : Object.values(v)).every(isKnown);
  knownness.set(v, r);
  return r;
}

const sizes = new WeakMap<object, number>();

/**
 * Rough size (elements, and characters / 64) of the value as a tree. Memoised per object, so a value
 * built from shared parts (`a = [local.b, local.b]`, nested) is measured in linear time even when
 * its tree is exponentially large: such values are refused (unknown) instead of expanded.
 */
export function sizeOf(v: HclValue): number {
  if (typeof v === 'string') return 1 + Math.floor(v.length / 64);
  if (!v || typeof v !== 'object' || v instanceof HclExpr) return 1;
  const known = sizes.get(v);
  if (known !== undefined) return known;
  const parts: HclValue[] = Array.isArray(v) ? v : Object.values(v);
  let n = 1;
  for (const x of parts) n += sizeOf(x);
  sizes.set(v, n);
  return n;
}

type Obj = { [k: string]: HclValue };
const isObj = (v: HclValue): v is Obj =>
  !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof HclExpr);
const isList = (v: HclValue): v is HclValue[] => Array.isArray(v);
const str = (v: HclValue): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

function jsonOf(v: HclValue): string {
  if (isList(v)) return `[${v.map(jsonOf).join(',')}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${jsonOf(v[k]!)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function dedupe(xs: HclValue[]): HclValue[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = jsonOf(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function flatten(xs: HclValue[], depth = 0): HclValue[] | undefined {
  if (depth > VALUE_LIMITS.maxDepth) return undefined;
  const out: HclValue[] = [];
  for (const x of xs) {
    if (x instanceof HclExpr) return undefined;
    if (isList(x)) {
      const f = flatten(x, depth + 1);
      if (!f) return undefined;
      out.push(...f);
    } else out.push(x);
    if (out.length > VALUE_LIMITS.maxElements) return undefined;
  }
  return out;
}

type Fn = (args: HclValue[]) => HclValue | EvalError | undefined;

/** Functions that need every argument wholly known. */
const STRICT: Record<string, Fn> = {
  lower: ([s]) => (typeof s === 'string' ? s.toLowerCase() : undefined),
  upper: ([s]) => (typeof s === 'string' ? s.toUpperCase() : undefined),
  trimspace: ([s]) => (typeof s === 'string' ? s.trim() : undefined),
  startswith: ([s, p]) => (typeof s === 'string' && typeof p === 'string' ? s.startsWith(p) : undefined),
  endswith: ([s, p]) => (typeof s === 'string' && typeof p === 'string' ? s.endsWith(p) : undefined),
  tostring: ([v]) => (v === null ? null : str(v ?? null)),
  tonumber: ([v]) => {
    if (v === null) return null;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) ? n : new EvalError('not a number');
  },
  tobool: ([v]) =>
    v === null
      ? null
      : v === true || v === 'true'
        ? true
        : v === false || v === 'false'
          ? false
          : new EvalError('not a bool'),
  join: ([sep, list]) =>
    typeof sep === 'string' && isList(list ?? null) && (list as HclValue[]).every((x) => str(x) !== undefined)
      ? (list as HclValue[]).map((x) => str(x)!).join(sep)
      : undefined,
  split: ([sep, s]) => (typeof sep === 'string' && typeof s === 'string' && sep ? s.split(sep) : undefined),
  contains: ([list, v]) =>
    isList(list ?? null) ? (list as HclValue[]).some((x) => jsonOf(x) === jsonOf(v ?? null)) : undefined,
  jsonencode: ([v]) => jsonOf(v ?? null),
  distinct: ([l]) => (isList(l ?? null) ? dedupe(l as HclValue[]) : undefined),
  toset: ([l]) => (isList(l ?? null) ? dedupe(l as HclValue[]) : undefined),
  flatten: ([l]) => (isList(l ?? null) ? flatten(l as HclValue[]) : undefined),
  compact: ([l]) => (isList(l ?? null) ? (l as HclValue[]).filter((x) => x !== null && x !== '') : undefined),
  replace: ([s, a, b]) =>
    typeof s === 'string' && typeof a === 'string' && typeof b === 'string' && a && !/^\/.*\/$/.test(a)
      ? s.split(a).join(b)
      : undefined,
  substr: ([s, off, len]) => {
    if (typeof s !== 'string' || typeof off !== 'number' || typeof len !== 'number') return undefined;
    const chars = [...s];
    const start = off < 0 ? chars.length + off : off;
    return chars.slice(start, len < 0 ? undefined : start + len).join('');
  },
  format: ([f, ...args]) => {
    if (typeof f !== 'string') return undefined;
    let i = 0;
    let bad = false;
    const out = f.replace(/%(%|[sdv])/g, (_, c: string) => {
      if (c === '%') return '%';
      const a = args[i++];
      const s = a === undefined ? undefined : str(a);
      if (s === undefined) bad = true;
      return s ?? '';
    });
    return bad || /%[^%sdv]/.test(f) ? undefined : out;
  },
  min: (xs) => (xs.every((x) => typeof x === 'number') ? Math.min(...(xs as number[])) : undefined),
  max: (xs) => (xs.every((x) => typeof x === 'number') ? Math.max(...(xs as number[])) : undefined),
  abs: ([n]) => (typeof n === 'number' ? Math.abs(n) : undefined),
};

/** Functions that only move values: unknown elements are carried along. */
const LOOSE: Record<string, Fn> = {
  length: ([v]) =>
    isList(v ?? null)
      ? (v as HclValue[]).length
      : isObj(v ?? null)
        ? Object.keys(v as Obj).length
        : typeof v === 'string'
          ? [...v].length
          : undefined,
  concat: (ls) => (ls.every(isList) ? ls.flat() : undefined),
  merge: (os) => {
    if (!os.every((o) => o === null || isObj(o))) return undefined;
    return Object.assign({}, ...os.filter((o) => o !== null)) as Obj;
  },
  lookup: ([m, k, d]) => {
    if (!isObj(m ?? null) || typeof k !== 'string') return undefined;
    const o = m as Obj;
    if (Object.prototype.hasOwnProperty.call(o, k)) return o[k]!;
    return d === undefined ? new EvalError(`no key ${k}`) : d;
  },
  coalesce: (xs) => {
    for (const x of xs) {
      if (x instanceof HclExpr) return undefined;
      if (x !== null && x !== '') return x;
    }
    return new EvalError('no non-null argument');
  },
  coalescelist: (xs) => {
    for (const x of xs) {
      if (!isList(x)) return undefined;
      if (x.length) return x;
    }
    return new EvalError('no non-empty list');
  },
  tolist: ([l]) => (isList(l ?? null) ? l! : undefined),
  tomap: ([m]) => (isObj(m ?? null) ? m! : undefined),
  keys: ([m]) => (isObj(m ?? null) ? Object.keys(m as Obj).sort() : undefined),
  values: ([m]) =>
    isObj(m ?? null)
      ? Object.keys(m as Obj)
          .sort()
          .map((k) => (m as Obj)[k]!)
      : undefined,
  element: ([l, i]) =>
    isList(l ?? null) && typeof i === 'number' && (l as HclValue[]).length
      ? (l as HclValue[])[Math.floor(i) % (l as HclValue[]).length]!
      : undefined,
  one: ([l]) =>
    isList(l ?? null)
      ? (l as HclValue[]).length === 0
        ? null
        : (l as HclValue[]).length === 1
          ? (l as HclValue[])[0]!
          : new EvalError('more than one element')
      : undefined,
};

/** Result of a known function on evaluated arguments; undefined when it cannot be computed. */
export function callFunction(name: string, args: HclValue[]): HclValue | EvalError | undefined {
  const loose = LOOSE[name];
  if (loose) {
    const r = loose(args);
    return r !== undefined && !(r instanceof EvalError) && sizeOf(r) > VALUE_LIMITS.maxElements
      ? undefined
      : r;
  }
  const strict = STRICT[name];
  if (!strict || !args.every((a) => isKnown(a))) return undefined;
  const r = strict(args);
  if (typeof r === 'string' && r.length > VALUE_LIMITS.maxStringLength) return undefined;
  return r;
}
