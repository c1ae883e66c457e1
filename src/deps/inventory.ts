import path from 'node:path/posix';
import type { Component, LockfileParser, ParseProblem, Unresolved } from './model.js';
import { lockfileParsers } from './ecosystems/registry.js';

/** The inventory of one scan: every component of every lockfile/manifest that was read. */
export interface Inventory {
  components: Component[];
  /** Files that could not be (fully) parsed, with file and line. */
  problems: ParseProblem[];
  unresolved: Unresolved[];
  /** Which parser read which file, and how many components it found. */
  files: { path: string; parser: string; format: string; components: number }[];
}

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** Parsers that read this path as a lockfile or manifest. */
export function parsersFor(
  filePath: string,
  parsers: readonly LockfileParser[] = lockfileParsers,
): LockfileParser[] {
  return parsers.filter((p) => p.matches(filePath));
}

/** Companion base names (package.json, go.sum, Pipfile…) some parser may ask for. */
function companionNames(parsers: readonly LockfileParser[]): Set<string> {
  const out = new Set<string>();
  for (const p of parsers) for (const c of p.companions ?? []) out.add(baseName(c));
  return out;
}

/**
 * Cheap path prefilter for the dependency scanner and `rampart sbom`: lockfiles and manifests, plus
 * the companion files their parsers read (e.g. `package.json` next to `package-lock.json`).
 */
export function makeInventoryFilter(
  parsers: readonly LockfileParser[] = lockfileParsers,
): (p: string) => boolean {
  const companions = companionNames(parsers);
  return (p: string) => companions.has(baseName(p)) || parsers.some((x) => x.matches(p));
}

/**
 * Runs every matching parser over the collected files (pure: `files` maps root-relative paths to
 * text). A parser that throws despite its contract is reported as a problem of that file; the other
 * files are still read.
 */
export function buildInventory(
  files: ReadonlyMap<string, string>,
  parsers: readonly LockfileParser[] = lockfileParsers,
): Inventory {
  const inv: Inventory = { components: [], problems: [], unresolved: [], files: [] };
  const seen = new Set<string>();
  const lookup = (p: string) => files.get(path.normalize(p).replace(/^\.\//, ''));
  for (const filePath of [...files.keys()].sort()) {
    for (const parser of parsersFor(filePath, parsers)) {
      const text = files.get(filePath) ?? '';
      let result;
      try {
        result = parser.parse({ path: filePath, text, file: lookup });
      } catch (err) {
        inv.problems.push({ path: filePath, message: `${parser.format}: ${(err as Error).message}` });
        continue;
      }
      // A file read on its own and through another's include (`-r other.txt`) yields the same entries.
      for (const c of result.components) {
        const key = `${c.purl}\0${c.location.path}\0${c.location.line ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        inv.components.push(c);
      }
      inv.problems.push(...(result.errors ?? []));
      inv.unresolved.push(...(result.unresolved ?? []));
      inv.files.push({
        path: filePath,
        parser: parser.id,
        format: parser.format,
        components: result.components.length,
      });
    }
  }
  return inv;
}

/** Text of a lockfile as parsers expect it: UTF-8 with any byte-order mark removed. */
export function decodeManifest(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
