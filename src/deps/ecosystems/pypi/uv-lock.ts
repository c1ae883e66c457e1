/**
 * uv.lock (https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile): TOML with one
 * `[[package]]` per locked distribution. The project's own packages (`source = { editable = … }` or
 * `{ virtual = … }`) are not components: their `dependencies`, `optional-dependencies` and
 * `dev-dependencies` are the direct dependencies and the roots for the scope of everything else.
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
import { pyprojectDeclarations, readDeclarations } from './pyproject.js';
import { scopeByReachability } from './reachability.js';
import { asString, isRecord, parseToml, type JsonRecord } from '../common/structured-text.js';
import { arrayTableLines, tableLine } from '../common/text-positions.js';

interface Locked {
  raw: JsonRecord;
  name: string;
  key: string;
  version?: string;
  source: string;
  local: boolean;
  component?: Component;
}

/** `{ name, version?, source?, extra? }` references inside `dependencies` lists. */
interface Reference {
  key: string;
  version?: string;
  source?: string;
  extras: string[];
}

function references(list: unknown): Reference[] {
  if (!Array.isArray(list)) return [];
  const out: Reference[] = [];
  for (const item of list) {
    const name = isRecord(item) ? asString(item.name) : undefined;
    if (!isRecord(item) || !name) continue;
    const ref: Reference = { key: normalisePypiName(name), extras: [] };
    const version = asString(item.version);
    if (version) ref.version = version;
    if (item.source !== undefined) ref.source = JSON.stringify(item.source);
    if (Array.isArray(item.extra)) ref.extras = item.extra.filter((e): e is string => typeof e === 'string');
    out.push(ref);
  }
  return out;
}

/** All references of a `{ group = [refs] }` table (optional-dependencies, dev-dependencies). */
function groupReferences(groups: unknown, only?: readonly string[]): Reference[] {
  if (!isRecord(groups)) return [];
  return Object.entries(groups).flatMap(([group, list]) =>
    only && !only.includes(group) ? [] : references(list),
  );
}

export function parseUvLock(input: ParseInput): ParseResult {
  const parsed = parseToml(input.path, input.text);
  if (!parsed.ok) return { components: [], errors: [parsed.problem] };
  const packages = parsed.value.package;
  if (packages !== undefined && !Array.isArray(packages)) {
    return { components: [], errors: [{ path: input.path, message: '`package` is not an array of tables' }] };
  }
  const lines = arrayTableLines(input.text, 'package');
  const ids = new IdAllocator();
  const errors: ParseProblem[] = [];
  const unresolved: Unresolved[] = [];
  const locked: Locked[] = [];
  const byKey = new Map<string, Locked[]>();

  (packages ?? []).forEach((pkg: unknown, index: number) => {
    const name = isRecord(pkg) ? asString(pkg.name) : undefined;
    const line = name ? tableLine(lines, index, name) : lines[index]?.line;
    if (!isRecord(pkg) || !name) {
      errors.push({ path: input.path, line, message: `[[package]] #${index + 1} has no name` });
      return;
    }
    const source = isRecord(pkg.source) ? pkg.source : {};
    const entry: Locked = {
      raw: pkg,
      name,
      key: normalisePypiName(name),
      source: JSON.stringify(pkg.source ?? null),
      local: source.editable !== undefined || source.virtual !== undefined,
    };
    const version = asString(pkg.version);
    if (version) entry.version = version;
    if (!entry.local) {
      if (!version) {
        unresolved.push({ path: input.path, line, name, reason: 'no version in uv.lock' });
      } else {
        const purl = purlOf('PyPI', name, version);
        entry.component = {
          ecosystem: 'PyPI',
          name,
          version,
          purl,
          location: { path: input.path, line },
          id: ids.take(purl),
        };
      }
    }
    locked.push(entry);
    byKey.set(entry.key, [...(byKey.get(entry.key) ?? []), entry]);
  });

  const resolve = (ref: Reference): Locked[] =>
    (byKey.get(ref.key) ?? []).filter(
      (l) =>
        (ref.version === undefined || l.version === ref.version) &&
        (ref.source === undefined || l.source === ref.source),
    );
  const idsOf = (refs: Reference[]): string[] =>
    refs.flatMap(resolve).flatMap((l) => (l.component ? [l.component.id] : []));

  // Extras asked for anywhere pull in that package's optional-dependencies.
  const extrasWanted = new Map<Locked, Set<string>>();
  for (const l of locked) {
    const refs = [
      ...references(l.raw.dependencies),
      ...groupReferences(l.raw['optional-dependencies']),
      ...groupReferences(l.raw['dev-dependencies']),
    ];
    for (const ref of refs) {
      if (!ref.extras.length) continue;
      for (const target of resolve(ref)) {
        const set = extrasWanted.get(target) ?? new Set<string>();
        for (const e of ref.extras) set.add(e);
        extrasWanted.set(target, set);
      }
    }
  }
  for (const l of locked) {
    if (!l.component) continue;
    const refs = [
      ...references(l.raw.dependencies),
      ...groupReferences(l.raw['optional-dependencies'], [...(extrasWanted.get(l) ?? [])]),
    ];
    const deps = [...new Set(idsOf(refs))].filter((id) => id !== l.component?.id);
    if (deps.length) l.component.dependsOn = deps;
  }

  const roots = locked.filter((l) => l.local);
  const components = locked.flatMap((l) => (l.component ? [l.component] : []));
  let prod = roots.flatMap((r) =>
    idsOf([
      ...references(r.raw.dependencies),
      ...groupReferences(r.raw['optional-dependencies'], [...(extrasWanted.get(r) ?? [])]),
    ]),
  );
  let optional = roots.flatMap((r) => idsOf(groupReferences(r.raw['optional-dependencies'])));
  let dev = roots.flatMap((r) => idsOf(groupReferences(r.raw['dev-dependencies'])));
  let haveRoots = roots.length > 0;
  if (!haveRoots) {
    const declared = readDeclarations(
      input.file(siblingPath(input.path, 'pyproject.toml')),
      'pyproject.toml',
      pyprojectDeclarations,
    );
    if (declared) {
      const named = (names: Set<string>): string[] => idsOf([...names].map((key) => ({ key, extras: [] })));
      prod = named(declared.prod);
      optional = named(declared.optional);
      dev = named(declared.dev);
      haveRoots = true;
    }
  }
  if (haveRoots) {
    const direct = new Set([...prod, ...optional, ...dev]);
    const scopes = scopeByReachability(components, { prod, optional, dev });
    for (const c of components) {
      c.direct = direct.has(c.id);
      const scope = scopes.get(c.id);
      if (scope) c.scope = scope;
    }
  }

  return parseResult(components, errors, unresolved);
}

export const uvLockParser: LockfileParser = {
  id: 'uv-lock',
  ecosystem: 'PyPI',
  format: 'uv lockfile (uv.lock)',
  companions: ['pyproject.toml'],
  matches: (path: string) => /(^|\/)uv\.lock$/.test(path),
  parse: parseUvLock,
};
