/**
 * Where the policy scanner's policies come from: policy files or folders named in the configuration
 * and the built-in packs shipped in `policies/`. This is the scanner's only I/O, done once in the
 * factory. Unreadable or invalid files become load problems (reported as warnings), except a path
 * that does not exist or an unknown pack name, which are configuration errors.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { RampartError } from '../../core/errors.js';
import { BUILTIN_PACK_NAMES, resolveBuiltinPacks } from '../../admission/builtin-packs.js';
import { readPolicyFiles } from '../../admission/policy-files.js';

export interface PolicyScannerConfig {
  /** Policy files or folders (absolute; folders are searched recursively for .yaml/.yml/.json). */
  paths?: string[];
  /** Built-in pack names (`restricted`, `best-practices`, … or `pod-security-restricted`, `all`). */
  builtin?: string[];
}

/** Used when neither `paths` nor `builtin` is given. */
export const DEFAULT_PACKS: readonly string[] = ['restricted', 'best-practices'];

const POLICY_FILE = /\.(?:ya?ml|json)$/i;
const SKIP_DIRS = new Set(['node_modules']);
const MAX_DEPTH = 32;
const MAX_FILES = 10_000;

export interface PolicyDocuments {
  docs: unknown[];
  /** File-level problems (unreadable, too large, invalid YAML) and duplicate policy names, as warnings. */
  problems: string[];
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];

/** `pod-security-restricted` → `restricted` (the names of the files in `policies/`). */
export function packName(name: string): string {
  const n = name.trim();
  if (BUILTIN_PACK_NAMES.includes(n) || n === 'all') return n;
  const short = n.replace(/^pod-security-/, '');
  return BUILTIN_PACK_NAMES.includes(short) ? short : n;
}

/** Policy files under a file or folder, sorted, hidden entries and symlinks left out. */
export function policyFilesUnder(root: string): string[] {
  let st;
  try {
    st = statSync(root);
  } catch (err) {
    throw new RampartError(
      'PATH_UNREADABLE',
      `policy path ${root}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (st.isFile()) return [root];
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (e.name.startsWith('.') || out.length >= MAX_FILES) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) walk(p, depth + 1);
      else if (e.isFile() && POLICY_FILE.test(e.name)) out.push(p);
    }
  };
  walk(root, 0);
  return out;
}

/** The policy files a configuration names: its paths first (they win over a built-in of the same name), then the packs. */
export function policyFilesOf(cfg: PolicyScannerConfig): string[] {
  const paths = strings(cfg.paths);
  let packs = strings(cfg.builtin);
  if (!paths.length && !packs.length) packs = [...DEFAULT_PACKS];
  const files: string[] = [];
  const add = (f: string) => {
    if (!files.includes(f)) files.push(f);
  };
  for (const p of paths) policyFilesUnder(path.resolve(p)).forEach(add);
  if (packs.length) {
    let builtin: string[];
    try {
      builtin = resolveBuiltinPacks(packs.flatMap((p) => p.split(',')).map(packName));
    } catch (err) {
      throw new RampartError('CONFIG_INVALID', `policy.builtin: ${(err as Error).message}`);
    }
    builtin.forEach(add);
  }
  return files;
}

const POLICY_KINDS = new Set([
  'ClusterPolicy',
  'Policy',
  'ValidatingPolicy',
  'NamespacedValidatingPolicy',
  'ValidatingAdmissionPolicy',
]);

/** Key of a policy document (kind, namespace, name), or undefined for other documents. */
function policyKey(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const d = doc as Record<string, unknown>;
  if (typeof d.kind !== 'string' || !POLICY_KINDS.has(d.kind)) return undefined;
  const meta = (typeof d.metadata === 'object' && d.metadata !== null ? d.metadata : {}) as Record<
    string,
    unknown
  >;
  if (typeof meta.name !== 'string') return undefined;
  return `${d.kind}/${typeof meta.namespace === 'string' ? meta.namespace : ''}/${meta.name}`;
}

/** Keeps the first definition of each policy (kind, namespace, name); later ones become problems. */
export function dropDuplicatePolicies(docs: readonly unknown[]): PolicyDocuments {
  const seen = new Set<string>();
  const out: PolicyDocuments = { docs: [], problems: [] };
  for (const doc of docs) {
    const key = policyKey(doc);
    if (key !== undefined && seen.has(key)) {
      out.problems.push(`policy ${key} is defined more than once; the first definition is used`);
      continue;
    }
    if (key !== undefined) seen.add(key);
    out.docs.push(doc);
  }
  return out;
}

/** Reads the configured policy files. Throws RampartError for a missing path or an unknown pack. */
export async function readPolicyDocuments(cfg: PolicyScannerConfig): Promise<PolicyDocuments> {
  const read = await readPolicyFiles(policyFilesOf(cfg));
  const unique = dropDuplicatePolicies(read.docs);
  return {
    docs: unique.docs,
    problems: [...read.errors.map((e) => `policy file ${e.message}`), ...unique.problems],
  };
}
