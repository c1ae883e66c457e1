/**
 * Keeps the overview's roll-ups (migration 004_stats) up to date, one project at a time, so a
 * refresh costs what that project's findings cost and the overview never counts the findings table.
 *
 * - A change (ingest, triage) calls `markStatsDirty` inside its own transaction: it appends a mark
 *   to stats_dirty and queues the `refresh-stats` job under the key `dirty:<generation>`, to run
 *   statsDebounceMs later (5 s by default), so a burst of changes shares one job and refreshes run at
 *   most about that often however busy ingestion is.
 * - That job first moves stats_generation on. The changes that queued it hold the generation row
 *   FOR SHARE until they commit, so the move waits for them and the job then sees all their marks;
 *   a change arriving later reads the next generation and queues a new job rather than being
 *   de-duplicated into the running one (which might have looked at the marks already).
 * - The job recomputes every marked project and deletes exactly the marks it saw.
 * - The periodic full refresh (key 'all') recomputes every project: SLA breaches and the trend's
 *   current day move with the clock even when nothing changes.
 */
import type { Queryable } from '../db/types.js';
import type { ServerContext } from '../http/context.js';
import type { JobQueue } from '../jobs/types.js';

export const STATS_JOB = 'refresh-stats';
/**
 * How long the on-change refresh waits for more changes to share it (settings.statsDebounceMs):
 * under sustained ingestion each refresh recomputes the changed projects, so a longer wait bounds
 * its cost (1 s cost about half the ingest throughput in bench/ingest; 5 s is the default).
 */
export const STATS_DEBOUNCE_MS = 5000;
/** Days of the open-vs-fixed trend (today included). */
export const TREND_DAYS = 30;
/** Lifecycle stages of the overview, in display order; a scanner outside the list counts as 'other'. */
export const STAGES = ['secret', 'deps', 'misconfig', 'sast', 'image', 'policy', 'dast', 'other'] as const;
export type Stage = (typeof STAGES)[number];

export interface StatsJobPayload {
  scope: 'dirty' | 'all';
}

const STAGE_OF_SCANNER = `CASE WHEN scanner IN (${STAGES.filter((s) => s !== 'other')
  .map((s) => `'${s}'`)
  .join(', ')}) THEN scanner ELSE 'other' END`;

const OPEN_STATES = "('new', 'open')";

/**
 * $1 project, $2 now: one pass over the project's findings grouped by stage × severity × state,
 * written as the open findings per stage × severity (finding_stats) and the project's totals
 * (project_stats, stamped $2).
 */
const WRITE_COUNTS = `
WITH g AS (
  SELECT ${STAGE_OF_SCANNER} AS stage, severity, state IN ${OPEN_STATES} AS is_open, state, count(*)::int AS n,
    (count(*) FILTER (WHERE state IN ${OPEN_STATES} AND sla_due_at < $2::timestamptz))::int AS breaches
  FROM findings WHERE project_id = $1::uuid
  GROUP BY 1, 2, 3, 4
), per_stage AS (
  INSERT INTO finding_stats (project_id, stage, severity, open, sla_breaches)
  SELECT $1::uuid, stage, severity, sum(n), sum(breaches) FROM g WHERE is_open GROUP BY stage, severity
)
INSERT INTO project_stats (project_id, open, fixed, dismissed, risk_accepted, sla_breaches, critical, high, refreshed_at)
SELECT $1::uuid,
  coalesce(sum(n) FILTER (WHERE is_open), 0),
  coalesce(sum(n) FILTER (WHERE state = 'fixed'), 0),
  coalesce(sum(n) FILTER (WHERE state = 'dismissed'), 0),
  coalesce(sum(n) FILTER (WHERE state = 'risk-accepted'), 0),
  coalesce(sum(breaches), 0),
  coalesce(sum(n) FILTER (WHERE is_open AND severity = 'critical'), 0),
  coalesce(sum(n) FILTER (WHERE is_open AND severity = 'high'), 0),
  $2::timestamptz
FROM g
ON CONFLICT (project_id) DO UPDATE SET open = EXCLUDED.open, fixed = EXCLUDED.fixed, dismissed = EXCLUDED.dismissed,
  risk_accepted = EXCLUDED.risk_accepted, sla_breaches = EXCLUDED.sla_breaches, critical = EXCLUDED.critical,
  high = EXCLUDED.high, refreshed_at = EXCLUDED.refreshed_at`;

