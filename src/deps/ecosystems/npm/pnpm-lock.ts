import type { DependencyScope, LockfileParser, ParseInput, ParseProblem, ParseResult } from '../../model.js';
import { Inventory } from './inventory.js';
import { isObject, type JsonObject } from '../common/json-lines.js';
import { isLocalReference, splitNameAt } from './names.js';
import { baseName } from './package-json.js';
import { ScopeGraph, type RootScope } from './scope-graph.js';
import { readYaml } from './yaml-doc.js';

/**
 * `pnpm-lock.yaml` (https://github.com/pnpm/spec/tree/master/lockfile), three key syntaxes:
 * - 5.x: `/name/1.0.0`, `/@scope/name/1.0.0_peer@2.0.0` (`_` starts the peer suffix);
 * - 6.x: `/name@1.0.0`, `/@scope/name@1.0.0(peer@2.0.0)`;
 * - 9.x: `packages` keyed `name@1.0.0` (metadata) plus `snapshots` keyed `name@1.0.0(peer@2.0.0)`
 *   (dependencies).
 * Non-registry packages (git, tarballs) carry `name` and `version` fields, which win over the key.
 * Peer variants of one name@version become one component. Local packages (`link:`, `file:`
 * folders, `resolution: {directory}`) are the project's own and not reported.
 *
 * Scope: 5.x/6.x entries say `dev: true` (dev only), `dev: false` (prod only) or nothing (both:
 * prod); `optional: true`. 9.x dropped those flags, so scope follows the graph from each
 * importer's dependencies / devDependencies / optionalDependencies. Direct: what any importer
 * (workspace project) declares.
 */

interface DepPath {
  name: string;
  version: string;
}

function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

function lockfileMajor(v: unknown): number {
  const n = Number.parseInt(String(v), 10);
  return Number.isFinite(n) ? n : 0;
}

/** Drops the peer-dependency suffix of a key: `a@1.0.0(b@2.0.0)` → `a@1.0.0`. */
function withoutPeers(key: string): string {
  const i = key.indexOf('(');
  return i < 0 ? key : key.slice(0, i);
}

/** Name and version from a `packages` key. */
function parseKey(key: string, major: number): DepPath | undefined {
  const k = withoutPeers(key.startsWith('/') ? key.slice(1) : key);
  if (major >= 6) {
    const [name, version] = splitNameAt(k);
    return name && version ? { name, version } : undefined;
  }
  const parts = k.split('/');
  const nameParts = parts[0]?.startsWith('@') ? 2 : 1;
  if (parts.length !== nameParts + 1) return undefined;
  const version = (parts[nameParts] as string).split('_')[0] as string;
  return version ? { name: parts.slice(0, nameParts).join('/'), version } : undefined;
}

/** The `packages` key a dependency reference points at (`1.0.0`, `1.0.0(peer@1)`, an alias, `link:`…). */
function refToKey(name: string, ref: string, major: number): string | undefined {
  if (isLocalReference(ref)) return undefined;
  const base = withoutPeers(ref);
  if (major >= 9) return base.includes('@') ? ref : `${name}@${ref}`;
  if (ref.startsWith('/') || base.includes('/')) return ref; // alias or non-registry path
  return major >= 6 ? `/${name}@${ref}` : `/${name}/${ref}`;
}

/** A reference as written in importers: a string (5.x) or `{specifier, version}` (6.x, 9.x). */
function refOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.version === 'string') return v.version;
  return undefined;
}

function refEntries(v: unknown): [string, string][] {
  if (!isObject(v)) return [];
  const out: [string, string][] = [];
  for (const [name, x] of Object.entries(v)) {
    const ref = refOf(x);
    if (ref !== undefined) out.push([name, ref]);
  }
  return out;
}

function flagScope(entry: JsonObject): DependencyScope {
  if (isTrue(entry.dev)) return 'dev';
  return isTrue(entry.optional) ? 'optional' : 'prod';
}

const IMPORTER_GROUPS: [string, RootScope][] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['devDependencies', 'dev'],
];

