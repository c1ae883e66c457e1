import type { DependencyScope, LockfileParser, ParseInput, ParseProblem, ParseResult } from '../../model.js';
import { Inventory } from './inventory.js';
import {
  isObject,
  parseJson,
  stringEntries,
  type JsonObject,
  type ParsedJson,
} from '../common/json-lines.js';
import { baseName, readPackageJson, type DeclaredDependencies } from './package-json.js';

/**
 * npm `package-lock.json` and `npm-shrinkwrap.json` (same format), lockfileVersion 1, 2 and 3
 * (https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json).
 *
 * - v2/v3: the `packages` map, keyed by install path (`node_modules/a/node_modules/@s/b`). The
 *   name is the part after the last `node_modules/`, or the entry's `name` for aliases
 *   (`"node_modules/string-width-cjs": {"name": "string-width"}`). The legacy `dependencies`
 *   section of v2 repeats the same data and is ignored.
 * - v1: the nested `dependencies` tree; each level is one `node_modules` folder deeper.
 *
 * Not reported as third-party components: the root entry `""`, workspace and `file:` folders
 * (keys outside any node_modules folder: the project's own code), `link: true` entries (they
 * only point at such a folder) and entries without a version.
 */

const MAX_V1_DEPTH = 200;
const NODE_MODULES = 'node_modules/';

/** Name a package is installed under, from its path: `a/node_modules/@s/b` → `@s/b`. */
function installedName(path: string): string | undefined {
  const i = path.lastIndexOf(`/${NODE_MODULES}`);
  if (i >= 0) return path.slice(i + 1 + NODE_MODULES.length);
  return path.startsWith(NODE_MODULES) ? path.slice(NODE_MODULES.length) : undefined;
}

/** The folder whose node_modules is searched next: `a/node_modules/b` → `a`, `node_modules/b` → root. */
function parentFolder(path: string): string {
  const i = path.lastIndexOf(`/${NODE_MODULES}`);
  return i >= 0 ? path.slice(0, i) : '';
}

/**
 * Node's module lookup: from the package at `from`, `name` is found in the nearest
 * `node_modules` folder walking up towards the root.
 */
function resolveFrom(from: string, name: string, exists: (path: string) => boolean): string | undefined {
  let base = from;
  for (let guard = 0; guard < 10_000; guard++) {
    const candidate = base === '' ? `${NODE_MODULES}${name}` : `${base}/${NODE_MODULES}${name}`;
    if (exists(candidate)) return candidate;
    if (base === '') return undefined;
    base = parentFolder(base);
  }
  return undefined;
}

function flagScope(entry: JsonObject): DependencyScope {
  if (entry.dev === true) return 'dev'; // also dev + optional: only in the devDependencies tree
  if (entry.optional === true || entry.devOptional === true) return 'optional';
  if (entry.peer === true) return 'peer';
  return 'prod';
}

/** The names a package (or the project) depends on, with whether the edge is optional. */
function dependencyNames(entry: JsonObject, withDev: boolean): { name: string; optional: boolean }[] {
  const out: { name: string; optional: boolean }[] = [];
  for (const [name] of stringEntries(entry.dependencies)) out.push({ name, optional: false });
  for (const [name] of stringEntries(entry.requires)) out.push({ name, optional: false });
  for (const [name] of stringEntries(entry.optionalDependencies)) out.push({ name, optional: true });
  for (const [name] of stringEntries(entry.peerDependencies)) out.push({ name, optional: true });
  if (withDev) for (const [name] of stringEntries(entry.devDependencies)) out.push({ name, optional: false });
  return out;
}

function allDeclared(d: DeclaredDependencies): string[] {
  return [...d.dependencies, ...d.devDependencies, ...d.optionalDependencies, ...d.peerDependencies].map(
    ([n]) => n,
  );
}

/** lockfileVersion 2 and 3: the flat `packages` map. */
function fromPackages(packages: JsonObject, json: ParsedJson, input: ParseInput, inv: Inventory): boolean {
  const idByPath = new Map<string, string>();
  const linkTarget = new Map<string, string>();
  const importers: string[] = [];
  for (const [path, entry] of Object.entries(packages)) {
    if (!isObject(entry)) continue;
    if (entry.link === true) {
      if (typeof entry.resolved === 'string') linkTarget.set(path, entry.resolved);
      continue;
    }
    const installed = installedName(path);
    if (installed === undefined) {
      importers.push(path); // "" or a workspace / file: folder: the project's own package
      continue;
    }
    const name = typeof entry.name === 'string' && entry.name ? entry.name : installed;
    if (typeof entry.version !== 'string' || !entry.version) continue;
    const id = inv.add({
      name,
      version: entry.version,
      line: json.keyLine(packages, path),
      scope: flagScope(entry),
      license: typeof entry.license === 'string' ? entry.license : undefined,
    });
    if (id) idByPath.set(path, id);
  }

  const exists = (p: string): boolean => isObject(packages[p]);
  const idOf = (p: string | undefined): string | undefined => {
    if (p === undefined) return undefined;
    return idByPath.get(linkTarget.get(p) ?? p);
  };

  for (const [path, id] of idByPath) {
    const entry = packages[path] as JsonObject;
    for (const dep of dependencyNames(entry, false)) {
      const target = idOf(resolveFrom(path, dep.name, exists));
      if (target) inv.link(id, target);
    }
  }

  // Direct dependencies: what the root package and the workspace packages declare.
  let directKnown = false;
  for (const importer of importers) {
    const entry = packages[importer] as JsonObject;
    if (importer === '') directKnown = true;
    for (const dep of dependencyNames(entry, true)) {
      const target = idOf(resolveFrom(importer, dep.name, exists));
      if (target) inv.markDirect(target);
    }
  }
  if (!directKnown) {
    const manifest = readPackageJson(input);
    if (manifest) {
      directKnown = true;
      for (const name of allDeclared(manifest)) {
        const target = idOf(resolveFrom('', name, exists));
        if (target) inv.markDirect(target);
      }
    }
  }
  return directKnown;
}