/**
 * $1 project, $2 now, $3 days: per UTC day of the window, findings open at the end of the day
 * (first seen by then and not yet closed), opened and fixed that day. A finding is closed when it is
 * fixed (fixed_at), dismissed or risk-accepted (state_at) — from its current row, so a finding fixed
 * and reopened since counts as open throughout. Everything before the window is folded into the day
 * before it, so the running sum starts from the right backlog. Days with nothing to show are not stored.
 */
const INSERT_TREND = `
INSERT INTO finding_trend_daily (project_id, day, open_total, opened, fixed)
WITH bounds AS (
  SELECT ($2::timestamptz AT TIME ZONE 'UTC')::date AS today,
    ($2::timestamptz AT TIME ZONE 'UTC')::date - $3::int AS before
), f AS (
  SELECT greatest((first_seen_at AT TIME ZONE 'UTC')::date, b.before) AS opened_day,
    CASE WHEN state IN ('fixed', 'dismissed', 'risk-accepted') THEN greatest(
      (coalesce(CASE WHEN state = 'fixed' THEN fixed_at END, state_at, last_seen_at) AT TIME ZONE 'UTC')::date,
      b.before)
    END AS closed_day,
    state = 'fixed' AS is_fixed
  FROM findings, bounds b WHERE project_id = $1::uuid
), daily AS (
  SELECT day, sum(opened)::int AS opened, sum(closed)::int AS closed, sum(fixed)::int AS fixed
  FROM (
    SELECT opened_day AS day, 1 AS opened, 0 AS closed, 0 AS fixed FROM f
    UNION ALL
    SELECT closed_day, 0, 1, CASE WHEN is_fixed THEN 1 ELSE 0 END FROM f WHERE closed_day IS NOT NULL
  ) AS events
  GROUP BY day
), series AS (
  SELECT d::date AS day, coalesce(x.opened, 0) AS opened, coalesce(x.fixed, 0) AS fixed,
    sum(coalesce(x.opened, 0) - coalesce(x.closed, 0)) OVER (ORDER BY d) AS open_total
  FROM bounds b CROSS JOIN generate_series(b.before, b.today, interval '1 day') AS d
  LEFT JOIN daily x ON x.day = d::date
)
SELECT $1::uuid, s.day, s.open_total, s.opened, s.fixed FROM series s, bounds b
WHERE s.day > b.before AND (s.open_total <> 0 OR s.opened <> 0 OR s.fixed <> 0)`;

/** $1 project: open findings per artifact of the project. */
const INSERT_ARTIFACT_STATS = `
INSERT INTO artifact_stats (artifact_id, project_id, critical, high, open)
SELECT f.artifact_id, $1::uuid,
  (count(*) FILTER (WHERE f.severity = 'critical'))::int,
  (count(*) FILTER (WHERE f.severity = 'high'))::int,
  count(*)::int
FROM findings f JOIN artifacts a ON a.id = f.artifact_id AND a.project_id = $1::uuid
WHERE f.project_id = $1::uuid AND f.state IN ${OPEN_STATES}
GROUP BY f.artifact_id`;

/**
 * Marks `projectId`'s roll-ups stale and queues their refresh, inside the caller's transaction
 * (call it last, after the audit entry: the queued job is shared by every writer).
 */
