/**
 * Java archives in an image (`.jar`, `.war`, `.ear`): every `META-INF/maven/<group>/<artifact>/pom.properties`
 * inside, and inside the archives nested one level down (`WEB-INF/lib/*.jar`, Spring Boot's
 * `BOOT-INF/lib/*.jar`). Nested archives are located as `outer.war!/WEB-INF/lib/inner.jar`.
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { purlOf } from '../../deps/purl.js';
import { FileIndex, MiB } from './files.js';
import { dedupeIds } from './node.js';
import type { AnalyzeProblem, AnalyzerOutput, ImageComponent } from './types.js';

const ARCHIVE = /\.(?:jar|war|ear)$/i;
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const MAX_ARCHIVE = 256 * MiB;
const MAX_NESTED = 64 * MiB;
const MAX_PROPERTIES = 64 * 1024;
const MAX_NESTED_COUNT = 2_000;

/** Java `.properties` key/values (`=`, `:` or whitespace separators; `#`/`!` comments; no line continuations). */
export function parseProperties(input: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of input.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m?.[1]) out.set(m[1], (m[2] ?? '').trim());
  }
  return out;
}

function componentOf(path: string, properties: string): ImageComponent | undefined {
  const p = parseProperties(properties);
  const group = p.get('groupId');
  const artifact = p.get('artifactId');
  const version = p.get('version');
  if (!group || !artifact || !version) return undefined;
  const name = `${group}:${artifact}`;
  const purl = purlOf('Maven', name, version);
  return { ecosystem: 'Maven', name, version, purl, id: purl, location: { path }, packager: 'jar' };
}

/** The Maven components of one archive's bytes; `depth` 0 opens nested archives, 1 does not. */
export function parseJar(path: string, data: Uint8Array, depth = 0): AnalyzerOutput {
  const components: ImageComponent[] = [];
  const problems: AnalyzeProblem[] = [];
  let nested = 0;
  const wanted = (f: UnzipFileInfo): boolean => {
    if (POM_PROPERTIES.test(f.name)) return f.originalSize <= MAX_PROPERTIES;
    if (depth === 0 && ARCHIVE.test(f.name) && nested < MAX_NESTED_COUNT && f.originalSize <= MAX_NESTED) {
      nested++;
      return true;
    }
    return false;
  };
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(data, { filter: wanted });
  } catch (e) {
    return {
      components,
      problems: [{ path, message: `not a readable zip archive: ${(e as Error).message}` }],
    };
  }
  for (const name of Object.keys(entries).sort()) {
    const bytes = entries[name];
    if (!bytes) continue;
    if (POM_PROPERTIES.test(name)) {
      const c = componentOf(path, Buffer.from(bytes).toString('utf8'));
      if (c) components.push(c);
    } else {
      const out = parseJar(`${path}!/${name}`, bytes, depth + 1);
      components.push(...out.components);
      problems.push(...out.problems);
    }
  }
  return { components, problems };
}

export function analyzeJars(files: FileIndex): AnalyzerOutput {
  const components: ImageComponent[] = [];
  const problems: AnalyzeProblem[] = [];
  for (const path of files.paths) {
    if (!ARCHIVE.test(path)) continue;
    const data = files.read(path, MAX_ARCHIVE);
    if (!data) {
      problems.push({ path, message: 'unreadable or larger than 256 MiB' });
      continue;
    }
    const out = parseJar(path, data);
    components.push(...out.components);
    problems.push(...out.problems);
  }
  dedupeIds(components);
  return { components, problems };
}
