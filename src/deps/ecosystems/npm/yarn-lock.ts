import type { LockfileParser, ParseInput, ParseProblem, ParseResult } from '../../model.js';
import { Inventory } from './inventory.js';
import { isObject, stringEntries } from '../common/json-lines.js';
import { isLocalReference, splitNameAt } from './names.js';
import { baseName, readPackageJson, type DeclaredDependencies } from './package-json.js';
import { ScopeGraph, type RootScope } from './scope-graph.js';
import { readYaml } from './yaml-doc.js';
import { parseYarnV1 } from './yarn-v1-syntax.js';

/**
 * `yarn.lock`, both generations:
 * - Yarn 1 (`# yarn lockfile v1`): blocks `"a@^1", a@~1.2:` with `version "x"` and `dependencies:`.
 * - Yarn 2+ "berry" (YAML with `__metadata`): keys `"a@npm:^1.0.0, a@npm:^1.1.0"`, `version`,
 *   `resolution: "a@npm:1.1.0"`. The component name comes from the resolution (so aliases such as
 *   `string-width-cjs@npm:string-width@^4` report `string-width`); `patch:` resolutions report the
 *   patched package's name and version.
 *
 * Neither generation records dev/prod: scope and direct come from the package.json next to the
 * lockfile, following the resolved graph. The project's own packages (`workspace:`, `link:`,
 * `portal:`, `file:` resolutions) are not reported, but scopes are propagated through them.
 */

const MAX_SYNTAX_PROBLEMS = 10;

/** A dependency scope for each name the project declares; prod wins when a name is listed twice. */
function rootScopes(manifest: DeclaredDependencies): Map<string, RootScope> {
  const out = new Map<string, RootScope>();
  for (const [name] of manifest.devDependencies) out.set(name, 'dev');
  for (const [name] of manifest.optionalDependencies) out.set(name, 'optional');
  for (const [name] of manifest.dependencies) out.set(name, 'prod');
  return out;
}

/** Entry keys by the package name their patterns/descriptors start with. */
function entriesByName(nodeByPattern: Map<string, string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [pattern, node] of nodeByPattern) {
    const name = splitNameAt(pattern)[0];
    let set = out.get(name);
    if (!set) out.set(name, (set = new Set()));
    set.add(node);
  }
  return out;
}

function onlyEntry(byName: Map<string, Set<string>>, name: string): string | undefined {
  const set = byName.get(name);
  return set && set.size === 1 ? (set.values().next().value as string) : undefined;
}

/**
 * The locator a patch applies to: `ts@patch:ts@npm%3A5.9.3#optional!builtin<compat/typescript>::version=5.9.3`
 * → `ts@npm:5.9.3`.
 */
function patchBase(locator: string): string | undefined {
  const [, reference] = splitNameAt(locator);
  if (!reference.startsWith('patch:')) return undefined;
  const inner = reference.slice('patch:'.length).split('#')[0] ?? '';
  try {
    return decodeURIComponent(inner);
  } catch {
    return undefined;
  }
}

function applyScopes(graph: ScopeGraph, idByNode: Map<string, string>, inv: Inventory): void {
  const scopes = graph.scopes();
  for (const [node, id] of idByNode) inv.mergeScope(id, scopes.get(node));
}

