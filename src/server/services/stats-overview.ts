/**
 * The dashboard overview, read from the roll-ups of stats-refresh.ts (a few thousand rows at most,
 * never the findings table), over the projects the caller can see.
 */
import { SEVERITIES, type Severity } from '../../core/severity.js';
import { roleSeesAllProjects, type Principal } from '../authz/roles.js';
import type { Db } from '../db/types.js';
import { STAGES, TREND_DAYS, type Stage } from './stats-refresh.js';

/** Which projects a caller's numbers cover: every project, or these. */
export type Visibility = { all: true } | { all: false; projectIds: readonly string[] };

export interface Overview {
  /** When the oldest roll-up counted was computed (the numbers are at least this fresh). */
  generatedAt: string;
  /** A change to a counted project is waiting for its refresh (the numbers will move soon). */
  refreshPending: boolean;
  totals: { open: number; fixed: number; dismissed: number; riskAccepted: number; slaBreaches: number };
  /** Open findings (new or open) per stage and severity; every stage listed, in STAGES order. */
  bySeverityAndStage: ({ stage: Stage } & Record<Severity, number>)[];
  /** The last TREND_DAYS UTC days, oldest first: open at the end of the day, fixed that day. */
  trend: { day: string; open: number; fixed: number }[];
  /** Ten at most, riskiest first: open critical, then high, then SLA breaches, then open. */
  topProjects: {
    id: string;
    name: string;
    critical: number;
    high: number;
    open: number;
    slaBreaches: number;
  }[];
  /** Ten at most, riskiest first: open critical, then high, then open. */
  topArtifacts: {
    id: string;
    projectId: string;
    name: string;
    digest: string;
    critical: number;
    high: number;
  }[];
}

/** Admins and security admins see every project; other users their memberships; tokens their project. */
export function visibleProjects(principal: Principal): Visibility {
  if (principal.kind === 'user')
    return roleSeesAllProjects(principal.role)
      ? { all: true }
      : { all: false, projectIds: [...principal.projects] };
  if (!principal.permissions.has('project:read')) return { all: false, projectIds: [] };
  return principal.projectId === undefined
    ? { all: true }
    : { all: false, projectIds: [principal.projectId] };
}

const DAY_MS = 86_400_000;

/** The window's days as YYYY-MM-DD (UTC), oldest first, ending on `now`'s day. */
export function trendDays(now: Date, days = TREND_DAYS): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) =>
    new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

export async function readOverview(db: Db, vis: Visibility, now: Date): Promise<Overview> {
  // Two texts rather than `$1 OR project_id = ANY($2)`: each gets the plan that suits it.
  const where = (column: string) => (vis.all ? 'true' : `${column} = ANY($1::uuid[])`);
  const params = vis.all ? [] : [vis.projectIds];
  const days = trendDays(now);
  const [summary, cells, trend, projects, artifacts] = await Promise.all([
    db.query<Overview['totals'] & { oldest: Date | null; pending: boolean }>(
      `SELECT coalesce(sum(open), 0)::int AS open, coalesce(sum(fixed), 0)::int AS fixed,
         coalesce(sum(dismissed), 0)::int AS dismissed, coalesce(sum(risk_accepted), 0)::int AS "riskAccepted",
         coalesce(sum(sla_breaches), 0)::int AS "slaBreaches", min(refreshed_at) AS oldest,
         EXISTS (SELECT 1 FROM stats_dirty WHERE ${where('project_id')}) AS pending
       FROM project_stats WHERE ${where('project_id')}`,
      params,
    ),
    db.query<{ stage: Stage; severity: Severity; n: number }>(
      `SELECT stage, severity, sum(open)::int AS n FROM finding_stats WHERE ${where('project_id')}
       GROUP BY stage, severity`,
      params,
    ),
    db.query<{ day: string; open: number; fixed: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(open_total)::int AS open, sum(fixed)::int AS fixed
       FROM finding_trend_daily WHERE ${where('project_id')} AND day >= $${params.length + 1}::date
       GROUP BY day ORDER BY day`,
      [...params, days[0]],
    ),
    db.query<Overview['topProjects'][number]>(
      `SELECT p.id, p.name, s.critical, s.high, s.open, s.sla_breaches AS "slaBreaches"
       FROM project_stats s JOIN projects p ON p.id = s.project_id
       WHERE s.open > 0 AND ${where('s.project_id')}
       ORDER BY s.critical DESC, s.high DESC, s.sla_breaches DESC, s.open DESC, p.name, p.id
       LIMIT 10`,
      params,
    ),
    db.query<Overview['topArtifacts'][number]>(
      `SELECT a.id, a.project_id AS "projectId", a.name, a.digest, s.critical, s.high
       FROM artifact_stats s JOIN artifacts a ON a.id = s.artifact_id
       WHERE ${where('s.project_id')}
       ORDER BY s.critical DESC, s.high DESC, s.open DESC, a.name, a.id
       LIMIT 10`,
      params,
    ),
  ]);

  const { oldest, pending, ...totals } = summary.rows[0]!;
  const matrix = new Map<Stage, Record<Severity, number>>(
    STAGES.map((s) => [s, Object.fromEntries(SEVERITIES.map((v) => [v, 0])) as Record<Severity, number>]),
  );
  for (const c of cells.rows) {
    const row = matrix.get(c.stage);
    if (row && c.severity in row) row[c.severity] += c.n;
  }
  const byDay = new Map(trend.rows.map((r) => [r.day, r]));
  return {
    generatedAt: (oldest ?? now).toISOString(),
    refreshPending: pending,
    totals,
    bySeverityAndStage: STAGES.map((stage) => ({ stage, ...matrix.get(stage)! })),
    trend: days.map((day) => ({ day, open: byDay.get(day)?.open ?? 0, fixed: byDay.get(day)?.fixed ?? 0 })),
    topProjects: projects.rows,
    topArtifacts: artifacts.rows,
  };
}
