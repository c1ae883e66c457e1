/**
 * Scalar matching of a resource value against one pattern leaf, as Kyverno's pkg/engine/pattern does:
 * `|` (or) then `&` (and) alternatives, each optionally prefixed by `>=`, `<=`, `>`, `<`, `!`, or
 * written as a range `a-b` / `a!-b`; each alternative is compared as a Go duration, then as a
 * Kubernetes quantity, then as a wildcard string (equality operators only).
 */
import { compareQuantity, parseQuantity } from './quantity.js';
import { parseDuration } from './duration.js';
import { wildcardMatch } from './wildcard.js';

export type ValueOperator = '' | '>=' | '<=' | '>' | '<' | '!' | 'range' | 'notRange';

/** Go `strconv.ParseInt(s, 10, 64)` acceptance. */
export function parseGoInt(s: string): number | undefined {
  return /^[+-]?\d{1,19}$/.test(s) ? Number(s) : undefined;
}

/** Go `strconv.ParseFloat(s, 64)` acceptance (decimal, exponent, inf/nan, hex floats left out). */
export function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  return undefined;
}

/** `\d+(\.\d+)?[^-]*` without a regex: leading digits, then anything but `-`. */
function isRangeEndpoint(s: string): boolean {
  if (s.includes('-')) return false;
  return s.length > 0 && s[0]! >= '0' && s[0]! <= '9';
}

/** Splits a range pattern `a-b` (op `range`) or `a!-b` (op `notRange`) into its two endpoints. */
export function splitRange(pattern: string, op: 'range' | 'notRange'): [string, string] | undefined {
  const sep = op === 'range' ? '-' : '!-';
  const at = pattern.indexOf(sep);
  if (at <= 0) return undefined;
  const left = pattern.slice(0, at);
  const right = pattern.slice(at + sep.length);
  if (!isRangeEndpoint(left) || !isRangeEndpoint(right)) return undefined;
  if (op === 'range' && left.endsWith('!')) return undefined;
  return [left, right];
}

/** Operator prefix of a single (already `|`/`&`-split) pattern, as GetOperatorFromStringPattern. */
export function operatorOf(pattern: string): ValueOperator {
  if (pattern.length < 2) return '';
  if (pattern.startsWith('>=')) return '>=';
  if (pattern.startsWith('<=')) return '<=';
  if (pattern.startsWith('>')) return '>';
  if (pattern.startsWith('<')) return '<';
  if (pattern.startsWith('!')) return '!';
  if (splitRange(pattern, 'notRange')) return 'notRange';
  if (splitRange(pattern, 'range')) return 'range';
  return '';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's `fmt.Sprintf("%f", v)`. */
function goFixed(v: number): string {
  return Number.isFinite(v) ? v.toFixed(6) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}

/** convertNumberToString of pkg/engine/pattern: null counts as "0". */
function numberLikeToString(value: unknown): string | undefined {
  if (value === null || value === undefined) return '0';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : goFixed(value);
  return undefined;
}

/** Go `strconv.FormatFloat(v, 'E', -1, 64)`. */
function goExponent(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
  const [mant, exp = '0'] = v.toExponential().split('e');
  const e = Number(exp);
  return `${mant!.toUpperCase()}E${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

function scalarToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : goExponent(value);
  return undefined;
}

function compareBy(cmp: number, op: ValueOperator): boolean | undefined {
  switch (op) {
    case '':
      return cmp === 0;
    case '!':
      return cmp !== 0;
    case '>':
      return cmp > 0;
    case '<':
      return cmp < 0;
    case '>=':
      return cmp >= 0;
    case '<=':
      return cmp <= 0;
    default:
      return undefined;
  }
}

function compareAsDuration(value: unknown, pattern: string, op: ValueOperator): boolean | undefined {
  const p = parseDuration(pattern);
  if (p === undefined) return undefined;
  const s = numberLikeToString(value);
  if (s === undefined) return undefined;
  const v = parseDuration(s);
  if (v === undefined) return undefined;
  return compareBy(v < p ? -1 : v > p ? 1 : 0, op);
}

function compareAsQuantity(value: unknown, pattern: string, op: ValueOperator): boolean | undefined {
  const p = parseQuantity(pattern);
  if (!p) return undefined;
  const s = numberLikeToString(value);
  if (s === undefined) return undefined;
  const v = parseQuantity(s);
  if (!v) return undefined;
  return compareBy(compareQuantity(v, p), op);
}

function compareAsString(value: unknown, pattern: string, op: ValueOperator): boolean {
  if (op !== '' && op !== '!') return false;
  const s = scalarToString(value);
  if (s === undefined) return false;
  const matched = wildcardMatch(pattern, s);
  return op === '!' ? !matched : matched;
}

function validateSingle(value: unknown, pattern: string, depth = 0): boolean {
  const op = operatorOf(pattern);
  if ((op === 'range' || op === 'notRange') && depth < 2) {
    const ends = splitRange(pattern, op);
    if (!ends) return false;
    if (op === 'range')
      return (
        validateSingle(value, `>= ${ends[0]}`, depth + 1) && validateSingle(value, `<= ${ends[1]}`, depth + 1)
      );
    return (
      validateSingle(value, `< ${ends[0]}`, depth + 1) || validateSingle(value, `> ${ends[1]}`, depth + 1)
    );
  }
  const rest = pattern.slice(op === 'range' || op === 'notRange' ? 0 : op.length).trim();
  return (
    compareAsDuration(value, rest, op) ??
    compareAsQuantity(value, rest, op) ??
    compareAsString(value, rest, op)
  );
}

function trimSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s[a] === ' ') a++;
  while (b > a && s[b - 1] === ' ') b--;
  return s.slice(a, b);
}

/** A string pattern with `|`, `&`, operators, ranges and wildcards. */
export function validateStringPattern(value: unknown, pattern: string): boolean {
  if (value === pattern) return true;
  for (const alternative of pattern.split('|')) {
    const all = trimSpaces(alternative)
      .split('&')
      .every((part) => validateSingle(value, trimSpaces(part)));
    if (all) return true;
  }
  return false;
}

/** Kyverno `pattern.Validate(value, pattern)` for scalar-ish pattern leaves. */
export function validateValueWithPattern(value: unknown, pattern: unknown): boolean {
  if (typeof pattern === 'boolean') return typeof value === 'boolean' && value === pattern;
  if (typeof pattern === 'number') {
    // Policies reach Kyverno through JSON, so numeric patterns are float64.
    if (typeof value === 'number') return value === pattern;
    if (typeof value === 'string') {
      const f = parseGoFloat(value);
      return f !== undefined && f === pattern;
    }
    return false;
  }
  if (pattern === null || pattern === undefined) {
    if (value === null || value === undefined) return true;
    if (typeof value === 'number') return value === 0;
    if (typeof value === 'string') return value === '';
    if (typeof value === 'boolean') return !value;
    return false;
  }
  if (typeof pattern === 'string') return validateStringPattern(value, pattern);
  if (isRecord(pattern)) return isRecord(value);
  return false;
}