function parseClassic(input: ParseInput, inv: Inventory, problems: ParseProblem[]): boolean {
  const { blocks, problems: syntax } = parseYarnV1(input.text);
  for (const p of syntax.slice(0, MAX_SYNTAX_PROBLEMS))
    problems.push({ path: input.path, line: p.line, message: p.message });
  if (syntax.length > MAX_SYNTAX_PROBLEMS) {
    problems.push({
      path: input.path,
      message: `${syntax.length - MAX_SYNTAX_PROBLEMS} more syntax problems not listed`,
    });
  }
  const nodeByPattern = new Map<string, string>();
  const idByNode = new Map<string, string>();
  blocks.forEach((block, i) => {
    const node = String(i);
    for (const p of block.patterns) nodeByPattern.set(p, node);
    const [alias, range] = splitNameAt(block.patterns[0] as string);
    if (isLocalReference(range)) return;
    // Alias: `string-width-cjs@npm:string-width@^4.2.0` installs string-width.
    const name = range.startsWith('npm:') ? splitNameAt(range.slice(4))[0] || alias : alias;
    const version = block.fields.get('version');
    if (!version) {
      problems.push({
        path: input.path,
        line: block.line,
        message: `entry ${JSON.stringify(block.patterns[0])} has no version`,
      });
      return;
    }
    const id = inv.add({ name, version, line: block.line });
    if (id) idByNode.set(node, id);
  });

  const byName = entriesByName(nodeByPattern);
  const graph = new ScopeGraph();
  blocks.forEach((block, i) => {
    const from = String(i);
    for (const [field, optional] of [
      ['dependencies', false],
      ['optionalDependencies', true],
    ] as const) {
      for (const [dep, range] of block.maps.get(field) ?? []) {
        const to = nodeByPattern.get(`${dep}@${range}`) ?? onlyEntry(byName, dep);
        if (to === undefined) continue;
        graph.addEdge(from, to, optional);
        const [a, b] = [idByNode.get(from), idByNode.get(to)];
        if (a && b) inv.link(a, b);
      }
    }
  });

  const manifest = readPackageJson(input);
  if (!manifest) return false;
  const scopes = rootScopes(manifest);
  for (const [name, range] of [
    ...manifest.dependencies,
    ...manifest.devDependencies,
    ...manifest.optionalDependencies,
  ]) {
    const node = nodeByPattern.get(`${name}@${range}`) ?? onlyEntry(byName, name);
    if (node === undefined) continue;
    graph.addRoot(node, scopes.get(name) ?? 'prod');
    const id = idByNode.get(node);
    if (id) inv.markDirect(id);
  }
  applyScopes(graph, idByNode, inv);
  return true;
}

