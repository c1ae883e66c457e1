/**
 * Scope from the dependency graph: whatever the project's production dependencies reach is `prod`,
 * what only its optional extras reach is `optional`, what only dev/test groups reach is `dev` (or
 * `test`). Shared by parsers whose lockfile records the graph but not the scope.
 */
import type { Component, DependencyScope } from '../../model.js';

export interface ScopeRoots {
  prod?: Iterable<string>;
  optional?: Iterable<string>;
  dev?: Iterable<string>;
  test?: Iterable<string>;
}

const ORDER: readonly (keyof ScopeRoots & DependencyScope)[] = ['prod', 'optional', 'dev', 'test'];

/** Component id → scope, for the components reachable from some root (iterative, cycles are fine). */
export function scopeByReachability(
  components: readonly Component[],
  roots: ScopeRoots,
): Map<string, DependencyScope> {
  const edges = new Map<string, readonly string[]>();
  for (const c of components) edges.set(c.id, c.dependsOn ?? []);
  const scopes = new Map<string, DependencyScope>();
  for (const scope of ORDER) {
    const stack = [...(roots[scope] ?? [])];
    while (stack.length) {
      const id = stack.pop() as string;
      if (scopes.has(id) || !edges.has(id)) continue;
      scopes.set(id, scope);
      for (const next of edges.get(id) ?? []) if (!scopes.has(next)) stack.push(next);
    }
  }
  return scopes;
}
