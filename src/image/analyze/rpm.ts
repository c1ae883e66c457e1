/**
 * RPM packages from `/var/lib/rpm/rpmdb.sqlite` (rpm >= 4.16: RHEL/AlmaLinux/Rocky 9, Fedora 33+,
 * opened with sql.js, in memory). The Berkeley DB (`/var/lib/rpm/Packages`, RHEL 8 and older) and
 * ndb (`Packages.db`, SUSE) formats are not read yet: reported as a problem.
 */
import initSqlJs from 'sql.js';
import { normaliseLicense } from '../../deps/license.js';
import { FileIndex, MiB } from './files.js';
import { osPurl } from './os-purl.js';
import { RpmHeaderError, parseRpmHeader, parseSourceRpm } from './rpm-header.js';
import type { AnalyzeProblem, AnalyzerOutput, ImageComponent, OsInfo } from './types.js';

export const RPMDB_SQLITE = ['var/lib/rpm/rpmdb.sqlite', 'usr/lib/sysimage/rpm/rpmdb.sqlite'];
const UNSUPPORTED = ['var/lib/rpm/Packages', 'var/lib/rpm/Packages.db', 'usr/lib/sysimage/rpm/Packages.db'];
const MAX_DB = 512 * MiB;
const MAX_PACKAGES = 100_000;

let sqlJs: ReturnType<typeof initSqlJs> | undefined;

/** The OSV ecosystems whose records name rpm binary packages (what `ImageComponent.advisory` can point at). */
const RPM_OSV = /^(?:AlmaLinux|Rocky Linux)(?::|$)/;

/** Fedora's legacy short names that spdx-correct does not know (https://docs.fedoraproject.org/en-US/legal/). */
const FEDORA_LEGACY: [RegExp, string][] = [
  [/\bASL 2\.0\b/g, 'Apache-2.0'],
  [/\bASL 1\.1\b/g, 'Apache-1.1'],
  [/\bMPLv2\.0\b/g, 'MPL-2.0'],
];

function fedoraLicense(license: string): string {
  return FEDORA_LEGACY.reduce((s, [re, id]) => s.replace(re, id), license);
}

/** Components from the header blobs of an rpmdb (pure; the sqlite reading is in `readRpmdbSqlite`). */
export function rpmComponents(path: string, blobs: Uint8Array[], os: OsInfo | undefined): AnalyzerOutput {
  const components: ImageComponent[] = [];
  const problems: AnalyzeProblem[] = [];
  const namespace = os?.id ?? 'redhat';
  for (const [i, blob] of blobs.entries()) {
    let h;
    try {
      h = parseRpmHeader(blob);
    } catch (e) {
      if (!(e instanceof RpmHeaderError)) throw e;
      problems.push({ path, message: `package header ${i + 1}: ${e.message}` });
      continue;
    }
    if (h.name === 'gpg-pubkey') continue; // imported signing keys, not packages
    const evr = `${h.epoch ? `${h.epoch}:` : ''}${h.version}-${h.release}`;
    const purl = osPurl('rpm', namespace, h.name, `${h.version}-${h.release}`, os, {
      arch: h.arch,
      epoch: h.epoch ? String(h.epoch) : undefined,
    });
    const c: ImageComponent = {
      // The dependency model has one rpm ecosystem (AlmaLinux); `advisory.ecosystem` carries the real distribution.
      ecosystem: 'AlmaLinux',
      name: h.name,
      version: evr,
      purl,
      id: purl,
      location: { path },
      packager: 'rpm',
    };
    if (h.arch) c.arch = h.arch;
    const src = h.sourceRpm ? parseSourceRpm(h.sourceRpm) : undefined;
    if (src)
      c.source = { name: src.name, version: `${h.epoch ? `${h.epoch}:` : ''}${src.version}-${src.release}` };
    const spdx = h.license ? normaliseLicense(fedoraLicense(h.license)) : undefined;
    if (spdx) c.licenses = [spdx];
    if (os?.osvEcosystem && RPM_OSV.test(os.osvEcosystem))
      c.advisory = { ecosystem: os.osvEcosystem, name: h.name, version: evr };
    components.push(c);
  }
  return { components, problems };
}

/** The header blobs of an `rpmdb.sqlite` file's `Packages` table. Throws on a file that is not such a database. */
export async function readRpmdbSqlite(bytes: Uint8Array): Promise<Uint8Array[]> {
  sqlJs ??= initSqlJs();
  const SQL = await sqlJs;
  const db = new SQL.Database(bytes);
  try {
    const out: Uint8Array[] = [];
    const stmt = db.prepare(`SELECT blob FROM Packages ORDER BY hnum LIMIT ${MAX_PACKAGES}`);
    try {
      while (stmt.step()) {
        const v = stmt.get()[0];
        if (v instanceof Uint8Array) out.push(v);
      }
    } finally {
      stmt.free();
    }
    return out;
  } finally {
    db.close();
  }
}

export async function analyzeRpm(files: FileIndex, os: OsInfo | undefined): Promise<AnalyzerOutput> {
  const components: ImageComponent[] = [];
  const problems: AnalyzeProblem[] = [];
  for (const path of RPMDB_SQLITE) {
    if (!files.has(path)) continue;
    const data = files.read(path, MAX_DB);
    if (!data) {
      problems.push({ path, message: 'unreadable or larger than 512 MiB' });
      continue;
    }
    let blobs: Uint8Array[];
    try {
      blobs = await readRpmdbSqlite(data);
    } catch (e) {
      problems.push({ path, message: `not a readable rpm sqlite database: ${(e as Error).message}` });
      continue;
    }
    const out = rpmComponents(path, blobs, os);
    components.push(...out.components);
    problems.push(...out.problems);
    return { components, problems };
  }
  for (const path of UNSUPPORTED) {
    if (files.has(path))
      problems.push({
        path,
        message: 'rpm Berkeley DB / ndb databases are not read yet (only rpmdb.sqlite)',
      });
  }
  return { components, problems };
}
