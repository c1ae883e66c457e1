/**
 * Version ordering, one implementation per ecosystem behind one interface. OSV ranges of type
 * ECOSYSTEM are evaluated with the ecosystem's own ordering; SEMVER ranges always with `semver`.
 */
export interface VersionScheme {
  /** Stable id, e.g. `npm`, `pep440`, `maven`, `dpkg`. */
  readonly id: string;
  /** Negative when a < b, 0 when equal (in the ecosystem's sense), positive when a > b. Never throws. */
  compare(a: string, b: string): number;
  /** Whether the ecosystem would accept this string as a version at all. */
  isValid(version: string): boolean;
}
