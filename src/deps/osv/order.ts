import semver from 'semver';
import { schemeFor } from '../versions/index.js';
import { ecosystemBase } from './ecosystem.js';

/** How the versions of one OSV range are ordered. */
export interface VersionOrder {
  compare(a: string, b: string): number;
  /** Whether an installed version can be placed in this ordering at all. */
  isValid(version: string): boolean;
}

function stripV(v: string): string {
  return v.length > 1 && (v[0] === 'v' || v[0] === 'V') ? v.slice(1) : v;
}

/** An installed version as SemVer: `v` prefix stripped, loose parse, plain `1.2` accepted. */
function parseInstalled(v: string): semver.SemVer | null {
  const s = stripV(v.trim());
  return (
    semver.parse(s, { loose: true }) ?? (/^\d/.test(s) ? semver.coerce(s, { includePrerelease: true }) : null)
  );
}

/** A range bound: OSV data sometimes writes `1.0` or `v1.2.3` in SEMVER ranges, so coerce generously. */
function parseBound(v: string): semver.SemVer | null {
  const s = stripV(v.trim());
  return semver.parse(s, { loose: true }) ?? semver.coerce(s, { includePrerelease: true });
}

/** SemVer 2.0.0 precedence (build metadata ignored). Unparseable strings sort after every version, by text. */
export function compareSemverLike(a: string, b: string): number {
  const pa = parseBound(a);
  const pb = parseBound(b);
  if (pa && pb) return semver.compare(pa, pb);
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export const semverOrder: VersionOrder = {
  compare: compareSemverLike,
  isValid: (v) => parseInstalled(v) !== null,
};

/**
 * The ordering for a range: SEMVER ranges always use SemVer, ECOSYSTEM ranges the ecosystem's own
 * scheme (undefined when Rampart has none for it yet), GIT ranges cannot be ordered without the
 * repository and are undefined.
 */
export function orderFor(rangeType: string, ecosystem: string): VersionOrder | undefined {
  if (rangeType === 'SEMVER') return semverOrder;
  if (rangeType !== 'ECOSYSTEM') return undefined;
  return schemeFor(ecosystemBase(ecosystem));
}

/** The ordering used to compare fixed versions across ranges: the ecosystem's scheme, else SemVer. */
export function ecosystemOrder(ecosystem: string): VersionOrder {
  return schemeFor(ecosystemBase(ecosystem)) ?? semverOrder;
}
