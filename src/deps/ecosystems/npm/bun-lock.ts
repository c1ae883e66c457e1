import type { LockfileParser, ParseInput, ParseProblem, ParseResult } from '../../model.js';
import { Inventory } from './inventory.js';
import { isObject, parseJson, stringEntries, type JsonObject, type JsonValue } from '../common/json-lines.js';
import { isLocalReference, splitNameAt } from './names.js';
import { baseName } from './package-json.js';
import { ScopeGraph, type RootScope } from './scope-graph.js';

/**
 * `bun.lock`, the text lockfile of Bun ≥ 1.2 (JSONC: comments and trailing commas allowed;
 * https://bun.sh/docs/install/lockfile):
 *
 *     { "lockfileVersion": 1,
 *       "workspaces": { "": { "name": "app", "dependencies": { "a": "^1.0.0" } },
 *                       "packages/lib": { "name": "@app/lib", "devDependencies": {…} } },
 *       "packages": { "a": ["a@1.2.3", "", { "dependencies": { "b": "^2" } }, "sha512-…"],
 *                     "a/b": ["b@2.0.0", "", {}, "sha512-…"],
 *                     "@app/lib": ["@app/lib@workspace:packages/lib"] } }
 *
 * A `packages` key is the install path (names joined by `/`, nested under their dependent); the
 * first array element is the resolved `name@version` (the real name for aliases). Git, GitHub and
 * tarball entries keep the reference as version (`chalk@github:chalk/chalk#bfbc492`). Workspace,
 * `link:`, `file:` and `root:` entries are the project's own packages and are not reported.
 * Scope and direct follow the graph from each workspace's dependency lists.
 *
 * The binary `bun.lockb` of older Bun versions is not read: the dependency scanner lists it as an
 * unsupported format (src/deps/unsupported.ts).
 */

/** Splits an install path into package names: `@a/b/c/@d/e` → [`@a/b`, `c`, `@d/e`]. */
function segments(key: string): string[] {
  const parts = key.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (p.startsWith('@') && i + 1 < parts.length) out.push(`${p}/${parts[++i] as string}`);
    else out.push(p);
  }
  return out;
}

/** The package entry `dep` resolves to from the package at `from` (nearest enclosing install path). */
function resolveFrom(from: string[], dep: string, exists: (key: string) => boolean): string | undefined {
  for (let n = from.length; n >= 0; n--) {
    const key = [...from.slice(0, n), dep].join('/');
    if (exists(key)) return key;
  }
  return undefined;
}

/** The metadata object of an entry: index 2 for registry packages, index 1 for the other kinds. */
function infoOf(entry: JsonValue[]): JsonObject {
  const found = entry.slice(1, 3).find(isObject);
  return found ?? {};
}

const WORKSPACE_GROUPS: [string, RootScope][] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['devDependencies', 'dev'],
];

export function parseBunLock(input: ParseInput): ParseResult {
  const parsed = parseJson(input.text, { jsonc: true });
  if (!parsed.ok) {
    const { line, column, message } = parsed.error;
    return {
      components: [],
      errors: [{ path: input.path, line, message: `invalid JSONC at column ${column}: ${message}` }],
    };
  }
  const root = parsed.json.value;
  if (!isObject(root) || !isObject(root.packages)) {
    return {
      components: [],
      errors: [{ path: input.path, line: 1, message: 'not a bun.lock: no "packages" object' }],
    };
  }
  const problems: ParseProblem[] = [];
  if (typeof root.lockfileVersion === 'number' && root.lockfileVersion > 1) {
    problems.push({
      path: input.path,
      line: parsed.json.keyLine(root, 'lockfileVersion'),
      message: `lockfileVersion ${root.lockfileVersion} is newer than this reader knows (0-1); read as 1`,
    });
  }
  const packages = root.packages;
  const inv = new Inventory(input.path);
  const idByKey = new Map<string, string>();
  for (const [key, entry] of Object.entries(packages)) {
    const line = parsed.json.keyLine(packages, key);
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
      problems.push({
        path: input.path,
        line,
        message: `package ${JSON.stringify(key)} is not a ["name@version", …] array`,
      });
      continue;
    }
    const [name, version] = splitNameAt(entry[0]);
    if (isLocalReference(version)) continue;
    if (!name || !version) {
      problems.push({
        path: input.path,
        line,
        message: `cannot read a name and version from ${JSON.stringify(entry[0])}`,
      });
      continue;
    }
    const id = inv.add({ name, version, line });
    if (id) idByKey.set(key, id);
  }

  const exists = (key: string): boolean => Array.isArray(packages[key]);
  const graph = new ScopeGraph();
  for (const [key, entry] of Object.entries(packages)) {
    if (!Array.isArray(entry)) continue;
    const info = infoOf(entry);
    const from = segments(key);
    const fromId = idByKey.get(key);
    for (const [field, optional] of [
      ['dependencies', false],
      ['optionalDependencies', true],
    ] as const) {
      for (const [dep] of stringEntries(info[field])) {
        const to = resolveFrom(from, dep, exists);
        if (to === undefined) continue;
        graph.addEdge(key, to, optional);
        const toId = idByKey.get(to);
        if (fromId && toId) inv.link(fromId, toId);
      }
    }
  }

  // Workspaces: the root ("") resolves from the top; another workspace first under its own name.
  const workspaces = isObject(root.workspaces) ? root.workspaces : {};
  for (const [path, ws] of Object.entries(workspaces)) {
    if (!isObject(ws)) continue;
    const from = path === '' || typeof ws.name !== 'string' ? [] : [ws.name];
    for (const [group, scope] of WORKSPACE_GROUPS) {
      for (const [dep] of stringEntries(ws[group])) {
        const to = resolveFrom(from, dep, exists);
        if (to === undefined) continue;
        graph.addRoot(to, scope);
        const id = idByKey.get(to);
        if (id) inv.markDirect(id);
      }
    }
  }
  const scopes = graph.scopes();
  for (const [key, id] of idByKey) inv.mergeScope(id, scopes.get(key));

  const components = inv.components(Object.keys(workspaces).length > 0);
  problems.push(...inv.problems);
  return problems.length > 0 ? { components, errors: problems } : { components };
}

export const bunLockParser: LockfileParser = {
  id: 'bun-lock',
  ecosystem: 'npm',
  format: 'Bun bun.lock (text lockfile, Bun ≥ 1.2)',
  matches: (path) => baseName(path) === 'bun.lock',
  parse: parseBunLock,
};
