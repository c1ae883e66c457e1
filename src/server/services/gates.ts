/**
 * Deployments through an environment's gates: a request evaluates the policy gates over the facts
 * the server holds about the artifact, then waits for the approvals the environment requires. Every
 * status transition is kept (deployment_events) and every request and decision is audited in the
 * same transaction.
 *
 *   request ──gates fail──────────────────────────────▶ rejected
 *           ──gates pass, no approval needed──────────▶ approved
 *           ──gates pass──▶ pending-approval ──N approvals──▶ approved
 *                                            ──one reject───▶ rejected
 *                                            ──newer request for the same project+environment──▶ rejected
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../authz/roles.js';
import type { Queryable } from '../db/types.js';
import type { ServerContext } from '../http/context.js';
import { HttpError } from '../http/errors.js';
import { audit } from './audit-log.js';
import { assembleFacts } from './gates-facts.js';
import { approvalRule, type Protection } from './gates-protection.js';
import { evaluateGates, type GateFacts, type GateResult } from './gates-rules.js';

export type DeploymentStatus = 'pending-approval' | 'approved' | 'rejected';
export type Decision = 'approve' | 'reject';

export const DEPLOYMENT_DECIDED_JOB = 'notify-deployment';

export interface DecisionView {
  by: string;
  role: string;
  decision: Decision;
  comment: string;
  at: string;
}

export interface DeploymentView {
  id: string;
  projectId: string;
  projectName: string;
  environment: string;
  /** `<name>@sha256:<hex>` as requested. */
  artifact: string;
  artifactId: string | null;
  branch: string | null;
  status: DeploymentStatus;
  gates: GateResult[];
  facts: GateFacts;
  approvals: { required: number; received: number; roles: string[]; decisions: DecisionView[] };
  requestedBy: string;
  createdAt: string;
  decidedAt: string | null;
}

interface DeploymentRow {
  id: string;
  project_id: string;
  project_name: string;
  environment: string;
  artifact_id: string | null;
  artifact_name: string;
  artifact_digest: string;
  branch: string | null;
  status: DeploymentStatus;
  gates: GateResult[];
  facts: GateFacts;
  approvals_required: number;
  approver_roles: string[];
  requested_by: string;
  requester_user_id: string | null;
  created_at: Date;
  decided_at: Date | null;
}

interface DecisionRow {
  deployment_id: string;
  actor: string;
  role: string;
  decision: Decision;
  comment: string;
  at: Date;
}

const SELECT_DEPLOYMENT = `SELECT d.*, p.name AS project_name, e.name AS environment
  FROM deployments d JOIN projects p ON p.id = d.project_id JOIN environments e ON e.id = d.environment_id`;

/** `name@sha256:<64 hex>` → parts; the name is everything before the last `@`. */
export function parseArtifactRef(ref: string): { name: string; digest: string } | undefined {
  const m = /^(.+)@(sha256:[0-9a-f]{64})$/.exec(ref.trim());
  if (!m || /\s/.test(m[1]!)) return undefined;
  return { name: m[1]!, digest: m[2]! };
}

function toView(row: DeploymentRow, decisions: DecisionRow[]): DeploymentView {
  const mine = decisions.filter((d) => d.deployment_id === row.id);
  return {
    id: row.id,
    projectId: row.project_id,
    projectName: row.project_name,
    environment: row.environment,
    artifact: `${row.artifact_name}@${row.artifact_digest}`,
    artifactId: row.artifact_id,
    branch: row.branch,
    status: row.status,
    gates: row.gates,
    facts: row.facts,
    approvals: {
      required: row.approvals_required,
      received: mine.filter((d) => d.decision === 'approve').length,
      roles: row.approver_roles,
      decisions: mine.map((d) => ({
        by: d.actor,
        role: d.role,
        decision: d.decision,
        comment: d.comment,
        at: d.at.toISOString(),
      })),
    },
    requestedBy: row.requested_by,
    createdAt: row.created_at.toISOString(),
    decidedAt: row.decided_at ? row.decided_at.toISOString() : null,
  };
}

async function views(q: Queryable, rows: DeploymentRow[]): Promise<DeploymentView[]> {
  if (!rows.length) return [];
  const decisions = await q.query<DecisionRow>(
    'SELECT deployment_id, actor, role, decision, comment, at FROM deployment_decisions WHERE deployment_id = ANY($1::uuid[]) ORDER BY at, actor',
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => toView(r, decisions.rows));
}

export async function loadDeployment(q: Queryable, id: string): Promise<DeploymentView | undefined> {
  const r = await q.query<DeploymentRow>(`${SELECT_DEPLOYMENT} WHERE d.id = $1`, [id]);
  return r.rows[0] ? (await views(q, r.rows))[0] : undefined;
}

/** Only the project a deployment belongs to (for the access check before anything else is read). */
export async function deploymentProject(q: Queryable, id: string): Promise<string | undefined> {
  const r = await q.query<{ project_id: string }>('SELECT project_id FROM deployments WHERE id = $1', [id]);
  return r.rows[0]?.project_id;
}

