import type { VersionScheme } from './scheme.js';
import { compareDigits, compareStrings, guarded, isDigitCode } from './util.js';

/**
 * Alpine: apk-tools 3 version ordering. The grammar is
 * `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`, read as a stream of tokens:
 *
 * - the first number, then `.number` parts; a part with a leading zero compares as a string with
 *   the other part (Gentoo's rule, so `1.010 < 1.09`), otherwise numerically;
 * - one lower-case letter;
 * - suffixes `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p`, each with an
 *   optional number;
 * - `~hash` (compared as a string), then the `-rN` package revision.
 *
 * Tokens are compared pairwise while both streams have the same token kind; when they diverge, a
 * pre-release suffix (`_alpha`..`_rc`) makes its version older, otherwise the stream whose token
 * kind is "further along" the grammar (or that ended, or went invalid) is older. That is exactly
 * apk's `apk_version_compare`, including its treatment of malformed strings, which keeps the
 * comparison total.
 */

const enum Tok {
  InitialDigit = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  CommitHash = 5,
  RevisionNo = 6,
  End = 7,
  Invalid = 8,
}

// Suffix ranks: pre-releases below NONE, post-releases above.
const SUFFIX_NONE = 5;
const SUFFIXES: Record<string, number> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};

interface TokenState {
  tok: Tok;
  /** The token's text (digits, the letter, the suffix name or the hash). */
  value: string;
  suffix: number;
}

class Reader {
  pos = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.pos >= this.s.length;
  }

  digits(t: TokenState): void {
    const start = this.pos;
    while (this.pos < this.s.length && isDigitCode(this.s.charCodeAt(this.pos))) this.pos++;
    t.value = this.s.slice(start, this.pos);
    if (t.value.length === 0) t.tok = Tok.Invalid;
  }

  span(test: (c: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.s.length && test(this.s.charCodeAt(this.pos))) this.pos++;
    return this.s.slice(start, this.pos);
  }
}

const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isHex = (c: number): boolean => isDigitCode(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

function first(r: Reader): TokenState {
  const t: TokenState = { tok: Tok.InitialDigit, value: '', suffix: 0 };
  r.digits(t);
  return t;
}

function next(t: TokenState, r: Reader): void {
  if (r.done) {
    t.tok = Tok.End;
    return;
  }
  const c = r.s.charCodeAt(r.pos);
  if (isLower(c)) {
    if (t.tok > Tok.Digit) return invalid(t);
    t.value = r.s[r.pos] as string;
    t.tok = Tok.Letter;
    r.pos++;
    return;
  }
  if (c === 46 /* . */ || isDigitCode(c)) {
    if (c === 46) {
      if (t.tok > Tok.Digit) return invalid(t);
      r.pos++;
    }
    if (t.tok === Tok.InitialDigit || t.tok === Tok.Digit) t.tok = Tok.Digit;
    else if (t.tok === Tok.Suffix) t.tok = Tok.SuffixNo;
    else return invalid(t);
    r.digits(t);
    return;
  }
  if (c === 95 /* _ */) {
    if (t.tok > Tok.SuffixNo) return invalid(t);
    r.pos++;
    t.value = r.span(isLower);
    const rank = SUFFIXES[t.value];
    if (rank === undefined) return invalid(t);
    t.suffix = rank;
    t.tok = Tok.Suffix;
    return;
  }
  if (c === 126 /* ~ */) {
    if (t.tok >= Tok.CommitHash) return invalid(t);
    r.pos++;
    t.value = r.span(isHex);
    if (t.value.length === 0) return invalid(t);
    t.tok = Tok.CommitHash;
    return;
  }
  if (c === 45 /* - */) {
    if (t.tok >= Tok.RevisionNo) return invalid(t);
    if (r.s.charCodeAt(r.pos + 1) !== 114 /* r */) return invalid(t);
    r.pos += 2;
    t.tok = Tok.RevisionNo;
    r.digits(t);
    return;
  }
  invalid(t);
}

function invalid(t: TokenState): void {
  t.tok = Tok.Invalid;
}

function tokenCompare(a: TokenState, b: TokenState): number {
  switch (a.tok) {
    case Tok.Digit:
      if (a.value[0] === '0' || b.value[0] === '0') return compareStrings(a.value, b.value);
      return compareDigits(a.value, b.value);
    case Tok.InitialDigit:
    case Tok.SuffixNo:
    case Tok.RevisionNo:
      return compareDigits(a.value, b.value);
    case Tok.Letter:
      return compareStrings(a.value, b.value);
    case Tok.Suffix:
      return a.suffix - b.suffix;
    default:
      return compareStrings(a.value, b.value);
  }
}

export function compareApk(a: string, b: string): number {
  const ra = new Reader(a);
  const rb = new Reader(b);
  const ta = first(ra);
  const tb = first(rb);
  // Bounded: every step consumes at least one character or ends the stream.
  while (ta.tok === tb.tok && ta.tok < Tok.End) {
    const r = tokenCompare(ta, tb);
    if (r !== 0) return r;
    next(ta, ra);
    next(tb, rb);
  }
  if (ta.tok === tb.tok) return 0;
  if (ta.tok === Tok.Suffix && ta.suffix < SUFFIX_NONE) return -1;
  if (tb.tok === Tok.Suffix && tb.suffix < SUFFIX_NONE) return 1;
  return ta.tok > tb.tok ? -1 : 1;
}

function validate(v: string): boolean {
  const r = new Reader(v);
  const t = first(r);
  while (t.tok < Tok.End) next(t, r);
  return t.tok === Tok.End;
}

export const apkVersions: VersionScheme = {
  id: 'apk',
  compare: guarded(compareApk),
  isValid: (v) => v.length > 0 && validate(v),
};
