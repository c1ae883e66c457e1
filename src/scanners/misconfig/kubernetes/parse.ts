import { exceedsFlowNesting } from '../../../core/nesting.js';
import { LineCounter, parseAllDocuments, isNode, type Document } from 'yaml';

/** Hostile-input limits for YAML manifests. */
export const YAML_LIMITS = {
  /** Larger manifests are not parsed (reported as a skip with reason). */
  maxBytes: 8 * 1024 * 1024,
  /** Alias expansions allowed per document (`yaml`'s billion-laughs guard). */
  maxAliasCount: 100,
  maxDocuments: 5000,
} as const;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Path = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
  endLine: number;
}

export interface ParsedDocument {
  value: Json;
  /** Position of the node at `path` (or of its nearest existing ancestor). */
  pos(path: Path): Position;
}

export interface YamlParseError {
  message: string;
  line: number;
  column: number;
}

export interface ParsedYaml {
  documents: ParsedDocument[];
  errors: YamlParseError[];
}

/** Parses a multi-document YAML stream, keeping source positions. Never throws. */
export function parseYamlDocuments(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const errors: YamlParseError[] = [];
  const documents: ParsedDocument[] = [];
  let docs: Document.Parsed[];
  if (exceedsFlowNesting(text, 256))
    return {
      documents,
      errors: [{ message: 'flow collections nested deeper than 256 levels', line: 1, column: 1 }],
    };
  try {
    docs = parseAllDocuments(text, {
      lineCounter,
      uniqueKeys: false,
      prettyErrors: false,
    }) as Document.Parsed[];
    if (!Array.isArray(docs)) docs = [docs];
  } catch (err) {
    return { documents, errors: [{ message: (err as Error).message, line: 1, column: 1 }] };
  }
  const at = (offset: number) => lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
  for (const doc of docs.slice(0, YAML_LIMITS.maxDocuments)) {
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      const p = at(e.pos[0]);
      errors.push({ message: e.message.split('\n')[0]!, line: p.line, column: p.col });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    } catch (err) {
      const start = doc.contents?.range?.[0] ?? 0;
      const p = at(start);
      errors.push({ message: (err as Error).message, line: p.line, column: p.col });
      continue;
    }
    const docStart = doc.contents?.range?.[0] ?? doc.range[0];
    documents.push({
      value: (value ?? null) as Json,
      pos(path: Path): Position {
        for (let n = path.length; n >= 0; n--) {
          const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
          if (isNode(node) && node.range) {
            const s = at(node.range[0]);
            const e = at(Math.max(node.range[0], node.range[1] - 1));
            return { line: s.line, column: s.col, endLine: e.line };
          }
        }
        const s = at(docStart);
        return { line: s.line, column: s.col, endLine: s.line };
      },
    });
  }
  return { documents, errors };
}

export function isRecord(v: unknown): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function get(v: unknown, ...keys: (string | number)[]): Json | undefined {
  let cur: unknown = v;
  for (const k of keys) {
    if (typeof k === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[k];
    } else {
      if (!isRecord(cur)) return undefined;
      cur = cur[k];
    }
  }
  return cur as Json | undefined;
}

export function asArray(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
