/**
 * Debian/Ubuntu packages from dpkg's database: `/var/lib/dpkg/status` and the distroless
 * `/var/lib/dpkg/status.d/<pkg>` files (one or several stanzas each, usually without `Status:`;
 * `*.md5sums` files are ignored). Only installed packages count (Status `… ok installed`). The
 * binary → source mapping (`Source: name (version)`) feeds the advisory key: Debian and Ubuntu
 * advisories name source packages.
 */
import { field, parseStanzas } from './control.js';
import { FileIndex, MiB, baseName, text } from './files.js';
import { osPurl } from './os-purl.js';
import type { AnalyzeProblem, AnalyzerOutput, ImageComponent, OsInfo } from './types.js';

const STATUS = 'var/lib/dpkg/status';
const STATUS_D = 'var/lib/dpkg/status.d/';
const MAX_FILE = 64 * MiB;
const MAX_PACKAGES = 100_000;

/** dpkg `Status:` is `want flag state`; the package is on disk when state is `installed`. */
function installed(status: string | undefined): boolean {
  if (status === undefined) return true; // status.d stanzas (distroless) carry no Status field
  const words = status.trim().split(/\s+/);
  return words[2] === 'installed';
}

/** `Source: util-linux (2.38.1-5+deb12u3)` → name and version (the binary's version when absent). */
export function parseSource(
  source: string | undefined,
  binaryVersion: string,
): { name: string; version: string } | undefined {
  if (!source) return undefined;
  const m = /^\s*([^\s(]+)\s*(?:\(\s*([^)\s]+)\s*\))?/.exec(source);
  if (!m?.[1]) return undefined;
  return { name: m[1], version: m[2] ?? binaryVersion };
}

/** The packages recorded in one dpkg status file's text. */
export function parseDpkgStatus(path: string, input: string, os: OsInfo | undefined): AnalyzerOutput {
  const components: ImageComponent[] = [];
  const problems: AnalyzeProblem[] = [];
  const ubuntu = os?.id === 'ubuntu';
  const ecosystem = ubuntu ? 'Ubuntu' : 'Debian';
  const namespace = ubuntu ? 'ubuntu' : os && os.id !== 'debian' ? os.id : 'debian';
  for (const stanza of parseStanzas(input, MAX_PACKAGES)) {
    const name = field(stanza, 'Package');
    const version = field(stanza, 'Version');
    if (!name || !version) {
      if (name || version)
        problems.push({ path, message: `line ${stanza.line}: stanza without Package or Version` });
      continue;
    }
    if (!installed(field(stanza, 'Status'))) continue;
    const arch = field(stanza, 'Architecture');
    const source = parseSource(field(stanza, 'Source'), version) ?? { name, version };
    const purl = osPurl('deb', namespace, name, version, os, { arch });
    const c: ImageComponent = {
      ecosystem,
      name,
      version,
      purl,
      id: purl,
      location: { path, line: stanza.line },
      packager: 'dpkg',
      source,
      advisory: { ecosystem: os?.osvEcosystem ?? ecosystem, name: source.name, version: source.version },
    };
    if (arch) c.arch = arch;
    components.push(c);
  }
  return { components, problems };
}

/** Every installed dpkg package of the image (status and status.d), deduplicated by name/arch/version. */
export function analyzeDpkg(files: FileIndex, os: OsInfo | undefined): AnalyzerOutput {
  const targets = files.paths.filter(
    (p) =>
      p === STATUS ||
      (p.startsWith(STATUS_D) &&
        !p.slice(STATUS_D.length).includes('/') &&
        !baseName(p).endsWith('.md5sums')),
  );
  targets.sort();
  const components: ImageComponent[] = [];
  const problems: AnalyzeProblem[] = [];
  const seen = new Set<string>();
  for (const path of targets) {
    const data = files.read(path, MAX_FILE);
    if (!data) {
      problems.push({ path, message: 'unreadable or larger than 64 MiB' });
      continue;
    }
    const out = parseDpkgStatus(path, text(data), os);
    problems.push(...out.problems);
    for (const c of out.components) {
      const key = `${c.name}\0${c.arch ?? ''}\0${c.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      components.push(c);
    }
  }
  return { components, problems };
}
