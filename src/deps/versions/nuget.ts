import type { VersionScheme } from './scheme.js';
import { compareDigits, compareStrings, guarded, isDigits } from './util.js';

/**
 * NuGet: NuGet.Versioning's default comparer. Up to four numeric parts
 * (major.minor.patch.revision, missing parts are 0, so `1.0` = `1.0.0.0`), then SemVer 2.0
 * pre-release labels: a version without labels is greater, labels compare part by part, numeric
 * parts numerically and below alphanumeric ones, alphanumeric parts case-insensitively, a shorter
 * label list that is a prefix of the other is smaller. Build metadata (`+...`) is ignored.
 *
 * Strings NuGet would reject sort before every valid version, among themselves case-insensitively.
 */
interface NuGetVersion {
  parts: string[];
  labels: string[];
}

const NUMBERS = /^\d+(?:\.\d+){0,3}$/;
const LABEL = /^[0-9A-Za-z-]+$/;

export function parseNuGetVersion(input: string): NuGetVersion | null {
  let v = input.trim();
  if (v.length === 0 || v.length > 512) return null;
  if (v[0] === 'v' || v[0] === 'V') v = v.slice(1);
  const plus = v.indexOf('+');
  if (plus >= 0) v = v.slice(0, plus);
  const dash = v.indexOf('-');
  const core = dash >= 0 ? v.slice(0, dash) : v;
  if (!NUMBERS.test(core)) return null;
  const parts = core.split('.');
  while (parts.length < 4) parts.push('0');
  let labels: string[] = [];
  if (dash >= 0) {
    labels = v.slice(dash + 1).split('.');
    if (!labels.every((l) => LABEL.test(l))) return null;
  }
  return { parts, labels };
}

function compareLabel(a: string, b: string): number {
  const an = isDigits(a);
  const bn = isDigits(b);
  if (an && bn) return compareDigits(a, b);
  if (an) return -1;
  if (bn) return 1;
  return compareStrings(a.toLowerCase(), b.toLowerCase());
}

export function compareParsedNuGet(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const r = compareDigits(a.parts[i] ?? '0', b.parts[i] ?? '0');
    if (r !== 0) return r;
  }
  const la = a.labels;
  const lb = b.labels;
  if (la.length === 0 || lb.length === 0) return la.length === lb.length ? 0 : la.length === 0 ? 1 : -1;
  const n = Math.min(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    const r = compareLabel(la[i] as string, lb[i] as string);
    if (r !== 0) return r;
  }
  return la.length === lb.length ? 0 : la.length < lb.length ? -1 : 1;
}

export function compareNuGet(a: string, b: string): number {
  const pa = parseNuGetVersion(a);
  const pb = parseNuGetVersion(b);
  if (pa && pb) return compareParsedNuGet(pa, pb);
  if (pa) return 1;
  if (pb) return -1;
  return compareStrings(a.trim().toLowerCase(), b.trim().toLowerCase()) || compareStrings(a, b);
}

export const nugetVersions: VersionScheme = {
  id: 'nuget',
  compare: guarded(compareNuGet),
  isValid: (v) => parseNuGetVersion(v) !== null,
};
