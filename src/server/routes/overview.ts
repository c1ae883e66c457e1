/**
 * The dashboard overview: posture per stage and severity, open vs fixed over time, SLA breaches,
 * riskiest projects and artifacts, counted only over the projects the caller can see (or one of
 * them with ?projectId=). Read from roll-ups refreshed in the background: `generatedAt` says how
 * fresh the numbers are.
 */
import type { FastifyInstance } from 'fastify';
import { SEVERITIES } from '../../core/severity.js';
import { assertProjectAccess } from '../http/app.js';
import type { ServerContext } from '../http/context.js';
import { readOverview, visibleProjects, type Visibility } from '../services/stats-overview.js';
import { STAGES } from '../services/stats-refresh.js';

const count = { type: 'integer' } as const;
const severityCounts = Object.fromEntries(SEVERITIES.map((s) => [s, count]));

const overviewResponse = {
  type: 'object',
  properties: {
    generatedAt: { type: 'string', format: 'date-time' },
    refreshPending: { type: 'boolean' },
    totals: {
      type: 'object',
      properties: { open: count, fixed: count, dismissed: count, riskAccepted: count, slaBreaches: count },
    },
    bySeverityAndStage: {
      type: 'array',
      items: { type: 'object', properties: { stage: { enum: STAGES }, ...severityCounts } },
    },
    trend: {
      type: 'array',
      items: { type: 'object', properties: { day: { type: 'string' }, open: count, fixed: count } },
    },
    topProjects: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          critical: count,
          high: count,
          open: count,
          slaBreaches: count,
        },
      },
    },
    topArtifacts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          projectId: { type: 'string' },
          name: { type: 'string' },
          digest: { type: 'string' },
          critical: count,
          high: count,
        },
      },
    },
  },
} as const;

export async function overviewRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get<{ Querystring: { projectId?: string } }>(
    '/api/v1/overview',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['overview'],
        summary: 'Security posture over the projects the caller can see (or one of them)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { projectId: { type: 'string', format: 'uuid' } },
        },
        response: { 200: overviewResponse },
      },
    },
    async (req) => {
      let vis: Visibility = visibleProjects(req.principal!);
      const only = req.query.projectId;
      if (only !== undefined) {
        assertProjectAccess(req, 'project:read', only);
        vis = { all: false, projectIds: [only] };
      }
      return readOverview(ctx.db, vis, ctx.now());
    },
  );
}
