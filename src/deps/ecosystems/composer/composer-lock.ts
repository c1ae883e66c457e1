/**
 * composer.lock (https://getcomposer.org/doc/01-basic-usage.md#commit-your-composer-lock-file-to-version-control):
 * JSON with `packages` (production) and `packages-dev` (development) arrays of
 * `{ name, version, license: [...], require: {...} }`. A `license` array lists alternatives
 * (disjunctive), so it becomes one `A OR B` expression. Direct dependencies come from the companion
 * composer.json (`require`, `require-dev`).
 */
import type {
  Component,
  DependencyScope,
  LockfileParser,
  ParseInput,
  ParseProblem,
  ParseResult,
  Unresolved,
} from '../../model.js';
import { normaliseLicense } from '../../license.js';
import { purlOf } from '../../purl.js';
import { IdAllocator, siblingPath, parseResult } from '../common/inventory.js';
import { asString, isRecord, parseJsonObject } from '../common/structured-text.js';
import { jsonLines, jsonPointer } from '../common/text-positions.js';

const SECTIONS: readonly [string, DependencyScope][] = [
  ['packages', 'prod'],
  ['packages-dev', 'dev'],
];

/** Platform requirements (`php`, `ext-json`, `lib-icu`, `composer-plugin-api`…) are not packages. */
function isPlatformPackage(name: string): boolean {
  return !name.includes('/');
}

/** composer `license` (string or array of alternatives) → one SPDX expression. */
export function composerLicense(raw: unknown): string | undefined {
  const list = (Array.isArray(raw) ? raw : [raw]).filter((x): x is string => typeof x === 'string');
  const ids = list.map((l) => normaliseLicense(l)).filter((x): x is string => Boolean(x));
  if (ids.length <= 1) return ids[0];
  return ids.map((id) => (/\s/.test(id) ? `(${id})` : id)).join(' OR ');
}

function declaredNames(text: string | undefined): Set<string> | undefined {
  if (text === undefined) return undefined;
  try {
    const json = JSON.parse(text) as unknown;
    if (!isRecord(json)) return undefined;
    const names = new Set<string>();
    for (const key of ['require', 'require-dev']) {
      const table = json[key];
      if (isRecord(table)) for (const name of Object.keys(table)) names.add(name.toLowerCase());
    }
    return names;
  } catch {
    return undefined;
  }
}

export function parseComposerLock(input: ParseInput): ParseResult {
  const parsed = parseJsonObject(input.path, input.text);
  if (!parsed.ok) return { components: [], errors: [parsed.problem] };
  const lines = jsonLines(input.text, 3);
  const declared = declaredNames(input.file(siblingPath(input.path, 'composer.json')));
  const ids = new IdAllocator();
  const errors: ParseProblem[] = [];
  const unresolved: Unresolved[] = [];
  const components: Component[] = [];
  const byName = new Map<string, Component>();
  const requires = new Map<Component, string[]>();

  for (const [section, scope] of SECTIONS) {
    const list = parsed.value[section];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      errors.push({
        path: input.path,
        line: lines.get(jsonPointer(section)),
        message: `"${section}" is not an array`,
      });
      continue;
    }
    list.forEach((pkg: unknown, index: number) => {
      const line = lines.get(jsonPointer(section, index, 'name')) ?? lines.get(jsonPointer(section, index));
      const name = isRecord(pkg) ? asString(pkg.name) : undefined;
      if (!isRecord(pkg) || !name) {
        errors.push({ path: input.path, line, message: `${section}[${index}] has no name` });
        return;
      }
      const version = asString(pkg.version);
      if (!version) {
        unresolved.push({ path: input.path, line, name, reason: 'no version in composer.lock' });
        return;
      }
      if (byName.has(name.toLowerCase())) return; // listed twice: the production entry wins
      const purl = purlOf('Packagist', name, version);
      const component: Component = {
        ecosystem: 'Packagist',
        name,
        version,
        purl,
        scope,
        location: { path: input.path, line },
        id: ids.take(purl),
      };
      const license = composerLicense(pkg.license);
      if (license) component.licenses = [license];
      if (declared) component.direct = declared.has(name.toLowerCase());
      components.push(component);
      byName.set(name.toLowerCase(), component);
      if (isRecord(pkg.require))
        requires.set(
          component,
          Object.keys(pkg.require).filter((r) => !isPlatformPackage(r)),
        );
    });
  }
  for (const [component, names] of requires) {
    const targets = names.flatMap((n) => {
      const t = byName.get(n.toLowerCase());
      return t && t !== component ? [t.id] : [];
    });
    if (targets.length) component.dependsOn = [...new Set(targets)];
  }

  return parseResult(components, errors, unresolved);
}

export const composerLockParser: LockfileParser = {
  id: 'composer-lock',
  ecosystem: 'Packagist',
  format: 'Composer lockfile (composer.lock)',
  companions: ['composer.json'],
  matches: (path: string) => /(^|\/)composer\.lock$/.test(path),
  parse: parseComposerLock,
};
