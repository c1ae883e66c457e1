/**
 * The dependencies a project declares in pyproject.toml / Pipfile, by PEP 503 name: PEP 621
 * `[project]`, PEP 735 `[dependency-groups]`, Poetry `[tool.poetry.*dependencies]`,
 * `[tool.uv] dev-dependencies`, Pipfile `[packages]` / `[dev-packages]`.
 */
import { isRecord, parseToml, type JsonRecord } from '../common/structured-text.js';
import { normalisePypiName, requirementName } from './names.js';

export interface DeclaredDependencies {
  prod: Set<string>;
  optional: Set<string>;
  dev: Set<string>;
}

function emptyDeclared(): DeclaredDependencies {
  return { prod: new Set(), optional: new Set(), dev: new Set() };
}

function addRequirementStrings(into: Set<string>, list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const item of list) {
    const name = typeof item === 'string' ? requirementName(item) : undefined;
    if (name) into.add(normalisePypiName(name));
  }
}

/** Poetry-style tables `{ name = "constraint" | { version, optional } }`. */
function addPoetryTable(table: unknown, into: Set<string>, optionalInto?: Set<string>): void {
  if (!isRecord(table)) return;
  for (const [name, spec] of Object.entries(table)) {
    if (name.toLowerCase() === 'python') continue;
    const optional = optionalInto && isRecord(spec) && spec.optional === true;
    (optional ? optionalInto : into).add(normalisePypiName(name));
  }
}

function table(doc: JsonRecord, ...keys: string[]): unknown {
  let cur: unknown = doc;
  for (const k of keys) cur = isRecord(cur) ? cur[k] : undefined;
  return cur;
}

/** Declarations of a parsed pyproject.toml document. */
export function pyprojectDeclarations(doc: JsonRecord): DeclaredDependencies {
  const out = emptyDeclared();
  addRequirementStrings(out.prod, table(doc, 'project', 'dependencies'));
  const extras = table(doc, 'project', 'optional-dependencies');
  if (isRecord(extras)) for (const list of Object.values(extras)) addRequirementStrings(out.optional, list);
  const groups = table(doc, 'dependency-groups');
  if (isRecord(groups)) for (const list of Object.values(groups)) addRequirementStrings(out.dev, list);
  addRequirementStrings(out.dev, table(doc, 'tool', 'uv', 'dev-dependencies'));

  addPoetryTable(table(doc, 'tool', 'poetry', 'dependencies'), out.prod, out.optional);
  addPoetryTable(table(doc, 'tool', 'poetry', 'dev-dependencies'), out.dev);
  const poetryGroups = table(doc, 'tool', 'poetry', 'group');
  if (isRecord(poetryGroups)) {
    for (const [group, body] of Object.entries(poetryGroups)) {
      const deps = isRecord(body) ? body.dependencies : undefined;
      if (group === 'main') addPoetryTable(deps, out.prod, out.optional);
      else addPoetryTable(deps, out.dev);
    }
  }
  for (const name of out.prod) {
    out.dev.delete(name);
    out.optional.delete(name);
  }
  return out;
}

/** Declarations of a Pipfile (TOML). */
export function pipfileDeclarations(doc: JsonRecord): DeclaredDependencies {
  const out = emptyDeclared();
  addPoetryTable(doc.packages, out.prod);
  addPoetryTable(doc['dev-packages'], out.dev);
  for (const name of out.prod) out.dev.delete(name);
  return out;
}

/** Reads a companion manifest; undefined when absent or not valid TOML (the lockfile still parses). */
export function readDeclarations(
  text: string | undefined,
  path: string,
  read: (doc: JsonRecord) => DeclaredDependencies,
): DeclaredDependencies | undefined {
  if (text === undefined) return undefined;
  const parsed = parseToml(path, text);
  return parsed.ok ? read(parsed.value) : undefined;
}

export function isDeclared(d: DeclaredDependencies, normalisedName: string): boolean {
  return d.prod.has(normalisedName) || d.dev.has(normalisedName) || d.optional.has(normalisedName);
}
