/**
 * Kyverno `validate.pattern` overlay matching (pkg/engine/validate): maps are matched key by key
 * (anchored keys first, sorted, then plain keys — global anchors and keys with nested anchors
 * first), lists of maps apply the first pattern map to every element, scalar patterns go through
 * {@link validateValueWithPattern}. The first failure's path is kept for the message.
 */
import { anchorString, parseAnchor, type Anchor } from './anchors.js';
import { validateValueWithPattern } from './operators.js';
import { containsWildcard, wildcardMatch } from './wildcard.js';

export type PatternOutcome =
  | { status: 'pass' }
  | { status: 'skip'; message: string }
  | { status: 'fail'; path: string; message: string }
  | { status: 'error'; message: string };

type ErrKind = 'plain' | 'conditional' | 'global' | 'negation' | 'skipAll';

interface PatternErr {
  kind: ErrKind;
  path: string;
  message: string;
}

const MAX_DEPTH = 100;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSkip(e: PatternErr): boolean {
  return e.kind === 'conditional' || e.kind === 'global' || e.kind === 'skipAll';
}

// Patterns are immutable once loaded: what is read from their keys is cached by object identity.
const presenceAnchors = new WeakMap<object, [string, string][]>();

/** The condition/existence/negation anchors of a pattern map: [anchored key, bare key]. */
function presenceAnchorsOf(pattern: Record<string, unknown>): [string, string][] {
  let hit = presenceAnchors.get(pattern);
  if (!hit) {
    hit = [];
    for (const key of Object.keys(pattern)) {
      const a = parseAnchor(key);
      if (a && (a.type === 'condition' || a.type === 'existence' || a.type === 'negation'))
        hit.push([key, a.key]);
    }
    presenceAnchors.set(pattern, hit);
  }
  return hit;
}

/** Tracks whether each condition/existence/negation anchor key was ever present in the resource. */
class AnchorPresence {
  private readonly seen = new Map<string, boolean>();

  check(pattern: Record<string, unknown>, resource: Record<string, unknown>): void {
    for (const [key, bare] of presenceAnchorsOf(pattern)) {
      if (this.seen.get(key)) continue;
      this.seen.set(key, Object.prototype.hasOwnProperty.call(resource, bare));
    }
  }

  keysAreMissing(): boolean {
    for (const v of this.seen.values()) if (!v) return true;
    return false;
  }
}

function describe(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'object') return Array.isArray(v) ? '[array]' : '[map]';
  return String(v);
}

function hasNestedAnchors(pattern: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(pattern)) return pattern.some((p) => hasNestedAnchors(p, depth + 1));
  if (!isRecord(pattern)) return false;
  for (const [k, v] of Object.entries(pattern)) {
    const a = parseAnchor(k);
    if (a && a.type !== 'addIfNotPresent') return true;
    if (hasNestedAnchors(v, depth + 1)) return true;
  }
  return false;
}

function findTag(map: Record<string, unknown>, tag: string): [string, unknown] | undefined {
  for (const [k, v] of Object.entries(map)) {
    if (k === tag || parseAnchor(k)?.key === tag) return [k, v];
  }
  return undefined;
}

function asStringMap(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') return undefined;
    out[k] = val;
  }
  return out;
}

const metadataWildcards = new WeakMap<object, boolean>();

/** Whether the pattern has wildcard keys under metadata.labels / metadata.annotations (cached). */
function hasMetadataWildcards(pattern: Record<string, unknown>): boolean {
  let hit = metadataWildcards.get(pattern);
  if (hit === undefined) {
    const meta = findTag(pattern, 'metadata');
    const metaMap = meta && isRecord(meta[1]) ? meta[1] : undefined;
    hit =
      metaMap !== undefined &&
      ['labels', 'annotations'].some((tag) => {
        const t = findTag(metaMap, tag);
        return t !== undefined && isRecord(t[1]) && Object.keys(t[1]).some(containsWildcard);
      });
    metadataWildcards.set(pattern, hit);
  }
  return hit;
}

/**
 * wildcards.ExpandInMetadata: wildcard keys under `metadata.labels` / `metadata.annotations` in the
 * pattern are replaced by the first matching key of the resource (anchors kept).
 */
