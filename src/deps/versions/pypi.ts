import pep440 from '@renovatebot/pep440';
import type { VersionScheme } from './scheme.js';
import { compareStrings, guarded } from './util.js';

/**
 * PyPI: PEP 440 ordering (epochs, `.devN < aN < bN < rcN < release < .postN`, local versions
 * after their public version), delegated to @renovatebot/pep440 for valid versions.
 *
 * Strings PEP 440 rejects are ordered the way `packaging` ordered them before version 22
 * (`LegacyVersion`): always before every valid version, among themselves by setuptools' legacy key
 * (numbers zero-padded, words marked, `pre`/`preview`/`rc` read as `c`, `dev` as `@`). That keeps
 * the comparison total and never throwing.
 */
const MAX_LENGTH = 512;

function isValidPep440(v: string): boolean {
  return v.length <= MAX_LENGTH && pep440.valid(v.trim()) !== null;
}

const LEGACY_COMPONENT = /(\d+|[a-z]+|\.|-)/;
const LEGACY_REPLACEMENTS: Record<string, string> = {
  pre: 'c',
  preview: 'c',
  '-': 'final-',
  rc: 'c',
  dev: '@',
};

/** packaging's `_legacy_cmpkey` (without the constant epoch of -1). */
export function legacyKey(version: string): string[] {
  const parts: string[] = [];
  const raw = version.toLowerCase().split(LEGACY_COMPONENT);
  const components: string[] = [];
  for (const piece of raw) {
    const part = LEGACY_REPLACEMENTS[piece] ?? piece;
    if (part === '' || part === '.') continue;
    components.push(/^\d/.test(part) ? part.padStart(8, '0') : '*' + part);
  }
  components.push('*final');
  for (const part of components) {
    if (part.startsWith('*')) {
      if (part < '*final') {
        while (parts.length > 0 && parts[parts.length - 1] === '*final-') parts.pop();
      }
      while (parts.length > 0 && parts[parts.length - 1] === '00000000') parts.pop();
    }
    parts.push(part);
  }
  return parts;
}

function compareLegacy(a: string, b: string): number {
  const ka = legacyKey(a);
  const kb = legacyKey(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const r = compareStrings(ka[i] as string, kb[i] as string);
    if (r !== 0) return r;
  }
  return ka.length === kb.length ? 0 : ka.length < kb.length ? -1 : 1;
}

export function comparePypi(a: string, b: string): number {
  const va = isValidPep440(a);
  const vb = isValidPep440(b);
  if (va && vb) return pep440.compare(a.trim(), b.trim());
  if (va) return 1;
  if (vb) return -1;
  return compareLegacy(a, b);
}

export const pypiVersions: VersionScheme = {
  id: 'pep440',
  compare: guarded(comparePypi),
  isValid: isValidPep440,
};
