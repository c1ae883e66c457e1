import { affectedBy } from './affected.js';
import { mergeMatches, type RecordMatch, type VulnMatch } from './merge.js';
import type { OsvRecord } from './record.js';

export type { VulnMatch } from './merge.js';

/** Anything that can hand out the OSV records naming a package (the on-disk database, a test double). */
export interface AdvisoryLookup {
  /** Records with an affected entry for `name` in `ecosystem` (a superset is fine: matching re-checks). */
  lookup(ecosystem: string, name: string): OsvRecord[];
}

export interface MatchTarget {
  ecosystem: string;
  name: string;
  version: string;
}

/**
 * The vulnerabilities affecting one component: every non-withdrawn record whose affected entries
 * cover `name@version`, merged per vulnerability (aliases), highest severity first. A version that
 * cannot be ordered (empty, a git URL) only matches records that cover every version (malicious
 * packages typically do).
 */
export function matchComponent(db: AdvisoryLookup, c: MatchTarget): VulnMatch[] {
  if (!c.name) return [];
  const hits: RecordMatch[] = [];
  for (const record of db.lookup(c.ecosystem, c.name)) {
    if (!record || typeof record.id !== 'string' || record.id === '' || record.withdrawn) continue;
    const r = affectedBy(record, c.ecosystem, c.name, c.version);
    if (!r.affected) continue;
    hits.push(r.fixed === undefined ? { record } : { record, fixed: r.fixed });
  }
  return hits.length === 0 ? [] : mergeMatches(hits, c.ecosystem, c.name);
}
