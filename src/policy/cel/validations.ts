/**
 * Running compiled `matchConditions` and `validations` against an activation, with the message
 * rules of Kubernetes' validator (ValidatingAdmissionPolicy, Kyverno `validate.cel`) or of
 * Kyverno's ValidatingPolicy engine.
 */
import type { NamedCompiled } from './activation.js';
import { compileCel, describeError, type CompileResult } from './environment.js';
import { describeCelValue } from './values.js';

type Rec = Record<string, unknown>;

export interface CompiledValidation {
  source: string;
  compiled: CompileResult;
  message: string;
  messageExpression?: CompileResult;
  reason?: string;
}

export type MessageStyle = 'kubernetes' | 'kyverno';

export type ValidationOutcome =
  | { status: 'pass' }
  | { status: 'fail'; message: string; index: number; reason?: string }
  | { status: 'error'; message: string; index: number };

export type MatchOutcome =
  { status: 'match' } | { status: 'no-match' } | { status: 'error'; message: string };

function rec(value: unknown): Rec | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Rec) : undefined;
}

/** Compiles `[{name, expression}]` (variables, matchConditions), reporting errors by name. */
export function compileNamed(list: unknown, what: string, errors: string[]): NamedCompiled[] {
  const out: NamedCompiled[] = [];
  (Array.isArray(list) ? list : []).forEach((item, index) => {
    const entry = rec(item);
    const name = typeof entry?.['name'] === 'string' ? entry['name'] : `${what}[${index}]`;
    const compiled = compileCel(entry?.['expression']);
    if (!compiled.ok) errors.push(`${what} "${name}": ${compiled.error}`);
    out.push({ name, compiled });
  });
  return out;
}

export function compileValidations(
  list: unknown,
  defaultMessage: string,
  errors: string[],
): CompiledValidation[] {
  const out: CompiledValidation[] = [];
  (Array.isArray(list) ? list : []).forEach((item, index) => {
    const entry = rec(item) ?? {};
    const source = typeof entry['expression'] === 'string' ? entry['expression'] : '';
    const compiled = compileCel(entry['expression']);
    if (!compiled.ok) errors.push(`validation[${index}]: ${compiled.error}`);
    else if (!['bool', 'dyn'].includes(compiled.expression.type)) {
      errors.push(`validation[${index}]: expression must evaluate to bool, not ${compiled.expression.type}`);
    }
    const validation: CompiledValidation = {
      source,
      compiled,
      message:
        typeof entry['message'] === 'string' && entry['message'] !== '' ? entry['message'] : defaultMessage,
    };
    if (typeof entry['messageExpression'] === 'string') {
      validation.messageExpression = compileCel(entry['messageExpression']);
      if (!validation.messageExpression.ok) {
        errors.push(`validation[${index}].messageExpression: ${validation.messageExpression.error}`);
      }
    }
    if (typeof entry['reason'] === 'string') validation.reason = entry['reason'];
    out.push(validation);
  });
  return out;
}

function evaluationError(source: string, error: unknown): string {
  return `expression '${source.trim()}' resulted in error: ${describeError(error)}`;
}

function run(compiled: CompileResult, activation: Rec): unknown {
  if (!compiled.ok) throw new Error(`compilation failed: ${compiled.error}`);
  return compiled.expression.program(activation);
}

function defaultMessage(validation: CompiledValidation): string {
  return validation.message !== '' ? validation.message : `failed expression: ${validation.source.trim()}`;
}

function failureMessage(validation: CompiledValidation, activation: Rec, style: MessageStyle): string {
  const expression = validation.messageExpression;
  if (!expression) return defaultMessage(validation);
  let value: unknown;
  try {
    value = run(expression, activation);
  } catch (error) {
    return style === 'kyverno'
      ? `failed to evaluate message expression: ${describeError(error)}`
      : defaultMessage(validation);
  }
  if (typeof value !== 'string') {
    return style === 'kyverno'
      ? `failed to convert message expression to string: ${describeCelValue(value)}`
      : defaultMessage(validation);
  }
  if (style === 'kubernetes' && (value.trim() === '' || value.includes('\n')))
    return defaultMessage(validation);
  return style === 'kubernetes' ? value.trim() : value || defaultMessage(validation);
}

/** All conditions true → match; any false → no match; otherwise errors decide per failure policy. */
export function runMatchConditions(
  conditions: readonly NamedCompiled[],
  activation: Rec,
  failurePolicy: 'Fail' | 'Ignore',
): MatchOutcome {
  const errors: string[] = [];
  for (const condition of conditions) {
    try {
      const value = run(condition.compiled, activation);
      if (value === false) return { status: 'no-match' };
      if (value !== true) errors.push(`matchCondition "${condition.name}" must evaluate to bool`);
    } catch (error) {
      errors.push(`matchCondition "${condition.name}": ${describeError(error)}`);
    }
  }
  if (errors.length === 0) return { status: 'match' };
  return failurePolicy === 'Ignore'
    ? { status: 'no-match' }
    : { status: 'error', message: errors.join('; ') };
}

/** Validations in order; the first one that is false (or errors) decides. */
export function runValidations(
  validations: readonly CompiledValidation[],
  activation: Rec,
  style: MessageStyle,
): ValidationOutcome {
  for (let index = 0; index < validations.length; index++) {
    const validation = validations[index] as CompiledValidation;
    let value: unknown;
    try {
      value = run(validation.compiled, activation);
    } catch (error) {
      return { status: 'error', message: evaluationError(validation.source, error), index };
    }
    if (value === true) continue;
    if (value !== false) {
      return {
        status: 'error',
        message: `expression '${validation.source.trim()}' must evaluate to bool, got ${describeCelValue(value)}`,
        index,
      };
    }
    const outcome: ValidationOutcome = {
      status: 'fail',
      message: failureMessage(validation, activation, style),
      index,
    };
    if (validation.reason !== undefined) outcome.reason = validation.reason;
    return outcome;
  }
  return { status: 'pass' };
}
