/**
 * poetry.lock (https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock): TOML with one
 * `[[package]]` per locked distribution. Scope from `category` (lock 1.x) or `groups` (lock 2.1);
 * for lock 2.0, which records neither, from the graph and the pyproject.toml groups. Direct
 * dependencies come from the companion pyproject.toml.
 */
import type {
  Component,
  LockfileParser,
  ParseInput,
  ParseProblem,
  ParseResult,
  Unresolved,
} from '../../model.js';
import { purlOf } from '../../purl.js';
import { IdAllocator, siblingPath, parseResult } from '../common/inventory.js';
import { normalisePypiName } from './names.js';
import { isDeclared, pyprojectDeclarations, readDeclarations } from './pyproject.js';
import { scopeByReachability } from './reachability.js';
import { asString, isRecord, parseToml } from '../common/structured-text.js';
import { arrayTableLines, tableLine } from '../common/text-positions.js';

export function parsePoetryLock(input: ParseInput): ParseResult {
  const parsed = parseToml(input.path, input.text);
  if (!parsed.ok) return { components: [], errors: [parsed.problem] };
  const packages = parsed.value.package;
  if (packages !== undefined && !Array.isArray(packages)) {
    return { components: [], errors: [{ path: input.path, message: '`package` is not an array of tables' }] };
  }
  const lines = arrayTableLines(input.text, 'package');
  const declared = readDeclarations(
    input.file(siblingPath(input.path, 'pyproject.toml')),
    'pyproject.toml',
    pyprojectDeclarations,
  );
  const ids = new IdAllocator();
  const components: Component[] = [];
  const errors: ParseProblem[] = [];
  const unresolved: Unresolved[] = [];
  const byName = new Map<string, Component[]>();
  const rawDeps = new Map<Component, unknown>();
  let scopeRecorded = false;

  (packages ?? []).forEach((pkg: unknown, index: number) => {
    const name = isRecord(pkg) ? asString(pkg.name) : undefined;
    const line = name ? tableLine(lines, index, name) : lines[index]?.line;
    if (!isRecord(pkg) || !name) {
      errors.push({ path: input.path, line, message: `[[package]] #${index + 1} has no name` });
      return;
    }
    const version = asString(pkg.version);
    if (!version) {
      unresolved.push({ path: input.path, line, name, reason: 'no version in poetry.lock' });
      return;
    }
    const purl = purlOf('PyPI', name, version);
    const component: Component = {
      ecosystem: 'PyPI',
      name,
      version,
      purl,
      location: { path: input.path, line },
      id: ids.take(purl),
    };
    const optional = pkg.optional === true;
    const groups = Array.isArray(pkg.groups)
      ? pkg.groups.filter((g): g is string => typeof g === 'string')
      : undefined;
    const category = asString(pkg.category);
    if (groups && groups.length) {
      component.scope = groups.includes('main') ? (optional ? 'optional' : 'prod') : 'dev';
      scopeRecorded = true;
    } else if (category) {
      component.scope = category === 'dev' ? 'dev' : optional ? 'optional' : 'prod';
      scopeRecorded = true;
    }
    const key = normalisePypiName(name);
    if (declared) component.direct = isDeclared(declared, key);
    components.push(component);
    byName.set(key, [...(byName.get(key) ?? []), component]);
    rawDeps.set(component, pkg.dependencies);
  });

  for (const [component, deps] of rawDeps) {
    if (!isRecord(deps)) continue;
    const targets = Object.keys(deps).flatMap((dep) => byName.get(normalisePypiName(dep)) ?? []);
    if (targets.length) component.dependsOn = [...new Set(targets.map((t) => t.id))];
  }

  if (!scopeRecorded && declared) {
    const rootsOf = (names: Set<string>): string[] =>
      [...names].flatMap((n) => (byName.get(n) ?? []).map((c) => c.id));
    const scopes = scopeByReachability(components, {
      prod: rootsOf(declared.prod),
      optional: rootsOf(declared.optional),
      dev: rootsOf(declared.dev),
    });
    for (const c of components) {
      const scope = scopes.get(c.id);
      if (scope) c.scope = scope;
    }
  }

  return parseResult(components, errors, unresolved);
}

export const poetryLockParser: LockfileParser = {
  id: 'poetry-lock',
  ecosystem: 'PyPI',
  format: 'Poetry lockfile (poetry.lock)',
  companions: ['pyproject.toml'],
  matches: (path: string) => /(^|\/)poetry\.lock$/.test(path),
  parse: parsePoetryLock,
};
