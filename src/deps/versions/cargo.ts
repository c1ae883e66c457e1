import type { VersionScheme } from './scheme.js';
import { compareSemver } from './npm.js';
import { guarded } from './util.js';
import semver from 'semver';

/**
 * crates.io: Cargo versions are Semantic Versioning 2.0.0 (build metadata ignored, pre-releases
 * before their release), the same ordering as npm's.
 */
export const cargoVersions: VersionScheme = {
  id: 'cargo',
  compare: guarded(compareSemver),
  isValid: (v) => semver.valid(v) !== null,
};
