/**
 * Ecosystem and package-name identity for OSV matching. An OSV ecosystem string may carry a suffix
 * after `:` (`AlmaLinux:9`, `Debian:12`, `Packagist:https://packages.drupal.org/8`); the part before
 * it names the ecosystem proper.
 */

/** `AlmaLinux:9` → `AlmaLinux`, `npm` → `npm`. */
export function ecosystemBase(ecosystem: string): string {
  const i = ecosystem.indexOf(':');
  return i < 0 ? ecosystem : ecosystem.slice(0, i);
}

/**
 * Whether a record's `affected[].package.ecosystem` covers the ecosystem we are asked about. The
 * bases must be equal; a suffix only narrows the match when both sides carry one (`Debian:12` does
 * not cover a component known to be on `Debian:11`, but covers one known only as `Debian`).
 */
export function ecosystemMatches(recordEcosystem: string, queryEcosystem: string): boolean {
  const rb = ecosystemBase(recordEcosystem);
  const qb = ecosystemBase(queryEcosystem);
  if (rb !== qb) return false;
  if (rb.length === recordEcosystem.length || qb.length === queryEcosystem.length) return true;
  return recordEcosystem === queryEcosystem;
}

/**
 * A package name in the form used for comparison: PyPI names are PEP 503-normalised
 * (https://peps.python.org/pep-0503/#normalized-names), NuGet package ids are case-insensitive
 * (https://learn.microsoft.com/nuget/reference/nuspec#id), every other ecosystem compares exactly
 * (npm and Go are case-sensitive, Maven is `group:artifact`).
 */
export function normalisePackageName(ecosystem: string, name: string): string {
  switch (ecosystemBase(ecosystem)) {
    case 'PyPI':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'NuGet':
      return name.toLowerCase();
    default:
      return name;
  }
}

export function packageNamesMatch(ecosystem: string, a: string, b: string): boolean {
  return a === b || normalisePackageName(ecosystem, a) === normalisePackageName(ecosystem, b);
}
