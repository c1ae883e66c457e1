/**
 * Small building blocks shared by the version schemes. Every scheme compares numbers of any length
 * as digit strings (no precision loss, no BigInt parsing of hostile input), and every exported
 * `compare` goes through `guarded` so that it returns -1, 0 or 1 and never throws.
 */

/** -1, 0 or 1 for a number of any sign. */
export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Plain code-unit order, the last-resort tie-breaker for strings no grammar accepts. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two runs of ASCII digits by numeric value, whatever their length or leading zeros. */
export function compareDigits(a: string, b: string): number {
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (; i < a.length; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Whether a (non-empty) string is made of ASCII digits only. */
export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Strips leading zeros from a digit run, keeping a single `0`. */
export function trimZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  return digits.slice(i);
}

/**
 * Wraps a comparison so that it always returns -1, 0 or 1 and never throws: an unexpected
 * exception falls back to plain string order, which is still a total order.
 */
export function guarded(compare: (a: string, b: string) => number): (a: string, b: string) => number {
  return (a: string, b: string): number => {
    const sa = typeof a === 'string' ? a : String(a);
    const sb = typeof b === 'string' ? b : String(b);
    if (sa === sb) return 0;
    try {
      return sign(compare(sa, sb));
    } catch {
      return compareStrings(sa, sb);
    }
  };
}

/** Element-wise comparison of two arrays with a per-element comparator; a proper prefix sorts first. */
export function compareArrays<T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => number): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = cmp(a[i] as T, b[i] as T);
    if (r !== 0) return r;
  }
  return sign(a.length - b.length);
}
