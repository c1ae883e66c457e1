/** What Terraform checks are made of: the check type, the resource they see, attribute helpers. */
import type { CheckMeta } from '../check.js';
import { HclExpr, type HclBlock, type HclValue } from './hcl.js';

export interface TfHit {
  line: number;
  message: string;
  subject: string;
}

export interface TfCheck extends CheckMeta {
  /** Resource types this check looks at. */
  resources: readonly string[];
  run(r: Resource): TfHit[];
}

export interface Resource {
  type: string;
  name: string;
  /** The resource block, every attribute evaluated (unknown values are `HclExpr`). */
  block: HclBlock;
  /** The other resources of the same module instance (for checks across resources). */
  others?: readonly Resource[];
}

/**
 * The value of `path` (`a.b.c`, through nested blocks and object attributes); undefined when absent
 * or null (Terraform treats `x = null` as not set). Inside an unknown object the result is unknown.
 */
export function attr(block: HclBlock, path: string): HclValue | undefined {
  const [head, ...rest] = path.split('.');
  if (!head) return undefined;
  if (rest.length === 0) return block.attributes[head]?.value ?? undefined;
  const sub = block.blocks.find((b) => b.type === head);
  if (sub) return attr(sub, rest.join('.'));
  let v: HclValue | undefined = block.attributes[head]?.value;
  for (const k of rest) {
    if (v instanceof HclExpr) return v;
    if (v && typeof v === 'object' && !Array.isArray(v)) v = v[k];
    else return undefined;
  }
  return v ?? undefined;
}
export function subBlock(block: HclBlock, path: string): HclBlock | undefined {
  let cur: HclBlock | undefined = block;
  for (const k of path.split('.')) cur = cur?.blocks.find((b) => b.type === k);
  return cur;
}
export function lineOf(block: HclBlock, path: string): number {
  const parts = path.split('.');
  let cur: HclBlock = block;
  for (const [i, k] of parts.entries()) {
    if (i === parts.length - 1)
      return cur.attributes[k]?.line ?? cur.blocks.find((b) => b.type === k)?.line ?? cur.line;
    const next = cur.blocks.find((b) => b.type === k);
    if (!next) return cur.attributes[k]?.line ?? cur.line;
    cur = next;
  }
  return cur.line;
}
/** An unresolved expression: checks treat it as "cannot tell" (no finding). */
export const unknown = (v: HclValue | undefined): v is HclExpr => v instanceof HclExpr;
export const isTrue = (v: HclValue | undefined) => v === true || v === 'true';
export const isFalse = (v: HclValue | undefined) => v === false || v === 'false';
export const nonEmptyList = (v: HclValue | undefined) => Array.isArray(v) && v.length > 0;

export function hit(r: Resource, path: string | undefined, message: string): TfHit {
  return {
    line: path ? lineOf(r.block, path) : r.block.line,
    message: `${r.type}.${r.name}: ${message}`,
    subject: `${r.type}.${r.name}`,
  };
}

/** A hit at a given line (a nested block's, typically). */
export function hitAt(r: Resource, line: number, message: string): TfHit {
  return { line, message: `${r.type}.${r.name}: ${message}`, subject: `${r.type}.${r.name}` };
}

/** Nested blocks of one type (dynamic blocks are already expanded by the evaluator). */
export const blocksOf = (b: HclBlock, type: string): HclBlock[] => b.blocks.filter((x) => x.type === type);

/** Known strings of a list attribute (a single string counts as a one-element list). */
export function strings(v: HclValue | undefined): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Does any part of the value (or the value) stay unknown? */
export function hasUnknown(v: HclValue | undefined): boolean {
  if (v instanceof HclExpr) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (v && typeof v === 'object') return Object.values(v).some(hasUnknown);
  return false;
}

export const OPEN_CIDRS: readonly string[] = ['0.0.0.0/0', '::/0'];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Does an unresolved expression refer to resource `r` (`aws_s3_bucket.b.id`, `"${aws_s3_bucket.b.arn}"`)? */
export function refersTo(v: HclValue | undefined, r: Pick<Resource, 'type' | 'name'>): boolean {
  if (!(v instanceof HclExpr)) return false;
  return new RegExp(`(?:^|[^\\w.])${escapeRe(r.type)}\\.${escapeRe(r.name)}(?![\\w-])`).test(v.raw);
}

/**
 * Resources of `type` (in the same module instance) whose `attrName` points at `r`: by reference,
 * or by the literal name `ownName` (e.g. the bucket name). `unsure` when some of them point at
 * something unknown (a variable, a data source, another module): then "missing" cannot be told.
 */
export function referencing(
  r: Resource,
  type: string,
  attrName: string,
  ownName?: HclValue,
): { hits: Resource[]; unsure: boolean } {
  const hits: Resource[] = [];
  let unsure = false;
  for (const o of r.others ?? []) {
    if (o.type !== type) continue;
    const v = attr(o.block, attrName);
    if (refersTo(v, r)) hits.push(o);
    else if (v instanceof HclExpr) {
      // A reference to another resource of r's type is not r; anything else cannot be told.
      if (!new RegExp(`(?:^|[^\\w.])${escapeRe(r.type)}\\.`).test(v.raw)) unsure = true;
    } else if (typeof v === 'string' && ownName !== undefined) {
      if (ownName instanceof HclExpr) unsure = true;
      else if (v === ownName) hits.push(o);
    }
  }
  return { hits, unsure };
}

/** Any resource of these types in the same module instance? */
export const anyOf = (r: Resource, ...types: string[]): Resource[] =>
  (r.others ?? []).filter((o) => types.includes(o.type));