function expandMetadataWildcards(
  pattern: Record<string, unknown>,
  resource: Record<string, unknown>,
): Record<string, unknown> {
  if (!hasMetadataWildcards(pattern)) return pattern;
  const meta = findTag(pattern, 'metadata');
  if (!meta || !isRecord(meta[1]) || !isRecord(resource.metadata)) return pattern;
  const patternMeta = meta[1];
  const resourceMeta = resource.metadata;
  let newMeta: Record<string, unknown> | undefined;
  for (const tag of ['labels', 'annotations']) {
    const pTag = findTag(patternMeta, tag);
    if (!pTag) continue;
    const pData = asStringMap(pTag[1]);
    const rData = asStringMap(resourceMeta[tag]);
    if (!pData || !rData) continue;
    const expanded: Record<string, unknown> = {};
    let changed = false;
    for (const [k, v] of Object.entries(pData)) {
      if (!containsWildcard(k)) {
        expanded[k] = v;
        continue;
      }
      const a = parseAnchor(k);
      const bare = a ? a.key : k;
      const hit = Object.keys(rData).find((rk) => wildcardMatch(bare, rk));
      const key = hit === undefined ? k : a ? anchorString(a.type, hit) : hit;
      if (key !== k) changed = true;
      expanded[key] = v;
    }
    if (changed) {
      newMeta ??= { ...patternMeta };
      newMeta[pTag[0]] = expanded;
    }
  }
  if (!newMeta) return pattern;
  return { ...pattern, [meta[0]]: newMeta };
}

interface MapPlan {
  /** Condition/equality/existence/negation anchors, sorted by key. */
  anchored: [string, Anchor, unknown][];
  /** Global anchors, then keys whose values hold anchors, then plain keys (anchor set for globals only). */
  rest: [string, Anchor | undefined, unknown][];
}

const plans = new WeakMap<object, MapPlan>();

function planOf(pattern: Record<string, unknown>): MapPlan {
  const hit = plans.get(pattern);
  if (hit) return hit;
  const anchored: [string, Anchor, unknown][] = [];
  const globals: [string, Anchor | undefined, unknown][] = [];
  const nested: [string, Anchor | undefined, unknown][] = [];
  const plain: [string, Anchor | undefined, unknown][] = [];
  for (const [k, v] of Object.entries(pattern)) {
    const a = parseAnchor(k);
    if (a && a.type !== 'global' && a.type !== 'addIfNotPresent') anchored.push([k, a, v]);
    else if (a?.type === 'global') globals.push([k, a, v]);
    else if (hasNestedAnchors(v)) nested.push([k, undefined, v]);
    else plain.push([k, undefined, v]);
  }
  anchored.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const plan = { anchored, rest: [...globals, ...nested, ...plain] };
  plans.set(pattern, plan);
  return plan;
}

class Matcher {
  readonly anchors = new AnchorPresence();

  element(resource: unknown, pattern: unknown, path: string, depth: number): PatternErr | undefined {
    if (depth > MAX_DEPTH)
      return { kind: 'plain', path, message: `pattern nested deeper than ${MAX_DEPTH} levels` };
    if (isRecord(pattern)) {
      if (!isRecord(resource))
        return {
          kind: 'plain',
          path,
          message: `pattern and resource have different structures. Path: ${path}. Expected map, found ${describe(resource)}`,
        };
      this.anchors.check(pattern, resource);
      return this.map(resource, pattern, path, depth);
    }
    if (Array.isArray(pattern)) {
      if (!Array.isArray(resource))
        return {
          kind: 'plain',
          path,
          message: `validation rule failed at path ${path}, resource does not satisfy the expected overlay pattern`,
        };
      return this.array(resource, pattern, path, depth);
    }
    if (Array.isArray(resource)) {
      for (const item of resource) {
        if (!validateValueWithPattern(item, pattern))
          return {
            kind: 'plain',
            path,
            message: `resource value '${describe(resource)}' does not match '${describe(pattern)}' at path ${path}`,
          };
      }
      return undefined;
    }
    if (!validateValueWithPattern(resource, pattern))
      return {
        kind: 'plain',
        path,
        message: `resource value '${describe(resource)}' does not match '${describe(pattern)}' at path ${path}`,
      };
    return undefined;
  }

  private map(
    resource: Record<string, unknown>,
    rawPattern: Record<string, unknown>,
    path: string,
    depth: number,
  ): PatternErr | undefined {
    const pattern = expandMetadataWildcards(rawPattern, resource);
    const { anchored, rest } = planOf(pattern);
    for (const [, a, v] of anchored) {
      const err = this.anchored(resource, a, v, path, depth);
      if (err) return err;
    }
    for (const [k, a, v] of rest) {
      const err = a ? this.anchored(resource, a, v, path, depth) : this.plainKey(resource, k, v, path, depth);
      if (err) return err;
    }
    return undefined;
  }

  private plainKey(
    resource: Record<string, unknown>,
    key: string,
    pattern: unknown,
    path: string,
    depth: number,
  ): PatternErr | undefined {
    const value = Object.prototype.hasOwnProperty.call(resource, key) ? resource[key] : undefined;
    if (pattern === '*') {
      if (value !== undefined && value !== null) return undefined;
      return { kind: 'plain', path, message: `${path}/${key} not found` };
    }
    return this.element(value, pattern, `${path}${key}/`, depth + 1);
  }

