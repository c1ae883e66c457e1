/**
 * Artifacts (images by digest) with their SBOM, signature and attestation evidence, and the
 * vulnerability findings the continuous re-scan keeps up to date.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../http/context.js';
import { HttpError } from '../http/errors.js';
import { audit } from '../services/audit-log.js';
import { parseScanUpload } from '../services/ingest-scan.js';

const uuid = { type: 'string', format: 'uuid' } as const;
const projectParams = { type: 'object', required: ['projectId'], properties: { projectId: uuid } } as const;
const artifactParams = {
  type: 'object',
  required: ['projectId', 'artifactId'],
  properties: { projectId: uuid, artifactId: uuid },
} as const;

export const REMATCH_JOB = 'rematch-artifact';
export const REMATCH_ALL_JOB = 'rematch-all';

export async function artifactRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.post<{ Params: { projectId: string }; Body: { name: string; digest: string } }>(
    '/api/v1/projects/:projectId/artifacts',
    {
      config: { access: 'artifacts:write', projectParam: 'projectId' },
      schema: {
        tags: ['artifacts'],
        params: projectParams,
        body: {
          type: 'object',
          required: ['name', 'digest'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 500 },
            digest: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
          },
        },
      },
    },
    async (req, reply) => {
      const id = await ctx.db.transaction(async (tx) => {
        const project = await tx.query('SELECT 1 FROM projects WHERE id = $1', [req.params.projectId]);
        if (!project.rows.length) throw new HttpError(404, 'project not found');
        const r = await tx.query<{ id: string }>(
          `INSERT INTO artifacts (project_id, name, digest) VALUES ($1, $2, $3)
           ON CONFLICT (project_id, digest) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
          [req.params.projectId, req.body.name, req.body.digest],
        );
        await audit(ctx, tx, {
          actor: req.principal!.label,
          action: 'artifact.register',
          target: `artifact:${r.rows[0]!.id}`,
          details: req.body,
        });
        return r.rows[0]!.id;
      });
      return reply.code(201).send({ id });
    },
  );

  app.get<{ Params: { projectId: string } }>(
    '/api/v1/projects/:projectId/artifacts',
    {
      config: { access: 'project:read', projectParam: 'projectId' },
      schema: { tags: ['artifacts'], params: projectParams },
    },
    async (req) => {
      const r = await ctx.db.query(
        `SELECT a.id, a.name, a.digest, a.created_at AS "createdAt", s.matched_generation AS "matchedGeneration",
           (SELECT count(*) FROM findings f WHERE f.artifact_id = a.id AND f.state IN ('new', 'open'))::int AS "openVulnerabilities"
         FROM artifacts a LEFT JOIN sboms s ON s.artifact_id = a.id WHERE a.project_id = $1 ORDER BY a.created_at DESC`,
        [req.params.projectId],
      );
      return { artifacts: r.rows };
    },
  );

  app.get<{ Params: { projectId: string; artifactId: string } }>(
    '/api/v1/projects/:projectId/artifacts/:artifactId',
    {
      config: { access: 'project:read', projectParam: 'projectId' },
      schema: { tags: ['artifacts'], params: artifactParams },
    },
    async (req) => {
      const a = await ctx.db.query(
        `SELECT a.id, a.name, a.digest, a.created_at AS "createdAt", s.format AS "sbomFormat",
           jsonb_array_length(s.components) AS "componentCount", s.uploaded_at AS "sbomUploadedAt",
           s.matched_generation AS "matchedGeneration"
         FROM artifacts a LEFT JOIN sboms s ON s.artifact_id = a.id WHERE a.id = $1 AND a.project_id = $2`,
        [req.params.artifactId, req.params.projectId],
      );
      if (!a.rows[0]) throw new HttpError(404, 'artifact not found');
      const evidence = await ctx.db.query(
        `SELECT kind, predicate_type AS "predicateType", verified, details, recorded_at AS "recordedAt"
         FROM artifact_evidence WHERE artifact_id = $1 ORDER BY id`,
        [req.params.artifactId],
      );
      const vulns = await ctx.db.query(
        `SELECT id, rule_id AS "ruleId", severity, title, state, package FROM findings
         WHERE artifact_id = $1 ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, id`,
        [req.params.artifactId],
      );
      return { artifact: a.rows[0], evidence: evidence.rows, vulnerabilities: vulns.rows };
    },
  );

  app.put<{ Params: { projectId: string; artifactId: string }; Body: Buffer | object }>(
    '/api/v1/projects/:projectId/artifacts/:artifactId/sbom',
    {
      config: { access: 'artifacts:write', projectParam: 'projectId' },
      schema: {
        tags: ['artifacts'],
        summary: 'Store the artifact’s CycloneDX SBOM and match it',
        params: artifactParams,
      },
    },
    async (req) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from(JSON.stringify(req.body ?? null));
      const scan = parseScanUpload(ctx, raw, req.headers['content-type']);
      if (scan.format !== 'cyclonedx') throw new HttpError(400, 'an SBOM must be a CycloneDX JSON document');
      await ctx.db.transaction(async (tx) => {
        const a = await tx.query('SELECT 1 FROM artifacts WHERE id = $1 AND project_id = $2', [
          req.params.artifactId,
          req.params.projectId,
        ]);
        if (!a.rows.length) throw new HttpError(404, 'artifact not found');
        await tx.query(
          `INSERT INTO sboms (artifact_id, format, components, uploaded_at) VALUES ($1, 'cyclonedx', $2, $3)
           ON CONFLICT (artifact_id) DO UPDATE SET components = EXCLUDED.components, uploaded_at = EXCLUDED.uploaded_at,
             matched_generation = NULL`,
          [req.params.artifactId, JSON.stringify(scan.components ?? []), ctx.now().toISOString()],
        );
        await audit(ctx, tx, {
          actor: req.principal!.label,
          action: 'artifact.sbom',
          target: `artifact:${req.params.artifactId}`,
          details: { components: scan.components?.length ?? 0 },
        });
        await ctx.queue.enqueue(
          REMATCH_JOB,
          { artifactId: req.params.artifactId },
          { tx, key: req.params.artifactId },
        );
      });
      return { components: scan.components?.length ?? 0, matching: 'queued' };
    },
  );

  app.post<{
    Params: { projectId: string; artifactId: string };
    Body: {
      kind: 'signature' | 'attestation';
      verified: boolean;
      predicateType?: string;
      details?: Record<string, unknown>;
    };
  }>(
    '/api/v1/projects/:projectId/artifacts/:artifactId/evidence',
    {
      config: { access: 'artifacts:write', projectParam: 'projectId' },
      schema: {
        tags: ['artifacts'],
        summary: 'Record a signature or attestation verification result (e.g. from `rampart verify`)',
        params: artifactParams,
        body: {
          type: 'object',
          required: ['kind', 'verified'],
          additionalProperties: false,
          properties: {
            kind: { enum: ['signature', 'attestation'] },
            verified: { type: 'boolean' },
            predicateType: { type: 'string', maxLength: 300 },
            details: { type: 'object', maxProperties: 50 },
          },
        },
      },
    },
    async (req, reply) => {
      await ctx.db.transaction(async (tx) => {
        const a = await tx.query('SELECT 1 FROM artifacts WHERE id = $1 AND project_id = $2', [
          req.params.artifactId,
          req.params.projectId,
        ]);
        if (!a.rows.length) throw new HttpError(404, 'artifact not found');
        await tx.query(
          'INSERT INTO artifact_evidence (artifact_id, kind, predicate_type, verified, details, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)',
          [
            req.params.artifactId,
            req.body.kind,
            req.body.predicateType ?? null,
            req.body.verified,
            req.body.details ?? {},
            ctx.now().toISOString(),
          ],
        );
        await audit(ctx, tx, {
          actor: req.principal!.label,
          action: `artifact.${req.body.kind}`,
          target: `artifact:${req.params.artifactId}`,
          details: { verified: req.body.verified, predicateType: req.body.predicateType ?? null },
        });
      });
      return reply.code(201).send({ ok: true });
    },
  );

  app.post(
    '/api/v1/rescan',
    {
      config: { access: 'rescan:trigger' },
      schema: { tags: ['artifacts'], summary: 'Re-match every stored SBOM now' },
    },
    async (req, reply) => {
      await ctx.db.transaction(async (tx) => {
        await ctx.queue.enqueue(REMATCH_ALL_JOB, { reason: 'manual' }, { tx, key: 'all' });
        await audit(ctx, tx, {
          actor: req.principal!.label,
          action: 'rescan.trigger',
          target: 'artifacts:*',
        });
      });
      return reply.code(202).send({ queued: true });
    },
  );
}
