import type { VersionScheme } from './scheme.js';
import { guarded, isDigitCode } from './util.js';

/**
 * Packagist: Composer's ordering, i.e. `Composer\Semver\VersionParser::normalize` followed by
 * PHP's `version_compare` on the normalised strings.
 *
 * - Normalisation: an optional `v`, one to four numeric parts padded to four (`1.2` → `1.2.0.0`),
 *   or a date-like version (`20240131`), then an optional stability suffix
 *   (`stable`, `beta`/`b`, `RC`, `alpha`/`a`, `patch`/`pl`/`p`, with an optional number) and an
 *   optional `-dev`; build metadata (`+...`) is dropped. `dev-<branch>` and `<branch>-dev` are
 *   branches.
 * - `version_compare` splits at `.` and at digit/non-digit transitions, compares numbers
 *   numerically and words by `dev < alpha = a < beta = b < RC = rc < (number) < pl = p`,
 *   any other word sorting below `dev`.
 *
 * So `1.0.0-dev < 1.0.0-alpha1 < 1.0.0-beta2 < 1.0.0-RC1 < 1.0.0 < 1.0.0-p1`. Strings Composer
 * cannot normalise are compared with plain `version_compare` (after dropping a leading `v`), which
 * is total.
 */

// Composer's modifier regex, with its possessive `((?:[.-]?\d+)*+)` rewritten as the equivalent
// unambiguous `(\d*(?:[.-]\d+)*)` (JavaScript has no possessive quantifiers).
const STABILITY = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)(\\d*(?:[.-]\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${STABILITY}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${STABILITY}$`, 'i');
const NUMERIC_BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/;

function expandStability(s: string): string {
  const l = s.toLowerCase();
  if (l === 'a') return 'alpha';
  if (l === 'b') return 'beta';
  if (l === 'p' || l === 'pl') return 'patch';
  if (l === 'rc') return 'RC';
  return l;
}

function withStability(base: string, stability?: string, number?: string, dev?: string): string {
  let out = base;
  if (stability && stability.toLowerCase() !== 'stable') {
    out += '-' + expandStability(stability) + (number ? number.replace(/^[.-]+/, '') : '');
  }
  if (dev) out += '-dev';
  return out;
}

/** Composer's VersionParser::normalizeBranch. */
function normalizeBranch(name: string): string {
  const m = NUMERIC_BRANCH.exec(name.trim());
  if (!m) return 'dev-' + name;
  let version = '';
  for (let i = 1; i < 5; i++) version += m[i] !== undefined ? m[i]!.replace(/[*X]/g, 'x') : '.x';
  return version.replace(/x/g, '9999999') + '-dev';
}

/** Composer's normalised form (VersionParser::normalize), or null when Composer would reject it. */
export function normalizeComposer(input: string): string | null {
  let v = input.trim();
  if (v.length === 0 || v.length > 256) return null;
  const alias = /^([^,\s]+) +as +[^,\s]+$/.exec(v);
  if (alias) v = alias[1] as string;
  v = v.replace(/@(?:stable|RC|beta|alpha|dev)$/i, '');
  if (/^(?:master|trunk|default)$/.test(v)) return 'dev-' + v;
  if (/^dev-/i.test(v)) return 'dev-' + v.slice(4);
  const metadata = /^([^,\s+]+)\+\S+$/.exec(v);
  if (metadata) v = metadata[1] as string;

  let m = CLASSICAL.exec(v);
  if (m) return withStability(`${m[1]}${m[2] ?? '.0'}${m[3] ?? '.0'}${m[4] ?? '.0'}`, m[5], m[6], m[7]);
  m = DATE.exec(v);
  if (m) return withStability((m[1] ?? '').replace(/\W/g, '.'), m[2], m[3], m[4]);
  const branch = /^(.*?)[.-]?dev$/i.exec(v);
  if (branch) return normalizeBranch(branch[1] ?? '');
  return null;
}

// ---- PHP version_compare ----

function isSpecial(c: string): boolean {
  return c === '-' || c === '_' || c === '+';
}

function isAlnum(c: string): boolean {
  const x = c.charCodeAt(0);
  return isDigitCode(x) || (x >= 65 && x <= 90) || (x >= 97 && x <= 122);
}

/** php_canonicalize_version. */
function canonicalize(v: string): string {
  if (v.length === 0) return '';
  const out: string[] = [v[0] as string];
  let last = v[0] as string;
  let prev = v[0] as string;
  const push = (c: string): void => {
    out.push(c);
    last = c;
  };
  for (let i = 1; i < v.length; i++) {
    const c = v[i] as string;
    const prevDigit = isDigitCode(prev.charCodeAt(0));
    const curDigit = isDigitCode(c.charCodeAt(0));
    if (isSpecial(c)) {
      if (last !== '.') push('.');
    } else if ((prev !== '.' && !prevDigit && curDigit) || (prevDigit && c !== '.' && !curDigit)) {
      if (last !== '.') push('.');
      push(c);
    } else if (!isAlnum(c)) {
      if (last !== '.') push('.');
    } else {
      push(c);
    }
    prev = c;
  }
  return out.join('');
}

const SPECIAL_FORMS: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function specialForm(s: string): number {
  for (const [name, order] of SPECIAL_FORMS) {
    if (s.startsWith(name)) return order;
  }
  return -6;
}

function compareSpecial(a: string, b: string): number {
  return Math.sign(specialForm(a) - specialForm(b));
}

/** The leading integer of a digit-initial part, as PHP's strtol reads it (here exact, any length). */
function leadingNumber(s: string): string {
  let i = 0;
  while (i < s.length && isDigitCode(s.charCodeAt(i))) i++;
  let j = 0;
  while (j < i - 1 && s[j] === '0') j++;
  return s.slice(j, i);
}

function compareNumbers(a: string, b: string): number {
  const x = leadingNumber(a);
  const y = leadingNumber(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

const startsWithDigit = (s: string): boolean => s.length > 0 && isDigitCode(s.charCodeAt(0));

/**
 * What PHP does once one side has run out of parts: the rest of the other side is compared with
 * the release marker `#N#` (a number wins, a word ranks by its special form, `1.` < `1`).
 */
function compareTail(rest: string[]): number {
  for (const part of rest) {
    if (part === '') return -1;
    if (startsWithDigit(part)) return 1;
    const c = compareSpecial(part, '#N#');
    if (c !== 0) return c;
  }
  return 0;
}

/** PHP's version_compare (php_version_compare), returning -1, 0 or 1. */
export function phpVersionCompare(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) {
    if (a.length === 0 && b.length === 0) return 0;
    return a.length === 0 ? -1 : 1;
  }
  const pa = canonicalize(a).split('.');
  const pb = canonicalize(b).split('.');
  let i = 0;
  while (i < pa.length && i < pb.length) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    // PHP stops at an empty part after a dot (only a trailing one survives canonicalisation).
    if (i > 0 && (x === '' || y === '')) break;
    const dx = startsWithDigit(x);
    const dy = startsWithDigit(y);
    let compare: number;
    if (dx && dy) compare = compareNumbers(x, y);
    else if (!dx && !dy) compare = compareSpecial(x, y);
    else if (dx) compare = compareSpecial('#N#', y);
    else compare = compareSpecial(x, '#N#');
    if (compare !== 0) return compare;
    i++;
  }
  const restA = pa.slice(i);
  const restB = pb.slice(i);
  if (restA.length > 0 && restB.length > 0) return 0;
  if (restA.length > 0) return compareTail(restA);
  if (restB.length > 0) return -compareTail(restB);
  return 0;
}

export function compareComposer(a: string, b: string): number {
  const na = normalizeComposer(a) ?? a.trim().replace(/^[vV](?=\d)/, '');
  const nb = normalizeComposer(b) ?? b.trim().replace(/^[vV](?=\d)/, '');
  return phpVersionCompare(na, nb);
}

export const composerVersions: VersionScheme = {
  id: 'composer',
  compare: guarded(compareComposer),
  isValid: (v) => normalizeComposer(v) !== null,
};
