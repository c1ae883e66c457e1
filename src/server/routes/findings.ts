/**
 * Scans and findings: upload (Rampart JSON, SARIF, CycloneDX), list scans, list/filter findings,
 * finding detail with history, triage one or many (dismiss, accept risk until a date, reopen,
 * comment).
 */
import type { FastifyInstance } from 'fastify';
import { SEVERITIES } from '../../core/severity.js';
import { applyTriage, DISMISS_REASONS, LifecycleError, type TriageAction } from '../lifecycle/index.js';
import type { Permission } from '../authz/roles.js';
import { assertProjectAccess } from '../http/app.js';
import type { ServerContext } from '../http/context.js';
import { HttpError } from '../http/errors.js';
import { audit } from '../services/audit-log.js';
import { ingestScan, parseScanUpload, rowToState } from '../services/ingest-scan.js';
import { markStatsDirty } from '../services/stats-refresh.js';

const uuid = { type: 'string', format: 'uuid' } as const;
const projectParams = { type: 'object', required: ['projectId'], properties: { projectId: uuid } } as const;
/** Finding ids are bigserial numbers. */
const findingParams = {
  type: 'object',
  required: ['findingId'],
  properties: { findingId: { type: 'string', pattern: '^[0-9]{1,18}$' } },
} as const;
const STATES = ['new', 'open', 'fixed', 'dismissed', 'risk-accepted'] as const;

interface UploadQuery {
  branch: string;
  commit?: string;
  pipelineRun?: string;
  tool?: string;
  complete?: boolean;
}

interface FindingsQuery {
  state?: string[];
  severity?: string[];
  branch?: string;
  tool?: string;
  scanner?: string;
  q?: string;
  sort?: 'severity' | 'first_seen' | 'last_seen' | 'sla';
  limit?: number;
  offset?: number;
}

const triageBody = {
  type: 'object',
  required: ['action'],
  additionalProperties: false,
  properties: {
    action: { enum: ['dismiss', 'accept-risk', 'reopen', 'comment'] },
    reason: { enum: DISMISS_REASONS },
    until: { type: 'string', format: 'date-time' },
    comment: { type: 'string', maxLength: 2000 },
  },
} as const;

interface TriageBody {
  action: 'dismiss' | 'accept-risk' | 'reopen' | 'comment';
  reason?: (typeof DISMISS_REASONS)[number];
  until?: string;
  comment?: string;
}

function toAction(b: TriageBody): TriageAction | undefined {
  switch (b.action) {
    case 'dismiss':
      if (!b.reason)
        throw new HttpError(400, 'dismiss needs a reason: false-positive, wont-fix or used-in-tests');
      return { type: 'dismiss', reason: b.reason, ...(b.comment ? { comment: b.comment } : {}) };
    case 'accept-risk':
      if (!b.until || !b.comment) throw new HttpError(400, 'accept-risk needs an until date and a comment');
      return { type: 'accept-risk', until: b.until, comment: b.comment };
    case 'reopen':
      return { type: 'reopen', ...(b.comment ? { comment: b.comment } : {}) };
    case 'comment':
      if (!b.comment) throw new HttpError(400, 'comment needs a comment');
      return undefined;
  }
}

/**
 * The upload route, in its own scope: it takes `application/json` bodies as bytes (as it does SARIF
 * and CycloneDX media types), so the ingest parser checks and parses them once — instead of fastify
 * parsing a multi-megabyte report and the route serialising it again. Other routes keep fastify's
 * JSON parser.
 */
function scanUploadRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post<{ Params: { projectId: string }; Querystring: UploadQuery; Body: Buffer | object }>(
    '/api/v1/projects/:projectId/scans',
    {
      config: { access: 'scans:upload', projectParam: 'projectId' },
      schema: {
        tags: ['scans'],
        summary: 'Upload a scan: Rampart JSON, SARIF 2.1.0 from any tool, or a CycloneDX SBOM',
        params: projectParams,
        headers: {
          type: 'object',
          required: ['idempotency-key'],
          properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
        },
        querystring: {
          type: 'object',
          required: ['branch'],
          additionalProperties: false,
          properties: {
            branch: { type: 'string', minLength: 1, maxLength: 300 },
            commit: { type: 'string', maxLength: 100 },
            pipelineRun: { type: 'string', maxLength: 200 },
            tool: { type: 'string', maxLength: 100 },
            complete: { type: 'boolean', default: true },
          },
        },
      },
    },
    async (req, reply) => {
      const exists = await ctx.db.query('SELECT 1 FROM projects WHERE id = $1', [req.params.projectId]);
      if (!exists.rows.length) throw new HttpError(404, 'project not found');
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from(JSON.stringify(req.body ?? null));
      const scan = parseScanUpload(ctx, raw, req.headers['content-type']);
      const outcome = await ingestScan(ctx, scan, {
        projectId: req.params.projectId,
        branch: req.query.branch,
        commit: req.query.commit,
        pipelineRun: req.query.pipelineRun,
        tool: req.query.tool,
        complete: req.query.complete !== false,
        idempotencyKey: String(req.headers['idempotency-key']),
        uploadedBy: req.principal!.label,
      });
      return reply.code(outcome.duplicate ? 200 : 201).send(outcome);
    },
  );
}

/** Severity order of the list; the same text as the index findings_open_by_severity (004_stats). */
const SEVERITY_ORDER =
  "CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END";

interface FindingsList {
  /** Conditions the index findings_project_state answers alone (project, state, severity). */
  indexed: string[];
  /** Conditions that need the row (branch, tool, scanner, text search). */
  rowFilters: string[];
  params: unknown[];
  order: string;
}

/**
 * The list's SQL pieces. The sorts by severity, SLA date and first seen have indexes over open
 * findings (004_stats), so a page of them reads about a page of rows; the text search is one ILIKE
 * over rule, title and path joined by a newline (a search text without a newline cannot match
 * across two of them, so it is the same as three ILIKEs, at a third of the cost).
 */
function findingsListQuery(projectId: string, q: FindingsQuery): FindingsList {
  const params: unknown[] = [projectId];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const indexed = [
    'project_id = $1',
    `state = ANY(${param(q.state?.length ? q.state : ['new', 'open'])}::text[])`,
  ];
  if (q.severity?.length) indexed.push(`severity = ANY(${param(q.severity)}::text[])`);
  const rowFilters: string[] = [];
  if (q.branch) rowFilters.push(`branch = ${param(q.branch)}`);
  if (q.tool) rowFilters.push(`tool = ${param(q.tool)}`);
  if (q.scanner) rowFilters.push(`scanner = ${param(q.scanner)}`);
  if (q.q) {
    const n = param(`%${q.q.replace(/[%_\\]/g, '\\$&')}%`);
    rowFilters.push(
      q.q.includes('\n')
        ? `(title ILIKE ${n} OR rule_id ILIKE ${n} OR location->>'path' ILIKE ${n})`
        : `(rule_id || E'\\n' || title || E'\\n' || coalesce(location->>'path', '')) ILIKE ${n}`,
    );
  }
  const order = {
    severity: `${SEVERITY_ORDER}, id`,
    first_seen: 'first_seen_at DESC, id',
    last_seen: 'last_seen_at DESC, id',
    sla: 'sla_due_at ASC NULLS LAST, id',
  }[q.sort ?? 'severity'];
  return { indexed, rowFilters, params, order };
}

/** Rows a filter that needs the row examines for the total before it becomes an estimate. */
const EXACT_COUNT_ROWS = 5000;

/**
 * The list's total: exact from the index when only project, state and severity filter; exact when
 * the row filters have at most EXACT_COUNT_ROWS candidates to look at; else estimated from the share
 * of the first EXACT_COUNT_ROWS candidates that match (`totalIsEstimate: true`), so a search in a
 * project of 100,000 findings costs a bounded time.
 */
