import type { VersionScheme } from './scheme.js';
import { compareDigits, guarded, isAsciiLetterCode, isDigitCode, isDigits } from './util.js';

/**
 * Debian and Ubuntu: dpkg's version ordering (deb-version(7)). A version is
 * `[epoch:]upstream_version[-debian_revision]`; the epoch is compared as a number, then the
 * upstream version and the revision with dpkg's `verrevcmp`: alternating non-digit and digit runs,
 * where in the non-digit runs `~` sorts before everything (even the end of the string), then the
 * end, then letters, then every other character; digit runs compare numerically.
 *
 * dpkg refuses malformed versions; here they are still split the same way (epoch before the first
 * `:` when it is all digits, revision after the last `-`), so any string gets a stable position.
 */
interface DebVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

export function parseDebVersion(input: string): DebVersion {
  const v = input.trim();
  let epoch = '0';
  let rest = v;
  const colon = v.indexOf(':');
  if (colon >= 0 && isDigits(v.slice(0, colon))) {
    epoch = v.slice(0, colon);
    rest = v.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  if (dash >= 0) return { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
  return { epoch, upstream: rest, revision: '' };
}

function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (isDigitCode(c)) return 0;
  if (isAsciiLetterCode(c)) return c;
  if (c === 126 /* ~ */) return -1;
  return c + 256;
}

/** dpkg's verrevcmp over one part (upstream version or revision). */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (
      (i < a.length && !isDigitCode(a.charCodeAt(i))) ||
      (j < b.length && !isDigitCode(b.charCodeAt(j)))
    ) {
      const ac = order(a, i);
      const bc = order(b, j);
      if (ac !== bc) return ac < bc ? -1 : 1;
      i++;
      j++;
    }
    const si = i;
    while (i < a.length && isDigitCode(a.charCodeAt(i))) i++;
    const sj = j;
    while (j < b.length && isDigitCode(b.charCodeAt(j))) j++;
    const r = compareDigits(a.slice(si, i) || '0', b.slice(sj, j) || '0');
    if (r !== 0) return r;
  }
  return 0;
}

export function compareDpkg(a: string, b: string): number {
  const va = parseDebVersion(a);
  const vb = parseDebVersion(b);
  return (
    compareDigits(va.epoch, vb.epoch) ||
    verrevcmp(va.upstream, vb.upstream) ||
    verrevcmp(va.revision, vb.revision)
  );
}

const VALID_UPSTREAM = /^[0-9][A-Za-z0-9.+~:-]*$/;
const VALID_REVISION = /^[A-Za-z0-9.+~]+$/;

export const dpkgVersions: VersionScheme = {
  id: 'dpkg',
  compare: guarded(compareDpkg),
  isValid: (v) => {
    const t = v.trim();
    if (t.length === 0 || t.length > 1024) return false;
    const colon = t.indexOf(':');
    if (colon >= 0 && !isDigits(t.slice(0, colon))) return false;
    const p = parseDebVersion(t);
    if (!VALID_UPSTREAM.test(p.upstream)) return false;
    return t.lastIndexOf('-') < 0 || VALID_REVISION.test(p.revision);
  },
};
