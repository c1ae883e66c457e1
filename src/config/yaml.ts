import type { ErrorObject } from 'ajv';
import { exceedsFlowNesting } from '../core/nesting.js';
import { LineCounter, isMap, isNode, isPair, isScalar, parseDocument, type Document } from 'yaml';

/**
 * YAML at the file boundary: parse strictly (duplicate keys are errors, aliases capped), and map a
 * JSON-Schema error back to the line of the offending key, so that every problem in a user file is
 * one line `file:line: what is wrong`.
 */

export interface ParsedYaml {
  doc: Document;
  lineCounter: LineCounter;
  value: unknown;
}

export class YamlProblem extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** Anchors/aliases are allowed but a "billion laughs" document is refused. */
const MAX_ALIAS_COUNT = 100;

export function parseYaml(text: string): ParsedYaml {
  if (exceedsFlowNesting(text, 64)) throw new YamlProblem('invalid YAML: nested deeper than 64 levels', 1);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const first = doc.errors[0];
  if (first) {
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new YamlProblem(`invalid YAML: ${first.message.split('\n')[0]}`, line);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new YamlProblem(`invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return { doc, lineCounter, value };
}

/** JSON-pointer (`/a/b/0`) → path segments. */
export function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Line of the value at `path`, or of the key `key` inside the mapping at `path` when given. */
export function lineOf(parsed: ParsedYaml, path: (string | number)[], key?: string): number | undefined {
  const { doc, lineCounter } = parsed;
  const node = path.length ? doc.getIn(path, true) : doc.contents;
  if (key !== undefined && isMap(node)) {
    for (const item of node.items) {
      if (isPair(item) && isScalar(item.key) && String(item.key.value) === key && item.key.range) {
        return lineCounter.linePos(item.key.range[0]).line;
      }
    }
  }
  if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  if (path.length) return lineOf(parsed, path.slice(0, -1), String(path[path.length - 1]));
  return undefined;
}

function article(type: string): string {
  switch (type) {
    case 'integer':
      return 'an integer';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'boolean':
      return 'true or false';
    default:
      return `a ${type}`;
  }
}

export interface SchemaProblem {
  line?: number;
  message: string;
  /** Among problems on one line, an unknown key explains the most (often the others follow from it). */
  priority?: number;
}

/**
 * Human text for JSON-Schema errors, each with its YAML line, sorted by line. A schema node may
 * carry `x-error`, the sentence to print for any error of its value (ajv must run with verbose).
 */
export function describeSchemaErrors(
  errors: readonly ErrorObject[],
  parsed: ParsedYaml,
  allowedKeys: (path: (string | number)[]) => string[],
): SchemaProblem[] {
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  // An anyOf/oneOf failure is explained better by its branches' errors at the same place.
  const explained = new Set(
    errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf').map((e) => e.instancePath),
  );
  for (const e of errors) {
    if ((e.keyword === 'anyOf' || e.keyword === 'oneOf') && explained.has(e.instancePath)) continue;
    const path = pointerSegments(e.instancePath);
    const name = path.length ? keyPath(path) : 'the file';
    const custom = (e.parentSchema as Record<string, unknown> | undefined)?.['x-error'];
    let message: string;
    let line: number | undefined;
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = allowedKeys(path);
      const hint = closest(key, allowed);
      message = `unknown key "${keyPath([...path, key])}"${hint ? ` (did you mean "${hint}"?)` : allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`;
      line = lineOf(parsed, path, key);
    } else if (e.keyword === 'required' && typeof custom !== 'string') {
      message = `missing key "${keyPath([...path, String((e.params as { missingProperty: string }).missingProperty)])}"`;
      line = lineOf(parsed, path);
    } else if (typeof custom === 'string') {
      message = `"${name}" ${custom}`;
      line = lineOf(parsed, path);
    } else if (e.keyword === 'type') {
      const types = String((e.params as { type: string }).type).split(',');
      message = `"${name}" must be ${types.map(article).join(' or ')}`;
      line = lineOf(parsed, path);
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      message = `"${name}" must be one of ${allowed.join(', ')}`;
      line = lineOf(parsed, path);
    } else {
      message = `"${name}" ${e.message ?? 'is invalid'}`;
      line = lineOf(parsed, path);
    }
    const id = `${line}:${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({
      ...(line !== undefined ? { line } : {}),
      message,
      priority: e.keyword === 'additionalProperties' ? 0 : 1,
    });
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.priority ?? 1) - (b.priority ?? 1));
}

/** `['secret', 'disable-rules', 0]` → `secret.disable-rules[0]`. */
export function keyPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
}

/** The allowed key nearest to a misspelt one (edit distance ≤ 2 or a prefix), if any. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a, 3);
    if (d < bestDistance) {
      best = a;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return Math.min(prev[b.length]!, cap);
}
