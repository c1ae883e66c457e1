/**
 * Regular expressions for CEL with RE2 semantics and linear-time matching (@bufbuild/re2), so a
 * policy's pattern cannot make admission hang on a crafted resource (no backtracking engine).
 */
import { RE2JS } from '@bufbuild/re2';

const MAX_CACHED = 512;
const MAX_PATTERN_LENGTH = 4096;
/** find/findAll locate match bounds with repeated anchored tests: keep their inputs short. */
const MAX_FIND_INPUT = 2048;

export class RegexError extends Error {}

const compiled = new Map<string, RE2JS>();

export function compileRe2(pattern: string): RE2JS {
  const hit = compiled.get(pattern);
  if (hit) return hit;
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw new RegexError(`regular expression longer than ${MAX_PATTERN_LENGTH}`);
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (error) {
    throw new RegexError(`invalid regular expression '${pattern}': ${(error as Error).message}`);
  }
  if (compiled.size >= MAX_CACHED) {
    const oldest = compiled.keys().next().value;
    if (oldest !== undefined) compiled.delete(oldest);
  }
  compiled.set(pattern, re);
  return re;
}

/** CEL `matches`: true when the pattern matches any substring (RE2 partial match). */
export function re2Matches(text: string, pattern: string): boolean {
  return compileRe2(pattern).test(text);
}

/** Leftmost match starting at or after `from`, as [start, end), or undefined. */
function findFrom(text: string, pattern: string, from: number): [number, number] | undefined {
  const whole = compileRe2(pattern);
  if (!whole.test(text.slice(from))) return undefined;
  const anchored = compileRe2(`^(?:${pattern})`);
  for (let start = from; start <= text.length; start++) {
    if (!anchored.test(text.slice(start))) continue;
    for (let end = text.length; end >= start; end--) {
      if (whole.testExact(text.slice(start, end))) return [start, end];
    }
  }
  return undefined;
}

function guardInput(text: string): void {
  if (text.length > MAX_FIND_INPUT) {
    throw new RegexError(`find/findAll input longer than ${MAX_FIND_INPUT} characters`);
  }
}

/**
 * Kubernetes `<string>.find(regex)`: the first match or ''. Bounds follow leftmost-longest
 * matching (identical to RE2's leftmost-first except for alternations and lazy quantifiers).
 */
export function re2Find(text: string, pattern: string): string {
  guardInput(text);
  const span = findFrom(text, pattern, 0);
  return span ? text.slice(span[0], span[1]) : '';
}

/** Kubernetes `<string>.findAll(regex[, limit])`: non-overlapping matches, at most `limit` when ≥ 0. */
export function re2FindAll(text: string, pattern: string, limit = -1): string[] {
  guardInput(text);
  const out: string[] = [];
  let from = 0;
  while (from <= text.length && (limit < 0 || out.length < limit)) {
    const span = findFrom(text, pattern, from);
    if (!span) break;
    out.push(text.slice(span[0], span[1]));
    from = span[1] > span[0] ? span[1] : span[1] + 1;
  }
  return out;
}
