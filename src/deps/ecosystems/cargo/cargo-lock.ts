/**
 * Cargo.lock (https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html): TOML with one
 * `[[package]]` per crate. Format v1 (`[metadata]` checksums, `"name version (source)"` references),
 * v2 (inline `checksum`, short references), v3 and v4 (top-level `version = 3|4`) all share that
 * table, so one reader covers them; a pre-v1 `[root]` table is read as a package too.
 *
 * Crates without `source` are the workspace's own (members and path dependencies). They are reported
 * like Trivy does with the lockfile alone, marked direct; the crates they depend on are direct too,
 * everything else is transitive.
 */
import type { Component, LockfileParser, ParseInput, ParseProblem, ParseResult } from '../../model.js';
import { purlOf } from '../../purl.js';
import { IdAllocator } from '../common/inventory.js';
import { asString, isRecord, parseToml, type JsonRecord } from '../common/structured-text.js';
import { arrayTableLines, tableLine } from '../common/text-positions.js';

interface Crate {
  name: string;
  version: string;
  source?: string;
  raw: JsonRecord;
  component: Component;
}

/** `name`, `name version` or `name version (source)`. */
function parseReference(ref: string): { name: string; version?: string; source?: string } | undefined {
  const m = /^(\S+)(?: (\S+))?(?: \((.+)\))?$/.exec(ref.trim());
  if (!m?.[1]) return undefined;
  const out: { name: string; version?: string; source?: string } = { name: m[1] };
  if (m[2]) out.version = m[2];
  if (m[3]) out.source = m[3];
  return out;
}

/** Sources compare without the `#commit` of git sources (v1 references sometimes omit it). */
function sameSource(a: string | undefined, b: string): boolean {
  return a !== undefined && (a === b || a.split('#')[0] === b.split('#')[0]);
}

export function parseCargoLock(input: ParseInput): ParseResult {
  const parsed = parseToml(input.path, input.text);
  if (!parsed.ok) return { components: [], errors: [parsed.problem] };
  const doc = parsed.value;
  const errors: ParseProblem[] = [];
  const lockVersion = doc.version;
  if (lockVersion !== undefined && (typeof lockVersion !== 'number' || lockVersion > 4)) {
    errors.push({
      path: input.path,
      line: 1,
      message: `Cargo.lock version ${String(lockVersion)} is newer than the versions this reader knows (1-4); read as v4`,
    });
  }
  if (doc.package !== undefined && !Array.isArray(doc.package)) {
    return { components: [], errors: [{ path: input.path, message: '`package` is not an array of tables' }] };
  }
  const tables: { raw: unknown; line?: number }[] = [];
  const lines = arrayTableLines(input.text, 'package');
  if (isRecord(doc.root)) {
    const rootLine = input.text.split('\n').findIndex((l) => /^\s*\[root\]\s*$/.test(l));
    tables.push({ raw: doc.root, line: rootLine >= 0 ? rootLine + 1 : undefined });
  }
  ((doc.package as unknown[] | undefined) ?? []).forEach((raw, index) => {
    const name = isRecord(raw) ? asString(raw.name) : undefined;
    tables.push({ raw, line: name ? tableLine(lines, index, name) : lines[index]?.line });
  });

  const ids = new IdAllocator();
  const crates: Crate[] = [];
  const byName = new Map<string, Crate[]>();
  for (const { raw, line } of tables) {
    const name = isRecord(raw) ? asString(raw.name) : undefined;
    const version = isRecord(raw) ? asString(raw.version) : undefined;
    if (!isRecord(raw) || !name || !version) {
      errors.push({ path: input.path, line, message: `[[package]] without ${name ? 'version' : 'name'}` });
      continue;
    }
    const purl = purlOf('crates.io', name, version);
    const crate: Crate = {
      name,
      version,
      raw,
      component: {
        ecosystem: 'crates.io',
        name,
        version,
        purl,
        location: { path: input.path, line },
        id: ids.take(purl),
      },
    };
    const source = asString(raw.source);
    if (source) crate.source = source;
    crates.push(crate);
    byName.set(name, [...(byName.get(name) ?? []), crate]);
  }

  const resolve = (ref: string): Crate | undefined => {
    const r = parseReference(ref);
    if (!r) return undefined;
    let candidates = byName.get(r.name) ?? [];
    if (r.version) candidates = candidates.filter((c) => c.version === r.version);
    if (r.source && candidates.length > 1)
      candidates = candidates.filter((c) => sameSource(c.source, r.source as string));
    return candidates[0];
  };

  const local = crates.filter((c) => c.source === undefined);
  const directIds = new Set(local.map((c) => c.component.id));
  for (const crate of crates) {
    const deps = Array.isArray(crate.raw.dependencies) ? crate.raw.dependencies : [];
    const targets: string[] = [];
    for (const dep of deps) {
      const target = typeof dep === 'string' ? resolve(dep) : undefined;
      if (!target) {
        errors.push({
          path: input.path,
          line: crate.component.location.line,
          message: `${crate.name} ${crate.version}: dependency ${JSON.stringify(dep)} is not a package of this lockfile`,
        });
        continue;
      }
      if (!targets.includes(target.component.id)) targets.push(target.component.id);
      if (crate.source === undefined) directIds.add(target.component.id);
    }
    if (targets.length) crate.component.dependsOn = targets;
  }
  if (local.length) for (const c of crates) c.component.direct = directIds.has(c.component.id);
  // Workspace members and path crates are the project's own code, not published dependencies.
  for (const c of local) c.component.own = true;

  const result: ParseResult = { components: crates.map((c) => c.component) };
  if (errors.length) result.errors = errors;
  return result;
}

export const cargoLockParser: LockfileParser = {
  id: 'cargo-lock',
  ecosystem: 'crates.io',
  format: 'Cargo lockfile (Cargo.lock)',
  matches: (path: string) => /(^|\/)Cargo\.lock$/.test(path),
  parse: parseCargoLock,
};
