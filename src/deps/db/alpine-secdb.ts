/**
 * Alpine's own security database (secdb, https://secdb.alpinelinux.org/<branch>/{main,community}.json)
 * converted to OSV records in the `Alpine:<branch>` ecosystems, the way OSV's own converter derives its
 * Alpine records from the same files (google/osv.dev, vulnfeeds/cmd/alpine): one record per
 * vulnerability id, `ALPINE-<id>` with the upstream id alongside, one `affected` entry per (source
 * package, branch, secfix version) with the range ECOSYSTEM `introduced: 0` → `fixed: <version>`, and a
 * reference to https://security.alpinelinux.org/vuln/<id>.
 *
 * secdb lists, per source package (the apk `origin`), the package versions that FIX each id:
 * `"secfixes": { "3.1.7-r1": ["CVE-2024-9143"] }`. The special version `0` lists ids the package was
 * never affected by in Alpine (not applicable to this build, disputed, fixed upstream before the
 * package was introduced — see the `secfixes` section of the APKBUILD reference,
 * https://wiki.alpinelinux.org/wiki/APKBUILD_Reference#secfixes). OSV keeps them as
 * `introduced: 0, fixed: 0`, which the OSV evaluation rules read as "no version affected" (every
 * version is ≥ the fix): kept that way here, so they never match, and tested.
 *
 * Id strings carry extra text (`CVE-2016-6258 XSA-182`, `CVE-2018-14881 (BGP)`,
 * `CVE-2024-22195 GHSA-h5c8-rqwp-cp95`). Kept: every CVE id (one record each; several CVEs in one
 * string are distinct vulnerabilities fixed together, e.g. by one Xen advisory) and GHSA ids (an alias
 * of the CVE when the string names exactly one CVE, else a record of its own). Everything else
 * (XSA-, TALOS-, ALPINE-<issue>, `CVE-????-?????`) has no OSV counterpart and is counted as ignored.
 * Secfix versions that are not apk versions (`4.8.0.-r1`, `1.11-20-r0`) are skipped and counted, as
 * OSV does. Pure: no I/O.
 */
import type { OsvAffected, OsvRecord } from '../osv/record.js';

export class SecdbFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecdbFormatError';
  }
}

export interface SecdbConversion {
  /** The branch the file describes (`v3.19`, `edge`), from its `distroversion`. */
  branch: string;
  /** Records keyed by id; one file's view (merge files with `mergeSecdbRecords`). */
  records: Map<string, OsvRecord>;
  /** (package, version, id) entries turned into affected entries. */
  entries: number;
  /** Secfix versions that are not valid apk versions (entries skipped). */
  invalidVersions: number;
  /** Id strings with no CVE or GHSA id in them. */
  ignoredIds: number;
}

/** The abuild version grammar OSV checks secfix versions against, with the `-r<n>` revision. */
const APK_VERSION = /^(?:\d+\.)*\d+[a-zA-Z]?(?:_?(?:alpha|beta|rc|pre|cvs|svn|git|hg|p)\d*)?(?:[-.]r\d+)?$/;
/** `CVE-2017-17434-1` and `CVE-2021-35940.patch` name CVE-2017-17434 and CVE-2021-35940. */
const CVE = /^(CVE-\d{4}-\d{4,})(?!\d)/;
const GHSA = /^GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}$/;
const BRANCH = /^(?:v\d+\.\d+|edge)$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The vulnerability ids one secfix string names: CVEs, and GHSAs as their aliases or on their own. */
export function secfixIds(text: string): { id: string; aliases: string[] }[] {
  const cves: string[] = [];
  const ghsas: string[] = [];
  for (const token of text.split(/\s+/)) {
    const cve = CVE.exec(token)?.[1];
    if (cve) {
      if (!cves.includes(cve)) cves.push(cve);
    } else if (GHSA.test(token) && !ghsas.includes(token)) ghsas.push(token);
  }
  if (cves.length === 1) return [{ id: cves[0]!, aliases: ghsas }];
  return [...cves, ...ghsas].map((id) => ({ id, aliases: [] }));
}

function referenceUrl(id: string): string {
  return id.startsWith('GHSA-')
    ? `https://github.com/advisories/${id}`
    : `https://security.alpinelinux.org/vuln/${id}`;
}

interface Fix {
  pkg: string;
  version: string;
  aliases: string[];
}

