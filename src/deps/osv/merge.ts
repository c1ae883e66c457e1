import { severityRank, type Severity } from '../../core/severity.js';
import { ecosystemBase } from './ecosystem.js';
import { ecosystemOrder } from './order.js';
import type { OsvRecord } from './record.js';
import { severityOf } from './severity.js';

/** One vulnerability affecting one component (several aliasing OSV records merged into one). */
export interface VulnMatch {
  /** Primary id: MAL-… when a malicious-package record is involved, else GHSA > the ecosystem's own > CVE > other. */
  id: string;
  /** Every other id of the merged records and their aliases, sorted. */
  aliases: string[];
  summary: string;
  severity: Severity;
  score?: number;
  vector?: string;
  /** Where the severity came from (see `SeverityInfo.source`). */
  severitySource: string;
  /** Lowest fixed version above the installed one, across the merged records. */
  fixed?: string;
  malicious: boolean;
  /** Reference URLs, primary record first, without duplicates. */
  references: string[];
  /** Earliest `published` of the merged records. */
  published?: string;
  /** Latest `modified` of the merged records. */
  modified?: string;
}

/** A record that affects the component, with the fix `affectedBy` found for it. */
export interface RecordMatch {
  record: OsvRecord;
  fixed?: string;
}

/** The database prefixes that are an ecosystem's own ("home") advisories. */
const NATIVE_PREFIXES: Record<string, readonly string[]> = {
  PyPI: ['PYSEC'],
  Go: ['GO'],
  'crates.io': ['RUSTSEC'],
  Hackage: ['HSEC'],
  GHC: ['HSEC'],
  Packagist: ['DRUPAL', 'PKSA'],
  Bitnami: ['BIT'],
  AlmaLinux: ['ALSA', 'ALBA', 'ALEA'],
  Debian: ['DSA', 'DLA', 'DTSA', 'DEBIAN'],
  Ubuntu: ['USN', 'UBUNTU', 'LSN'],
  Alpine: ['ALPINE'],
  RubyGems: ['OSV'],
  npm: [],
  NuGet: [],
  Maven: [],
};

function prefixOf(id: string): string {
  const i = id.indexOf('-');
  return i < 0 ? id : id.slice(0, i);
}

/** Lower is preferred. */
function idRank(id: string, ecosystem: string): number {
  const prefix = prefixOf(id);
  if (prefix === 'MAL') return 0;
  if (prefix === 'GHSA') return 1;
  if ((NATIVE_PREFIXES[ecosystemBase(ecosystem)] ?? []).includes(prefix)) return 2;
  if (prefix === 'CVE') return 3;
  return 4;
}

function choosePrimary(ids: string[], ecosystem: string): string {
  return (
    [...ids].sort((a, b) => idRank(a, ecosystem) - idRank(b, ecosystem) || (a < b ? -1 : a > b ? 1 : 0))[0] ??
    ''
  );
}

/** Union-find over ids: records that name each other (by id or shared alias) end up in one group. */
class Groups {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    // Path compression.
    for (let c = x; c !== root;) {
      const next: string = this.parent.get(c) ?? root;
      this.parent.set(c, root);
      c = next;
    }
    if (!this.parent.has(root)) this.parent.set(root, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** Placeholder timestamps such as Go's `0001-01-01T00:00:00Z` are not dates. */
function realDate(d: unknown): d is string {
  if (typeof d !== 'string' || d === '') return false;
  const t = Date.parse(d);
  return Number.isFinite(t) && t >= Date.UTC(1990, 0, 1);
}

function stringList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((x): x is string => typeof x === 'string')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/**
 * Merges the records that affect one component into one finding per vulnerability: records that
 * alias each other (by `id` and `aliases`, transitively) form one group. The primary id is chosen
 * among the group's record ids; severity is the group's highest, `fixed` its lowest, references and
 * aliases the union. With `name`, severities come from that package's affected entries (and the
 * record's own). Sorted by severity (highest first), then id.
 */
export function mergeMatches(matches: RecordMatch[], ecosystem: string, name?: string): VulnMatch[] {
  const groups = new Groups();
  for (const { record } of matches) {
    groups.find(record.id);
    for (const alias of stringList(record.aliases)) groups.union(record.id, alias);
  }
  const byRoot = new Map<string, RecordMatch[]>();
  const seen = new Set<string>();
  for (const m of matches) {
    if (seen.has(m.record.id)) continue;
    seen.add(m.record.id);
    const root = groups.find(m.record.id);
    const list = byRoot.get(root);
    if (list) list.push(m);
    else byRoot.set(root, [m]);
  }

  const order = ecosystemOrder(ecosystem);
  const out: VulnMatch[] = [];
  for (const group of byRoot.values()) {
    const id = choosePrimary(
      group.map((m) => m.record.id),
      ecosystem,
    );
    const primary = group.find((m) => m.record.id === id)?.record ?? group[0]!.record;
    const ordered = [primary, ...group.map((m) => m.record).filter((r) => r !== primary)];

    const ids = new Set<string>();
    for (const r of ordered) {
      ids.add(r.id);
      for (const a of stringList(r.aliases)) ids.add(a);
    }
    ids.delete(id);

    let sev: ReturnType<typeof severityOf> | undefined;
    for (const r of ordered) {
      const s = severityOf(r, name === undefined ? undefined : { ecosystem, name });
      if (
        !sev ||
        severityRank(s.severity) > severityRank(sev.severity) ||
        (s.severity === sev.severity && (s.score ?? -1) > (sev.score ?? -1))
      )
        sev = s;
    }

    let fixed: string | undefined;
    for (const m of group)
      if (m.fixed && (fixed === undefined || order.compare(m.fixed, fixed) < 0)) fixed = m.fixed;

    const references: string[] = [];
    const refSeen = new Set<string>();
    for (const r of ordered) {
      for (const ref of Array.isArray(r.references) ? r.references : []) {
        const url = typeof ref?.url === 'string' ? ref.url : undefined;
        if (url && !refSeen.has(url)) {
          refSeen.add(url);
          references.push(url);
        }
      }
    }

    const published = ordered
      .map((r) => r.published)
      .filter(realDate)
      .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
    const modified = ordered
      .map((r) => r.modified)
      .filter(realDate)
      .sort((a, b) => Date.parse(a) - Date.parse(b))
      .at(-1);
    const summary = ordered
      .map((r) => r.summary)
      .find((s): s is string => typeof s === 'string' && s.trim() !== '');

    const match: VulnMatch = {
      id,
      aliases: [...ids].sort(),
      summary: summary?.trim() ?? '',
      severity: sev?.severity ?? 'medium',
      severitySource: sev?.source ?? 'default',
      malicious: ordered.some((r) => r.id.startsWith('MAL-')),
      references,
    };
    if (sev?.score !== undefined) match.score = sev.score;
    if (sev?.vector !== undefined) match.vector = sev.vector;
    if (fixed !== undefined) match.fixed = fixed;
    if (published !== undefined) match.published = published;
    if (modified !== undefined) match.modified = modified;
    out.push(match);
  }
  return out.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      (b.score ?? -1) - (a.score ?? -1) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
