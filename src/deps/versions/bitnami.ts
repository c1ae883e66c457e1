import semver from 'semver';
import type { VersionScheme } from './scheme.js';
import { compareSemver } from './npm.js';
import { guarded } from './util.js';

/**
 * Bitnami: the Bitnami vulnerability database writes its ranges in Semantic Versioning 2.0.0
 * (application versions such as `2.4.58`, image revisions as `-rN` pre-release-shaped suffixes are
 * not used in ranges), so the npm/semver ordering applies; loose strings are coerced.
 */
export const bitnamiVersions: VersionScheme = {
  id: 'bitnami',
  compare: guarded(compareSemver),
  isValid: (v) => semver.valid(v, { loose: true }) !== null,
};
