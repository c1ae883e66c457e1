/**
 * Evaluation of one Kyverno validate rule that matched a resource (pkg/engine/handlers/validation):
 * context entries, preconditions (false → skip), then `podSecurity` / `cel` (delegated), `deny`,
 * `pattern` / `anyPattern` (with the UPDATE "unchanged violation" rule) or `foreach`.
 */
import type { KubeObject, RequestContext, RuleStatus } from '../engine/types.js';
import { ConditionError, evaluateConditions } from './conditions.js';
import { evaluateCel, evaluatePodSecurity } from './delegates.js';
import { evaluateJmesPath, MISSING } from './jmespath.js';
import { matchPattern } from './pattern.js';
import { EvalContext, SubstitutionError, substituteAll, substituteString } from './variables.js';

export interface Outcome {
  status: RuleStatus;
  message: string;
}

export interface RuleEnv {
  /** Rule (after autogen). */
  rule: Record<string, unknown>;
  ruleName: string;
  /** The resource the rule validates (request.object, or request.oldObject on DELETE). */
  resource: KubeObject;
  /** The old object on UPDATE (null/undefined otherwise). */
  oldResource?: KubeObject | null;
  request: RequestContext;
  operation: string;
  /** Builds the JSON context for the new object, or for the old one (UPDATE re-validation). */
  context: (old: boolean) => EvalContext;
}

const MAX_FOREACH_NESTING = 8;
const MAX_FOREACH_ELEMENTS = 10_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function ruleMessage(env: RuleEnv): string {
  const v = env.rule.validate;
  return isRecord(v) && typeof v.message === 'string' ? v.message : '';
}

// ---------------------------------------------------------------- context entries

export function loadContextEntries(entries: unknown, ctx: EvalContext): EvalContext {
  if (!Array.isArray(entries)) return ctx;
  let current = ctx;
  for (const entry of entries) {
    if (!isRecord(entry) || typeof entry.name !== 'string' || entry.name === '') continue;
    const name = entry.name;
    if (isRecord(entry.variable)) {
      current = loadVariableEntry(name, entry.variable, current);
      continue;
    }
    // configMap / apiCall / imageRegistry / globalReference need a cluster. Like the Kyverno CLI, they
    // are not loaded offline: values given for the name (values file, request variables) stay in place.
  }
  return current;
}

function loadVariableEntry(name: string, variable: Record<string, unknown>, ctx: EvalContext): EvalContext {
  const fail = (msg: string): never => {
    throw new SubstitutionError(msg);
  };
  let path = '';
  if (typeof variable.jmesPath === 'string' && variable.jmesPath !== '') {
    const jp = substituteAll(variable.jmesPath, ctx);
    path = typeof jp === 'string' ? jp : String(jp);
  }
  let defaultValue: unknown = null;
  if (variable.default !== undefined && variable.default !== null)
    defaultValue = substituteAll(variable.default, ctx);
  let output: unknown = defaultValue;
  if (variable.value !== undefined && variable.value !== null) {
    const value = substituteAll(variable.value, ctx);
    if (path !== '') {
      try {
        output = evaluateJmesPath(path, value);
      } catch (e) {
        if (defaultValue === null) fail(`failed to apply jmespath ${path} to variable: ${errMessage(e)}`);
      }
    } else output = value;
  } else if (path !== '') {
    try {
      const v = ctx.query(path);
      if (v !== null && v !== undefined) output = v;
    } catch (e) {
      if (defaultValue === null) fail(`failed to apply jmespath ${path} to variable: ${errMessage(e)}`);
    }
  }
  if (output === null || output === undefined)
    fail(`failed to add context entry for variable ${name} since it evaluated to nil`);
  return ctx.withTopLevel(name, output);
}

// ---------------------------------------------------------------- deny

