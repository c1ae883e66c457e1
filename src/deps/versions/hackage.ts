import type { VersionScheme } from './scheme.js';
import { compareArrays, compareDigits, compareStrings, guarded } from './util.js';

/**
 * Hackage and GHC: Haskell's `Data.Version` ordering, a dotted list of natural numbers compared
 * element by element, a proper prefix sorting first (`1.0 < 1.0.0`). Strings that are not dotted
 * numbers sort before every valid version, among themselves in plain string order.
 */
const DOTTED = /^\d+(?:\.\d+)*$/;

function parse(v: string): string[] | null {
  const t = v.trim();
  return t.length <= 1024 && DOTTED.test(t) ? t.split('.') : null;
}

export function compareHackage(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (pa && pb) return compareArrays(pa, pb, compareDigits);
  if (pa) return 1;
  if (pb) return -1;
  return compareStrings(a, b);
}

export const hackageVersions: VersionScheme = {
  id: 'hackage',
  compare: guarded(compareHackage),
  isValid: (v) => parse(v) !== null,
};
