/**
 * The shared CEL environment (@marcbachmann/cel-js) with Kubernetes admission variables and the
 * extension library, and a bounded cache of compiled expressions.
 */
import { Environment } from '@marcbachmann/cel-js';
import { registerLibrary } from './library.js';
import { restoreCelNames, rewriteCelSource } from './rewrite.js';

/** Structural limits checked at parse time (the library has no runtime cost budget). */
export const CEL_LIMITS = {
  maxAstNodes: 20000,
  maxDepth: 96,
  maxListElements: 1000,
  maxMapEntries: 1000,
  maxCallArguments: 32,
} as const;

export const MAX_EXPRESSION_LENGTH = 20000;

/** Variables every expression may reference (Kubernetes admission + Kyverno). */
export const ADMISSION_VARIABLES = [
  'object',
  'oldObject',
  'request',
  'params',
  'namespaceObject',
  'variables',
  'authorizer',
] as const;

let shared: Environment | undefined;

export function celEnvironment(): Environment {
  if (shared) return shared;
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
    limits: CEL_LIMITS,
  });
  for (const name of ADMISSION_VARIABLES) env.registerVariable(name, 'dyn');
  registerLibrary(env);
  shared = env;
  return env;
}

export type CelProgram = (activation: Record<string, unknown>) => unknown;

export interface CompiledExpression {
  source: string;
  program: CelProgram;
  /** Static result type from the checker (`bool`, `string`, `dyn` …). */
  type: string;
}

export type CompileResult = { ok: true; expression: CompiledExpression } | { ok: false; error: string };

const MAX_CACHED = 4096;
const cache = new Map<string, CompileResult>();

export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return restoreCelNames(text.split('\n')[0] ?? text);
}

/** Parses and type-checks an expression once; results (including errors) are cached by source. */
export function compileCel(source: unknown): CompileResult {
  if (typeof source !== 'string') return { ok: false, error: 'expression must be a string' };
  const hit = cache.get(source);
  if (hit) return hit;
  const result = compileUncached(source);
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(source, result);
  return result;
}

function compileUncached(source: string): CompileResult {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    return { ok: false, error: `expression longer than ${MAX_EXPRESSION_LENGTH} characters` };
  }
  try {
    const parsed = celEnvironment().parse(rewriteCelSource(source));
    const checked = parsed.check();
    if (!checked.valid) return { ok: false, error: describeError(checked.error) };
    const program: CelProgram = (activation) => parsed(activation);
    return { ok: true, expression: { source, program, type: String(checked.type ?? 'dyn') } };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}
