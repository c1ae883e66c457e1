/**
 * Kyverno-style wildcard match (`*` any run, `?` one character) without regular expressions:
 * greedy scan with a single backtrack point, O(pattern × text) in the worst case.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      starP = p++;
      starT = t;
    } else if (c !== undefined && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

export function matchesAnyWildcard(patterns: readonly string[], text: string): boolean {
  return patterns.some((pattern) => wildcardMatch(pattern, text));
}
