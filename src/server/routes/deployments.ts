/**
 * Environments with their protection rules, deployments through the gates (`rampart gate`),
 * approvals, and what runs where. See docs/gates.md.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authorize, roleSeesAllProjects, type Principal } from '../authz/roles.js';
import { assertProjectAccess } from '../http/app.js';
import type { ServerContext } from '../http/context.js';
import { HttpError } from '../http/errors.js';
import { audit } from '../services/audit-log.js';
import {
  decideDeployment,
  deploymentProject,
  listDeployments,
  loadDeployment,
  requestDeployment,
  runningIn,
  type Decision,
  type DeploymentStatus,
  type Visibility,
} from '../services/gates.js';
import { protectionProblem, protectionSchema, type Protection } from '../services/gates-protection.js';
import { defaultOrgId } from '../services/orgs.js';

const uuid = { type: 'string', format: 'uuid' } as const;
const envName = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' } as const;
const STATUSES = ['pending-approval', 'approved', 'rejected'] as const;
const deploymentParams = {
  type: 'object',
  required: ['deploymentId'],
  properties: { deploymentId: uuid },
} as const;

/** The projects whose deployments the caller sees. */
export function visibility(p: Principal): Visibility {
  if (p.kind === 'user') return { all: roleSeesAllProjects(p.role), ids: [...p.projects] };
  if (p.projectId !== undefined) {
    const ok =
      authorize(p, 'project:read', p.projectId).allow ||
      authorize(p, 'deployments:request', p.projectId).allow;
    return { all: false, ids: ok ? [p.projectId] : [] };
  }
  return { all: authorize(p, 'project:read').allow, ids: [] };
}

/** Readers of a deployment: project readers, and the pipeline that requested it (deployments:request). */
function assertCanRead(req: FastifyRequest, projectId: string): void {
  const read = authorize(req.principal, 'project:read', projectId);
  if (read.allow || authorize(req.principal, 'deployments:request', projectId).allow) return;
  throw new HttpError(read.status, read.reason);
}