function denyMessage(env: RuleEnv, ctx: EvalContext, conditionMessage: string): string {
  const base = ruleMessage(env);
  if (base === '' && conditionMessage === '') return `validation error: rule ${env.ruleName} failed`;
  const joined = [base, conditionMessage].filter((s) => s !== '').join('; ');
  try {
    const out = substituteString(joined, ctx);
    return typeof out === 'string'
      ? out
      : "the produced message didn't resolve to a string, check your policy definition.";
  } catch {
    return conditionMessage;
  }
}

function validateDeny(env: RuleEnv, deny: Record<string, unknown>, ctx: EvalContext): Outcome {
  try {
    const o = evaluateConditions(deny.conditions, ctx);
    if (o.result) return { status: 'fail', message: denyMessage(env, ctx, o.message) };
    return { status: 'pass', message: `validation rule '${env.ruleName}' passed.` };
  } catch (e) {
    return { status: 'error', message: `failed to check deny conditions: ${errMessage(e)}` };
  }
}

// ---------------------------------------------------------------- pattern / anyPattern

function buildErrorMessage(env: RuleEnv, ctx: EvalContext, detail: string, path: string): string {
  const base = ruleMessage(env);
  if (base === '') {
    return path !== ''
      ? `validation error: rule ${env.ruleName} failed at path ${path}`
      : `validation error: rule ${env.ruleName} execution error: ${detail}`;
  }
  let msg: string;
  try {
    const out = substituteString(base, ctx);
    msg = typeof out === 'string' ? out : JSON.stringify(out);
  } catch {
    return `validation error: variables substitution error in rule ${env.ruleName} execution error: ${detail}`;
  }
  if (!msg.endsWith('.')) msg += '.';
  return path !== ''
    ? `validation error: ${msg} rule ${env.ruleName} failed at path ${path}`
    : `validation error: ${msg} rule ${env.ruleName} execution error: ${detail}`;
}

function anyPatternMessage(env: RuleEnv, fragments: string[]): string {
  const base = ruleMessage(env);
  const text = fragments.join(' ');
  if (base === '') return `validation error: ${text}`;
  return base.endsWith('.') ? `validation error: ${base} ${text}` : `validation error: ${base}. ${text}`;
}

function validatePatterns(
  env: RuleEnv,
  body: Record<string, unknown>,
  target: unknown,
  ctx: EvalContext,
): Outcome {
  if (body.pattern !== undefined && body.pattern !== null) {
    let pattern: unknown;
    try {
      pattern = substituteAll(body.pattern, ctx);
    } catch (e) {
      return { status: 'error', message: `variable substitution failed: ${errMessage(e)}` };
    }
    const r = matchPattern(target, pattern);
    switch (r.status) {
      case 'pass':
        return { status: 'pass', message: `validation rule '${env.ruleName}' passed.` };
      case 'skip':
        return { status: 'skip', message: r.message };
      case 'fail':
        return { status: 'fail', message: buildErrorMessage(env, ctx, r.message, r.path) };
      case 'error':
        return { status: 'error', message: buildErrorMessage(env, ctx, r.message, '') };
    }
  }
  let patterns: unknown;
  try {
    patterns = substituteAll(body.anyPattern, ctx);
  } catch (e) {
    return { status: 'error', message: `variable substitution failed: ${errMessage(e)}` };
  }
  if (!Array.isArray(patterns))
    return { status: 'error', message: 'failed to deserialize anyPattern, expected type array' };
  const failed: string[] = [];
  const skipped: string[] = [];
  for (let i = 0; i < patterns.length; i++) {
    const r = matchPattern(target, patterns[i]);
    if (r.status === 'pass')
      return { status: 'pass', message: `validation rule '${env.ruleName}' anyPattern[${i}] passed.` };
    if (r.status === 'skip') skipped.push(`rule ${env.ruleName}[${i}] skipped: ${r.message}`);
    else if (r.status === 'fail') failed.push(`rule ${env.ruleName}[${i}] failed at path ${r.path}`);
    else failed.push(`rule ${env.ruleName}[${i}] failed: ${r.message}`);
  }
  if (skipped.length && !failed.length) return { status: 'skip', message: skipped.join(' ') };
  if (failed.length) return { status: 'fail', message: anyPatternMessage(env, failed) };
  return { status: 'pass', message: ruleMessage(env) };
}

