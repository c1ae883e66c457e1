import semver from 'semver';
import type { VersionScheme } from './scheme.js';

/**
 * npm and Cargo: Semantic Versioning 2.0.0 (build metadata ignored, pre-releases before their
 * release). Loose strings such as `v1.2` are coerced; anything else sorts by plain string order
 * after every valid version, so comparison never throws.
 */
function parse(v: string): semver.SemVer | null {
  return semver.parse(v, { loose: true }) ?? semver.coerce(v, { includePrerelease: true });
}

export function compareSemver(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (pa && pb) return semver.compare(pa, pb);
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export const npmVersions: VersionScheme = {
  id: 'npm',
  compare: compareSemver,
  isValid: (v) => semver.valid(v, { loose: true }) !== null,
};
