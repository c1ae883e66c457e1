import { exceedsFlowNesting } from '../../../core/nesting.js';
import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node,
} from 'yaml';
import type { Json, Path } from '../kubernetes/parse.js';

/** Hostile-input limits for workflow and action files. */
export const GHA_LIMITS = {
  /** Larger files are not parsed (reported as a skip with reason). */
  maxBytes: 4 * 1024 * 1024,
  /** Alias expansions allowed (`yaml`'s billion-laughs guard). */
  maxAliasCount: 100,
  /** Deepest flow-collection nesting handed to the parser. */
  maxFlowNesting: 256,
  /** Alias hops followed when resolving a path (anchors of anchors). */
  maxAliasHops: 32,
} as const;

export interface Position {
  line: number;
  column: number;
  endLine: number;
}

/** One source line of a scalar: its 1-based line number and text (from the scalar's start on its first line). */
export interface RawLine {
  line: number;
  text: string;
  /** Offset of `text[0]` in the file. */
  offset: number;
}

export interface YamlDoc {
  value: Json;
  /** The node at `path`, following aliases (positions of aliased content are those of the anchor). */
  node(path: Path): Node | undefined;
  /** Position of the node at `path` (or of its nearest existing ancestor). */
  pos(path: Path): Position;
  /** Line of the key of the last element of `path` (falls back to `pos`). */
  keyLine(path: Path): number;
  /** Source text of the scalar at `path` and its offset in the file (undefined unless a scalar). */
  raw(path: Path): { text: string; offset: number } | undefined;
  /** Source lines of the scalar at `path` (undefined unless it is a scalar). */
  rawLines(path: Path): RawLine[] | undefined;
  /** 1-based line of a file offset. */
  lineAt(offset: number): number;
}

export interface ParseError {
  message: string;
  line: number;
  column: number;
}

export interface ParsedWorkflowYaml {
  doc?: YamlDoc;
  errors: ParseError[];
}

/** Parses the first document of a workflow/action file, keeping source positions. Never throws. */
export function parseWorkflowYaml(text: string): ParsedWorkflowYaml {
  if (exceedsFlowNesting(text, GHA_LIMITS.maxFlowNesting))
    return {
      errors: [
        {
          message: `flow collections nested deeper than ${GHA_LIMITS.maxFlowNesting} levels`,
          line: 1,
          column: 1,
        },
      ],
    };
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, prettyErrors: false }) as Document.Parsed[];
    if (!Array.isArray(docs)) docs = [docs];
  } catch (err) {
    return { errors: [{ message: (err as Error).message, line: 1, column: 1 }] };
  }
  const at = (offset: number) => lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
  const errors: ParseError[] = [];
  for (const d of docs) {
    const e = d.errors[0];
    if (!e) continue;
    const p = at(e.pos[0]);
    errors.push({ message: e.message.split('\n')[0]!, line: p.line, column: p.col });
  }
  const doc = docs.find((d) => d.contents !== null) ?? docs[0];
  if (!doc || errors.length) return { errors };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: GHA_LIMITS.maxAliasCount });
  } catch (err) {
    const p = at(doc.contents?.range?.[0] ?? 0);
    return { errors: [{ message: (err as Error).message, line: p.line, column: p.col }] };
  }

  const deref = (n: unknown): unknown => {
    let cur = n;
    for (let i = 0; i < GHA_LIMITS.maxAliasHops && isAlias(cur); i++) cur = cur.resolve(doc);
    return isAlias(cur) ? undefined : cur;
  };
  /** The pair for `key` in a map node (keys compared as strings, so YAML 1.1 `on` → `true` works too). */
  const pairOf = (map: unknown, key: string | number) => {
    const m = deref(map);
    if (!isMap(m)) return undefined;
    return m.items.find((p) => {
      const k = deref(p.key);
      return isScalar(k) ? String(k.value) === String(key) : false;
    });
  };
  const node = (path: Path): Node | undefined => {
    let cur: unknown = deref(doc.contents);
    for (const k of path) {
      if (isSeq(cur) && typeof k === 'number') cur = deref(cur.items[k]);
      else if (isMap(cur)) cur = deref(pairOf(cur, k)?.value);
      else return undefined;
      if (cur === undefined || cur === null) return undefined;
    }
    return cur as Node;
  };
  const raw = (path: Path) => {
    const nd = node(path);
    if (!isScalar(nd) || !nd.range) return undefined;
    return { text: text.slice(nd.range[0], nd.range[1]), offset: nd.range[0] };
  };
  const docStart = doc.contents?.range?.[0] ?? doc.range[0];
  const pos = (path: Path): Position => {
    for (let n = path.length; n >= 0; n--) {
      const nd = node(path.slice(0, n));
      if (nd?.range) {
        const s = at(nd.range[0]);
        const e = at(Math.max(nd.range[0], nd.range[1] - 1));
        return { line: s.line, column: s.col, endLine: e.line };
      }
    }
    const s = at(docStart);
    return { line: s.line, column: s.col, endLine: s.line };
  };
  return {
    errors,
    doc: {
      value: (value ?? null) as Json,
      node,
      pos,
      keyLine(path) {
        const last = path[path.length - 1];
        if (last === undefined) return pos(path).line;
        const key = deref(pairOf(node(path.slice(0, -1)), last)?.key);
        return isScalar(key) && key.range ? at(key.range[0]).line : pos(path).line;
      },
      raw,
      rawLines(path) {
        const r = raw(path);
        if (!r) return undefined;
        const out: RawLine[] = [];
        let offset = r.offset;
        for (const raw of r.text.split('\n')) {
          out.push({ line: at(offset).line, text: raw.replace(/\r$/, ''), offset });
          offset += raw.length + 1;
        }
        return out;
      },
      lineAt: (offset) => at(offset).line,
    },
  };
}