export async function deploymentRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // ---- environments ------------------------------------------------------------------------------
  app.get(
    '/api/v1/environments',
    { config: { access: 'authenticated' }, schema: { tags: ['deployments'] } },
    async () => {
      const r = await ctx.db.query(
        'SELECT id, org_id AS "orgId", name, protection FROM environments ORDER BY name, org_id',
      );
      return { environments: r.rows };
    },
  );

  app.put<{ Params: { name: string }; Body: { protection: Protection; orgId?: string } }>(
    '/api/v1/environments/:name',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags: ['deployments'],
        summary: 'Create or replace an environment’s protection rules',
        params: { type: 'object', required: ['name'], properties: { name: envName } },
        body: {
          type: 'object',
          required: ['protection'],
          additionalProperties: false,
          properties: { protection: protectionSchema, orgId: uuid },
        },
      },
    },
    async (req) => {
      const problem = protectionProblem(req.body.protection);
      if (problem) throw new HttpError(400, problem);
      return ctx.db.transaction(async (tx) => {
        const orgId = req.body.orgId ?? (await defaultOrgId(tx));
        const org = await tx.query('SELECT 1 FROM orgs WHERE id = $1', [orgId]);
        if (!org.rows.length) throw new HttpError(404, 'organisation not found');
        const r = await tx.query<{ id: string }>(
          `INSERT INTO environments (org_id, name, protection) VALUES ($1, $2, $3)
           ON CONFLICT (org_id, name) DO UPDATE SET protection = EXCLUDED.protection RETURNING id`,
          [orgId, req.params.name, req.body.protection],
        );
        const id = r.rows[0]!.id;
        await audit(ctx, tx, {
          actor: req.principal!.label,
          action: 'environment.protect',
          target: `environment:${id}`,
          details: { orgId, name: req.params.name, protection: req.body.protection },
        });
        return { id, orgId, name: req.params.name, protection: req.body.protection };
      });
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/environments/:name/deployments',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['deployments'],
        summary: 'What runs where: the latest approved deployment of each project',
        params: { type: 'object', required: ['name'], properties: { name: envName } },
      },
    },
    async (req) => ({
      environment: req.params.name,
      deployments: await runningIn(ctx.db, visibility(req.principal!), req.params.name),
    }),
  );

  // ---- deployments -------------------------------------------------------------------------------
  app.post<{
    Params: { projectId: string };
    Body: { environment: string; artifact: string; branch?: string };
  }>(
    '/api/v1/projects/:projectId/deployments',
    {
      config: { access: 'deployments:request', projectParam: 'projectId' },
      schema: {
        tags: ['deployments'],
        summary: 'Request a deployment: evaluates the environment’s gates, then waits for approvals',
        params: { type: 'object', required: ['projectId'], properties: { projectId: uuid } },
        body: {
          type: 'object',
          required: ['environment', 'artifact'],
          additionalProperties: false,
          properties: {
            environment: envName,
            artifact: { type: 'string', pattern: '^[^@\\s]+@sha256:[0-9a-f]{64}$', maxLength: 600 },
            branch: { type: 'string', minLength: 1, maxLength: 300 },
          },
        },
      },
    },
    async (req, reply) => {
      const view = await requestDeployment(ctx, req.principal!, {
        projectId: req.params.projectId,
        environment: req.body.environment,
        artifact: req.body.artifact,
        branch: req.body.branch,
      });
      return reply.code(201).send(view);
    },
  );

  app.get<{
    Querystring: {
      status?: DeploymentStatus;
      environment?: string;
      projectId?: string;
      limit?: number;
      offset?: number;
    };
  }>(
    '/api/v1/deployments',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['deployments'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { enum: STATUSES },
            environment: envName,
            projectId: uuid,
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
      },
    },
    async (req) => ({
      deployments: await listDeployments(ctx.db, visibility(req.principal!), {
        status: req.query.status,
        environment: req.query.environment,
        projectId: req.query.projectId,
        limit: req.query.limit ?? 100,
        offset: req.query.offset ?? 0,
      }),
    }),
  );

  app.get<{ Params: { deploymentId: string } }>(
    '/api/v1/deployments/:deploymentId',
    { config: { access: 'authenticated' }, schema: { tags: ['deployments'], params: deploymentParams } },
    async (req) => {
      const projectId = await deploymentProject(ctx.db, req.params.deploymentId);
      if (!projectId) throw new HttpError(404, 'deployment not found');
      assertCanRead(req, projectId);
      const view = await loadDeployment(ctx.db, req.params.deploymentId);
      if (!view) throw new HttpError(404, 'deployment not found');
      const history = await ctx.db.query(
        `SELECT at, actor, from_status AS "from", to_status AS "to", reason FROM deployment_events
         WHERE deployment_id = $1 ORDER BY id`,
        [req.params.deploymentId],
      );
      return { ...view, history: history.rows };
    },
  );

  app.post<{ Params: { deploymentId: string }; Body: { decision: Decision; comment: string } }>(
    '/api/v1/deployments/:deploymentId/decision',
    {
      config: { access: 'deployments:approve' },
      schema: {
        tags: ['deployments'],
        summary: 'Approve or reject a pending deployment (never the requester)',
        params: deploymentParams,
        body: {
          type: 'object',
          required: ['decision', 'comment'],
          additionalProperties: false,
          properties: {
            decision: { enum: ['approve', 'reject'] },
            comment: { type: 'string', maxLength: 2000 },
          },
        },
      },
    },
    async (req) => {
      const projectId = await deploymentProject(ctx.db, req.params.deploymentId);
      if (!projectId) throw new HttpError(404, 'deployment not found');
      assertProjectAccess(req, 'deployments:approve', projectId);
      return decideDeployment(
        ctx,
        req.principal!,
        req.params.deploymentId,
        req.body.decision,
        req.body.comment.trim(),
      );
    },
  );
}
