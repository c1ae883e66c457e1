import type { Component, DependencyScope, ParseProblem } from '../../model.js';
import { normaliseLicense } from '../../license.js';
import { purlOf } from '../../purl.js';

export interface PackageEntry {
  name: string;
  version: string;
  /** 1-based line of the entry's key. */
  line?: number;
  /** Scope as the lockfile states it; leave out when it is computed later with `mergeScope`. */
  scope?: DependencyScope;
  license?: string;
  /** The project's own workspace package (see Component.own). */
  own?: boolean;
}

/** Lower wins when one package is reached in several ways: anything needed in production beats dev. */
const SCOPE_RANK: Partial<Record<DependencyScope, number>> = { prod: 0, optional: 1, peer: 2, dev: 3 };

/** Unknown scope (undefined) is treated as prod by consumers, so it also wins a merge. */
function mergeScopes(
  a: DependencyScope | undefined,
  b: DependencyScope | undefined,
): DependencyScope | undefined {
  if (a === undefined || b === undefined) return undefined;
  return (SCOPE_RANK[a] ?? 0) <= (SCOPE_RANK[b] ?? 0) ? a : b;
}

interface Slot {
  component: Component;
  scopeSeen: boolean;
  deps: Set<string>;
}

/**
 * Collects the npm components of one lockfile. Identical name@version pairs (peer-dependency
 * variants in pnpm, the same version nested in several node_modules folders) become one
 * component: the first location is kept, scopes merge (prod wins over dev), licences and graph
 * edges are unioned. The id is the purl, unique within the file by construction.
 */
export class Inventory {
  private readonly slots = new Map<string, Slot>();
  readonly problems: ParseProblem[] = [];

  constructor(private readonly path: string) {}

  /** Adds (or merges into) a component and returns its id; undefined when no purl can be built. */
  add(entry: PackageEntry): string | undefined {
    if (!entry.name || !entry.version) return undefined;
    let purl: string;
    try {
      purl = purlOf('npm', entry.name, entry.version);
    } catch (e) {
      this.problems.push({
        path: this.path,
        line: entry.line,
        message: `cannot build a package URL for ${entry.name}@${entry.version}: ${e instanceof Error ? e.message : String(e)}`,
      });
      return undefined;
    }
    const license = entry.license ? normaliseLicense(entry.license) : undefined;
    const slot = this.slots.get(purl);
    if (!slot) {
      const component: Component = {
        ecosystem: 'npm',
        name: entry.name,
        version: entry.version,
        purl,
        id: purl,
        location: entry.line === undefined ? { path: this.path } : { path: this.path, line: entry.line },
      };
      if (entry.scope !== undefined) component.scope = entry.scope;
      if (license) component.licenses = [license];
      if (entry.own) component.own = true;
      this.slots.set(purl, { component, scopeSeen: 'scope' in entry, deps: new Set() });
      return purl;
    }
    if ('scope' in entry) this.mergeScope(purl, entry.scope);
    if (license) {
      const list = (slot.component.licenses ??= []);
      if (!list.includes(license)) list.push(license);
    }
    return purl;
  }

  /** Merges a scope found for `id` (e.g. computed from the dependency graph) into the component. */
  mergeScope(id: string, scope: DependencyScope | undefined): void {
    const slot = this.slots.get(id);
    if (!slot) return;
    const merged = slot.scopeSeen ? mergeScopes(slot.component.scope, scope) : scope;
    slot.scopeSeen = true;
    if (merged === undefined) delete slot.component.scope;
    else slot.component.scope = merged;
  }

  markDirect(id: string): void {
    const slot = this.slots.get(id);
    if (slot) slot.component.direct = true;
  }

  link(from: string, to: string): void {
    if (from !== to) this.slots.get(from)?.deps.add(to);
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /**
   * The components, in first-seen order. `directKnown`: the project's own dependency list was
   * available, so every component not marked direct is transitive (direct: false).
   */
  components(directKnown: boolean): Component[] {
    const out: Component[] = [];
    for (const { component, deps } of this.slots.values()) {
      if (directKnown && component.direct !== true) component.direct = false;
      if (deps.size > 0) component.dependsOn = [...deps].filter((d) => this.slots.has(d));
      out.push(component);
    }
    return out;
  }
}
