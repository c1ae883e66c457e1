/**
 * JMESPath as Kyverno evaluates it: @jmespath-community/jmespath with Kyverno's custom functions,
 * legacy backtick literals, and Kyverno's "Unknown key" rule: a field missing from an object is an
 * error only when it sits on the plain path spine of the expression (`a.b.c`, `a.b[0]`); inside
 * projections, filters, function arguments, `||`, pipes and multi-selects it is just null
 * (pkg/engine/jmespath/interpreter.go).
 */
import { compile, TreeInterpreter, type JSONValue } from '@jmespath-community/jmespath';
import { registerKyvernoFunctions } from './jmespath-functions.js';

registerKyvernoFunctions();

type Ast = ReturnType<typeof compile>;

export class JmesPathError extends Error {
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
    this.name = 'JmesPathError';
  }
}

/** NotFound errors are frequent and caught often (foreach lists, defaults): build them without a stack. */
function notFound(name: string): JmesPathError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new JmesPathError(`JMESPath query failed: Unknown key "${name}" in path`, true);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

const MAX_EXPRESSION = 8_192;
const CACHE_LIMIT = 2_048;
const cache = new Map<string, Ast | JmesPathError>();

/** Compiles (and caches) an expression; throws JmesPathError on syntax errors. */
export function compileJmesPath(expression: string): Ast {
  const hit = cache.get(expression);
  if (hit instanceof JmesPathError) throw hit;
  if (hit) return hit;
  let result: Ast | JmesPathError;
  if (expression.length > MAX_EXPRESSION) result = new JmesPathError('JMESPath expression too long');
  else {
    try {
      result = compile(expression, { enable_legacy_literals: true });
    } catch (e) {
      result = new JmesPathError(`incorrect query ${expression}: ${(e as Error).message}`);
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(expression, result);
  if (result instanceof JmesPathError) throw result;
  return result;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface NodeShape {
  type: string;
  name?: string;
  left?: Ast;
  right?: Ast;
}

function lenient(node: Ast, value: unknown): unknown {
  try {
    return TreeInterpreter.search(node, value as JSONValue);
  } catch (e) {
    if (e instanceof JmesPathError) throw e;
    throw new JmesPathError(`JMESPath query failed: ${(e as Error).message}`);
  }
}

function strict(node: Ast, value: unknown, depth: number): unknown {
  const n = node as unknown as NodeShape;
  if (depth > 256) throw new JmesPathError('JMESPath expression nested too deeply');
  if (n.type === 'Field') {
    if (!isRecord(value)) return null;
    const name = n.name ?? '';
    if (!Object.prototype.hasOwnProperty.call(value, name)) throw notFound(name);
    return value[name] ?? null;
  }
  if ((n.type === 'Subexpression' || n.type === 'IndexExpression') && n.left && n.right) {
    const left = strict(n.left, value, depth + 1);
    if (left === null || left === undefined) return null;
    return strict(n.right, left, depth + 1);
  }
  return lenient(node, value);
}

/** Returned by `evaluateJmesPathOrMissing` where `evaluateJmesPath` throws "Unknown key". */
export const MISSING: unique symbol = Symbol('missing key');

function strictOrMissing(node: Ast, value: unknown, depth: number): unknown {
  const n = node as unknown as NodeShape;
  if (depth > 256) throw new JmesPathError('JMESPath expression nested too deeply');
  if (n.type === 'Field') {
    if (!isRecord(value)) return null;
    const name = n.name ?? '';
    if (!Object.prototype.hasOwnProperty.call(value, name)) return MISSING;
    return value[name] ?? null;
  }
  if ((n.type === 'Subexpression' || n.type === 'IndexExpression') && n.left && n.right) {
    const left = strictOrMissing(n.left, value, depth + 1);
    if (left === MISSING) return MISSING;
    if (left === null || left === undefined) return null;
    return strictOrMissing(n.right, left, depth + 1);
  }
  return lenient(node, value);
}

/**
 * `evaluateJmesPath` for callers that treat a missing key as "no value" (foreach lists): the same
 * result, but MISSING instead of a thrown NotFound error — no exception on a hot path.
 */
export function evaluateJmesPathOrMissing(expression: string, data: unknown): unknown {
  const ast = compileJmesPath(expression.trim());
  const out = strictOrMissing(ast, data, 0);
  return out === undefined ? null : out;
}

/** Evaluates an expression against data with Kyverno's error rules (throws JmesPathError). */
export function evaluateJmesPath(expression: string, data: unknown): unknown {
  const ast = compileJmesPath(expression.trim());
  const out = strict(ast, data, 0);
  return out === undefined ? null : out;
}