async function recordTransition(
  q: Queryable,
  e: {
    id: string;
    at: Date;
    actor: string;
    from: DeploymentStatus | null;
    to: DeploymentStatus;
    reason: string;
  },
): Promise<void> {
  await q.query(
    'INSERT INTO deployment_events (deployment_id, at, actor, from_status, to_status, reason) VALUES ($1, $2, $3, $4, $5, $6)',
    [e.id, e.at, e.actor, e.from, e.to, e.reason],
  );
}

/** Queues the `deployment.decided` webhook when some webhook listens for it. */
async function announceDecision(ctx: ServerContext, tx: Queryable, id: string): Promise<void> {
  const hooks = await tx.query("SELECT 1 FROM webhooks WHERE 'deployment.decided' = ANY(events) LIMIT 1");
  if (hooks.rows.length)
    await ctx.queue.enqueue(DEPLOYMENT_DECIDED_JOB, { deploymentId: id }, { tx, key: id });
}

export interface DeploymentRequest {
  projectId: string;
  environment: string;
  artifact: string;
  branch?: string;
}

function requestSummary(status: DeploymentStatus, gates: GateResult[], required: number): string {
  const failed = gates.filter((g) => !g.passed);
  if (failed.length) return `gates failed: ${failed.map((g) => `${g.name} (${g.reason})`).join('; ')}`;
  return status === 'approved'
    ? 'all gates passed; no approval required'
    : `all gates passed; waiting for ${required} approval${required === 1 ? '' : 's'}`;
}

