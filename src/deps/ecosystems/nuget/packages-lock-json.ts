/**
 * NuGet packages.lock.json (https://learn.microsoft.com/nuget/consume-packages/package-references-in-project-files#locking-dependencies):
 * `{ version: 1|2, dependencies: { "<target framework>[/<runtime>]": { "<id>": { type, requested,
 * resolved, dependencies } } } }`. `Direct` and `CentralTransitive`/`Transitive` packages are
 * components (deduplicated across target frameworks; direct when any framework says so); `Project`
 * entries are other projects of the same solution and are skipped. Each framework's `dependencies`
 * give the graph, resolved against that framework's own entries (NuGet ids are case-insensitive).
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
import { IdAllocator, parseResult } from '../common/inventory.js';
import { asString, isRecord, parseJsonObject } from '../common/structured-text.js';
import { jsonLines, jsonPointer } from '../common/text-positions.js';

const KNOWN_TYPES = new Set(['Direct', 'Transitive', 'CentralTransitive', 'Project']);

export function parsePackagesLockJson(input: ParseInput): ParseResult {
  const parsed = parseJsonObject(input.path, input.text);
  if (!parsed.ok) return { components: [], errors: [parsed.problem] };
  const doc = parsed.value;
  const errors: ParseProblem[] = [];
  const unresolved: Unresolved[] = [];
  if (doc.version !== undefined && doc.version !== 1 && doc.version !== 2) {
    errors.push({
      path: input.path,
      line: 1,
      message: `packages.lock.json version ${String(doc.version)} is not 1 or 2; read as version 2`,
    });
  }
  if (!isRecord(doc.dependencies)) {
    return {
      components: [],
      errors: [
        ...errors,
        { path: input.path, line: 1, message: 'no "dependencies" object: not a NuGet packages.lock.json' },
      ],
    };
  }
  const lines = jsonLines(input.text, 3);
  const ids = new IdAllocator();
  const components: Component[] = [];
  const byKey = new Map<string, Component>();
  /** Per framework: lower-case id → component, then the edges to resolve. */
  const frameworks: { resolved: Map<string, Component>; edges: [Component, string[]][] }[] = [];

  for (const [framework, packages] of Object.entries(doc.dependencies)) {
    if (!isRecord(packages)) continue;
    const fw = { resolved: new Map<string, Component>(), edges: [] as [Component, string[]][] };
    frameworks.push(fw);
    for (const [name, entry] of Object.entries(packages)) {
      const line = lines.get(jsonPointer('dependencies', framework, name));
      if (!isRecord(entry)) {
        errors.push({ path: input.path, line, message: `${framework}: entry "${name}" is not an object` });
        continue;
      }
      const type = asString(entry.type);
      if (type === 'Project') continue;
      if (type && !KNOWN_TYPES.has(type))
        errors.push({
          path: input.path,
          line,
          message: `${framework}: "${name}" has unknown type "${type}"`,
        });
      const version = asString(entry.resolved);
      if (!version) {
        unresolved.push({ path: input.path, line, name, reason: `no resolved version for ${framework}` });
        continue;
      }
      const key = `${name.toLowerCase()}@${version.toLowerCase()}`;
      let component = byKey.get(key);
      if (!component) {
        const purl = purlOf('NuGet', name, version);
        component = {
          ecosystem: 'NuGet',
          name,
          version,
          purl,
          direct: false,
          location: { path: input.path, line },
          id: ids.take(purl),
        };
        components.push(component);
        byKey.set(key, component);
      }
      if (type === 'Direct') component.direct = true;
      fw.resolved.set(name.toLowerCase(), component);
      if (isRecord(entry.dependencies)) fw.edges.push([component, Object.keys(entry.dependencies)]);
    }
  }
  for (const fw of frameworks) {
    for (const [component, deps] of fw.edges) {
      for (const dep of deps) {
        const target = fw.resolved.get(dep.toLowerCase());
        if (!target || target === component) continue;
        component.dependsOn ??= [];
        if (!component.dependsOn.includes(target.id)) component.dependsOn.push(target.id);
      }
    }
  }

  return parseResult(components, errors, unresolved);
}

export const packagesLockJsonParser: LockfileParser = {
  id: 'nuget-packages-lock',
  ecosystem: 'NuGet',
  format: 'NuGet lockfile (packages.lock.json)',
  matches: (path: string) => /(^|\/)packages(\.[^/]+)?\.lock\.json$/.test(path),
  parse: parsePackagesLockJson,
};
