import type { VersionScheme } from './scheme.js';
import { compareDigits, compareStrings, guarded, isDigits } from './util.js';

/**
 * Go module versions, as golang.org/x/mod/semver orders them: Semantic Versioning 2.0.0 with a
 * `v` prefix, the shorthands `v1` and `v1.2` (meaning v1.0.0 and v1.2.0), build metadata such as
 * `+incompatible` ignored, and pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
 * `v1.2.4-0.20191109021931-daa7c04131f5`) ordered as the pre-releases they are. An invalid string
 * sorts before every valid one and all invalid strings compare equal, exactly as in x/mod.
 *
 * OSV writes Go versions without the `v` (`1.2.3`), so the prefix is optional here. Go toolchain
 * names (`go1.21.3`, `go1.21rc2`, `1.20beta1`) are read as the semver OSV uses for them
 * (`1.21.3`, `1.21.0-rc.2`, `1.20.0-beta.1`).
 */
interface GoVersion {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
}

const IDENT = /^[0-9A-Za-z-]+$/;
const TOOLCHAIN = /^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?(beta|rc)(\d+)$/;

function validNumber(s: string | undefined): s is string {
  return s !== undefined && isDigits(s) && (s.length === 1 || s[0] !== '0');
}

function parseIdentifiers(s: string, numericNoLeadingZero: boolean): string[] | null {
  const parts = s.split('.');
  for (const p of parts) {
    if (!IDENT.test(p)) return null;
    if (numericNoLeadingZero && isDigits(p) && p.length > 1 && p[0] === '0') return null;
  }
  return parts;
}

export function parseGoVersion(input: string): GoVersion | null {
  if (input.length > 512) return null;
  let v = input.trim();
  const toolchain = TOOLCHAIN.exec(v);
  if (toolchain) {
    const [, major = '0', minor = '0', patch = '0', kind = 'rc', n = '0'] = toolchain;
    return { major, minor, patch, prerelease: [kind, n] };
  }
  if (v.startsWith('go') && /^go\d/.test(v)) v = v.slice(2);
  else if (v.startsWith('v')) v = v.slice(1);

  let build: string | undefined;
  const plus = v.indexOf('+');
  if (plus >= 0) {
    build = v.slice(plus + 1);
    v = v.slice(0, plus);
    if (parseIdentifiers(build, false) === null) return null;
  }
  let pre: string | undefined;
  const dash = v.indexOf('-');
  if (dash >= 0) {
    pre = v.slice(dash + 1);
    v = v.slice(0, dash);
  }
  const nums = v.split('.');
  if (nums.length > 3 || !nums.every(validNumber)) return null;
  // x/mod accepts the shorthands vMAJOR and vMAJOR.MINOR only without pre-release or build.
  if (nums.length < 3 && (pre !== undefined || build !== undefined)) return null;
  let prerelease: string[] = [];
  if (pre !== undefined) {
    const ids = parseIdentifiers(pre, true);
    if (ids === null) return null;
    prerelease = ids;
  }
  return { major: nums[0] ?? '0', minor: nums[1] ?? '0', patch: nums[2] ?? '0', prerelease };
}

function compareIdentifier(a: string, b: string): number {
  const an = isDigits(a);
  const bn = isDigits(b);
  if (an && bn) return compareDigits(a, b);
  if (an) return -1;
  if (bn) return 1;
  return compareStrings(a, b);
}

/** Semver precedence of two parsed versions (shared with other semver-shaped schemes). */
export function compareParsedSemver(a: GoVersion, b: GoVersion): number {
  const core =
    compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch);
  if (core !== 0) return core;
  const ap = a.prerelease;
  const bp = b.prerelease;
  if (ap.length === 0 || bp.length === 0) return ap.length === bp.length ? 0 : ap.length === 0 ? 1 : -1;
  const n = Math.min(ap.length, bp.length);
  for (let i = 0; i < n; i++) {
    const r = compareIdentifier(ap[i] as string, bp[i] as string);
    if (r !== 0) return r;
  }
  return ap.length === bp.length ? 0 : ap.length < bp.length ? -1 : 1;
}

export function compareGo(a: string, b: string): number {
  const pa = parseGoVersion(a);
  const pb = parseGoVersion(b);
  if (pa && pb) return compareParsedSemver(pa, pb);
  if (pa) return 1;
  if (pb) return -1;
  return 0;
}

export const goVersions: VersionScheme = {
  id: 'go',
  compare: guarded(compareGo),
  isValid: (v) => parseGoVersion(v) !== null,
};
