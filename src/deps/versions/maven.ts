import type { VersionScheme } from './scheme.js';
import { compareDigits, compareStrings, guarded, isDigitCode, trimZeros } from './util.js';

/**
 * Maven: the version order of the POM reference ("Version Order Specification"), which is what
 * Maven's `ComparableVersion` implements and what OSV evaluates Maven ranges with.
 *
 * - The version is split into tokens at `.`, `-` and at every digit/non-digit transition (a
 *   transition counts as a `-`). Each token remembers its separator; empty tokens read as `0`.
 * - Qualifiers are case-insensitive; `cr` = `rc`; `ga`, `final`, `release` = "" (a release);
 *   `a`, `b`, `m` directly followed by digits mean alpha, beta, milestone.
 * - From the end, "null" tokens (`0`, "") are trimmed, and again before each remaining `-`
 *   (so `1.0.0-foo.0.0` = `1-foo`).
 * - Tokens compare pairwise: with the same separator, numbers numerically and above any qualifier,
 *   qualifiers by `alpha < beta < milestone < rc < snapshot < "" < sp < (others, lexically)`; with
 *   different separators `.qualifier < -qualifier < -number < .number`. A missing token is "null":
 *   a number beats it unless it is 0, a qualifier sorts against it as against "" (the release).
 *
 * Every string parses, so the comparison is total; digit runs of any length compare exactly.
 */
interface Token {
  dash: boolean;
  numeric: boolean;
  /** Digits without leading zeros, or the lower-cased, de-aliased qualifier. */
  value: string;
}

const KNOWN_QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_RANK = 5;
const ALIASES: Record<string, string> = { cr: 'rc', ga: '', final: '', release: '' };
const SHORT: Record<string, string> = { a: 'alpha', b: 'beta', m: 'milestone' };

function pieces(raw: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 1; i < raw.length; i++) {
    if (isDigitCode(raw.charCodeAt(i)) !== isDigitCode(raw.charCodeAt(i - 1))) {
      out.push(raw.slice(start, i));
      start = i;
    }
  }
  out.push(raw.slice(start));
  return out;
}

export function tokenizeMaven(version: string): Token[] {
  const tokens: Token[] = [];
  const text = version.trim().toLowerCase();
  let dash = false;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (i < text.length && c !== '.' && c !== '-') continue;
    const parts = pieces(text.slice(start, i));
    parts.forEach((part, k) => {
      const isLast = k === parts.length - 1;
      if (part === '') {
        tokens.push({ dash: k === 0 ? dash : true, numeric: true, value: '0' });
        return;
      }
      if (isDigitCode(part.charCodeAt(0))) {
        tokens.push({ dash: k === 0 ? dash : true, numeric: true, value: trimZeros(part) });
        return;
      }
      let q = ALIASES[part] ?? part;
      if (!isLast) q = SHORT[q] ?? q;
      tokens.push({ dash: k === 0 ? dash : true, numeric: false, value: q });
    });
    dash = c === '-';
    start = i + 1;
  }
  return trimNulls(tokens);
}

function isNull(t: Token): boolean {
  return t.numeric ? t.value === '0' : t.value === '';
}

/** Removes trailing null tokens, then again before each remaining hyphen, from end to start. */
function trimNulls(tokens: Token[]): Token[] {
  let i = tokens.length - 1;
  while (i > 0) {
    const t = tokens[i] as Token;
    if (isNull(t)) {
      tokens.splice(i, 1);
      i--;
      continue;
    }
    while (i >= 0 && !(tokens[i] as Token).dash) i--;
    i--;
  }
  return tokens;
}

function qualifierRank(q: string): number {
  const i = KNOWN_QUALIFIERS.indexOf(q);
  return i < 0 ? KNOWN_QUALIFIERS.length : i;
}

function compareQualifiers(a: string, b: string): number {
  const ra = qualifierRank(a);
  const rb = qualifierRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  return ra === KNOWN_QUALIFIERS.length ? compareStrings(a, b) : 0;
}

/** A token against a missing one (the shorter version's padding). */
function compareToNull(t: Token): number {
  if (t.numeric) return t.value === '0' ? 0 : 1;
  return Math.sign(qualifierRank(t.value) - RELEASE_RANK);
}

function kindOrder(t: Token): number {
  // .qualifier < -qualifier < -number < .number
  if (t.numeric) return t.dash ? 2 : 3;
  return t.dash ? 1 : 0;
}

function compareTokens(a: Token, b: Token): number {
  if (a.dash !== b.dash) return Math.sign(kindOrder(a) - kindOrder(b));
  if (a.numeric && b.numeric) return compareDigits(a.value, b.value);
  if (a.numeric) return 1;
  if (b.numeric) return -1;
  return compareQualifiers(a.value, b.value);
}

export function compareMaven(a: string, b: string): number {
  const ta = tokenizeMaven(a);
  const tb = tokenizeMaven(b);
  const n = Math.max(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i];
    const y = tb[i];
    const r = x && y ? compareTokens(x, y) : x ? compareToNull(x) : y ? -compareToNull(y) : 0;
    if (r !== 0) return r;
  }
  return 0;
}

export const mavenVersions: VersionScheme = {
  id: 'maven',
  compare: guarded(compareMaven),
  isValid: (v) => {
    const t = v.trim();
    return t.length > 0 && t.length <= 1024 && !/\s/.test(t);
  },
};
