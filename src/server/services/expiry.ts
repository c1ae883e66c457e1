/**
 * Risk acceptances end on their date even when no scan comes: a periodic job reopens every finding
 * whose acceptance has run out, records the transition in its history and the audit trail, and marks
 * the overview stale. (A scan of the stream reopens it too, through the lifecycle's reconcile.)
 */
import type { ServerContext } from '../http/context.js';
import type { JobQueue } from '../jobs/types.js';
import { audit } from './audit-log.js';
import { markStatsDirty } from './stats-refresh.js';

export const EXPIRY_JOB = 'expire-risk-acceptances';
const ACTOR = 'system:risk-acceptance-expiry';

/** Reopens the findings whose risk acceptance ended by `ctx.now()`; returns how many. */
export async function expireRiskAcceptances(ctx: ServerContext): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now().toISOString();
    const r = await tx.query<{ id: string; project_id: string }>(
      `UPDATE findings SET state = 'open', state_at = $1, state_by = $2, accepted_until = NULL
       WHERE state = 'risk-accepted' AND accepted_until <= $1 RETURNING id, project_id`,
      [now, ACTOR],
    );
    if (!r.rows.length) return 0;
    const ids = r.rows.map((row) => row.id);
    await tx.query(
      `INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, reason)
       SELECT id, $2, $3, 'risk-accepted', 'open', 'risk-acceptance-expired' FROM unnest($1::bigint[]) AS id`,
      [ids, now, ACTOR],
    );
    await audit(ctx, tx, {
      actor: ACTOR,
      action: 'finding.risk-acceptance-expired',
      target: 'findings',
      details: { count: ids.length, findingIds: ids.slice(0, 100) },
    });
    // Last, after the audit entry (see markStatsDirty).
    for (const projectId of new Set(r.rows.map((row) => row.project_id)))
      await markStatsDirty(ctx, tx, projectId);
    return ids.length;
  });
}

/** Queues the expiry job now and every `everyMs` (wherever workers run, one job at a time). */
export function scheduleExpiry(
  queue: JobQueue,
  everyMs: number,
  onError: (err: unknown) => void,
): () => void {
  if (everyMs <= 0) return () => undefined;
  const tick = () => void queue.enqueue(EXPIRY_JOB, {}, { key: 'expiry' }).catch(onError);
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