export async function markStatsDirty(ctx: ServerContext, tx: Queryable, projectId: string): Promise<void> {
  await tx.query('INSERT INTO stats_dirty (project_id) VALUES ($1)', [projectId]);
  const g = await tx.query<{ generation: string }>(
    'SELECT generation FROM stats_generation WHERE id = 1 FOR SHARE',
  );
  await ctx.queue.enqueue<StatsJobPayload>(
    STATS_JOB,
    { scope: 'dirty' },
    // Wall-clock time: the job queue's, not the domain clock ctx.now() (which tests move by days).
    {
      tx,
      key: `dirty:${g.rows[0]?.generation ?? 0}`,
      runAt: new Date(Date.now() + (ctx.settings.statsDebounceMs ?? STATS_DEBOUNCE_MS)),
    },
  );
}

/** Recomputes one project's roll-ups in one transaction; false when the project no longer exists. */
export async function refreshProjectStats(ctx: ServerContext, projectId: string): Promise<boolean> {
  const now = ctx.now().toISOString();
  return ctx.db.transaction(async (tx) => {
    // Two refreshers (periodic and on-change, or two workers) of one project take turns.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`stats:${projectId}`]);
    const marks = await tx.query<{ id: string }>('SELECT id FROM stats_dirty WHERE project_id = $1', [
      projectId,
    ]);
    const exists = await tx.query('SELECT 1 FROM projects WHERE id = $1', [projectId]);
    if (exists.rows.length) {
      await tx.query('DELETE FROM finding_stats WHERE project_id = $1', [projectId]);
      await tx.query(WRITE_COUNTS, [projectId, now]);
      await tx.query('DELETE FROM finding_trend_daily WHERE project_id = $1', [projectId]);
      await tx.query(INSERT_TREND, [projectId, now, TREND_DAYS]);
      await tx.query('DELETE FROM artifact_stats WHERE project_id = $1', [projectId]);
      await tx.query(INSERT_ARTIFACT_STATS, [projectId]);
    }
    // Exactly the marks seen: a mark committed meanwhile stays for the next pass.
    if (marks.rows.length)
      await tx.query('DELETE FROM stats_dirty WHERE id = ANY($1::bigint[])', [marks.rows.map((m) => m.id)]);
    return exists.rows.length > 0;
  });
}

/**
 * The on-change job: moves to the next generation (waiting for the changes that queued this job to
 * commit), then refreshes every marked project; the number refreshed.
 */
export async function refreshDirtyStats(ctx: ServerContext): Promise<number> {
  await ctx.db.query('UPDATE stats_generation SET generation = generation + 1 WHERE id = 1');
  const r = await ctx.db.query<{ project_id: string }>(
    'SELECT DISTINCT project_id FROM stats_dirty ORDER BY project_id',
  );
  let refreshed = 0;
  for (const row of r.rows) if (await refreshProjectStats(ctx, row.project_id)) refreshed++;
  return refreshed;
}

/** Refreshes every project (periodic: SLA breaches and the trend's days move with the clock). */
export async function refreshAllStats(ctx: ServerContext): Promise<number> {
  const r = await ctx.db.query<{ id: string }>('SELECT id FROM projects ORDER BY id');
  let refreshed = 0;
  for (const row of r.rows) if (await refreshProjectStats(ctx, row.id)) refreshed++;
  return refreshed;
}

/** The job handler (server with in-process workers, or `rampart worker`). */
export function registerStatsJobs(ctx: ServerContext, queue: JobQueue): void {
  queue.work<StatsJobPayload>(
    STATS_JOB,
    async (payload) => {
      if (payload?.scope === 'all') await refreshAllStats(ctx);
      else await refreshDirtyStats(ctx);
    },
    // A full refresh and an on-change refresh may run side by side (per-project lock).
    { concurrency: 2 },
  );
}

/**
 * Queues a full refresh now and every `everyMs` (0: never); the returned function stops it. Only
 * queues (one queued full refresh at most), so it may run in a server whose jobs run elsewhere.
 */
export function scheduleStatsRefresh(
  queue: JobQueue,
  everyMs: number,
  onError: (err: unknown) => void,
): () => void {
  if (everyMs <= 0) return () => undefined;
  const tick = () =>
    void queue.enqueue<StatsJobPayload>(STATS_JOB, { scope: 'all' }, { key: 'all' }).catch(onError);
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
