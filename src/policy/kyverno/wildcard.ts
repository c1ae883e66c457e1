/**
 * Kyverno's `*` / `?` wildcard matching (pkg/utils/wildcard): `*` matches any run of characters
 * (including none), `?` exactly one character, everything else itself. No escaping, no classes.
 * Linear-time two-pointer matcher (the last `*` is grown on mismatch; earlier stars are never
 * revisited), so hostile patterns such as `a*a*a*a*b` cannot blow up.
 */
export function wildcardMatch(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (!containsWildcard(pattern)) return pattern === name;
  const astral = SURROGATE.test(pattern) || SURROGATE.test(name);
  const p: ArrayLike<string> = astral ? Array.from(pattern) : pattern;
  const n: ArrayLike<string> = astral ? Array.from(name) : name;
  let px = 0;
  let nx = 0;
  let starPx = -1;
  let starNx = 0;
  while (nx < n.length) {
    if (px < p.length) {
      const c = p[px];
      if (c === '*') {
        px++;
        if (px === p.length) return true;
        starPx = px;
        starNx = nx;
        continue;
      }
      if (c === '?' || c === n[nx]) {
        px++;
        nx++;
        continue;
      }
    }
    if (starPx < 0) return false;
    starNx++;
    px = starPx;
    nx = starNx;
  }
  while (px < p.length && p[px] === '*') px++;
  return px === p.length;
}

const SURROGATE = /[\uD800-\uDFFF]/;

export function containsWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}