function parseBerry(
  value: Record<string, unknown>,
  lines: Map<string, number>,
  input: ParseInput,
  inv: Inventory,
  problems: ParseProblem[],
): boolean {
  const nodeByDescriptor = new Map<string, string>();
  const idByNode = new Map<string, string>();
  const nodeByResolution = new Map<string, string>();
  const workspaces: string[] = [];
  const workspaceFolder = new Map<string, string>();
  for (const [key, entry] of Object.entries(value)) {
    if (key === '__metadata' || !isObject(entry)) continue;
    for (const raw of key.split(',')) {
      const d = raw.trim();
      nodeByDescriptor.set(d, key);
      // Patch descriptors carry `::locator=…` in the key but not where dependents name them.
      const bare = d.split('::')[0] as string;
      if (!nodeByDescriptor.has(bare)) nodeByDescriptor.set(bare, key);
    }
    const resolution = typeof entry.resolution === 'string' ? entry.resolution : '';
    const version = typeof entry.version === 'string' ? entry.version : '';
    const [name, reference] = splitNameAt(resolution);
    nodeByResolution.set(resolution, key);
    if (reference.startsWith('workspace:')) {
      workspaces.push(key);
      workspaceFolder.set(key, reference.slice('workspace:'.length));
      // Listed as the project's own package (as Trivy lists it), kept out of the dependency graph.
      if (name && version) inv.add({ name, version, line: lines.get(key), own: true });
    }
    if (isLocalReference(reference)) continue;
    if (!name || !version) {
      problems.push({
        path: input.path,
        line: lines.get(key),
        message: `entry ${JSON.stringify(key)} has no resolution or version`,
      });
      continue;
    }
    const id = inv.add({ name, version, line: lines.get(key) });
    if (id) idByNode.set(key, id);
  }

  // Yarn 3 writes dependency ranges without the default `npm:` protocol (`a: ^1.0.0`), Yarn 4 with it.
  // A range overridden by package.json `resolutions` has no descriptor of its own: when the name
  // has a single entry, that entry is the one installed.
  const byName = entriesByName(nodeByDescriptor);
  const lookup = (dep: string, range: string): string | undefined =>
    nodeByDescriptor.get(`${dep}@${range}`) ??
    (/^[a-z+.-]+:/i.test(range) ? undefined : nodeByDescriptor.get(`${dep}@npm:${range}`)) ??
    onlyEntry(byName, dep);

  const graph = new ScopeGraph();
  const edgesOf = new Map<string, string[]>();
  for (const [key, entry] of Object.entries(value)) {
    if (key === '__metadata' || !isObject(entry)) continue;
    const meta = isObject(entry.dependenciesMeta) ? entry.dependenciesMeta : {};
    const targets: string[] = [];
    for (const [dep, range] of [
      ...stringEntries(entry.dependencies),
      ...stringEntries(entry.optionalDependencies),
    ]) {
      const to = lookup(dep, range);
      if (to === undefined) continue;
      const depMeta = meta[dep];
      const optional = isObject(depMeta) && String(depMeta.optional) === 'true';
      graph.addEdge(key, to, optional);
      targets.push(to);
      const [a, b] = [idByNode.get(key), idByNode.get(to)];
      if (a && b) inv.link(a, b);
    }
    edgesOf.set(key, targets);
  }
  // A `patch:` entry and its base are one package: dependents name either (the base for Yarn's
  // built-in compat patches, the patch for user patches), so scope flows both ways.
  for (const [locator, key] of nodeByResolution) {
    const base = patchBase(locator);
    const baseKey = base === undefined ? undefined : nodeByResolution.get(base);
    if (baseKey === undefined) continue;
    graph.addEdge(baseKey, key);
    graph.addEdge(key, baseKey);
  }

  // Direct: what any workspace of the project declares (the lockfile lists them all).
  for (const ws of workspaces) {
    for (const to of edgesOf.get(ws) ?? []) {
      const id = idByNode.get(to);
      if (id) inv.markDirect(id);
    }
  }

  // Scope: a workspace's entry merges its dependencies and devDependencies; its package.json
  // (when the scan has it) tells them apart.
  let scoped = false;
  for (const ws of workspaces) {
    const entry = value[ws];
    const folder = workspaceFolder.get(ws);
    const manifest = folder === undefined ? undefined : readPackageJson(input, folder);
    if (!manifest || !isObject(entry)) continue;
    scoped = true;
    const scopes = rootScopes(manifest);
    for (const [dep, range] of stringEntries(entry.dependencies)) {
      const node = lookup(dep, range);
      if (node !== undefined) graph.addRoot(node, scopes.get(dep) ?? 'prod');
    }
  }
  if (scoped) applyScopes(graph, idByNode, inv);
  return workspaces.length > 0;
}

export function parseYarnLock(input: ParseInput): ParseResult {
  const inv = new Inventory(input.path);
  const problems: ParseProblem[] = [];
  let directKnown: boolean;
  if (/^__metadata:/m.test(input.text)) {
    const read = readYaml(input.text);
    if (!read.ok) return { components: [], errors: read.problems.map((p) => ({ path: input.path, ...p })) };
    const value = read.yaml.value;
    if (!isObject(value)) {
      return {
        components: [],
        errors: [{ path: input.path, line: 1, message: 'expected a YAML map of packages' }],
      };
    }
    directKnown = parseBerry(value, read.yaml.keyLines(''), input, inv, problems);
  } else {
    directKnown = parseClassic(input, inv, problems);
  }
  const components = inv.components(directKnown);
  problems.push(...inv.problems);
  return problems.length > 0 ? { components, errors: problems } : { components };
}

export const yarnLockParser: LockfileParser = {
  id: 'yarn-lock',
  ecosystem: 'npm',
  format: 'Yarn yarn.lock (Yarn 1 and Yarn 2+ "berry")',
  matches: (path) => baseName(path) === 'yarn.lock',
  // Workspace manifests (Yarn berry monorepos) refine dev/prod scope when the scan has them.
  companions: ['package.json', '*/package.json', '*/*/package.json'],
  parse: parseYarnLock,
};
