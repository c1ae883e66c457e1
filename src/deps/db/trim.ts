import { ecosystemBase } from '../osv/ecosystem.js';
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord, OsvReference, OsvSeverity } from '../osv/record.js';

/**
 * Reduces a raw OSV record to what matching and reporting need, for one ecosystem's store: id,
 * aliases, summary, severity, `database_specific.severity`, the affected entries of that ecosystem
 * (package, non-GIT ranges, versions, severities), reference URLs and the dates. `details`,
 * `credits`, GIT ranges and every other database-specific payload are dropped. When a record has no
 * summary, the first line of its details stands in (PYSEC records often have none).
 *
 * Returns undefined for anything that is not a usable record (no id, no affected entry in this
 * ecosystem); never throws.
 */
export function trimRecord(raw: unknown, ecosystem: string): OsvRecord | undefined {
  if (!isObject(raw)) return undefined;
  const id = raw.id;
  if (typeof id !== 'string' || id === '' || id.length > 256) return undefined;
  if (!Array.isArray(raw.affected)) return undefined;

  const affected: OsvAffected[] = [];
  for (const a of raw.affected) {
    const t = trimAffected(a, ecosystem);
    if (t) affected.push(t);
  }
  if (affected.length === 0) return undefined;

  const out: OsvRecord = { id };
  // Trimmed: some upstream records carry stray spaces (`"CVE-2020-13665 "`). Distribution records
  // named after the CVE they track (`ALPINE-CVE-2024-9143`, `DEBIAN-CVE-…`, `UBUNTU-CVE-…`) list it in
  // `upstream`, not `aliases`: that one upstream id is the same vulnerability, so it counts as an alias
  // (other upstream ids — a DSA's several CVEs — are related, not the same, and stay out).
  const sameAsUpstream = strings(raw.upstream)
    .map((u) => u.trim())
    .filter((u) => u !== '' && id.endsWith(`-${u}`));
  const aliases = [...new Set([...strings(raw.aliases).map((a) => a.trim()), ...sameAsUpstream])].filter(
    (a) => a !== '' && a !== id,
  );
  if (aliases.length > 0) out.aliases = aliases;
  const summary = summaryOf(raw);
  if (summary) out.summary = summary;
  const severity = severities(raw.severity);
  if (severity.length > 0) out.severity = severity;
  const dbSeverity = severityField(raw.database_specific);
  if (dbSeverity !== undefined) out.database_specific = { severity: dbSeverity };
  out.affected = affected;
  const refs = references(raw.references);
  if (refs.length > 0) out.references = refs;
  for (const k of ['published', 'modified', 'withdrawn'] as const) {
    const v = raw[k];
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}

/** The package names (as written in the record) of a trimmed record's affected entries. */
export function packageNamesOf(record: OsvRecord): string[] {
  const names = new Set<string>();
  for (const a of record.affected ?? []) if (a.package?.name) names.add(a.package.name);
  return [...names];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

function summaryOf(raw: Record<string, unknown>): string | undefined {
  if (typeof raw.summary === 'string' && raw.summary.trim() !== '') return raw.summary.trim();
  if (typeof raw.details !== 'string') return undefined;
  const line = raw.details
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !/^[-=_#*]+$/.test(l));
  if (!line) return undefined;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function severities(v: unknown): OsvSeverity[] {
  if (!Array.isArray(v)) return [];
  const out: OsvSeverity[] = [];
  for (const s of v)
    if (isObject(s) && typeof s.type === 'string' && typeof s.score === 'string')
      out.push({ type: s.type, score: s.score });
  return out;
}

function severityField(v: unknown): string | number | undefined {
  if (!isObject(v)) return undefined;
  const s = v.severity;
  return typeof s === 'string' || typeof s === 'number' ? s : undefined;
}

function references(v: unknown): OsvReference[] {
  if (!Array.isArray(v)) return [];
  const out: OsvReference[] = [];
  for (const r of v) {
    if (!isObject(r) || typeof r.url !== 'string' || r.url === '') continue;
    out.push(typeof r.type === 'string' ? { type: r.type, url: r.url } : { url: r.url });
  }
  return out;
}

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function trimRange(v: unknown): OsvRange | undefined {
  if (!isObject(v) || typeof v.type !== 'string' || v.type === 'GIT' || !Array.isArray(v.events))
    return undefined;
  const events: OsvEvent[] = [];
  for (const e of v.events) {
    if (!isObject(e)) continue;
    for (const k of EVENT_KEYS) {
      const value = e[k];
      if (typeof value === 'string' && value !== '') events.push({ [k]: value });
    }
  }
  return events.length > 0 ? { type: v.type, events } : undefined;
}

function trimAffected(v: unknown, ecosystem: string): OsvAffected | undefined {
  if (!isObject(v) || !isObject(v.package)) return undefined;
  const { ecosystem: eco, name } = v.package;
  if (typeof eco !== 'string' || typeof name !== 'string' || name === '') return undefined;
  if (ecosystemBase(eco) !== ecosystem) return undefined;
  const out: OsvAffected = { package: { ecosystem: eco, name } };
  const ranges = Array.isArray(v.ranges)
    ? v.ranges.map(trimRange).filter((r): r is OsvRange => r !== undefined)
    : [];
  if (ranges.length > 0) out.ranges = ranges;
  const versions = strings(v.versions);
  if (versions.length > 0) out.versions = versions;
  const severity = severities(v.severity);
  if (severity.length > 0) out.severity = severity;
  const eco2 = severityField(v.ecosystem_specific);
  if (eco2 !== undefined) out.ecosystem_specific = { severity: eco2 };
  const db = severityField(v.database_specific);
  if (db !== undefined) out.database_specific = { severity: db };
  return out;
}
