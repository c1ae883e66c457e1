/**
 * The `deployment.decided` webhook: sent (through the job queue, retried with back-off) when a
 * deployment becomes approved or rejected, signed like every Rampart webhook (see notify.ts).
 */
import type { ServerContext } from '../http/context.js';
import type { JobQueue } from '../jobs/types.js';
import { DEPLOYMENT_DECIDED_JOB, loadDeployment } from './gates.js';
import { deliverWebhooks } from './notify.js';

export async function notifyDeployment(
  ctx: ServerContext,
  deploymentId: string,
  deliveryId: string,
): Promise<number> {
  const d = await loadDeployment(ctx.db, deploymentId);
  if (!d || d.status === 'pending-approval') return 0;
  const body = JSON.stringify({
    event: 'deployment.decided',
    deployment: {
      id: d.id,
      project: { id: d.projectId, name: d.projectName },
      environment: d.environment,
      artifact: d.artifact,
      status: d.status,
      gates: d.gates,
      approvals: d.approvals,
      requestedBy: d.requestedBy,
      decidedAt: d.decidedAt,
    },
  });
  return deliverWebhooks(ctx, 'deployment.decided', body, deliveryId);
}

/** Registers the `deployment.decided` delivery job (server with in-process workers, `rampart worker`). */
export function registerDeploymentJobs(ctx: ServerContext, queue: JobQueue): void {
  queue.work<{ deploymentId: string }>(DEPLOYMENT_DECIDED_JOB, async ({ deploymentId }, job) => {
    await notifyDeployment(ctx, deploymentId, job.id);
  });
}
