/**
 * Kyverno variables: the JSON evaluation context (`request.*`, `images`, `serviceAccountName`,
 * `element`, context entries, values-file variables) and `{{ … }}` / `$( … )` substitution over
 * strings and nested documents (pkg/engine/variables/vars.go):
 * - a string that is exactly one `{{expr}}` takes the JSON type of the result; embedded expressions
 *   are rendered as text (strings as is, other values as Go-style JSON);
 * - nested expressions resolve inside-out; `\{{…}}` is left literally (minus the backslash);
 * - on DELETE requests `request.object` is read from `request.oldObject`;
 * - `{{@}}` is the value at the same path of the resource.
 */
import { stripAnchor } from './anchors.js';
import { evaluateJmesPath, evaluateJmesPathOrMissing, JmesPathError } from './jmespath.js';
import { operatorOf } from './operators.js';

export class SubstitutionError extends Error {
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
    this.name = 'SubstitutionError';
  }
}

type Json = unknown;

const MAX_DEPTH = 64;
const MAX_ROUNDS = 64;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sets an own enumerable property (also for the key `__proto__`, which plain assignment would not). */
function put(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/**
 * A shallow copy of `data` that the caller then extends. Copying key by key keeps V8 on its fast
 * path: a spread followed by new properties (`{ ...data, k: v }`) costs microseconds per call on
 * Node 20, and the evaluation context is copied for every foreach element.
 */
export function copyRecord(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(data);
  for (let i = 0; i < keys.length; i++) put(out, keys[i]!, data[keys[i]!]);
  return out;
}

/** RFC 7386 merge patch, copying only the objects on changed paths (inputs are never mutated). */
export function mergePatch(target: unknown, patch: unknown, depth = 0): unknown {
  if (!isRecord(patch) || depth > MAX_DEPTH) return patch;
  if (!isRecord(target) && !containsNull(patch, 0)) return patch;
  const base: Record<string, unknown> = isRecord(target) ? copyRecord(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete base[k];
    else
      put(
        base,
        k,
        mergePatch(Object.prototype.hasOwnProperty.call(base, k) ? base[k] : undefined, v, depth + 1),
      );
  }
  return base;
}

function containsNull(v: unknown, depth: number): boolean {
  if (v === null) return true;
  if (depth > MAX_DEPTH || typeof v !== 'object') return false;
  if (Array.isArray(v)) return false;
  for (const k in v as Record<string, unknown>)
    if (containsNull((v as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

/** `{a: {b: value}}` for the dotted key `a.b`. */
function nest(key: string, value: unknown): Record<string, unknown> {
  const parts = key.split('.');
  let out: unknown = value;
  for (let i = parts.length - 1; i >= 0; i--) out = { [parts[i]!]: out };
  return out as Record<string, unknown>;
}

/** The JSON document JMESPath expressions run against. Immutable: every change returns a new context. */
export class EvalContext {
  constructor(readonly data: Record<string, unknown>) {}

  /** AddVariable: dotted key → nested value, JSON-merge-patched into the context (null removes). */
  withVariable(key: string, value: unknown): EvalContext {
    if (key.trim() === '') return this;
    return new EvalContext(mergePatch(this.data, nest(key, value ?? null)) as Record<string, unknown>);
  }

  withVariables(vars: Record<string, unknown> | undefined): EvalContext {
    if (!vars) return this;
    return Object.entries(vars).reduce<EvalContext>((ctx, [k, v]) => ctx.withVariable(k, v), this);
  }

  /** Sets a top-level key (no dotted-path interpretation). */
  withTopLevel(key: string, value: unknown): EvalContext {
    const data = copyRecord(this.data);
    put(data, key, value);
    return new EvalContext(data);
  }

  query(expression: string): unknown {
    const q = expression.trim();
    if (q === '') throw new SubstitutionError('invalid query (nil)');
    return evaluateJmesPath(q, this.data);
  }

  /** `query`, but MISSING where `query` throws an "Unknown key" error. */
  queryOrMissing(expression: string): unknown {
    const q = expression.trim();
    if (q === '') throw new SubstitutionError('invalid query (nil)');
    return evaluateJmesPathOrMissing(q, this.data);
  }

  /**
   * Kyverno's AddElement: `element`, `element<n>` (JSON-merged, as `withVariable` does) and
   * `elementIndex`, `elementIndex<n>`, in one copy of the context instead of four.
   */
  withElement(element: unknown, index: number, nesting: number): EvalContext {
    if (element === null || element === undefined)
      return this.withVariable('element', element)
        .withVariable(`element${nesting}`, element)
        .withTopLevel('elementIndex', index)
        .withTopLevel(`elementIndex${nesting}`, index);
    const data = this.data;
    const nested = `element${nesting}`;
    // mergePatch(target, element) is `element` itself unless the target is an object or the element holds nulls.
    const clean = !isRecord(element) || !containsNull(element, 0);
    const outer = data.element;
    const outerNested = data[nested];
    const out = copyRecord(data);
    out.element = clean && !isRecord(outer) ? element : mergePatch(outer, element, 1);
    out[nested] = clean && !isRecord(outerNested) ? element : mergePatch(outerNested, element, 1);
    out.elementIndex = index;
    out[`elementIndex${nesting}`] = index;
    return new EvalContext(out);
  }

  get(key: string): unknown {
    return this.data[key];
  }

  isDelete(): boolean {
    const r = this.data.request;
    return isRecord(r) && r.operation === 'DELETE';
  }
}

// ---------------------------------------------------------------- Go-style JSON text

/** Go `json.Marshal`: sorted object keys, `<`, `>`, `&` escaped. */
export function goJson(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) return 'null';
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map((v) => goJson(v, depth + 1)).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${goJson(k)}:${goJson(value[k], depth + 1)}`).join(',')}}`;
  }
  return 'null';
}

// ---------------------------------------------------------------- {{ }} variables

const VARIABLE = /(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})/g;
const ESCAPED_VARIABLE = /\\\{\{(?:\{[^{}]*\}|[^{}])*\}\}/g;

export function containsVariable(s: string): boolean {
  VARIABLE.lastIndex = 0;
  const found = VARIABLE.test(s);
  VARIABLE.lastIndex = 0;
  return found;
}

function stripBraces(v: string): string {
  return v.split('{{').join('').split('}}').join('').trim();
}

/** JMESPath for a JSON pointer: `request.object.spec.containers[0].image`. */
function pointerToJmesPath(segments: string[]): string {
  let out = '';
  for (const s of segments) {
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) out += (out ? '.' : '') + s;
    else out += (out ? '.' : '') + JSON.stringify(s);
  }
  return out;
}

function atPathExpression(path: string[], ctx: EvalContext): string {
  const idx = path.lastIndexOf('foreach');
  const rest = (idx >= 0 ? path.slice(idx + 1) : path).slice(2).map(stripAnchor);
  let prefix = ['target'];
  try {
    ctx.query('target');
  } catch {
    prefix = ['request', 'object'];
  }
  return pointerToJmesPath([...prefix, ...rest]);
}

export type Resolver = (ctx: EvalContext, variable: string) => unknown;

export const defaultResolver: Resolver = (ctx, variable) => ctx.query(variable);

function resolveVariable(ctx: EvalContext, variable: string, path: string[], resolver: Resolver): unknown {
  let expr = variable;
  if (expr === '@') expr = atPathExpression(path, ctx);
  if (ctx.isDelete()) expr = expr.split('request.object').join('request.oldObject');
  try {
    return resolver(ctx, expr);
  } catch (e) {
    if (e instanceof SubstitutionError) throw e;
    const notFound = e instanceof JmesPathError && e.notFound;
    const where = path.length ? '/' + path.join('/') : '';
    throw new SubstitutionError(
      `failed to resolve ${expr} at path ${where}: ${(e as Error).message}`,
      notFound,
    );
  }
}

const singleCache = new Map<string, string | null>();
const SINGLE_CACHE_LIMIT = 4096;

/**
 * The expression when `value` is exactly one `{{expr}}` (the common case: condition keys, list
 * paths), cached per string — it depends on the text only.
 */
function singleExpression(value: string): string | undefined {
  let hit = singleCache.get(value);
  if (hit === undefined) {
    VARIABLE.lastIndex = 0;
    const m = VARIABLE.exec(value);
    VARIABLE.lastIndex = 0;
    hit = m && (m[1] ?? '') === '' && m.index === 0 && m[2] === value ? stripBraces(value) : null;
    if (singleCache.size >= SINGLE_CACHE_LIMIT) singleCache.clear();
    singleCache.set(value, hit);
  }
  return hit ?? undefined;
}

/** Substitutes the `{{ }}` expressions of one string; returns a typed value when the string is exactly one expression. */
export function substituteString(
  value: string,
  ctx: EvalContext,
  path: string[] = [],
  resolver: Resolver = defaultResolver,
): unknown {
  const single = singleExpression(value);
  if (single !== undefined) return resolveVariable(ctx, single, path, resolver);
  let current = value;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    VARIABLE.lastIndex = 0;
    const m = VARIABLE.exec(current);
    if (!m) break;
    const prefix = m[1] ?? '';
    const v = m[2]!;
    const resolved = resolveVariable(ctx, stripBraces(v), path, resolver);
    if (prefix === '' && m.index === 0 && v === current) return resolved;
    const text = typeof resolved === 'string' ? resolved : goJson(resolved);
    const start = m.index + prefix.length;
    current = current.slice(0, start) + text + current.slice(start + v.length);
    if (current.length > 1 << 20) throw new SubstitutionError('substituted value too large');
  }
  VARIABLE.lastIndex = 0;
  return current.replace(ESCAPED_VARIABLE, (s) => s.slice(1));
}

