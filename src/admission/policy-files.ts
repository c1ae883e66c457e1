/**
 * Reading policy documents from disk: every `*.yaml` / `*.yml` directly in a folder (not recursive:
 * a ConfigMap volume keeps older copies in hidden `..<timestamp>` folders), multi-document, with
 * YAML alias expansion bounded. Problems become load errors named after the file; nothing throws.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { PolicyLoadError } from '../policy/engine/types.js';
import { oneLine } from './json-body.js';

export interface PolicyDocs {
  docs: unknown[];
  errors: PolicyLoadError[];
  files: string[];
}

const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_ALIAS_COUNT = 100;

export function isPolicyFileName(name: string): boolean {
  return !name.startsWith('.') && /\.ya?ml$/i.test(name);
}

/** Parses one (multi-document) YAML text; `label` names the file in errors. */
export function parsePolicyYaml(text: string, label: string): { docs: unknown[]; errors: PolicyLoadError[] } {
  const docs: unknown[] = [];
  const errors: PolicyLoadError[] = [];
  let parsed;
  try {
    parsed = parseAllDocuments(text, { uniqueKeys: false });
  } catch (err) {
    return { docs, errors: [{ policy: label, message: `YAML error: ${oneLine(String(err))}` }] };
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  list.forEach((doc, i) => {
    const where = list.length > 1 ? `${label} (document ${i + 1})` : label;
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0]?.line;
      errors.push({
        policy: policyNameOf(safeToJs(doc)) ?? where,
        message: `${where}: YAML error${line ? ` at line ${line}` : ''}: ${oneLine(e.message.split('\n')[0] ?? '')}`,
      });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      errors.push({
        policy: where,
        message: `${where}: ${oneLine(err instanceof Error ? err.message : String(err))}`,
      });
      return;
    }
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      errors.push({ policy: where, message: `${where}: not a policy document (a YAML mapping is expected)` });
      return;
    }
    docs.push(value);
  });
  return { docs, errors };
}

function safeToJs(doc: { toJS(o?: object): unknown }): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return undefined;
  }
}

function policyNameOf(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const meta = (v as Record<string, unknown>).metadata;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const name = (meta as Record<string, unknown>).name;
  return typeof name === 'string' ? name : undefined;
}

/** Reads the given files in order. */
export async function readPolicyFiles(files: readonly string[]): Promise<PolicyDocs> {
  const out: PolicyDocs = { docs: [], errors: [], files: [] };
  for (const file of files) {
    const label = path.basename(file);
    try {
      const info = await stat(file);
      if (!info.isFile()) continue;
      if (info.size > MAX_FILE_BYTES) {
        out.errors.push({ policy: label, message: `${label}: larger than ${MAX_FILE_BYTES} bytes, skipped` });
        continue;
      }
      const { docs, errors } = parsePolicyYaml(await readFile(file, 'utf8'), label);
      out.docs.push(...docs);
      out.errors.push(...errors);
      out.files.push(file);
    } catch (err) {
      out.errors.push({
        policy: label,
        message: `${label}: ${oneLine(err instanceof Error ? err.message : String(err))}`,
      });
    }
  }
  return out;
}

/** Every policy file directly in `dir`, sorted by name. Throws when the folder cannot be read. */
export async function listPolicyFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir);
  return entries
    .filter(isPolicyFileName)
    .sort()
    .map((name) => path.join(dir, name));
}
