import { posix } from 'node:path';
import type { ParseInput } from '../../model.js';
import { createInterpolator, type Interpolated } from './interpolate.js';
import { readPom, type PomDependency, type PomDocument } from './pom-xml.js';

/**
 * The part of Maven's effective model that can be built offline from the poms of one scan: local
 * parents (found through `<relativePath>`, default `../pom.xml`, and only when their coordinates match
 * the `<parent>` declaration), inherited properties, inherited `<dependencyManagement>` and BOMs
 * imported from the same reactor. Whatever would come from a repository (a remote parent such as
 * spring-boot-starter-parent, a remote BOM) is named, never guessed.
 */

export interface ManagedVersion {
  version?: Interpolated;
  scope?: string;
}

export interface EffectivePom {
  path: string;
  pom: PomDocument;
  /** Local ancestors, nearest first. */
  ancestors: { path: string; pom: PomDocument }[];
  /** `group:artifact:version` of the first ancestor that is not in the scan. */
  remoteParent?: string;
  /** Resolves one `${name}` in this pom's context. */
  lookup(name: string): string | undefined;
  interpolate(raw: string): Interpolated;
  groupId(): Interpolated | undefined;
  version(): Interpolated | undefined;
  /** Managed versions by `group:artifact:type:classifier`, built on first use. */
  managed(): Map<string, ManagedVersion>;
  /** `group:artifact:version` of imported BOMs that are not in the scan. */
  remoteBoms(): string[];
}

const MAX_PARENTS = 32;
const MAX_IMPORT_DEPTH = 8;
const MAX_REACTOR_POMS = 2000;
const MAX_MODULE_DEPTH = 16;

export function managedKey(groupId: string, artifactId: string, type?: string, classifier?: string): string {
  return `${groupId}:${artifactId}:${type || 'jar'}:${classifier ?? ''}`;
}

/** Joins a path found in a pom to the pom's folder; undefined when it leaves the scan root. */
function resolveFrom(pomPath: string, relative: string, defaultFile: string): string | undefined {
  const rel = relative.replace(/\\/g, '/');
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel)) return undefined;
  let joined = posix.normalize(posix.join(posix.dirname(pomPath), rel));
  if (!/\.xml$/i.test(joined)) joined = posix.join(joined, defaultFile);
  if (joined === '..' || joined.startsWith('../')) return undefined;
  return joined.replace(/^\.\//, '');
}

export class PomResolver {
  private readonly docs = new Map<string, PomDocument | null>();
  private readonly effectives = new Map<string, EffectivePom>();
  private reactor: Map<string, string> | undefined;

  constructor(
    private readonly input: ParseInput,
    self: PomDocument,
  ) {
    this.docs.set(input.path, self);
  }

  /** A pom of the scan by path, parsed once; undefined when absent or malformed. */
  load(path: string): PomDocument | undefined {
    const cached = this.docs.get(path);
    if (cached !== undefined) return cached ?? undefined;
    const text = this.input.file(path);
    const read = text === undefined ? undefined : readPom(text);
    const pom = read?.ok ? read.pom : null;
    this.docs.set(path, pom);
    return pom ?? undefined;
  }

  effective(path: string): EffectivePom | undefined {
    const hit = this.effectives.get(path);
    if (hit) return hit;
    const pom = this.load(path);
    if (!pom) return undefined;
    const eff = this.build(path, pom);
    this.effectives.set(path, eff);
    return eff;
  }

  private build(path: string, pom: PomDocument): EffectivePom {
    const ancestors: { path: string; pom: PomDocument }[] = [];
    let remoteParent: string | undefined;
    const seen = new Set([path]);
    let current = { path, pom };
    while (current.pom.parent && ancestors.length < MAX_PARENTS) {
      const ref = current.pom.parent;
      const declared = `${ref.groupId ?? '?'}:${ref.artifactId ?? '?'}:${ref.version ?? '?'}`;
      const parentPath =
        ref.relativePath === ''
          ? undefined
          : resolveFrom(current.path, ref.relativePath ?? '../pom.xml', 'pom.xml');
      const parent = parentPath && !seen.has(parentPath) ? this.load(parentPath) : undefined;
      if (!parentPath || !parent || !sameCoordinates(parent, ref)) {
        remoteParent = declared;
        break;
      }
      seen.add(parentPath);
      ancestors.push({ path: parentPath, pom: parent });
      current = { path: parentPath, pom: parent };
    }

    const properties = new Map<string, string>();
    for (const a of [...ancestors].reverse()) for (const [k, v] of a.pom.properties) properties.set(k, v);
    for (const [k, v] of pom.properties) properties.set(k, v);

    const rawGroupId = pom.groupId || pom.parent?.groupId;
    const rawVersion = pom.version || pom.parent?.version;
    const model: Record<string, string | undefined> = {
      groupId: rawGroupId,
      artifactId: pom.artifactId,
      version: rawVersion,
      packaging: pom.packaging || 'jar',
      'parent.groupId': pom.parent?.groupId,
      'parent.artifactId': pom.parent?.artifactId,
      'parent.version': pom.parent?.version,
    };
    const lookup = (name: string): string | undefined => {
      const own = properties.get(name);
      if (own !== undefined) return own;
      const m = /^(?:project|pom)\.(.+)$/.exec(name);
      if (m) return model[m[1] ?? ''];
      // Maven 2 unprefixed model references, still honoured by Maven 3 (with a warning).
      if (name === 'version' || name === 'groupId' || name === 'artifactId') return model[name];
      return undefined;
    };
    const interp = createInterpolator(lookup);

    let managedCache: Map<string, ManagedVersion> | undefined;
    const remoteBoms: string[] = [];
    const eff: EffectivePom = {
      path,
      pom,
      ancestors,
      remoteParent,
      lookup,
      interpolate: interp,
      groupId: () => (rawGroupId ? interp(rawGroupId) : undefined),
      version: () => (rawVersion ? interp(rawVersion) : undefined),
      managed: () => {
        managedCache ??= this.buildManaged(eff, remoteBoms, 0);
        return managedCache;
      },
      remoteBoms: () => {
        eff.managed();
        return remoteBoms;
      },
    };
    return eff;
  }

