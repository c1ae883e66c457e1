import type {
  Component,
  DependencyScope,
  LockfileParser,
  ParseInput,
  ParseResult,
  Unresolved,
} from '../../model.js';
import { normaliseLicense } from '../../license.js';
import { purlOf } from '../../purl.js';
import { interpolatedCoordinates, managedKey, PomResolver, type EffectivePom } from './effective-pom.js';
import type { Interpolated } from './interpolate.js';
import { readPom, type PomDependency } from './pom-xml.js';

/**
 * pom.xml: the dependencies a pom declares (`<dependencies>`, not `<dependencyManagement>` itself),
 * each `direct`, with versions resolved offline from the pom, its local parents and local BOMs.
 * Every pom of a multi-module build is parsed on its own (the walker finds each module's pom.xml);
 * dependencies inherited from a parent pom are reported at the parent, not repeated in each module.
 *
 * The project's own artifact (`group:artifact:version` of the pom) is reported too, as Trivy does,
 * with `direct` and `scope` left undefined and `dependsOn` listing its declared dependencies: it is the
 * root of the pom's graph, not a third-party package (the model has no dedicated flag for it).
 */

const POM_SCOPES: Record<string, DependencyScope> = {
  test: 'test',
  provided: 'provided',
  // `system` jars come from a local path, like `provided` ones they are not packaged.
  system: 'provided',
};

function scopeOf(scope: string | undefined, optional: boolean): DependencyScope {
  const mapped = scope ? POM_SCOPES[scope] : undefined;
  if (mapped) return mapped;
  return optional ? 'optional' : 'prod';
}

/**
 * A version as Maven would use it, or why it cannot be used: `1.0` (soft requirement) and `[1.0]`
 * (hard requirement) are concrete; ranges are resolved against a repository at build time.
 */
