import type { Component, DependencyScope } from '../deps/model.js';

/** What the SBOM writers need: the scanned target, the tool version and the inventory. */
export interface SbomInput {
  /** The scanned target (a folder path or name): its base name names the SBOM's subject. */
  target: string;
  /** Rampart's version, recorded as the creating tool. */
  toolVersion: string;
  components: Component[];
  /** Creation time; defaults to now. */
  timestamp?: Date;
}

/** One package of the SBOM: components of the inventory that share an id, merged. */
export interface SbomPackage {
  id: string;
  component: Component;
  /** Every place the package was declared (`path` or `path:line`), sorted. */
  locations: string[];
  direct?: boolean;
  scope?: DependencyScope;
  licenses: string[];
  /** ids of known packages this one depends on, sorted; undefined when no source recorded a graph. */
  dependsOn?: string[];
}

/** Most runtime-relevant first: when one package is declared with several scopes, the first wins. */
const SCOPE_RANK: DependencyScope[] = ['prod', 'peer', 'provided', 'optional', 'build', 'dev', 'test'];

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function location(c: Component): string {
  return c.location.line ? `${c.location.path}:${c.location.line}` : c.location.path;
}

function mergeScope(
  a: DependencyScope | undefined,
  b: DependencyScope | undefined,
): DependencyScope | undefined {
  // An unknown scope counts as prod (model.ts), so it wins over any narrower one.
  if (a === undefined || b === undefined) return undefined;
  return SCOPE_RANK.indexOf(a) <= SCOPE_RANK.indexOf(b) ? a : b;
}

function mergeDirect(a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  if (a === true || b === true) return true;
  if (a === false && b === false) return false;
  return undefined;
}

/**
 * The inventory as SBOM packages, sorted by id: components with the same id (one package found in
 * several lockfiles) become one package, with every location, the widest scope and the union of
 * licences and dependencies. Dependencies on ids absent from the inventory are dropped.
 */
export function sbomPackages(components: readonly Component[]): SbomPackage[] {
  const byId = new Map<string, SbomPackage>();
  for (const c of components) {
    const hit = byId.get(c.id);
    if (!hit) {
      byId.set(c.id, {
        id: c.id,
        component: c,
        locations: [location(c)],
        direct: c.direct,
        scope: c.scope,
        licenses: [...(c.licenses ?? [])],
        ...(c.dependsOn ? { dependsOn: [...c.dependsOn] } : {}),
      });
      continue;
    }
    hit.locations.push(location(c));
    hit.direct = mergeDirect(hit.direct, c.direct);
    hit.scope = mergeScope(hit.scope, c.scope);
    for (const l of c.licenses ?? []) if (!hit.licenses.includes(l)) hit.licenses.push(l);
    if (c.dependsOn) hit.dependsOn = [...(hit.dependsOn ?? []), ...c.dependsOn];
  }
  const packages = [...byId.values()].sort((a, b) => compare(a.id, b.id));
  for (const p of packages) {
    p.locations = [...new Set(p.locations)].sort(compare);
    if (p.dependsOn)
      p.dependsOn = [...new Set(p.dependsOn)].filter((d) => d !== p.id && byId.has(d)).sort(compare);
  }
  return packages;
}

/**
 * ids of the packages the scanned target itself depends on: those marked direct, plus those whose
 * directness is unknown and that no other package depends on (top-level as far as we can tell).
 */
export function rootDependencies(packages: readonly SbomPackage[]): string[] {
  const dependedOn = new Set(packages.flatMap((p) => p.dependsOn ?? []));
  return packages
    .filter((p) => p.direct === true || (p.direct === undefined && !dependedOn.has(p.id)))
    .map((p) => p.id);
}

/** The SBOM's subject name: the base name of the target path. */
export function targetName(target: string): string {
  const trimmed = target.replace(/[\\/]+$/, '');
  const base = trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
  return base && base !== '.' ? base : trimmed || 'unnamed';
}

/** ISO 8601 UTC without milliseconds (`2024-05-01T12:00:00Z`), as SPDX asks and CycloneDX accepts. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