/**
 * Converts one parsed secdb file. Throws SecdbFormatError when the document is not a secdb file
 * (no `distroversion` branch name, no `packages` array); single malformed package entries are skipped.
 */
export function convertSecdb(doc: unknown): SecdbConversion {
  if (!isObject(doc)) throw new SecdbFormatError('not a JSON object');
  const branch = doc.distroversion;
  if (typeof branch !== 'string' || !BRANCH.test(branch))
    throw new SecdbFormatError(
      `"distroversion" is not an Alpine branch (v3.19, edge): ${JSON.stringify(branch)}`,
    );
  if (!Array.isArray(doc.packages)) throw new SecdbFormatError('"packages" is not an array');
  const byId = new Map<string, Fix[]>();
  let entries = 0;
  let invalidVersions = 0;
  let ignoredIds = 0;
  for (const p of doc.packages) {
    const pkg = isObject(p) && isObject(p.pkg) ? p.pkg : undefined;
    const name = pkg?.name;
    if (!pkg || typeof name !== 'string' || name === '' || !isObject(pkg.secfixes)) continue;
    for (const [version, list] of Object.entries(pkg.secfixes)) {
      if (!Array.isArray(list)) continue;
      for (const text of list) {
        if (typeof text !== 'string') continue;
        const ids = secfixIds(text);
        if (ids.length === 0) {
          ignoredIds++;
          continue;
        }
        if (!APK_VERSION.test(version)) {
          invalidVersions += ids.length;
          continue;
        }
        for (const { id, aliases } of ids) {
          const fixes = byId.get(id);
          const fix = { pkg: name, version, aliases };
          if (fixes) fixes.push(fix);
          else byId.set(id, [fix]);
          entries++;
        }
      }
    }
  }
  const records = new Map<string, OsvRecord>();
  for (const [id, fixes] of byId) records.set(`ALPINE-${id}`, recordOf(id, branch, fixes));
  return { branch, records, entries, invalidVersions, ignoredIds };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function recordOf(id: string, branch: string, fixes: Fix[]): OsvRecord {
  const aliases = [...new Set(fixes.flatMap((f) => f.aliases))].sort();
  const record: OsvRecord & { upstream: string[] } = {
    id: `ALPINE-${id}`,
    upstream: [id],
    ...(aliases.length ? { aliases } : {}),
    affected: fixes
      .sort((a, b) => cmp(a.pkg, b.pkg) || cmp(a.version, b.version))
      .map((f) => affectedOf(f.pkg, branch, f.version)),
    references: [{ type: 'ADVISORY', url: referenceUrl(id) }],
  };
  return record;
}

function affectedOf(pkg: string, branch: string, fixed: string): OsvAffected {
  return {
    package: { ecosystem: `Alpine:${branch}`, name: pkg, purl: `pkg:apk/alpine/${pkg}?arch=source` },
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
  };
}

function affectedKey(a: OsvAffected): string {
  return `${a.package?.ecosystem ?? ''}\0${a.package?.name ?? ''}`;
}

/** Adds `from`'s records into `into` (same id across branches and repositories: affected entries appended). */
export function mergeSecdbRecords(into: Map<string, OsvRecord>, from: ReadonlyMap<string, OsvRecord>): void {
  for (const [id, r] of from) {
    const have = into.get(id);
    if (!have) {
      into.set(id, r);
      continue;
    }
    have.affected = [...(have.affected ?? []), ...(r.affected ?? [])];
    const aliases = [...new Set([...(have.aliases ?? []), ...(r.aliases ?? [])])].sort();
    if (aliases.length) have.aliases = aliases;
  }
}

/**
 * One record for an id that both OSV's Alpine archive and secdb carry: the OSV record (its severity,
 * dates, summary) with secdb's affected entries in place of OSV's for the same (branch, package) —
 * secdb is the source OSV derives them from, fetched directly and so never older.
 */
export function overlaySecdb(osv: OsvRecord, secdb: OsvRecord): OsvRecord {
  const fromSecdb = secdb.affected ?? [];
  const keys = new Set(fromSecdb.map(affectedKey));
  const aliases = [...new Set([...(osv.aliases ?? []), ...(secdb.aliases ?? [])])].filter(
    (a) => a !== osv.id,
  );
  return {
    ...osv,
    ...(aliases.length ? { aliases } : {}),
    affected: [...(osv.affected ?? []).filter((a) => !keys.has(affectedKey(a))), ...fromSecdb],
  };
}
