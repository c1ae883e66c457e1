/**
 * Notifications as HMAC-signed webhooks. Each delivery carries
 *   X-Rampart-Event: finding.new
 *   X-Rampart-Delivery: <job id>
 *   X-Rampart-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the webhook's secret>
 *   X-Rampart-Timestamp: <unix seconds>
 * so receivers can check origin and refuse replays. Delivery runs in the job queue: a failure (non-2xx,
 * timeout) is retried with back-off.
 */
import { createHmac } from 'node:crypto';
import type { ServerContext } from '../http/context.js';

export const NOTIFY_JOB = 'notify-scan';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function notifyScan(ctx: ServerContext, scanId: string, deliveryId: string): Promise<number> {
  const scan = await ctx.db.query<{
    project_id: string;
    branch: string;
    tool: string;
    summary: unknown;
    name: string;
  }>(
    `SELECT s.project_id, s.branch, s.tool, s.summary, p.name FROM scans s JOIN projects p ON p.id = s.project_id WHERE s.id = $1`,
    [scanId],
  );
  const s = scan.rows[0];
  if (!s) return 0;
  const findings = await ctx.db.query(
    `SELECT f.id, f.rule_id AS "ruleId", f.severity, f.title, f.state FROM findings f
     JOIN finding_events e ON e.finding_id = f.id
     WHERE e.scan_id = $1 AND e.to_state IN ('new', 'open') AND e.reason IN ('first-seen', 'reappeared')
       AND f.severity IN ('critical', 'high')
     ORDER BY f.id LIMIT 200`,
    [scanId],
  );
  if (!findings.rows.length) return 0;
  const body = JSON.stringify({
    event: 'finding.new',
    project: { id: s.project_id, name: s.name },
    scan: { id: scanId, branch: s.branch, tool: s.tool, summary: s.summary },
    findings: findings.rows,
  });
  return deliverWebhooks(ctx, 'finding.new', body, deliveryId);
}

export type WebhookEvent = 'finding.new' | 'deployment.decided';

/**
 * Sends `body` to every webhook subscribed to `event`, signed with each one's secret; throws on the
 * first failure so the job queue retries the delivery. Returns how many webhooks were called.
 */
export async function deliverWebhooks(
  ctx: ServerContext,
  event: WebhookEvent,
  body: string,
  deliveryId: string,
): Promise<number> {
  const hooks = await ctx.db.query<{ id: string; url: string; secret_enc: string }>(
    'SELECT id, url, secret_enc FROM webhooks WHERE $1 = ANY(events)',
    [event],
  );
  const timestamp = Math.floor(ctx.now().getTime() / 1000);
  for (const hook of hooks.rows) {
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-rampart-event': event,
        'x-rampart-delivery': `${deliveryId}:${hook.id}`,
        'x-rampart-timestamp': String(timestamp),
        'x-rampart-signature': signWebhook(ctx.keys.open(hook.secret_enc), timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(10_000),
      redirect: 'manual',
    });
    if (!res.ok) throw new Error(`webhook ${hook.id} answered ${res.status}`);
  }
  return hooks.rows.length;
}
