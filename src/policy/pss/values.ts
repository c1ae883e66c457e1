/**
 * Defensive accessors over untyped Kubernetes objects (parsed YAML/JSON). Nothing here throws:
 * a field of the wrong type reads as absent, the way a typed Go decoder would reject it.
 */

export type Rec = Record<string, unknown>;

export function asRecord(value: unknown): Rec | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Rec) : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Follows a path of keys through nested records; undefined as soon as one step is missing. */
export function dig(value: unknown, ...keys: string[]): unknown {
  let current: unknown = value;
  for (const key of keys) {
    const rec = asRecord(current);
    if (!rec || !Object.prototype.hasOwnProperty.call(rec, key)) return undefined;
    current = rec[key];
  }
  return current;
}

/** `"a", "b"` — Go's joinQuote (each element `%q`, comma separated). */
export function joinQuote(items: readonly string[]): string {
  return items.map((item) => JSON.stringify(item)).join(', ');
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** Sorted unique list, like Go's `sets.NewString(...).List()`. */
export function sortedUnique(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(compareStrings);
}

/** Byte-wise string order (Go's sort.Strings), independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
