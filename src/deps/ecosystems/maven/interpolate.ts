/**
 * Maven `${name}` interpolation. `lookup` answers one name (a `<properties>` entry or a model value such
 * as `project.version`); values may themselves contain references. Each name is expanded once and
 * remembered, and expansion is bounded in depth, length and lookups, so hostile poms (`${a}${a}…`
 * nested many levels deep, reference cycles) cost little.
 */

export type Interpolated =
  | { ok: true; value: string }
  /** `missing`: the first property that could not be resolved; `overLimit`: expansion stopped by a bound. */
  | { ok: false; missing: string; overLimit?: true };

const REFERENCE = /\$\{([^${}]*)\}/g;
const MAX_DEPTH = 16;
const MAX_LENGTH = 4096;
const MAX_LOOKUPS = 100_000;

/** An interpolator for one lookup (one pom context), with memoised names. */
export function createInterpolator(
  lookup: (name: string) => string | undefined,
): (raw: string) => Interpolated {
  const memo = new Map<string, Interpolated>();
  const active = new Set<string>();
  let lookups = 0;

  const resolveName = (key: string, depth: number): { result: Interpolated; contextual: boolean } => {
    const hit = memo.get(key);
    if (hit) return { result: hit, contextual: false };
    // A name met again while being expanded is a cycle: unresolvable in any context.
    if (active.has(key)) return { result: { ok: false, missing: key }, contextual: false };
    if (depth >= MAX_DEPTH || ++lookups > MAX_LOOKUPS) {
      return { result: { ok: false, missing: key, overLimit: true }, contextual: true };
    }
    const value = lookup(key);
    if (value === undefined) {
      const result: Interpolated = { ok: false, missing: key };
      memo.set(key, result);
      return { result, contextual: false };
    }
    active.add(key);
    const inner = expand(value, depth + 1);
    active.delete(key);
    // A failure caused by the depth bound depends on where the expansion started: not remembered.
    if (!inner.contextual) memo.set(key, inner.result);
    return inner;
  };

  const expand = (raw: string, depth: number): { result: Interpolated; contextual: boolean } => {
    if (!raw.includes('${')) return { result: { ok: true, value: raw }, contextual: false };
    let failure: { result: Interpolated; contextual: boolean } | undefined;
    const value = raw.replace(REFERENCE, (whole, name: string) => {
      if (failure) return whole;
      const r = resolveName(name.trim(), depth);
      if (!r.result.ok) {
        failure = r;
        return whole;
      }
      return r.result.value;
    });
    if (failure) return failure;
    if (value.length > MAX_LENGTH) {
      const first = /\$\{([^${}]*)\}/.exec(raw)?.[1]?.trim() ?? raw;
      return { result: { ok: false, missing: first, overLimit: true }, contextual: false };
    }
    return { result: { ok: true, value }, contextual: false };
  };

  return (raw: string) => expand(raw, 0).result;
}

/** One-off interpolation (no memo shared between calls). */
export function interpolate(raw: string, lookup: (name: string) => string | undefined): Interpolated {
  return createInterpolator(lookup)(raw);
}
