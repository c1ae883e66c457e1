/**
 * The image's operating system from os-release (https://www.freedesktop.org/software/systemd/man/os-release.html):
 * `/etc/os-release`, falling back to `/usr/lib/os-release`, refined by `/etc/debian_version` and
 * `/etc/alpine-release`, mapped to the OSV ecosystem string of the distribution's advisories.
 */
import { FileIndex, text } from './files.js';
import type { OsInfo } from './types.js';

const MAX_BYTES = 64 * 1024;

/** Parses os-release's shell-style `KEY=value` lines (quotes and `\` escapes), ignoring anything else. */
export function parseOsRelease(input: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of input.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m?.[1]) continue;
    let value = (m[2] ?? '').trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\([$"'`\\])/g, '$1');
    }
    out.set(m[1], value);
  }
  return out;
}

/** `major.minor` of a dotted version (`3.20.1` → `3.20`). */
function majorMinor(v: string): string | undefined {
  return /^(\d+\.\d+)/.exec(v)?.[1];
}

function major(v: string): string | undefined {
  return /^(\d+)/.exec(v)?.[1];
}

/**
 * The OSV ecosystem for an os-release ID/VERSION_ID, as OSV spells it (https://ossf.github.io/osv-schema/#affectedpackage-field):
 * `Debian:12`, `Ubuntu:22.04:LTS` (non-LTS releases: `Ubuntu:24.10`), `Alpine:v3.20`, `AlmaLinux:9`,
 * `Rocky Linux:9`. Undefined for a distribution without OSV data here; the bare name when the release is unknown.
 */
export function osvEcosystemOf(
  id: string,
  versionId: string | undefined,
  version?: string,
): string | undefined {
  const v = versionId ?? '';
  switch (id) {
    case 'debian': {
      const m = major(v);
      return m ? `Debian:${m}` : 'Debian';
    }
    case 'ubuntu': {
      const mm = majorMinor(v);
      if (!mm) return 'Ubuntu';
      return /\bLTS\b/.test(version ?? '') ? `Ubuntu:${mm}:LTS` : `Ubuntu:${mm}`;
    }
    case 'alpine': {
      const mm = majorMinor(v);
      return mm ? `Alpine:v${mm}` : 'Alpine';
    }
    case 'almalinux': {
      const m = major(v);
      return m ? `AlmaLinux:${m}` : 'AlmaLinux';
    }
    case 'rocky': {
      const m = major(v);
      return m ? `Rocky Linux:${m}` : 'Rocky Linux';
    }
    default:
      return undefined;
  }
}

/** The OS of the image, or undefined when it has no os-release file. */
export function detectOs(files: FileIndex): OsInfo | undefined {
  for (const path of ['etc/os-release', 'usr/lib/os-release']) {
    const data = files.read(path, MAX_BYTES);
    if (!data) continue;
    const kv = parseOsRelease(text(data));
    const id = (kv.get('ID') ?? '').toLowerCase();
    if (!id) continue;
    const versionId = kv.get('VERSION_ID') || undefined;
    const version = kv.get('VERSION');
    const codename =
      kv.get('VERSION_CODENAME') ||
      kv.get('UBUNTU_CODENAME') ||
      (version ? /\(([a-z]+)\)/i.exec(version)?.[1]?.toLowerCase() : undefined) ||
      undefined;
    const os: OsInfo = { id, path };
    if (versionId) os.versionId = versionId;
    if (codename) os.codename = codename;
    const pretty = kv.get('PRETTY_NAME');
    if (pretty) os.prettyName = pretty;
    const release = preciseRelease(files, id) ?? versionId;
    if (release) os.release = release;
    const eco = osvEcosystemOf(id, versionId, version);
    if (eco) os.osvEcosystem = eco;
    return os;
  }
  return undefined;
}

function preciseRelease(files: FileIndex, id: string): string | undefined {
  const file = id === 'debian' ? 'etc/debian_version' : id === 'alpine' ? 'etc/alpine-release' : undefined;
  if (!file) return undefined;
  const data = files.read(file, 1024);
  const first = data ? text(data).split(/\r?\n/)[0]?.trim() : undefined;
  // debian_version on testing/sid says `trixie/sid`: only a numeric release is more precise.
  return first && /^\d+(\.\d+)*$/.test(first) ? first : undefined;
}