function patternTarget(env: RuleEnv, element: unknown, old: boolean): unknown {
  if (element !== undefined) return element;
  return old ? env.oldResource : env.resource;
}

function validatePatternRule(
  env: RuleEnv,
  body: Record<string, unknown>,
  ctx: EvalContext,
  element: unknown,
  oldCtx?: EvalContext,
): Outcome {
  const current = validatePatterns(env, body, patternTarget(env, element, false), ctx);
  const v = env.rule.validate;
  const allowExisting = !(isRecord(v) && v.allowExistingViolations === false);
  if (env.operation === 'UPDATE' && isRecord(env.oldResource) && allowExisting && oldCtx) {
    const prior = validatePatterns(env, body, patternTarget(env, element, true), oldCtx);
    if (prior.status === current.status && prior.message === current.message) {
      if (current.status === 'pass') return current;
      return { status: 'skip', message: 'skipping modified resource as validation results have not changed' };
    }
  }
  return current;
}

// ---------------------------------------------------------------- foreach

interface Scope {
  ctx: EvalContext;
  oldCtx?: EvalContext;
  element?: unknown;
}

/** The foreach list; undefined when its path names a missing key (the entry is skipped, as on any error). */
function evaluateList(list: string, ctx: EvalContext): unknown[] | undefined {
  const expr = list.includes('{{') ? substituteString(list, ctx) : list;
  const v = ctx.queryOrMissing(typeof expr === 'string' ? expr : String(expr));
  if (v === MISSING) return undefined;
  return Array.isArray(v) ? v : [v];
}

function withElement(ctx: EvalContext, element: unknown, index: number, nesting: number): EvalContext {
  return ctx.withElement(element, index, nesting);
}

/** One foreach entry applied to one element (the nested "foreach validator"). */
function validateForeachBody(
  env: RuleEnv,
  fe: Record<string, unknown>,
  scope: Scope,
  nesting: number,
): Outcome | undefined {
  let ctx: EvalContext;
  let oldCtx: EvalContext | undefined;
  try {
    ctx = loadContextEntries(fe.context, scope.ctx);
    oldCtx = scope.oldCtx ? loadContextEntries(fe.context, scope.oldCtx) : undefined;
  } catch (e) {
    return { status: 'error', message: `failed to load context: ${errMessage(e)}` };
  }
  try {
    const pre = evaluateConditions(fe.preconditions, ctx);
    if (!pre.result)
      return { status: 'skip', message: ['preconditions not met', pre.message].filter(Boolean).join('; ') };
  } catch (e) {
    return { status: 'error', message: `failed to evaluate preconditions: ${errMessage(e)}` };
  }
  if (isRecord(fe.deny)) return validateDeny(env, fe.deny, ctx);
  if (
    (fe.pattern !== undefined && fe.pattern !== null) ||
    (fe.anyPattern !== undefined && fe.anyPattern !== null)
  ) {
    if (scope.element === undefined && env.operation === 'DELETE') return undefined;
    return validatePatternRule(env, fe, ctx, scope.element, oldCtx);
  }
  if (Array.isArray(fe.foreach))
    return validateForeach(env, fe.foreach, { ctx, oldCtx, element: scope.element }, nesting);
  return undefined;
}

