/**
 * Kyverno conditions (`preconditions`, `deny.conditions`): `any` / `all` blocks (or the legacy flat
 * list) of `{key, operator, value, message}` with every documented operator
 * (pkg/engine/variables/operator). Keys and values are substituted first; a substitution error
 * makes the whole evaluation an error, as in Kyverno.
 */
import { compareQuantity, parseQuantity } from './quantity.js';
import { parseDuration } from './duration.js';
import { operatorOf, parseGoFloat, parseGoInt, validateStringPattern } from './operators.js';
import { defaultResolver, goJson, substituteAll, type EvalContext } from './variables.js';
import { wildcardMatch } from './wildcard.js';
import semver from 'semver';

export interface Condition {
  key?: unknown;
  operator?: unknown;
  value?: unknown;
  message?: unknown;
}

export interface ConditionOutcome {
  result: boolean;
  message: string;
}

export class ConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionError';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > 64) return false;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i], depth + 1));
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k], depth + 1));
  }
  return false;
}

// ---------------------------------------------------------------- durations shared by several operators

function asDuration(v: unknown): bigint | undefined {
  return typeof v === 'string' && v !== '0' ? parseDuration(v) : undefined;
}

function durationSeconds(d: bigint | undefined, raw: unknown): number | undefined {
  return d !== undefined
    ? Number(d) / 1e9
    : typeof raw === 'number'
      ? Math.trunc(raw * 1e9) / 1e9
      : undefined;
}

/** parseDuration(key, value) of the operator package: at least one side must be a Go duration string. */
function durationPair(key: unknown, value: unknown): [number, number] | undefined {
  const kd = asDuration(key);
  const vd = asDuration(value);
  if (kd === undefined && vd === undefined) return undefined;
  const k = durationSeconds(kd, key);
  const v = durationSeconds(vd, value);
  if (k === undefined || v === undefined) return undefined;
  return [k, v];
}

// ---------------------------------------------------------------- Equals / NotEquals

function equals(key: unknown, value: unknown): boolean | undefined {
  if (typeof key === 'boolean') return typeof value === 'boolean' && key === value;
  if (typeof key === 'number') {
    if (typeof value === 'number') return key === value;
    if (typeof value === 'string') {
      const d = durationPair(key, value);
      if (d) return d[0] === d[1];
      const f = parseGoFloat(value);
      return f !== undefined && f === key;
    }
    return false;
  }
  if (typeof key === 'string') {
    const d = durationPair(key, value);
    if (d) return d[0] === d[1];
    const kq = parseQuantity(key);
    if (kq && typeof value === 'string') {
      const vq = parseQuantity(value);
      if (!vq) return false;
      return compareQuantity(kq, vq) === 0;
    }
    if (typeof value === 'string') return wildcardMatch(value, key);
    return false;
  }
  if (isRecord(key)) return isRecord(value) && deepEqual(key, value);
  if (Array.isArray(key)) return Array.isArray(value) && deepEqual(key, value);
  return undefined;
}

// ---------------------------------------------------------------- set operators

function sprint(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '<nil>';
  return goJson(v);
}

function matchesEither(a: string, b: string): boolean {
  return wildcardMatch(a, b) || wildcardMatch(b, a);
}

type SetMode = 'anyIn' | 'allIn' | 'anyNotIn' | 'allNotIn';

/** The candidate set of a condition value: a list, a JSON-encoded list, or a single string. */
function valueSet(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(sprint);
  if (typeof value === 'string') {
    const t = value.trim();
    if (t.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(t);
        if (Array.isArray(parsed)) return parsed.map(sprint);
      } catch {
        /* not JSON: a single value */
      }
    }
    return [value];
  }
  return undefined;
}

function inRange(key: string, value: unknown, negate: boolean): boolean | undefined {
  if (typeof value !== 'string' || operatorOf(value) !== 'range') return undefined;
  return validateStringPattern(key, negate ? value.replace('-', '!-') : value);
}

function setOperator(mode: SetMode, key: unknown, value: unknown): boolean {
  let keys: string[];
  if (typeof key === 'string' || typeof key === 'number') keys = [sprint(key)];
  else if (Array.isArray(key)) keys = key.map(sprint);
  else return false;
  const negate = mode === 'anyNotIn' || mode === 'allNotIn';
  const ranged = keys.map((k) => inRange(k, value, negate));
  let member: (k: string, i: number) => boolean;
  if (ranged.every((r) => r !== undefined)) {
    // Range values: "in" means inside the range; for the NotIn family the range is inverted above.
    member = (_k, i) => (negate ? !ranged[i] : ranged[i]!);
  } else {
    const set = valueSet(value);
    if (!set) return false;
    member = (k) => set.some((v) => matchesEither(k, v));
  }
  switch (mode) {
    case 'anyIn':
      return keys.some(member);
    case 'allIn':
      return keys.length > 0 && keys.every(member);
    case 'anyNotIn':
      return keys.some((k, i) => !member(k, i));
    case 'allNotIn':
      return keys.every((k, i) => !member(k, i));
  }
}

// ---------------------------------------------------------------- numeric comparisons

type Cmp = 'gt' | 'gte' | 'lt' | 'lte';

function byCmp(c: number, op: Cmp): boolean {
  return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
}