  private anchored(
    resource: Record<string, unknown>,
    a: Anchor,
    pattern: unknown,
    path: string,
    depth: number,
  ): PatternErr | undefined {
    const current = `${path}${a.key}/`;
    const present = Object.prototype.hasOwnProperty.call(resource, a.key);
    const value = present ? resource[a.key] : undefined;
    switch (a.type) {
      case 'negation':
        return present
          ? {
              kind: 'negation',
              path: current,
              message: `negation anchor matched in resource: ${current} is not allowed`,
            }
          : undefined;
      case 'equality':
        return present ? this.element(value, pattern, current, depth + 1) : undefined;
      case 'condition': {
        if (!present)
          return {
            kind: 'conditional',
            path: current,
            message: "conditional anchor mismatch: conditional anchor key doesn't exist in the resource",
          };
        const err = this.element(value, pattern, current, depth + 1);
        return err
          ? { kind: 'conditional', path: err.path, message: `conditional anchor mismatch: ${err.message}` }
          : undefined;
      }
      case 'global': {
        if (!present) return undefined;
        const err = this.element(value, pattern, current, depth + 1);
        return err
          ? { kind: 'global', path: err.path, message: `global anchor mismatch: ${err.message}` }
          : undefined;
      }
      case 'existence': {
        if (!present) return undefined;
        if (!Array.isArray(value))
          return {
            kind: 'plain',
            path: current,
            message: `invalid resource type: Existence ^ () anchor can be used only on list/array type resource`,
          };
        if (!Array.isArray(pattern))
          return {
            kind: 'plain',
            path: current,
            message: 'invalid pattern type: Pattern has to be of list to compare against resource',
          };
        for (const p of pattern) {
          if (!isRecord(p))
            return {
              kind: 'plain',
              path: current,
              message:
                'invalid pattern type: Pattern has to be of type map to compare against items in resource',
            };
          const found = value.some(
            (item, i) => this.element(item, p, `${current}${i}/`, depth + 1) === undefined,
          );
          if (!found)
            return {
              kind: 'plain',
              path: current,
              message: `existence anchor validation failed at path ${current}`,
            };
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private array(
    resource: unknown[],
    pattern: unknown[],
    path: string,
    depth: number,
  ): PatternErr | undefined {
    if (pattern.length === 0) return { kind: 'plain', path, message: 'pattern Array empty' };
    const first = pattern[0];
    if (isRecord(first)) return this.arrayOfMaps(resource, first, path, depth);
    if (!Array.isArray(first)) return this.element(resource, first, path, depth + 1);
    if (resource.length < pattern.length)
      return {
        kind: 'plain',
        path: '',
        message: `validate Array failed, array length mismatch, resource Array len is ${resource.length} and pattern Array len is ${pattern.length}`,
      };
    let applied = 0;
    const skips: string[] = [];
    for (let i = 0; i < pattern.length; i++) {
      const err = this.element(resource[i], pattern[i], `${path}${i}/`, depth + 1);
      if (err) {
        if (isSkip(err)) {
          skips.push(err.message);
          continue;
        }
        return err;
      }
      applied++;
    }
    if (applied === 0 && skips.length) return { kind: 'skipAll', path, message: skips.join('; ') };
    return undefined;
  }

  private arrayOfMaps(
    resource: unknown[],
    pattern: Record<string, unknown>,
    path: string,
    depth: number,
  ): PatternErr | undefined {
    let applied = 0;
    const skips: string[] = [];
    for (let i = 0; i < resource.length; i++) {
      const err = this.element(resource[i], pattern, `${path}${i}/`, depth + 1);
      if (err) {
        if (isSkip(err)) {
          skips.push(err.message);
          continue;
        }
        return err;
      }
      applied++;
    }
    if (applied === 0 && skips.length) return { kind: 'skipAll', path, message: skips.join('; ') };
    return undefined;
  }
}

/** MatchPattern of pkg/engine/validate: pass, skip (conditional/global anchors), fail with path, or error. */
export function matchPattern(resource: unknown, pattern: unknown): PatternOutcome {
  const m = new Matcher();
  let err: PatternErr | undefined;
  try {
    err = m.element(resource, pattern, '/', 0);
  } catch (e) {
    return { status: 'error', message: `pattern evaluation failed: ${(e as Error).message}` };
  }
  if (!err) return { status: 'pass' };
  if (isSkip(err)) return { status: 'skip', message: err.message };
  if (err.kind === 'negation') return { status: 'fail', path: err.path, message: err.message };
  if (m.anchors.keysAreMissing() || err.path === '') return { status: 'error', message: err.message };
  return { status: 'fail', path: err.path, message: err.message };
}