export async function requestDeployment(
  ctx: ServerContext,
  principal: Principal,
  req: DeploymentRequest,
): Promise<DeploymentView> {
  const ref = parseArtifactRef(req.artifact);
  if (!ref) throw new HttpError(400, 'artifact must be <name>@sha256:<64 hex digits>');
  const id = randomUUID();
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const project = await tx.query<{ name: string; org_id: string }>(
      'SELECT name, org_id FROM projects WHERE id = $1',
      [req.projectId],
    );
    const p = project.rows[0];
    if (!p) throw new HttpError(404, 'project not found');
    const env = await tx.query<{ id: string; protection: Protection }>(
      'SELECT id, protection FROM environments WHERE org_id = $1 AND name = $2',
      [p.org_id, req.environment],
    );
    const e = env.rows[0];
    if (!e)
      throw new HttpError(
        404,
        `environment ${req.environment} is not configured (an admin defines it with PUT /api/v1/environments/${req.environment})`,
      );
    const { facts, artifactId } = await assembleFacts(tx, {
      projectId: req.projectId,
      name: ref.name,
      digest: ref.digest,
      branch: req.branch,
      protection: e.protection,
      now,
    });
    const gates = evaluateGates(e.protection, facts, p.name);
    const rule = approvalRule(e.protection);
    const status: DeploymentStatus = gates.some((g) => !g.passed)
      ? 'rejected'
      : rule.required > 0
        ? 'pending-approval'
        : 'approved';

    const superseded = await tx.query<{ id: string }>(
      `UPDATE deployments SET status = 'rejected', decided_at = $3
       WHERE project_id = $1 AND environment_id = $2 AND status = 'pending-approval' RETURNING id`,
      [req.projectId, e.id, now],
    );
    await tx.query(
      `INSERT INTO deployments (id, project_id, environment_id, artifact_id, artifact_name, artifact_digest, branch,
         status, gates, facts, approvals_required, approver_roles, requested_by, requester_user_id, created_at, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        id,
        req.projectId,
        e.id,
        artifactId,
        ref.name,
        ref.digest,
        facts.stream.branch,
        status,
        JSON.stringify(gates),
        JSON.stringify(facts),
        rule.required,
        rule.roles,
        principal.label,
        principal.userId ?? null,
        now,
        status === 'pending-approval' ? null : now,
      ],
    );
    for (const old of superseded.rows)
      await recordTransition(tx, {
        id: old.id,
        at: now,
        actor: principal.label,
        from: 'pending-approval',
        to: 'rejected',
        reason: `superseded by deployment ${id}`,
      });
    const reason = requestSummary(status, gates, rule.required);
    await recordTransition(tx, { id, at: now, actor: principal.label, from: null, to: status, reason });
    await audit(ctx, tx, {
      actor: principal.label,
      action: 'deployment.request',
      target: `deployment:${id}`,
      details: {
        projectId: req.projectId,
        environment: req.environment,
        artifact: `${ref.name}@${ref.digest}`,
        branch: facts.stream.branch,
        status,
        gates,
        approvals: { required: rule.required, roles: rule.roles },
        ...(superseded.rows.length ? { superseded: superseded.rows.map((r) => r.id) } : {}),
      },
    });
    if (status !== 'pending-approval') await announceDecision(ctx, tx, id);
  });
  return (await loadDeployment(ctx.db, id))!;
}

/** Why `principal` may not decide on this deployment, or undefined. Pure. */
export function decisionRefusal(
  d: Pick<DeploymentRow, 'status' | 'approver_roles' | 'requested_by' | 'requester_user_id' | 'environment'>,
  principal: Principal,
): { status: 403 | 409; reason: string } | undefined {
  if (principal.kind !== 'user')
    return { status: 403, reason: 'deployments are approved or rejected by a signed-in person, not a token' };
  if (
    principal.label === d.requested_by ||
    (d.requester_user_id !== null && principal.userId === d.requester_user_id)
  )
    return { status: 403, reason: 'the person who requested a deployment cannot approve or reject it' };
  if (!d.approver_roles.includes(principal.role))
    return {
      status: 403,
      reason: `approvals for ${d.environment} need one of the roles ${d.approver_roles.join(', ')} (you are ${principal.role})`,
    };
  if (d.status !== 'pending-approval')
    return { status: 409, reason: `the deployment is already ${d.status}` };
  return undefined;
}

export async function decideDeployment(
  ctx: ServerContext,
  principal: Principal,
  id: string,
  decision: Decision,
  comment: string,
): Promise<DeploymentView> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM deployments WHERE id = $1 FOR UPDATE', [id]);
    const r = await tx.query<DeploymentRow>(`${SELECT_DEPLOYMENT} WHERE d.id = $1`, [id]);
    const d = r.rows[0];
    if (!d) throw new HttpError(404, 'deployment not found');
    const refusal = decisionRefusal(d, principal);
    if (refusal) throw new HttpError(refusal.status, refusal.reason);
    const user = principal as Extract<Principal, { kind: 'user' }>;
    const inserted = await tx.query(
      `INSERT INTO deployment_decisions (deployment_id, user_id, actor, role, decision, comment, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (deployment_id, user_id) DO NOTHING`,
      [id, user.userId, user.label, user.role, decision, comment, now],
    );
    if (inserted.rowCount === 0) throw new HttpError(409, 'you already decided on this deployment');
    const approvals = await tx.query<{ n: string }>(
      "SELECT count(*) AS n FROM deployment_decisions WHERE deployment_id = $1 AND decision = 'approve'",
      [id],
    );
    const received = Number(approvals.rows[0]!.n);
    const next: DeploymentStatus =
      decision === 'reject' ? 'rejected' : received >= d.approvals_required ? 'approved' : 'pending-approval';
    if (next !== d.status) {
      await tx.query('UPDATE deployments SET status = $2, decided_at = $3 WHERE id = $1', [id, next, now]);
      await recordTransition(tx, {
        id,
        at: now,
        actor: user.label,
        from: d.status,
        to: next,
        reason:
          decision === 'reject'
            ? `rejected by ${user.label}${comment ? `: ${comment}` : ''}`
            : `${received} of ${d.approvals_required} approvals received`,
      });
      if (next !== 'pending-approval') await announceDecision(ctx, tx, id);
    }
    await audit(ctx, tx, {
      actor: user.label,
      action: decision === 'approve' ? 'deployment.approve' : 'deployment.reject',
      target: `deployment:${id}`,
      details: {
        projectId: d.project_id,
        environment: d.environment,
        artifact: `${d.artifact_name}@${d.artifact_digest}`,
        role: user.role,
        comment,
        status: next,
        approvals: { required: d.approvals_required, received },
      },
    });
  });
  return (await loadDeployment(ctx.db, id))!;
}

/** Which projects a caller sees: all, or these ids. */
export interface Visibility {
  all: boolean;
  ids: string[];
}

export interface ListFilter {
  status?: DeploymentStatus;
  environment?: string;
  projectId?: string;
  limit: number;
  offset: number;
}

export async function listDeployments(
  q: Queryable,
  vis: Visibility,
  f: ListFilter,
): Promise<DeploymentView[]> {
  const r = await q.query<DeploymentRow>(
    `${SELECT_DEPLOYMENT}
     WHERE ($1 OR d.project_id = ANY($2::uuid[])) AND ($3::text IS NULL OR d.status = $3)
       AND ($4::text IS NULL OR e.name = $4) AND ($5::uuid IS NULL OR d.project_id = $5)
     ORDER BY d.created_at DESC, d.id LIMIT $6 OFFSET $7`,
    [vis.all, vis.ids, f.status ?? null, f.environment ?? null, f.projectId ?? null, f.limit, f.offset],
  );
  return views(q, r.rows);
}

/** What runs where: the latest approved deployment of every visible project in the environment. */
export async function runningIn(
  q: Queryable,
  vis: Visibility,
  environment: string,
): Promise<DeploymentView[]> {
  const r = await q.query<DeploymentRow>(
    `SELECT * FROM (
       SELECT DISTINCT ON (d.project_id) d.*, p.name AS project_name, e.name AS environment
       FROM deployments d JOIN projects p ON p.id = d.project_id JOIN environments e ON e.id = d.environment_id
       WHERE e.name = $1 AND d.status = 'approved' AND ($2 OR d.project_id = ANY($3::uuid[]))
       ORDER BY d.project_id, d.decided_at DESC, d.created_at DESC
     ) latest ORDER BY project_name`,
    [environment, vis.all, vis.ids],
  );
  return views(q, r.rows);
}
