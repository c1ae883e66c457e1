import type { VersionScheme } from './scheme.js';
import { compareDigits, compareStrings, guarded, isDigitCode } from './util.js';

/**
 * RubyGems: `Gem::Version#<=>`. A `-` before a letter reads as `.` and before a digit as `.pre.`
 * (`1.0.0-beta.1` = `1.0.0.beta.1`, `1.0.0-1` is a pre-release of 1.0.0), and a `pre` segment in
 * front of another word is ignored (`1.0.0.pre.beta.1` = `1.0.0.beta.1`), as current RubyGems
 * does. The version is split into segments at
 * dots and at letter/digit boundaries (`1.2.b3` → 1, 2, "b", 3). Trailing zero segments are
 * dropped from the numeric release part and from the part after the first letter segment
 * (`1.0.a.0` = `1.a`). Segments compare pairwise, a missing one counting as 0; a string segment
 * sorts before a number (that is what makes `1.0.a` a pre-release of `1.0`), strings compare
 * case-sensitively.
 *
 * Strings Gem::Version rejects sort before every valid version, among themselves in string order.
 */
type Segment = string | { n: string };

const VALID = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function isValidGem(v: string): boolean {
  const t = v.trim();
  return t.length === 0 || (t.length <= 1024 && VALID.test(t));
}

function segments(v: string): Segment[] {
  const text = v
    .trim()
    .replace(/-(?=[A-Za-z])/g, '.')
    .replace(/-/g, '.pre.');
  const out: Segment[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const start = i;
    if (isDigitCode(c)) {
      while (i < text.length && isDigitCode(text.charCodeAt(i))) i++;
      out.push({ n: text.slice(start, i) });
    } else if (/[A-Za-z]/.test(text[i] as string)) {
      while (i < text.length && /[A-Za-z]/.test(text[i] as string)) i++;
      out.push(text.slice(start, i));
    } else {
      i++;
    }
  }
  // A legacy `.pre.` in front of a word label does not change the version.
  return out.filter((s, i) => !(s === 'pre' && typeof out[i + 1] === 'string'));
}

const isZero = (s: Segment): boolean => typeof s !== 'string' && compareDigits(s.n, '0') === 0;

/** Gem::Version#canonical_segments. */
function canonical(v: string): Segment[] {
  const segs = segments(v);
  const firstString = segs.findIndex((s) => typeof s === 'string');
  const numeric = firstString < 0 ? segs : segs.slice(0, firstString);
  const rest = firstString < 0 ? [] : segs.slice(firstString);
  const dropZeros = (xs: Segment[]): Segment[] => {
    let end = xs.length;
    while (end > 0 && isZero(xs[end - 1] as Segment)) end--;
    return xs.slice(0, end);
  };
  return [...dropZeros(numeric), ...dropZeros(rest)];
}

const ZERO: Segment = { n: '0' };

function compareSegments(a: Segment, b: Segment): number {
  const as = typeof a === 'string';
  const bs = typeof b === 'string';
  if (as && bs) return compareStrings(a, b);
  if (as) return -1;
  if (bs) return 1;
  return compareDigits(a.n, b.n);
}

export function compareRubyGems(a: string, b: string): number {
  const va = isValidGem(a);
  const vb = isValidGem(b);
  if (!va || !vb) return va === vb ? compareStrings(a, b) : va ? 1 : -1;
  const sa = canonical(a);
  const sb = canonical(b);
  const n = Math.max(sa.length, sb.length);
  for (let i = 0; i < n; i++) {
    const r = compareSegments(sa[i] ?? ZERO, sb[i] ?? ZERO);
    if (r !== 0) return r;
  }
  return 0;
}

export const rubygemsVersions: VersionScheme = {
  id: 'rubygems',
  compare: guarded(compareRubyGems),
  isValid: (v) => v.trim().length > 0 && isValidGem(v),
};