function concreteVersion(version: string): { version: string } | { reason: string } {
  const exact = /^\[\s*([^,[\]()\s]+)\s*\]$/.exec(version);
  if (exact?.[1]) return { version: exact[1] };
  if (/^[[(]/.test(version) || version.includes(',')) {
    return { reason: `version range "${version}" is resolved at build time against a repository` };
  }
  return { version };
}

type InterpolationFailure = Extract<Interpolated, { ok: false }>;

function failureOf(...values: (Interpolated | undefined)[]): InterpolationFailure | undefined {
  for (const v of values) if (v && !v.ok) return v;
  return undefined;
}

function unresolvedVersionReason(
  eff: EffectivePom,
  explicit: boolean,
  failure?: InterpolationFailure,
): string {
  if (failure?.overLimit) return `property \${${failure.missing}} expands beyond the interpolation limits`;
  if (failure) {
    const missing = failure.missing;
    // Properties come from parents only: an imported BOM contributes its dependencyManagement alone.
    const where = eff.remoteParent
      ? `; it may be defined by remote parent ${eff.remoteParent}, not available offline`
      : '';
    return `property \${${missing}} is not defined in this pom or its local parents${where}`;
  }
  const remote = [
    ...(eff.remoteParent ? [`remote parent ${eff.remoteParent}`] : []),
    ...eff.remoteBoms().map((b) => `imported BOM ${b}`),
  ];
  if (explicit) return 'version is empty';
  if (remote.length === 1) return `version managed by ${remote[0]}, not available offline`;
  if (remote.length > 1)
    return `version not declared locally; it may be managed by ${remote.join(' or ')}, not available offline`;
  return 'no version declared and none managed by this pom, its local parents or local BOMs';
}

interface Resolved {
  component?: Component;
  unresolved?: Unresolved;
}

function resolveDependency(eff: EffectivePom, dep: PomDependency, path: string): Resolved {
  const rawName = `${dep.groupId ?? '?'}:${dep.artifactId ?? '?'}`;
  const coords = interpolatedCoordinates(eff, dep);
  if (!coords || !dep.groupId || !dep.artifactId) {
    const g = dep.groupId === undefined ? undefined : eff.interpolate(dep.groupId);
    const a = dep.artifactId === undefined ? undefined : eff.interpolate(dep.artifactId);
    const failure = failureOf(g, a);
    const reason = failure
      ? unresolvedVersionReason(eff, true, failure)
      : 'dependency without groupId or artifactId';
    return { unresolved: { path, line: dep.line, name: rawName, reason } };
  }
  const name = `${coords.groupId}:${coords.artifactId}`;
  const managed = eff
    .managed()
    .get(managedKey(coords.groupId, coords.artifactId, coords.type, coords.classifier));
  let version: Interpolated | undefined;
  if (dep.version !== undefined && dep.version !== '') version = eff.interpolate(dep.version);
  else version = managed?.version;
  if (!version || !version.ok || version.value === '') {
    const failure = failureOf(version);
    const explicit = dep.version !== undefined && dep.version !== '' && !failure;
    return {
      unresolved: { path, line: dep.line, name, reason: unresolvedVersionReason(eff, explicit, failure) },
    };
  }
  const concrete = concreteVersion(version.value);
  if ('reason' in concrete) return { unresolved: { path, line: dep.line, name, reason: concrete.reason } };

  const scopeRaw = coords.scope ?? managed?.scope;
  const optionalRaw = dep.optional === undefined ? undefined : eff.interpolate(dep.optional);
  const optional = optionalRaw?.ok === true && optionalRaw.value.toLowerCase() === 'true';
  const qualifiers: Record<string, string> = {};
  if (coords.classifier) qualifiers.classifier = coords.classifier;
  if (coords.type && coords.type !== 'jar') qualifiers.type = coords.type;
  const purl = purlOf(
    'Maven',
    name,
    concrete.version,
    Object.keys(qualifiers).length > 0 ? qualifiers : undefined,
  );
  return {
    component: {
      ecosystem: 'Maven',
      name,
      version: concrete.version,
      purl,
      direct: true,
      scope: scopeOf(scopeRaw, optional),
      location: { path, line: dep.line },
      id: purl,
    },
  };
}

function projectComponent(eff: EffectivePom, path: string): Resolved {
  const g = eff.groupId();
  const v = eff.version();
  const a = eff.pom.artifactId === undefined ? undefined : eff.interpolate(eff.pom.artifactId);
  if (!g || !v || !a) return {};
  const name =
    g.ok && a.ok
      ? `${g.value}:${a.value}`
      : `${eff.pom.groupId ?? eff.pom.parent?.groupId}:${eff.pom.artifactId}`;
  if (!g.ok || !a.ok || !v.ok) {
    const reason = `project coordinates: ${unresolvedVersionReason(eff, true, failureOf(g, a, v))}`;
    return { unresolved: { path, line: eff.pom.line, name, reason } };
  }
  const purl = purlOf('Maven', name, v.value);
  const rawLicenses =
    eff.pom.licenses.length > 0
      ? eff.pom.licenses
      : (eff.ancestors.find((x) => x.pom.licenses.length > 0)?.pom.licenses ?? []);
  const licenses = rawLicenses.map((l) => normaliseLicense(l)).filter((l): l is string => Boolean(l));
  return {
    component: {
      own: true,
      ecosystem: 'Maven',
      name,
      version: v.value,
      purl,
      ...(licenses.length > 0 ? { licenses } : {}),
      location: { path, line: eff.pom.line },
      id: purl,
    },
  };
}

export function parsePom(input: ParseInput): ParseResult {
  const read = readPom(input.text);
  if (!read.ok) {
    return {
      components: [],
      errors: [
        { path: input.path, ...(read.line !== undefined ? { line: read.line } : {}), message: read.message },
      ],
    };
  }
  const resolver = new PomResolver(input, read.pom);
  const eff = resolver.effective(input.path);
  if (!eff) return { components: [], errors: [{ path: input.path, message: 'pom.xml could not be read' }] };

  const components: Component[] = [];
  const unresolved: Unresolved[] = [];
  const ids = new Set<string>();
  const unique = (c: Component): Component => {
    if (!ids.has(c.id)) {
      ids.add(c.id);
      return c;
    }
    const id = `${c.purl} (${c.location.path}:${c.location.line ?? 0})`;
    ids.add(id);
    return { ...c, id };
  };

  const deps: Component[] = [];
  for (const dep of eff.pom.dependencies) {
    const r = resolveDependency(eff, dep, input.path);
    if (r.unresolved) unresolved.push(r.unresolved);
    if (r.component) deps.push(r.component);
  }
  const project = projectComponent(eff, input.path);
  if (project.unresolved) unresolved.push(project.unresolved);
  if (project.component) {
    const root = unique(project.component);
    const children = deps.map(unique);
    components.push({ ...root, dependsOn: children.map((c) => c.id) }, ...children);
  } else {
    components.push(...deps.map(unique));
  }
  return { components, ...(unresolved.length > 0 ? { unresolved } : {}) };
}

export const pomParser: LockfileParser = {
  id: 'maven-pom',
  ecosystem: 'Maven',
  format: 'Maven pom.xml',
  matches: (path) => path === 'pom.xml' || path.endsWith('/pom.xml'),
  // Local parents (`<relativePath>`, default ../pom.xml) and modules are pom.xml files themselves.
  companions: ['../pom.xml', '*/pom.xml'],
  parse: parsePom,
};