async function countFindings(
  ctx: ServerContext,
  list: FindingsList,
): Promise<{ total: number; totalIsEstimate?: true }> {
  const candidates = async () => {
    const r = await ctx.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM findings WHERE ${list.indexed.join(' AND ')}`,
      list.params.slice(0, list.indexed.length),
    );
    return Number(r.rows[0]!.n);
  };
  if (!list.rowFilters.length) return { total: await candidates() };
  const sample = await ctx.db.query<{ scanned: string; matched: string }>(
    `SELECT count(*) AS scanned, count(*) FILTER (WHERE m) AS matched
     FROM (SELECT ${list.rowFilters.join(' AND ')} AS m FROM findings WHERE ${list.indexed.join(' AND ')}
           LIMIT ${EXACT_COUNT_ROWS + 1}) AS s`,
    list.params,
  );
  const scanned = Number(sample.rows[0]!.scanned);
  const matched = Number(sample.rows[0]!.matched);
  if (scanned <= EXACT_COUNT_ROWS) return { total: matched };
  return { total: Math.round((matched / scanned) * (await candidates())), totalIsEstimate: true };
}

export async function findingRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await app.register(async (scoped) => scanUploadRoute(scoped, ctx));

  app.get<{ Params: { projectId: string }; Querystring: { limit?: number } }>(
    '/api/v1/projects/:projectId/scans',
    {
      config: { access: 'project:read', projectParam: 'projectId' },
      schema: {
        tags: ['scans'],
        params: projectParams,
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        },
      },
    },
    async (req) => {
      const r = await ctx.db.query(
        `SELECT id, branch, commit_sha AS commit, pipeline_run AS "pipelineRun", tool, format, complete,
           uploaded_by AS "uploadedBy", finding_count AS "findingCount", summary, created_at AS "createdAt"
         FROM scans WHERE project_id = $1 ORDER BY created_at DESC LIMIT $2`,
        [req.params.projectId, req.query.limit ?? 50],
      );
      return { scans: r.rows };
    },
  );

  app.get<{ Params: { projectId: string }; Querystring: FindingsQuery }>(
    '/api/v1/projects/:projectId/findings',
    {
      config: { access: 'project:read', projectParam: 'projectId' },
      schema: {
        tags: ['findings'],
        params: projectParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'array', items: { enum: STATES } },
            severity: { type: 'array', items: { enum: SEVERITIES } },
            branch: { type: 'string', maxLength: 300 },
            tool: { type: 'string', maxLength: 100 },
            scanner: { type: 'string', maxLength: 50 },
            q: { type: 'string', maxLength: 200 },
            sort: { enum: ['severity', 'first_seen', 'last_seen', 'sla'], default: 'severity' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const list = findingsListQuery(req.params.projectId, q);
      const [total, rows] = await Promise.all([
        countFindings(ctx, list),
        ctx.db.query(
          `SELECT id, branch, tool, scanner, rule_id AS "ruleId", severity, title, state, location, package,
             first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", sla_due_at AS "slaDueAt"
           FROM findings WHERE ${[...list.indexed, ...list.rowFilters].join(' AND ')}
           ORDER BY ${list.order} LIMIT ${q.limit ?? 50} OFFSET ${q.offset ?? 0}`,
          list.params,
        ),
      ]);
      return { ...total, findings: rows.rows };
    },
  );

  app.get<{ Params: { findingId: string } }>(
    '/api/v1/findings/:findingId',
    {
      config: { access: 'project:read' },
      schema: {
        tags: ['findings'],
        params: findingParams,
      },
    },
    async (req) => {
      const r = await ctx.db.query<Record<string, unknown> & { project_id: string }>(
        'SELECT * FROM findings WHERE id = $1',
        [req.params.findingId],
      );
      const f = r.rows[0];
      if (!f) throw new HttpError(404, 'finding not found');
      assertProjectAccess(req, 'project:read', f.project_id);
      const events = await ctx.db.query(
        `SELECT at, actor, from_state AS "from", to_state AS "to", reason, comment FROM finding_events
         WHERE finding_id = $1 ORDER BY id`,
        [req.params.findingId],
      );
      return { finding: f, history: events.rows };
    },
  );

  async function triageOne(
    findingId: string,
    body: TriageBody,
    actor: string,
    check: (projectId: string) => void,
  ) {
    return ctx.db.transaction(async (tx) => {
      const r = await tx.query<Parameters<typeof rowToState>[0] & { project_id: string }>(
        'SELECT * FROM findings WHERE id = $1 FOR UPDATE',
        [findingId],
      );
      const row = r.rows[0];
      if (!row) throw new HttpError(404, 'finding not found');
      check(row.project_id);
      const now = ctx.now();
      const action = toAction(body);
      if (!action) {
        await tx.query(
          'INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, reason, comment) VALUES ($1, $2, $3, $4, $4, $5, $6)',
          [findingId, now.toISOString(), actor, row.state, 'comment', body.comment],
        );
        await audit(ctx, tx, { actor, action: 'finding.comment', target: `finding:${findingId}` });
        return { state: row.state };
      }
      let next;
      try {
        next = applyTriage(rowToState(row), action, actor, now);
      } catch (err) {
        if (err instanceof LifecycleError) throw new HttpError(409, err.message);
        throw err;
      }
      const s = next.state;
      await tx.query(
        `UPDATE findings SET state = $2, state_at = $3, state_by = $4, state_comment = $5, dismiss_reason = $6, accepted_until = $7
         WHERE id = $1`,
        [
          findingId,
          s.status,
          now.toISOString(),
          actor,
          s.dismissal?.comment ?? s.riskAcceptance?.comment ?? body.comment ?? null,
          s.dismissal?.reason ?? null,
          s.riskAcceptance ? new Date(s.riskAcceptance.until).toISOString() : null,
        ],
      );
      await tx.query(
        'INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, reason, comment) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [
          findingId,
          now.toISOString(),
          actor,
          next.transition.from,
          next.transition.to,
          body.reason ?? next.transition.reason,
          body.comment ?? null,
        ],
      );
      await audit(ctx, tx, {
        actor,
        action: `finding.${body.action}`,
        target: `finding:${findingId}`,
        details: {
          from: next.transition.from,
          to: next.transition.to,
          ...(body.reason ? { reason: body.reason } : {}),
          ...(body.until ? { until: body.until } : {}),
        },
      });
      await markStatsDirty(ctx, tx, row.project_id); // overview roll-ups: last, after the audit entry
      return { state: s.status };
    });
  }

  const permissionFor = (b: TriageBody): Permission =>
    b.action === 'accept-risk' ? 'findings:accept-risk' : 'findings:triage';

  app.post<{ Params: { findingId: string }; Body: TriageBody }>(
    '/api/v1/findings/:findingId/triage',
    {
      config: { access: 'findings:triage' },
      schema: {
        tags: ['findings'],
        params: findingParams,
        body: triageBody,
      },
    },
    async (req) =>
      triageOne(req.params.findingId, req.body, req.principal!.label, (projectId) =>
        assertProjectAccess(req, permissionFor(req.body), projectId),
      ),
  );

  app.post<{ Params: { projectId: string }; Body: TriageBody & { findingIds: string[] } }>(
    '/api/v1/projects/:projectId/findings/triage',
    {
      config: { access: 'findings:triage', projectParam: 'projectId' },
      schema: {
        tags: ['findings'],
        summary: 'Triage many findings of one project; each in its own transaction, refusals reported per id',
        params: projectParams,
        body: {
          ...triageBody,
          required: ['action', 'findingIds'],
          properties: {
            ...triageBody.properties,
            findingIds: {
              type: 'array',
              minItems: 1,
              maxItems: 1000,
              items: { type: 'string', pattern: '^[0-9]{1,18}$' },
            },
          },
        },
      },
    },
    async (req) => {
      const { findingIds, ...body } = req.body;
      assertProjectAccess(req, permissionFor(body), req.params.projectId);
      const results: Record<string, string> = {};
      // One finding after the other, each in its own transaction: a refused transition is reported per id.
      for (const id of findingIds) {
        try {
          const r = await triageOne(id, body, req.principal!.label, (projectId) => {
            if (projectId !== req.params.projectId) throw new HttpError(404, 'finding not found');
          });
          results[id] = r.state;
        } catch (err) {
          if (err instanceof HttpError) results[id] = `error: ${err.message}`;
          else throw err;
        }
      }
      return { results };
    },
  );
}