/** lockfileVersion 1: the nested `dependencies` tree. */
function fromDependencyTree(root: JsonObject, json: ParsedJson, input: ParseInput, inv: Inventory): boolean {
  const idByPath = new Map<string, string>();
  const entryByPath = new Map<string, JsonObject>();
  let tooDeep = false;

  const walk = (deps: JsonObject, parent: string, depth: number): void => {
    if (depth > MAX_V1_DEPTH) {
      tooDeep = true;
      return;
    }
    for (const [key, entry] of Object.entries(deps)) {
      if (!isObject(entry)) continue;
      const path = parent === '' ? `${NODE_MODULES}${key}` : `${parent}/${NODE_MODULES}${key}`;
      entryByPath.set(path, entry);
      let name = key;
      let version = typeof entry.version === 'string' ? entry.version : '';
      if (version.startsWith('npm:')) {
        // Alias: "string-width-cjs": {"version": "npm:string-width@4.2.3"}
        const spec = version.slice(4);
        const at = spec.lastIndexOf('@');
        if (at > 0) {
          name = spec.slice(0, at);
          version = spec.slice(at + 1);
        }
      }
      // `file:` versions are folders of the project itself. Git and tarball URLs are kept as the
      // version string the lockfile records (there is no registry version to report).
      if (version && !version.startsWith('file:')) {
        const id = inv.add({ name, version, line: json.keyLine(deps, key), scope: flagScope(entry) });
        if (id) idByPath.set(path, id);
      }
      if (isObject(entry.dependencies)) walk(entry.dependencies, path, depth + 1);
    }
  };
  walk(root, '', 0);
  if (tooDeep) {
    inv.problems.push({
      path: input.path,
      message: `dependency tree nested deeper than ${MAX_V1_DEPTH} levels; deeper entries skipped`,
    });
  }

  const exists = (p: string): boolean => entryByPath.has(p);
  for (const [path, id] of idByPath) {
    const entry = entryByPath.get(path) as JsonObject;
    for (const [name] of stringEntries(entry.requires)) {
      const target = resolveFrom(path, name, exists);
      const targetId = target === undefined ? undefined : idByPath.get(target);
      if (targetId) inv.link(id, targetId);
    }
  }

  // v1 does not record the project's own dependency list; package.json does.
  const manifest = readPackageJson(input);
  if (!manifest) return false;
  for (const name of allDeclared(manifest)) {
    const id = idByPath.get(`${NODE_MODULES}${name}`);
    if (id) inv.markDirect(id);
  }
  return true;
}

export function parsePackageLock(input: ParseInput): ParseResult {
  const parsed = parseJson(input.text);
  if (!parsed.ok) {
    const { line, column, message } = parsed.error;
    return {
      components: [],
      errors: [{ path: input.path, line, message: `invalid JSON at column ${column}: ${message}` }],
    };
  }
  const root = parsed.json.value;
  if (!isObject(root)) {
    return {
      components: [],
      errors: [{ path: input.path, line: 1, message: 'expected a JSON object at the top level' }],
    };
  }
  const inv = new Inventory(input.path);
  const problems: ParseProblem[] = [];
  const version = root.lockfileVersion;
  if (typeof version === 'number' && version > 3) {
    problems.push({
      path: input.path,
      line: parsed.json.keyLine(root, 'lockfileVersion'),
      message: `lockfileVersion ${version} is newer than this reader knows (1-3); read as version 3`,
    });
  }
  let directKnown: boolean;
  if (isObject(root.packages)) {
    directKnown = fromPackages(root.packages, parsed.json, input, inv);
  } else if (isObject(root.dependencies)) {
    directKnown = fromDependencyTree(root.dependencies, parsed.json, input, inv);
  } else if (typeof version === 'number') {
    directKnown = true; // a project without dependencies
  } else {
    return {
      components: [],
      errors: [
        {
          path: input.path,
          line: 1,
          message: 'not an npm lockfile: no lockfileVersion, "packages" or "dependencies"',
        },
      ],
    };
  }
  const components = inv.components(directKnown);
  problems.push(...inv.problems);
  return problems.length > 0 ? { components, errors: problems } : { components };
}

export const packageLockParser: LockfileParser = {
  id: 'npm-package-lock',
  ecosystem: 'npm',
  format: 'npm package-lock.json / npm-shrinkwrap.json (lockfileVersion 1-3)',
  matches: (path) => {
    const name = baseName(path);
    return name === 'package-lock.json' || name === 'npm-shrinkwrap.json';
  },
  companions: ['package.json'],
  parse: parsePackageLock,
};
