/**
 * Kubernetes objects of one manifest file, kept as plain data (structured-cloneable, so worker
 * threads can hand them to the main thread) with the source lines needed to place findings. Pure.
 */
import type { CommitInfo } from '../../core/finding.js';
import type { KubeObject } from '../../policy/engine/types.js';
import {
  parseYamlDocuments,
  YAML_LIMITS,
  type Json,
  type ParsedDocument,
} from '../misconfig/kubernetes/parse.js';
import { objectsOf } from '../misconfig/kubernetes/workload.js';

/** Hostile-input limits of the manifest collector. */
export const MANIFEST_LIMITS = {
  /** Larger files are not parsed (the caller warns). */
  maxBytes: YAML_LIMITS.maxBytes,
  /** Nodes of one object whose line is remembered (deeper nodes fall back to an ancestor's line). */
  maxLineEntries: 4000,
  maxLineDepth: 32,
} as const;

export interface CollectedObject {
  /** File path relative to the scan root. */
  path: string;
  value: KubeObject;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** Line of the object's `kind:` (1-based). */
  line: number;
  /** Object-relative JSON pointer (`/spec/containers/0`) → line of that node's value. */
  lines: Record<string, number>;
  /** Set by the scanner from its target (staged blobs, image layers). */
  commit?: CommitInfo;
  layer?: string;
}

/** Cheap test before parsing: the text names an apiVersion and a kind. */
export function looksLikeKubernetes(text: string): boolean {
  return /(?:^|[\s{,])["']?apiVersion["']?\s*:/m.test(text) && /(?:^|[\s{,])["']?kind["']?\s*:/m.test(text);
}

const isRecord = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Lines of the nodes of one object, breadth-first so that shallow nodes are kept when capped. */
function lineTable(
  doc: ParsedDocument,
  base: readonly (string | number)[],
  value: Json,
): Record<string, number> {
  const lines: Record<string, number> = {};
  let count = 0;
  let queue: { rel: (string | number)[]; pointer: string; value: Json }[] = [{ rel: [], pointer: '', value }];
  for (let depth = 0; depth <= MANIFEST_LIMITS.maxLineDepth && queue.length; depth++) {
    const next: typeof queue = [];
    for (const node of queue) {
      if (node.pointer) {
        if (count >= MANIFEST_LIMITS.maxLineEntries) return lines;
        lines[node.pointer] = doc.pos([...base, ...node.rel]).line;
        count++;
      }
      const entries: [string | number, Json][] = Array.isArray(node.value)
        ? node.value.map((v, i) => [i, v])
        : isRecord(node.value)
          ? Object.entries(node.value)
          : [];
      for (const [k, v] of entries)
        next.push({
          rel: [...node.rel, k],
          pointer: `${node.pointer}/${escapePointer(String(k))}`,
          value: v,
        });
    }
    queue = next;
  }
  return lines;
}

/** Does any line of the document's span hold a Go template action (`{{`)? Helm sources are not manifests. */
function isTemplated(doc: ParsedDocument, textLines: readonly string[] | undefined): boolean {
  if (!textLines) return false;
  const span = doc.pos([]);
  for (let l = span.line; l <= span.endLine && l <= textLines.length; l++)
    if (textLines[l - 1]!.includes('{{')) return true;
  return false;
}

/**
 * Every Kubernetes object (apiVersion, kind and a metadata map; `kind: List` expanded) in a YAML or
 * JSON text. Non-Kubernetes documents, documents that do not parse and templated documents are
 * skipped silently. Never throws.
 */
export function collectObjects(text: string, path: string): CollectedObject[] {
  if (text.length > MANIFEST_LIMITS.maxBytes || !looksLikeKubernetes(text)) return [];
  const parsed = parseYamlDocuments(text);
  const textLines = text.includes('{{') ? text.split('\n') : undefined;
  const out: CollectedObject[] = [];
  for (const doc of parsed.documents) {
    if (isTemplated(doc, textLines)) continue;
    for (const obj of objectsOf(doc.value)) {
      if (!isRecord(obj.value.metadata)) continue;
      const item: CollectedObject = {
        path,
        value: obj.value as KubeObject,
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.name,
        line: doc.pos([...obj.path, 'kind']).line,
        lines: lineTable(doc, obj.path, obj.value),
      };
      if (obj.namespace !== undefined) item.namespace = obj.namespace;
      out.push(item);
    }
  }
  return out;
}

const FAILED_AT = /failed at path (\/\S*)/;

/**
 * The line a rule result points at: Kyverno pattern failures name the field
 * (`… failed at path /spec/containers/0/securityContext/privileged/`); the deepest part of that path
 * present in the object gives the line. Other results (deny, foreach, CEL) point at the object.
 */
export function lineOfMessage(obj: Pick<CollectedObject, 'line' | 'lines'>, message: string): number {
  const m = FAILED_AT.exec(message.length > 100_000 ? message.slice(0, 100_000) : message);
  if (!m) return obj.line;
  const segments = m[1]!.split('/').filter((s) => s !== '');
  for (let n = segments.length; n > 0; n--) {
    const pointer = `/${segments.slice(0, n).map(escapePointer).join('/')}`;
    const line = Object.prototype.hasOwnProperty.call(obj.lines, pointer) ? obj.lines[pointer] : undefined;
    if (line !== undefined) return line;
  }
  return obj.line;
}