function validateElements(
  env: RuleEnv,
  fe: Record<string, unknown>,
  elements: unknown[],
  scope: Scope,
  nesting: number,
): { outcome: Outcome; count: number } {
  let count = 0;
  if (elements.length > MAX_FOREACH_ELEMENTS)
    return {
      outcome: { status: 'error', message: `foreach list has more than ${MAX_FOREACH_ELEMENTS} elements` },
      count,
    };
  const limit = elements.length;
  for (let i = 0; i < limit; i++) {
    const element = elements[i];
    if (element === null || element === undefined) continue;
    let scoped = isRecord(element);
    if (fe.elementScope === true && !scoped)
      return {
        outcome: {
          status: 'error',
          message:
            'failed to process foreach: cannot use elementScope=true foreach rules for elements that are not maps',
        },
        count,
      };
    if (fe.elementScope === false) scoped = false;
    const inner: Scope = {
      ctx: withElement(scope.ctx, element, i, nesting),
      oldCtx: scope.oldCtx ? withElement(scope.oldCtx, element, i, nesting) : undefined,
      element: scoped ? element : scope.element,
    };
    const r = validateForeachBody(env, fe, inner, nesting + 1);
    if (!r || r.status === 'skip') continue;
    if (r.status !== 'pass') {
      if (r.status === 'error' && i < limit - 1) continue;
      return { outcome: { status: r.status, message: `validation failure: ${r.message}` }, count };
    }
    count++;
  }
  return { outcome: { status: 'pass', message: '' }, count };
}

function validateForeach(env: RuleEnv, list: unknown[], scope: Scope, nesting: number): Outcome {
  if (nesting > MAX_FOREACH_NESTING)
    return { status: 'error', message: `foreach nested deeper than ${MAX_FOREACH_NESTING}` };
  let applied = 0;
  for (const fe of list) {
    if (!isRecord(fe) || typeof fe.list !== 'string') continue;
    let elements: unknown[] | undefined;
    try {
      elements = evaluateList(fe.list, scope.ctx);
    } catch {
      continue;
    }
    if (!elements) continue;
    const { outcome, count } = validateElements(env, fe, elements, scope, nesting);
    if (outcome.status !== 'pass') return outcome;
    applied += count;
  }
  if (applied === 0) return { status: 'skip', message: 'rule skipped' };
  return { status: 'pass', message: 'rule passed' };
}

// ---------------------------------------------------------------- entry point

/** Evaluates a matched validate rule; undefined when the rule has no validate body Kyverno would run. */
export function evaluateValidateRule(env: RuleEnv): Outcome | undefined {
  const validate = env.rule.validate;
  if (!isRecord(validate)) return undefined;
  let ctx: EvalContext;
  let oldCtx: EvalContext | undefined;
  try {
    ctx = loadContextEntries(env.rule.context, env.context(false));
    if (env.operation === 'UPDATE' && isRecord(env.oldResource))
      oldCtx = loadContextEntries(env.rule.context, env.context(true));
  } catch (e) {
    return { status: 'error', message: `failed to load context: ${errMessage(e)}` };
  }
  try {
    const pre = evaluateConditions(env.rule.preconditions, ctx);
    if (!pre.result)
      return { status: 'skip', message: ['preconditions not met', pre.message].filter(Boolean).join('; ') };
  } catch (e) {
    const msg = e instanceof ConditionError || e instanceof SubstitutionError ? e.message : errMessage(e);
    return { status: 'error', message: `failed to evaluate preconditions: ${msg}` };
  }
  if (validate.podSecurity !== undefined && validate.podSecurity !== null)
    return evaluatePodSecurity(env.rule, env.resource, env.request);
  if (validate.cel !== undefined && validate.cel !== null)
    return evaluateCel(env.rule, env.resource, env.request);
  if (isRecord(validate.deny)) return validateDeny(env, validate.deny, ctx);
  if (
    (validate.pattern !== undefined && validate.pattern !== null) ||
    (validate.anyPattern !== undefined && validate.anyPattern !== null)
  ) {
    // Kyverno does not run patterns against deleted resources (no rule response).
    if (env.operation === 'DELETE') return undefined;
    return validatePatternRule(env, validate, ctx, undefined, oldCtx);
  }
  if (Array.isArray(validate.foreach)) return validateForeach(env, validate.foreach, { ctx, oldCtx }, 0);
  if (validate.manifests !== undefined || validate.assert !== undefined)
    return {
      status: 'error',
      message: 'validate.manifests and validate.assert rules are not supported by this engine',
    };
  return undefined;
}
