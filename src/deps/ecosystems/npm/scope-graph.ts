import type { DependencyScope } from '../../model.js';

export type RootScope = 'prod' | 'optional' | 'dev';

/**
 * The resolved dependency graph of a lockfile whose entries do not carry their own scope (yarn,
 * bun, pnpm 9). Nodes are lockfile entry keys, including the project's own workspace packages
 * (which are not components), so scopes flow through them.
 *
 * A node's scope is the best path from a root of the project: reachable from a production
 * dependency through required edges → prod; otherwise reachable from a production or optional
 * dependency at all → optional; otherwise reachable from a dev dependency → dev; otherwise
 * unknown (e.g. packages used only by workspace packages whose manifests we do not have).
 */
export class ScopeGraph {
  private readonly edges = new Map<string, { to: string; optional: boolean }[]>();
  private readonly roots: { node: string; scope: RootScope }[] = [];

  addEdge(from: string, to: string, optional = false): void {
    let list = this.edges.get(from);
    if (!list) this.edges.set(from, (list = []));
    list.push({ to, optional });
  }

  addRoot(node: string, scope: RootScope): void {
    this.roots.push({ node, scope });
  }

  scopes(): Map<string, DependencyScope> {
    const found = new Map<string, DependencyScope>();
    const walk = (start: string[], scope: DependencyScope, followOptional: boolean): void => {
      const seen = new Set(start);
      const stack = [...seen];
      while (stack.length > 0) {
        const node = stack.pop() as string;
        if (!found.has(node)) found.set(node, scope);
        for (const e of this.edges.get(node) ?? []) {
          if ((e.optional && !followOptional) || seen.has(e.to)) continue;
          seen.add(e.to);
          stack.push(e.to);
        }
      }
    };
    const rootsOf = (scope: RootScope): string[] =>
      this.roots.filter((r) => r.scope === scope).map((r) => r.node);
    walk(rootsOf('prod'), 'prod', false);
    walk([...rootsOf('prod'), ...rootsOf('optional')], 'optional', true);
    walk(rootsOf('dev'), 'dev', true);
    return found;
  }
}
