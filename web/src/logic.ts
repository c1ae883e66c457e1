/**
 * The dashboard's pure logic (no DOM, no React): formatting, filtering, grouping, and the request
 * bodies its forms build. Unit-tested in test/web/logic.test.ts.
 */
import { DISMISS_REASONS, type FindingRow, type Protection, type Role } from './types.js';

// ---- formatting --------------------------------------------------------------------------------

/** A timestamp as `YYYY-MM-DD HH:MM UTC` (the same on every screen and time zone). */
export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function formatDay(value: string | Date | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().slice(0, 10);
}

/** `sha256:` and the first 12 hex digits. */
export function shortDigest(digest: string): string {
  const [algo, hex] = digest.split(':');
  return hex ? `${algo}:${hex.slice(0, 12)}…` : digest;
}

/** `name@sha256:…` shortened for display: the name and the first 12 hex digits of the digest. */
export function shortArtifact(ref: string | undefined): string {
  if (!ref) return '—';
  const at = ref.lastIndexOf('@');
  return at > 0 ? `${ref.slice(0, at)}@${shortDigest(ref.slice(at + 1))}` : ref;
}

/** A reference as a link target, only for http(s) URLs (never javascript: and the like). */
export function safeHref(ref: string): string | undefined {
  try {
    const u = new URL(ref);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** An entry's details as `key: value · …`, shortened for the table (pure). */
export function detailsText(d: unknown, max = 200): string {
  if (d === undefined || d === null) return '';
  const s =
    typeof d === 'object' && !Array.isArray(d)
      ? Object.entries(d as Record<string, unknown>)
          .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' · ')
      : JSON.stringify(d);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

// ---- findings --------------------------------------------------------------------------------

export type Sort = 'severity' | 'first_seen' | 'last_seen' | 'sla';
export type GroupBy = 'none' | 'rule' | 'file';

export interface FindingFilters {
  state: string[];
  severity: string[];
  scanner: string;
  branch: string;
  tool: string;
  q: string;
  sort: Sort;
}

export const DEFAULT_FILTERS: FindingFilters = {
  state: ['new', 'open'],
  severity: [],
  scanner: '',
  branch: '',
  tool: '',
  q: '',
  sort: 'severity',
};

/** How many filters differ from the default view (pure). */
export function activeFilters(f: FindingFilters): number {
  let n = 0;
  if ([...f.state].sort().join() !== [...DEFAULT_FILTERS.state].sort().join()) n++;
  if (f.severity.length) n++;
  for (const k of ['scanner', 'branch', 'tool', 'q'] as const) if (f[k]) n++;
  return n;
}

/** Where a finding is: file:line, or package@version. */
export function whereOf(f: FindingRow): string {
  if (f.location?.path)
    return f.location.startLine ? `${f.location.path}:${f.location.startLine}` : f.location.path;
  if (f.package) return `${f.package.name}@${f.package.version}`;
  return '—';
}

/** Groups rows by rule id or file (package for dependency findings), keeping the server's order. */
export function groupFindings(rows: FindingRow[], by: GroupBy): Array<{ key: string; rows: FindingRow[] }> {
  if (by === 'none') return [{ key: '', rows }];
  const groups = new Map<string, FindingRow[]>();
  for (const r of rows) {
    const key = by === 'rule' ? r.ruleId : (r.location?.path ?? r.package?.path ?? '(no file)');
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return [...groups].map(([key, list]) => ({ key, rows: list }));
}

// ---- triage ----------------------------------------------------------------------------------

export type TriageAction = 'dismiss' | 'accept-risk' | 'reopen' | 'comment';

export interface TriageRequest {
  action: TriageAction;
  reason?: (typeof DISMISS_REASONS)[number];
  until?: string;
  comment?: string;
}

/** Builds the request body; returns an error sentence when a required field is missing (pure). */
export function triageBody(
  action: TriageAction,
  fields: { reason: string; until: string; comment: string },
): TriageRequest | string {
  const comment = fields.comment.trim();
  switch (action) {
    case 'dismiss':
      if (!fields.reason) return 'Choose why the finding is dismissed.';
      return {
        action,
        reason: fields.reason as TriageRequest['reason'],
        ...(comment ? { comment } : {}),
      };
    case 'accept-risk':
      if (!fields.until) return 'Choose until when the risk is accepted.';
      if (!comment) return 'Say why the risk is accepted.';
      return { action, until: new Date(`${fields.until}T23:59:59Z`).toISOString(), comment };
    case 'reopen':
      return { action, ...(comment ? { comment } : {}) };
    case 'comment':
      if (!comment) return 'Write a comment.';
      return { action, comment };
  }
}

// ---- environments ----------------------------------------------------------------------------

function numberOrUndefined(v: string): number | undefined {
  if (v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Protection form state → the document PUT /api/v1/environments/:name takes (pure). */
export function protectionFrom(f: {
  critical: string;
  high: string;
  requireSignature: boolean;
  requireSbom: boolean;
  maxScanAgeHours: string;
  requireDast: boolean;
  approvals: string;
  roles: Role[];
}): Protection {
  const p: Protection = {};
  const critical = numberOrUndefined(f.critical);
  const high = numberOrUndefined(f.high);
  if (critical !== undefined || high !== undefined)
    p.maxOpenAgeDays = {
      ...(critical !== undefined ? { critical } : {}),
      ...(high !== undefined ? { high } : {}),
    };
  if (f.requireSignature) p.requireSignature = true;
  if (f.requireSbom) p.requireSbom = true;
  const hours = numberOrUndefined(f.maxScanAgeHours);
  if (hours !== undefined) p.maxScanAgeHours = hours;
  if (f.requireDast) p.requireDast = true;
  const count = numberOrUndefined(f.approvals);
  if (count !== undefined && count > 0) p.approvals = { count, roles: f.roles };
  return p;
}

// ---- chart -----------------------------------------------------------------------------------

export interface TrendPoint {
  day: string;
  open: number;
  fixed: number;
}

/** A round upper bound for the chart's y axis and its ticks. */
export function yScale(max: number): { top: number; ticks: number[] } {
  if (max <= 0) return { top: 1, ticks: [0, 1] };
  const magnitude = 10 ** Math.floor(Math.log10(max));
  // The smallest 1-2-5 step (whole numbers: these are counts) that needs at most five intervals.
  const step =
    [0.1, 0.2, 0.5, 1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= 1 && max / s <= 5) ??
    magnitude * 10;
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  return { top, ticks };
}

/** The chart's text alternative. */
export function trendSummary(points: TrendPoint[]): string {
  if (!points.length) return 'No data yet.';
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return (
    `From ${first.day} to ${last.day}: open findings went from ${first.open} to ${last.open}; ` +
    `fixed per day went from ${first.fixed} to ${last.fixed}.`
  );
}
