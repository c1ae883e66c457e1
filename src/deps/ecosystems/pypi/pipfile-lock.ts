/**
 * Pipfile.lock (https://pipenv.pypa.io/en/latest/pipfile.html): JSON with `default` (production) and
 * `develop` (development) maps of name → `{ version: "==x", hashes, markers }`. Entries without a
 * pinned version (VCS, editable, local path) go to `unresolved`. Direct dependencies come from the
 * companion Pipfile when present.
 */
import type {
  Component,
  DependencyScope,
  LockfileParser,
  ParseInput,
  ParseResult,
  Unresolved,
} from '../../model.js';
import { purlOf } from '../../purl.js';
import { IdAllocator, siblingPath } from '../common/inventory.js';
import { normalisePypiName } from './names.js';
import { isDeclared, pipfileDeclarations, readDeclarations } from './pyproject.js';
import { asString, isRecord, parseJsonObject } from '../common/structured-text.js';
import { jsonLines, jsonPointer } from '../common/text-positions.js';

const SECTIONS: readonly [string, DependencyScope][] = [
  ['default', 'prod'],
  ['develop', 'dev'],
];

export function parsePipfileLock(input: ParseInput): ParseResult {
  const parsed = parseJsonObject(input.path, input.text);
  if (!parsed.ok) return { components: [], errors: [parsed.problem] };
  const lines = jsonLines(input.text, 2);
  const declared = readDeclarations(
    input.file(siblingPath(input.path, 'Pipfile')),
    'Pipfile',
    pipfileDeclarations,
  );
  const ids = new IdAllocator();
  const components: Component[] = [];
  const unresolved: Unresolved[] = [];
  const seen = new Set<string>();

  for (const [section, scope] of SECTIONS) {
    const entries = parsed.value[section];
    if (!isRecord(entries)) continue;
    for (const [name, entry] of Object.entries(entries)) {
      const line = lines.get(jsonPointer(section, name));
      const spec = isRecord(entry) ? asString(entry.version) : undefined;
      const version = spec?.replace(/^\s*={2,3}\s*/, '').trim();
      if (!version || version === '*' || /[<>~!*,]/.test(version)) {
        const origin = isRecord(entry)
          ? (asString(entry.git) ?? asString(entry.path) ?? asString(entry.file) ?? spec)
          : undefined;
        unresolved.push({
          path: input.path,
          line,
          name,
          reason: `no pinned version${origin ? ` (${origin})` : ''}`,
        });
        continue;
      }
      const key = `${normalisePypiName(name)}@${version}`;
      if (seen.has(key)) continue; // listed in both sections: the production entry wins
      seen.add(key);
      const purl = purlOf('PyPI', name, version);
      const component: Component = {
        ecosystem: 'PyPI',
        name,
        version,
        purl,
        scope,
        location: { path: input.path, line },
        id: ids.take(purl),
      };
      if (declared) component.direct = isDeclared(declared, normalisePypiName(name));
      components.push(component);
    }
  }
  const result: ParseResult = { components };
  if (unresolved.length) result.unresolved = unresolved;
  return result;
}

export const pipfileLockParser: LockfileParser = {
  id: 'pipfile-lock',
  ecosystem: 'PyPI',
  format: 'Pipenv lockfile (Pipfile.lock)',
  companions: ['Pipfile'],
  matches: (path: string) => /(^|\/)Pipfile\.lock$/.test(path),
  parse: parsePipfileLock,
};