  /**
   * `<dependencyManagement>` of the pom then of its local ancestors (nearest wins), interpolated in the
   * pom's own context as Maven does after inheritance; then imported BOMs in declaration order, each
   * interpolated in its own context, adding only keys not yet managed.
   */
  private buildManaged(eff: EffectivePom, remoteBoms: string[], depth: number): Map<string, ManagedVersion> {
    const managed = new Map<string, ManagedVersion>();
    const imports: string[] = [];
    for (const doc of [eff.pom, ...eff.ancestors.map((a) => a.pom)]) {
      for (const dep of doc.managed) {
        const coords = interpolatedCoordinates(eff, dep);
        if (!coords) continue;
        if (coords.scope === 'import' && coords.type === 'pom') {
          const version = dep.version === undefined ? undefined : eff.interpolate(dep.version);
          imports.push(
            `${coords.groupId}:${coords.artifactId}:${version?.ok ? version.value : (dep.version ?? '?')}`,
          );
          continue;
        }
        const key = managedKey(coords.groupId, coords.artifactId, coords.type, coords.classifier);
        if (managed.has(key)) continue;
        managed.set(key, {
          version: dep.version === undefined ? undefined : eff.interpolate(dep.version),
          scope: coords.scope,
        });
      }
    }
    for (const gav of imports) {
      const bomPath = depth < MAX_IMPORT_DEPTH ? this.findInReactor(gav, eff.path) : undefined;
      const bom = bomPath && bomPath !== eff.path ? this.effective(bomPath) : undefined;
      if (!bom) {
        remoteBoms.push(gav);
        continue;
      }
      const nestedRemote: string[] = [];
      for (const [key, value] of this.buildManaged(bom, nestedRemote, depth + 1)) {
        if (!managed.has(key)) managed.set(key, value);
      }
      remoteBoms.push(...nestedRemote);
    }
    return managed;
  }

  /** Path of the pom with these coordinates among the modules reachable from the top local ancestor. */
  private findInReactor(gav: string, fromPath: string): string | undefined {
    if (!this.reactor) {
      this.reactor = new Map();
      const from = this.effective(fromPath);
      const top = from?.ancestors[from.ancestors.length - 1]?.path ?? fromPath;
      const queue: { path: string; depth: number }[] = [{ path: top, depth: 0 }];
      if (top !== fromPath) queue.push({ path: fromPath, depth: 0 });
      const visited = new Set<string>();
      while (queue.length > 0 && visited.size < MAX_REACTOR_POMS) {
        const next = queue.shift();
        if (!next || visited.has(next.path)) continue;
        visited.add(next.path);
        const eff = this.effective(next.path);
        if (!eff) continue;
        const g = eff.groupId();
        const v = eff.version();
        if (g?.ok && v?.ok && eff.pom.artifactId)
          this.reactor.set(`${g.value}:${eff.pom.artifactId}:${v.value}`, next.path);
        if (next.depth >= MAX_MODULE_DEPTH) continue;
        for (const module of eff.pom.modules) {
          const modulePath = resolveFrom(next.path, module, 'pom.xml');
          if (modulePath) queue.push({ path: modulePath, depth: next.depth + 1 });
        }
      }
    }
    return this.reactor.get(gav);
  }
}

function sameCoordinates(
  parent: PomDocument,
  ref: { groupId?: string; artifactId?: string; version?: string },
): boolean {
  const groupId = parent.groupId || parent.parent?.groupId;
  const version = parent.version || parent.parent?.version;
  if (groupId !== ref.groupId || parent.artifactId !== ref.artifactId) return false;
  // CI-friendly versions (`${revision}`) are checked by group and artifact only.
  return version === ref.version || Boolean(ref.version?.includes('${')) || Boolean(version?.includes('${'));
}

interface Coordinates {
  groupId: string;
  artifactId: string;
  type?: string;
  classifier?: string;
  scope?: string;
}

export function interpolatedCoordinates(eff: EffectivePom, dep: PomDependency): Coordinates | undefined {
  const g = dep.groupId === undefined ? undefined : eff.interpolate(dep.groupId);
  const a = dep.artifactId === undefined ? undefined : eff.interpolate(dep.artifactId);
  if (!g?.ok || !a?.ok) return undefined;
  const optionalValue = (raw: string | undefined): string | undefined => {
    if (raw === undefined || raw === '') return undefined;
    const r = eff.interpolate(raw);
    return r.ok ? r.value : raw;
  };
  return {
    groupId: g.value,
    artifactId: a.value,
    type: optionalValue(dep.type),
    classifier: optionalValue(dep.classifier),
    scope: optionalValue(dep.scope),
  };
}