function sign(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function numericCompare(key: unknown, value: unknown, op: Cmp): boolean {
  if (typeof key === 'number') {
    if (typeof value === 'number') return byCmp(sign(key, value), op);
    if (typeof value === 'string') {
      const d = durationPair(key, value);
      if (d) return byCmp(sign(d[0], d[1]), op);
      const f = parseGoFloat(value);
      if (f !== undefined) return byCmp(sign(key, f), op);
    }
    return false;
  }
  if (typeof key !== 'string') return false;
  const d = durationPair(key, value);
  if (d) return byCmp(sign(d[0], d[1]), op);
  const kq = parseQuantity(key);
  if (kq && typeof value === 'string') {
    const vq = parseQuantity(value);
    if (vq) return byCmp(compareQuantity(kq, vq), op);
  }
  const kf = parseGoFloat(key) ?? parseGoInt(key);
  if (kf !== undefined) return numericCompare(kf, value, op);
  const kv = semver.parse(key);
  if (kv && typeof value === 'string') {
    const vv = semver.parse(value);
    if (vv) return byCmp(semver.compare(kv, vv), op);
  }
  return false;
}

function durationCompare(key: unknown, value: unknown, op: Cmp): boolean {
  const d = durationPair(key, value);
  return d ? byCmp(sign(d[0], d[1]), op) : false;
}

// ---------------------------------------------------------------- dispatch

/** Evaluates one operator on already-substituted key and value; undefined for an unknown operator. */
export function evaluateOperator(operator: string, key: unknown, value: unknown): boolean | undefined {
  switch (operator.toLowerCase()) {
    case 'equal':
    case 'equals':
      return equals(key, value) ?? false;
    case 'notequal':
    case 'notequals': {
      const eq = equals(key, value);
      return eq === undefined ? false : !eq;
    }
    case 'in':
    case 'allin':
      return setOperator('allIn', key, value);
    case 'anyin':
      return setOperator('anyIn', key, value);
    case 'notin':
    case 'anynotin':
      return setOperator('anyNotIn', key, value);
    case 'allnotin':
      return setOperator('allNotIn', key, value);
    case 'greaterthan':
      return numericCompare(key, value, 'gt');
    case 'greaterthanorequals':
      return numericCompare(key, value, 'gte');
    case 'lessthan':
      return numericCompare(key, value, 'lt');
    case 'lessthanorequals':
      return numericCompare(key, value, 'lte');
    case 'durationgreaterthan':
      return durationCompare(key, value, 'gt');
    case 'durationgreaterthanorequals':
      return durationCompare(key, value, 'gte');
    case 'durationlessthan':
      return durationCompare(key, value, 'lt');
    case 'durationlessthanorequals':
      return durationCompare(key, value, 'lte');
    default:
      return undefined;
  }
}

function evaluateOne(c: unknown, ctx: EvalContext): ConditionOutcome {
  if (!isRecord(c)) throw new ConditionError('invalid condition');
  let key: unknown;
  let value: unknown;
  try {
    key = substituteAll(c.key ?? null, ctx, defaultResolver);
  } catch (e) {
    throw new ConditionError(`failed to substitute variables in condition key: ${(e as Error).message}`);
  }
  try {
    value = substituteAll(c.value ?? null, ctx, defaultResolver);
  } catch (e) {
    throw new ConditionError(`failed to substitute variables in condition value: ${(e as Error).message}`);
  }
  const op = typeof c.operator === 'string' ? c.operator : '';
  const result = evaluateOperator(op, key, value);
  if (result === undefined)
    throw new ConditionError(`failed to create handler for condition operator: ${op}`);
  return { result, message: typeof c.message === 'string' ? c.message : '' };
}

function join(messages: string[], sep: string): string {
  return messages.filter((m) => m !== '').join(sep);
}

function evaluateAnyAll(block: Record<string, unknown>, ctx: EvalContext): ConditionOutcome {
  const anyList = block.any;
  const allList = block.all;
  let anyResult = true;
  let allResult = true;
  const trueMessages: string[] = [];
  const falseMessages: string[] = [];
  if (anyList !== undefined && anyList !== null) {
    if (!Array.isArray(anyList)) throw new ConditionError('conditions.any must be a list');
    anyResult = false;
    for (const c of anyList) {
      const o = evaluateOne(c, ctx);
      if (o.result) {
        anyResult = true;
        trueMessages.push(o.message);
        break;
      }
      falseMessages.push(o.message);
    }
  }
  if (allList !== undefined && allList !== null) {
    if (!Array.isArray(allList)) throw new ConditionError('conditions.all must be a list');
    for (const c of allList) {
      const o = evaluateOne(c, ctx);
      if (!o.result) {
        allResult = false;
        falseMessages.push(o.message);
        break;
      }
      trueMessages.push(o.message);
    }
  }
  const result = anyResult && allResult;
  return { result, message: join(result ? trueMessages : falseMessages, '; ') };
}

/**
 * Evaluates `any`/`all` conditions (or a legacy list). Empty/absent conditions are true.
 * Throws ConditionError on substitution or operator errors.
 */
export function evaluateConditions(conditions: unknown, ctx: EvalContext): ConditionOutcome {
  if (conditions === undefined || conditions === null) return { result: true, message: '' };
  if (Array.isArray(conditions)) {
    const messages: string[] = [];
    for (const c of conditions) {
      const o = evaluateOne(c, ctx);
      if (!o.result) return { result: false, message: o.message };
      messages.push(o.message);
    }
    return { result: true, message: join(messages, ';') };
  }
  if (isRecord(conditions)) return evaluateAnyAll(conditions, ctx);
  throw new ConditionError('invalid condition');
}
