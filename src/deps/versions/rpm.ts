import type { VersionScheme } from './scheme.js';
import { compareStrings, guarded, isAsciiLetterCode, isDigitCode, trimZeros } from './util.js';

/**
 * AlmaLinux, Rocky Linux, Red Hat (and other RPM distributions): rpm's `rpmvercmp` (rpm >= 4.15)
 * applied to `[epoch:]version[-release]`.
 *
 * - The epoch is the leading run of digits when a `:` follows it (rpm's parseEVR); missing means 0.
 *   It is compared with rpmvercmp too, as rpm does (`01:2` equals `1:2`).
 * - The release is what follows the last `-`.
 * - rpmvercmp walks alphanumeric segments, ignoring every other character as a separator; digit
 *   segments compare numerically and beat letter segments; `~` sorts before anything (even the end
 *   of the string) and `^` after the end of the string but before anything else.
 *
 * One deliberate difference from rpm, following OSV: rpm skips the release comparison when either
 * side has no release, whereas here a missing release sorts before any release (`1 < 1-0`), so a
 * fixed version written with a release is never satisfied by the bare upstream version.
 */
interface Evr {
  epoch: string;
  version: string;
  release: string | undefined;
}

export function parseEvr(input: string): Evr {
  const s = input.trim();
  let i = 0;
  while (i < s.length && isDigitCode(s.charCodeAt(i))) i++;
  let epoch = '0';
  let rest = s;
  if (i < s.length && s[i] === ':') {
    epoch = i === 0 ? '0' : s.slice(0, i);
    rest = s.slice(i + 1);
  }
  const dash = rest.lastIndexOf('-');
  if (dash >= 0) return { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
  return { epoch, version: rest, release: undefined };
}

function isAlnum(c: number): boolean {
  return isDigitCode(c) || isAsciiLetterCode(c);
}

/** rpm's rpmvercmp (with `~` and `^`), over ASCII; every other character is a separator. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const TILDE = 126;
  const CARET = 94;
  while (i < a.length || j < b.length) {
    while (
      i < a.length &&
      !isAlnum(a.charCodeAt(i)) &&
      a.charCodeAt(i) !== TILDE &&
      a.charCodeAt(i) !== CARET
    )
      i++;
    while (
      j < b.length &&
      !isAlnum(b.charCodeAt(j)) &&
      b.charCodeAt(j) !== TILDE &&
      b.charCodeAt(j) !== CARET
    )
      j++;
    const ca = i < a.length ? a.charCodeAt(i) : 0;
    const cb = j < b.length ? b.charCodeAt(j) : 0;

    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;

    const isNum = isDigitCode(ca);
    const si = i;
    const sj = j;
    const inSegment = isNum ? isDigitCode : isAsciiLetterCode;
    while (i < a.length && inSegment(a.charCodeAt(i))) i++;
    while (j < b.length && inSegment(b.charCodeAt(j))) j++;
    // Segments of different kinds: the numeric one is newer.
    if (j === sj) return isNum ? 1 : -1;
    let sa = a.slice(si, i);
    let sb = b.slice(sj, j);
    if (isNum) {
      sa = trimZeros(sa).replace(/^0$/, '');
      sb = trimZeros(sb).replace(/^0$/, '');
      if (sa.length !== sb.length) return sa.length < sb.length ? -1 : 1;
    }
    const r = compareStrings(sa, sb);
    if (r !== 0) return r;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export function compareRpm(a: string, b: string): number {
  const va = parseEvr(a);
  const vb = parseEvr(b);
  const e = rpmvercmp(va.epoch, vb.epoch);
  if (e !== 0) return e;
  const v = rpmvercmp(va.version, vb.version);
  if (v !== 0) return v;
  if (va.release === undefined || vb.release === undefined) {
    return va.release === vb.release ? 0 : va.release === undefined ? -1 : 1;
  }
  return rpmvercmp(va.release, vb.release);
}

export const rpmVersions: VersionScheme = {
  id: 'rpm',
  compare: guarded(compareRpm),
  isValid: (v) => {
    const t = v.trim();
    return t.length > 0 && t.length <= 1024 && /^(?:\d+:)?[A-Za-z0-9._+~^]+(?:-[A-Za-z0-9._+~^]+)?$/.test(t);
  },
};
