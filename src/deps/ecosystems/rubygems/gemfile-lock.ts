/**
 * Gemfile.lock / gems.locked (Bundler). Source sections (`GEM`, `GIT`, `PATH`, `PLUGIN SOURCE`) list
 * `specs:` as 4-space `name (version[-platform])` lines with 6-space dependency lines below them;
 * `DEPENDENCIES` names what the Gemfile asked for (direct; `name!` pins a GIT/PATH source). The
 * same gem built for several platforms is one component. Scope comes from the Gemfile groups, when
 * the Gemfile is readable.
 */
import type { Component, LockfileParser, ParseInput, ParseProblem, ParseResult } from '../../model.js';
import { purlOf } from '../../purl.js';
import { IdAllocator, siblingPath, parseResult } from '../common/inventory.js';
import { scopeByReachability } from '../pypi/reachability.js';
import { parseGemfileGroups, scopeOfGroups } from './gemfile-groups.js';

const SOURCE_SECTIONS = new Set(['GEM', 'GIT', 'PATH', 'PLUGIN SOURCE']);

interface Spec {
  component: Component;
  deps: string[];
}

/** `name (1.2.3-x86_64-linux)` → name, version, platform (Bundler: the version has no `-`). */
function parseSpecLine(text: string): { name: string; version?: string } | undefined {
  const m = /^([^\s(!]+)(?: \(([^)]*)\))?!?$/.exec(text);
  if (!m?.[1]) return undefined;
  const out: { name: string; version?: string } = { name: m[1] };
  if (m[2] !== undefined) out.version = m[2].split('-')[0];
  return out;
}

export function parseGemfileLock(input: ParseInput): ParseResult {
  const errors: ParseProblem[] = [];
  const ids = new IdAllocator();
  const specs: Spec[] = [];
  const byKey = new Map<string, Spec>();
  const byName = new Map<string, Spec>();
  const directNames = new Set<string>();
  let section = '';
  let inSpecs = false;
  let current: Spec | undefined;

  const lines = input.text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = n + 1;
    const raw = (lines[n] ?? '').replace(/\r$/, '');
    if (!raw.trim()) continue;
    if (!raw.startsWith(' ')) {
      section = raw.trim();
      inSpecs = false;
      current = undefined;
      continue;
    }
    const indent = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (section === 'DEPENDENCIES' && indent === 2) {
      const dep = parseSpecLine(text.replace(/ \(.*\)!?$/, (s) => (s.endsWith('!') ? '!' : '')));
      if (dep) directNames.add(dep.name);
      continue;
    }
    if (!SOURCE_SECTIONS.has(section)) continue;
    if (indent === 2) {
      inSpecs = text === 'specs:';
      current = undefined;
      continue;
    }
    if (!inSpecs) continue;
    if (indent === 4) {
      const spec = parseSpecLine(text);
      if (!spec?.version) {
        errors.push({ path: input.path, line, message: `malformed spec line: ${text}` });
        current = undefined;
        continue;
      }
      const key = `${spec.name}@${spec.version}`;
      current = byKey.get(key);
      if (current) continue; // another platform of the same gem version
      const purl = purlOf('RubyGems', spec.name, spec.version);
      current = {
        component: {
          ecosystem: 'RubyGems',
          name: spec.name,
          version: spec.version,
          purl,
          location: { path: input.path, line },
          id: ids.take(purl),
        },
        deps: [],
      };
      specs.push(current);
      byKey.set(key, current);
      if (!byName.has(spec.name)) byName.set(spec.name, current);
    } else if (indent === 6 && current) {
      const dep = /^([^\s(]+)/.exec(text)?.[1];
      if (dep && !current.deps.includes(dep)) current.deps.push(dep);
    } else if (indent !== 6) {
      errors.push({
        path: input.path,
        line,
        message: `unexpected indentation (${indent} spaces) in ${section} specs`,
      });
    }
  }
  if (!specs.length && !/^(GEM|GIT|PATH|PLUGIN SOURCE)\s*$/m.test(input.text)) {
    errors.push({
      path: input.path,
      line: 1,
      message: 'no GEM, GIT or PATH section: not a Bundler lockfile',
    });
  }

  for (const spec of specs) {
    const targets = spec.deps.flatMap((d) => {
      const t = byName.get(d);
      return t && t !== spec ? [t.component.id] : [];
    });
    if (targets.length) spec.component.dependsOn = [...new Set(targets)];
    if (directNames.size) spec.component.direct = directNames.has(spec.component.name);
  }

  const components = specs.map((s) => s.component);
  const gemfilePath = siblingPath(input.path, /(^|\/)gems\.locked$/.test(input.path) ? 'gems.rb' : 'Gemfile');
  const gemfile = input.file(gemfilePath);
  if (gemfile !== undefined && directNames.size) {
    const { groups } = parseGemfileGroups(gemfile);
    const roots = { prod: [] as string[], dev: [] as string[], test: [] as string[] };
    for (const name of directNames) {
      const id = byName.get(name)?.component.id;
      const g = groups.get(name);
      if (id) roots[g ? scopeOfGroups(g) : 'prod'].push(id);
    }
    const scopes = scopeByReachability(components, roots);
    for (const c of components) {
      const scope = scopes.get(c.id);
      if (scope) c.scope = scope;
    }
  }

  return parseResult(components, errors);
}

export const gemfileLockParser: LockfileParser = {
  id: 'gemfile-lock',
  ecosystem: 'RubyGems',
  format: 'Bundler lockfile (Gemfile.lock)',
  companions: ['Gemfile', 'gems.rb'],
  matches: (path: string) => /(^|\/)(Gemfile\.lock|gems\.locked)$/.test(path),
  parse: parseGemfileLock,
};
