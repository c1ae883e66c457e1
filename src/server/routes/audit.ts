/** The audit trail: list with filters, export as JSON lines (SIEM), verify the hash chain. */
import type { FastifyInstance } from 'fastify';
import { jsonLines } from '../audit/index.js';
import type { ServerContext } from '../http/context.js';
import { auditEntries, rowToEntry, verifyAuditTrail } from '../services/audit-log.js';

export async function auditRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get<{
    Querystring: { actor?: string; action?: string; target?: string; before?: number; limit?: number };
  }>(
    '/api/v1/audit',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            actor: { type: 'string', maxLength: 300 },
            action: { type: 'string', maxLength: 100 },
            target: { type: 'string', maxLength: 300 },
            before: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const r = await ctx.db.query<Parameters<typeof rowToEntry>[0]>(
        `SELECT * FROM audit_log
         WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action LIKE $2 || '%')
           AND ($3::text IS NULL OR target = $3) AND ($4::bigint IS NULL OR seq < $4)
         ORDER BY seq DESC LIMIT $5`,
        [q.actor ?? null, q.action ?? null, q.target ?? null, q.before ?? null, q.limit ?? 100],
      );
      return { entries: r.rows.map(rowToEntry) };
    },
  );

  app.get(
    '/api/v1/audit/export',
    { config: { access: 'audit:read' }, schema: { tags: ['audit'] } },
    async (_req, reply) => {
      reply.type('application/x-ndjson');
      const lines: string[] = [];
      const entries = [];
      for await (const e of auditEntries(ctx.db)) entries.push(e);
      for (const line of jsonLines(entries)) lines.push(line);
      return lines.join('');
    },
  );

  app.get(
    '/api/v1/audit/verify',
    { config: { access: 'audit:read' }, schema: { tags: ['audit'] } },
    async () => verifyAuditTrail(ctx),
  );
}
