import type { Component, ParseProblem, ParseResult, Unresolved } from '../../model.js';

/**
 * Small helpers for building an inventory: unique component ids, sibling-file paths and the parse result. Shared by the
 * pypi, go, cargo, rubygems, composer and nuget parsers.
 */

/** Hands out component ids: the purl, then `purl#2`, `purl#3`… when one file holds the same purl twice. */
export class IdAllocator {
  private readonly used = new Map<string, number>();

  take(purl: string): string {
    const n = (this.used.get(purl) ?? 0) + 1;
    this.used.set(purl, n);
    return n === 1 ? purl : `${purl}#${n}`;
  }
}

/** Folder of a scan-relative path (`''` for the root). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Path of a file next to `path`. */
export function siblingPath(path: string, name: string): string {
  const dir = dirOf(path);
  return dir ? `${dir}/${name}` : name;
}

/**
 * Resolves `relative` against the folder of `fromPath` (forward slashes, `.`/`..` collapsed).
 * undefined when it is absolute, a URL, or escapes the scan root.
 */
export function resolveRelative(fromPath: string, relative: string): string | undefined {
  const rel = relative.replace(/\\/g, '/');
  if (rel.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(rel)) return undefined;
  const parts = dirOf(fromPath).split('/').filter(Boolean);
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(seg);
    }
  }
  return parts.length ? parts.join('/') : undefined;
}

/** A parser's result, with `errors` / `unresolved` only when there are some. */
export function parseResult(
  components: Component[],
  errors: readonly ParseProblem[] = [],
  unresolved: readonly Unresolved[] = [],
): ParseResult {
  const result: ParseResult = { components };
  if (errors.length) result.errors = [...errors];
  if (unresolved.length) result.unresolved = [...unresolved];
  return result;
}
