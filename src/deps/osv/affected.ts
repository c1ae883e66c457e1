import { ecosystemBase, ecosystemMatches, packageNamesMatch } from './ecosystem.js';
import { ecosystemOrder, orderFor, type VersionOrder } from './order.js';
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord } from './record.js';

export interface AffectedResult {
  affected: boolean;
  /** The lowest version that fixes the vulnerability above the installed one, when the record names one. */
  fixed?: string;
}

type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
const KINDS: readonly EventKind[] = ['introduced', 'fixed', 'last_affected', 'limit'];

interface Event {
  kind: EventKind;
  value: string;
}

/** The events of a range, one per key (a malformed event carrying two keys counts as two). */
function eventsOf(range: OsvRange): Event[] {
  const out: Event[] = [];
  if (!Array.isArray(range.events)) return out;
  for (const e of range.events as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    for (const kind of KINDS) {
      const value = (e as OsvEvent)[kind];
      if (typeof value === 'string' && value !== '') out.push({ kind, value });
    }
  }
  return out;
}

/** `introduced: "0"` sorts before everything, a `limit` containing `*` after everything. */
function boundRank(e: Event): number {
  if (e.kind === 'introduced' && e.value === '0') return -1;
  if (e.kind === 'limit' && e.value.includes('*')) return 1;
  return 0;
}

/** Sorted timeline; on equal versions, `introduced` comes first so the closing event wins. */
function sortEvents(events: Event[], order: VersionOrder): Event[] {
  const kindRank = (e: Event) => KINDS.indexOf(e.kind);
  return events
    .map((e, i) => ({ e, i, bound: boundRank(e) }))
    .sort(
      (x, y) =>
        x.bound - y.bound ||
        (x.bound === 0 ? order.compare(x.e.value, y.e.value) : 0) ||
        kindRank(x.e) - kindRank(y.e) ||
        x.i - y.i,
    )
    .map(({ e }) => e);
}

/** `v < bound` for a limit event, honouring `*` as infinity. */
function below(v: string, e: Event, order: VersionOrder): boolean {
  return e.value.includes('*') || order.compare(v, e.value) < 0;
}

/** BeforeLimits from the OSV evaluation pseudocode: no limit means an implicit `*`. */
function beforeLimits(v: string, events: Event[], order: VersionOrder): boolean {
  const limits = events.filter((e) => e.kind === 'limit');
  return limits.length === 0 || limits.some((e) => below(v, e, order));
}

/** A range that covers every version whatever the ordering: only `introduced: "0"` (and `*` limits). */
function coversEverything(events: Event[]): boolean {
  return (
    events.some((e) => e.kind === 'introduced' && e.value === '0') &&
    events.every(
      (e) => (e.kind === 'introduced' && e.value === '0') || (e.kind === 'limit' && e.value.includes('*')),
    )
  );
}

interface RangeResult {
  affected: boolean;
  /** Fixed events of this range that sort above the installed version. */
  fixedAbove: string[];
}

/** IncludedInRanges for one range, per https://ossf.github.io/osv-schema/#evaluation. */
function evaluateRange(range: OsvRange, ecosystem: string, version: string): RangeResult {
  const events = eventsOf(range);
  const order = orderFor(String(range.type), ecosystem);
  if (!order || !order.isValid(version)) {
    // No ordering (unknown scheme, GIT, unparseable installed version): only "all versions" is decidable.
    return { affected: range.type !== 'GIT' && coversEverything(events), fixedAbove: [] };
  }
  const fixedAbove = events
    .filter((e) => e.kind === 'fixed' && order.compare(e.value, version) > 0)
    .map((e) => e.value);
  if (!beforeLimits(version, events, order)) return { affected: false, fixedAbove };
  let vulnerable = false;
  for (const e of sortEvents(events, order)) {
    if (e.kind === 'introduced' && (e.value === '0' || order.compare(version, e.value) >= 0))
      vulnerable = true;
    else if (e.kind === 'fixed' && order.compare(version, e.value) >= 0) vulnerable = false;
    else if (e.kind === 'last_affected' && order.compare(version, e.value) > 0) vulnerable = false;
  }
  return { affected: vulnerable, fixedAbove };
}

/** IncludedInVersions: exact string, or equal in the ecosystem's own ordering when both parse. */
function inVersions(affected: OsvAffected, ecosystem: string, version: string): boolean {
  if (!Array.isArray(affected.versions)) return false;
  const order = ecosystemOrder(ecosystem);
  const plain = ecosystemBase(ecosystem) === 'Go' ? version.replace(/^v/, '') : version;
  const validInstalled = order.isValid(version);
  for (const listed of affected.versions as unknown[]) {
    if (typeof listed !== 'string') continue;
    if (listed === version || listed === plain) return true;
    if (validInstalled && order.isValid(listed) && order.compare(listed, version) === 0) return true;
  }
  return false;
}

function lowest(versions: string[], order: VersionOrder): string | undefined {
  let best: string | undefined;
  for (const v of versions) if (best === undefined || order.compare(v, best) < 0) best = v;
  return best;
}

/**
 * Whether `name@version` in `ecosystem` is affected by `record`, following the OSV evaluation
 * algorithm: an affected entry applies when its ecosystem and package name match; the version is
 * affected when it is listed in `versions` or falls in any range (ranges OR-ed). SEMVER ranges use
 * SemVer, ECOSYSTEM ranges the ecosystem's scheme (`schemeFor`), GIT ranges are ignored.
 * `withdrawn` is not looked at here (the matcher drops withdrawn records).
 */
export function affectedBy(
  record: OsvRecord,
  ecosystem: string,
  name: string,
  version: string,
): AffectedResult {
  let affected = false;
  const fixedInAffectingRanges: string[] = [];
  const fixedElsewhere: string[] = [];
  const entries = Array.isArray(record.affected) ? record.affected : [];
  for (const entry of entries) {
    const pkg = entry?.package;
    if (!pkg || typeof pkg.ecosystem !== 'string' || typeof pkg.name !== 'string') continue;
    if (!ecosystemMatches(pkg.ecosystem, ecosystem) || !packageNamesMatch(ecosystem, pkg.name, name))
      continue;
    if (inVersions(entry, ecosystem, version)) affected = true;
    const ranges = Array.isArray(entry.ranges) ? entry.ranges : [];
    for (const range of ranges) {
      if (typeof range !== 'object' || range === null) continue;
      const r = evaluateRange(range, pkg.ecosystem, version);
      if (r.affected) {
        affected = true;
        fixedInAffectingRanges.push(...r.fixedAbove);
      } else fixedElsewhere.push(...r.fixedAbove);
    }
  }
  if (!affected) return { affected: false };
  const order = ecosystemOrder(ecosystem);
  const fixed = lowest(fixedInAffectingRanges.length > 0 ? fixedInAffectingRanges : fixedElsewhere, order);
  return fixed === undefined ? { affected } : { affected, fixed };
}