// ---------------------------------------------------------------- $( ) references

const REFERENCE = /(^|[^\\])\$\(.[^ ]*\)/g;

function joinPath(base: string[], rel: string): string[] {
  const parts = rel.startsWith('/') ? [] : [...base];
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts;
}

function leafAt(doc: unknown, target: string[]): unknown {
  let found: unknown = undefined;
  const walk = (node: unknown, path: string[], depth: number) => {
    if (depth > MAX_DEPTH || found !== undefined) return;
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...path, String(i)], depth + 1));
    else if (isRecord(node))
      for (const [k, v] of Object.entries(node)) walk(v, [...path, stripAnchor(k)], depth + 1);
    else if (path.length === target.length && path.every((p, i) => p === target[i])) found = node;
  };
  walk(doc, [], 0);
  return found;
}

function substituteReferencesInString(value: string, doc: unknown, path: string[]): string {
  if (!value.includes('$(')) return value;
  const out = value.replace(REFERENCE, (whole: string, prefix: string) => {
    const ref = whole.slice(prefix.length);
    let inner = ref.slice(2, -1);
    const op = operatorOf(inner);
    const opText = op === 'range' || op === 'notRange' ? '' : op;
    inner = inner.slice(opText.length);
    if (inner === '') throw new SubstitutionError('expected path, found empty reference');
    const target = joinPath(path.map(stripAnchor), inner);
    const resolved = leafAt(doc, target);
    if (resolved === undefined || resolved === null)
      throw new SubstitutionError(`got nil resolved variable ${ref} at path /${path.join('/')}`);
    if (opText === '') {
      if (typeof resolved !== 'string')
        throw new SubstitutionError(
          `NotResolvedReferenceErr,reference ${ref} not resolved at path /${path.join('/')}`,
        );
      return prefix + resolved;
    }
    const text =
      typeof resolved === 'string' ? resolved : typeof resolved === 'number' ? String(resolved) : undefined;
    if (text === undefined)
      throw new SubstitutionError(`incorrect expression: operator ${opText} does not match with value`);
    return prefix + opText + text;
  });
  return out.replace(/\\\$\(/g, '$(');
}

// ---------------------------------------------------------------- documents

function walk(node: Json, path: string[], depth: number, leaf: (s: string, path: string[]) => unknown): Json {
  if (depth > MAX_DEPTH) throw new SubstitutionError(`document nested deeper than ${MAX_DEPTH} levels`);
  if (typeof node === 'string') return leaf(node, path);
  if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, String(i)], depth + 1, leaf));
  if (isRecord(node)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const newKey = containsVariable(k) || k.includes('$(') ? leaf(k, [...path, k]) : k;
      out[typeof newKey === 'string' ? newKey : goJson(newKey)] = walk(v, [...path, k], depth + 1, leaf);
    }
    return out;
  }
  return node;
}