export function parsePnpmLock(input: ParseInput): ParseResult {
  const read = readYaml(input.text);
  if (!read.ok) return { components: [], errors: read.problems.map((p) => ({ path: input.path, ...p })) };
  const doc = read.yaml.value;
  if (!isObject(doc) || doc.lockfileVersion === undefined) {
    return {
      components: [],
      errors: [{ path: input.path, line: 1, message: 'not a pnpm lockfile: no lockfileVersion' }],
    };
  }
  const major = lockfileMajor(doc.lockfileVersion);
  const problems: ParseProblem[] = [];
  if (major > 9) {
    problems.push({
      path: input.path,
      line: 1,
      message: `lockfileVersion ${String(doc.lockfileVersion)} is newer than this reader knows (5-9); read as 9`,
    });
  }
  const inv = new Inventory(input.path);
  const packages = isObject(doc.packages) ? doc.packages : {};
  const lines = read.yaml.keyLines('packages');
  const flagsKnown = major < 9;

  const idByKey = new Map<string, string>();
  for (const [key, entry] of Object.entries(packages)) {
    if (!isObject(entry)) continue;
    if (
      key.startsWith('file:') ||
      key.startsWith('link:') ||
      (isObject(entry.resolution) && 'directory' in entry.resolution)
    )
      continue;
    const fromKey = parseKey(key, major);
    const name = typeof entry.name === 'string' && entry.name ? entry.name : fromKey?.name;
    const version = typeof entry.version === 'string' && entry.version ? entry.version : fromKey?.version;
    if (!name || !version || isLocalReference(version)) {
      if (!name || !version)
        problems.push({
          path: input.path,
          line: lines.get(key),
          message: `cannot read a name and version from package key ${JSON.stringify(key)}`,
        });
      continue;
    }
    const id = inv.add(
      flagsKnown
        ? { name, version, line: lines.get(key), scope: flagScope(entry) }
        : { name, version, line: lines.get(key) },
    );
    if (id) idByKey.set(key, id);
  }

  // Graph: 9.x keeps dependencies in `snapshots` (keys with peer suffixes), older versions in `packages`.
  const snapshots = major >= 9 && isObject(doc.snapshots) ? doc.snapshots : packages;
  const idOfNode = (node: string): string | undefined => idByKey.get(node) ?? idByKey.get(withoutPeers(node));
  const graph = new ScopeGraph();
  for (const [node, entry] of Object.entries(snapshots)) {
    if (!isObject(entry)) continue;
    const from = idOfNode(node);
    for (const [field, optional] of [
      ['dependencies', false],
      ['optionalDependencies', true],
    ] as const) {
      for (const [dep, ref] of refEntries(entry[field])) {
        const to = refToKey(dep, ref, major);
        if (to === undefined) continue;
        graph.addEdge(node, to, optional);
        const target = idOfNode(to);
        if (from && target) inv.link(from, target);
      }
    }
  }

  // Importers: `importers` (workspaces), or the top level of a 5.x/6.x single-project lockfile.
  const importers = isObject(doc.importers) ? Object.values(doc.importers) : [doc];
  for (const importer of importers) {
    if (!isObject(importer)) continue;
    for (const [group, scope] of IMPORTER_GROUPS) {
      for (const [dep, ref] of refEntries(importer[group])) {
        const node = refToKey(dep, ref, major);
        if (node === undefined) continue;
        graph.addRoot(node, scope);
        const id = idOfNode(node);
        if (id) inv.markDirect(id);
      }
    }
  }
  if (!flagsKnown) {
    const scopes = graph.scopes();
    for (const node of Object.keys(snapshots)) {
      const id = idOfNode(node);
      if (id) inv.mergeScope(id, scopes.get(node));
    }
  }

  const components = inv.components(true);
  problems.push(...inv.problems);
  return problems.length > 0 ? { components, errors: problems } : { components };
}

export const pnpmLockParser: LockfileParser = {
  id: 'pnpm-lock',
  ecosystem: 'npm',
  format: 'pnpm pnpm-lock.yaml (lockfileVersion 5.x, 6.x, 9.x)',
  matches: (path) => baseName(path) === 'pnpm-lock.yaml',
  parse: parsePnpmLock,
};