const substitutable = new WeakMap<object, boolean>();

/** Whether any string leaf or key of the document holds a `{{`, `\{{` or `$(` (cached per object). */
function needsSubstitution(node: Json, depth = 0): boolean {
  if (typeof node === 'string') return node.includes('{{') || node.includes('$(');
  if (typeof node !== 'object' || node === null || depth > MAX_DEPTH) return false;
  const hit = substitutable.get(node);
  if (hit !== undefined) return hit;
  let found = false;
  if (Array.isArray(node)) found = node.some((v) => needsSubstitution(v, depth + 1));
  else
    for (const [k, v] of Object.entries(node)) {
      if (k.includes('{{') || k.includes('$(') || needsSubstitution(v, depth + 1)) {
        found = true;
        break;
      }
    }
  substitutable.set(node, found);
  return found;
}

/** SubstituteAll: `$()` references, then `{{ }}` variables, over every string leaf and key. */
export function substituteAll(document: Json, ctx: EvalContext, resolver: Resolver = defaultResolver): Json {
  if (!needsSubstitution(document)) return document;
  const withRefs = walk(document, [], 0, (s, path) => substituteReferencesInString(s, document, path));
  return walk(withRefs, [], 0, (s, path) =>
    containsVariable(s) || s.includes('\\{{') ? substituteString(s, ctx, path, resolver) : s,
  );
}
