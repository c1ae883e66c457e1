/**
 * Administration: users and roles, organisations, projects and their members, API tokens, CI
 * federation (trusted issuers and claim → project rules), notification webhooks.
 */
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { hashPassword, checkPasswordPolicy } from '../auth/password.js';
import {
  grantablePermissions,
  isPermission,
  PERMISSIONS,
  ROLES,
  roleSeesAllProjects,
  type Permission,
  type Role,
} from '../authz/roles.js';
import { assertProjectAccess } from '../http/app.js';
import type { ServerContext } from '../http/context.js';
import { HttpError } from '../http/errors.js';
import { audit } from '../services/audit-log.js';
import { createApiToken } from '../services/identity.js';
import { defaultOrgId } from '../services/orgs.js';

const uuid = { type: 'string', format: 'uuid' } as const;
const projectParams = { type: 'object', required: ['projectId'], properties: { projectId: uuid } } as const;

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

/**
 * `DELETE <url>` of one settings row by its uuid (the last path parameter): admin only
 * (settings:manage), 404 when absent, audited in the same transaction.
 */
function auditedDelete(
  app: FastifyInstance,
  ctx: ServerContext,
  d: { url: string; table: 'federation_rules' | 'webhooks'; what: string; action: string; tag: string },
): void {
  const param = d.url.slice(d.url.lastIndexOf(':') + 1);
  app.delete<{ Params: Record<string, string> }>(
    d.url,
    {
      config: { access: 'settings:manage' },
      schema: { tags: [d.tag], params: { type: 'object', required: [param], properties: { [param]: uuid } } },
    },
    async (req) => {
      const id = req.params[param]!;
      await ctx.db.transaction(async (tx) => {
        const r = await tx.query(`DELETE FROM ${d.table} WHERE id = $1`, [id]);
        if (r.rowCount === 0) throw new HttpError(404, `${d.what} not found`);
        await audit(ctx, tx, { actor: req.principal!.label, action: d.action, target: `${d.what}:${id}` });
      });
      return { ok: true };
    },
  );
}

export async function adminRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // ---- users ------------------------------------------------------------------------------------
  app.get('/api/v1/users', { config: { access: 'users:manage' }, schema: { tags: ['users'] } }, async () => {
    const r = await ctx.db.query(
      'SELECT id, email, name, role, totp_enabled AS "mfaEnabled", disabled, oidc_issuer AS "oidcIssuer", created_at AS "createdAt" FROM users ORDER BY email',
    );
    return { users: r.rows };
  });

  app.post<{ Body: { email: string; name?: string; role: Role; password?: string } }>(
    '/api/v1/users',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['users'],
        body: {
          type: 'object',
          required: ['email', 'role'],
          additionalProperties: false,
          properties: {
            email: { type: 'string', format: 'email', maxLength: 320 },
            name: { type: 'string', maxLength: 200 },
            role: { enum: ROLES },
            password: { type: 'string', maxLength: 1024 },
          },
        },
      },
    },
    async (req, reply) => {
      const { email, name, role, password } = req.body;
      if (password !== undefined) {
        const problem = checkPasswordPolicy(password);
        if (problem) throw new HttpError(400, problem);
      }
      const hash = password !== undefined ? await hashPassword(password) : null;
      try {
        const id = await ctx.db.transaction(async (tx) => {
          const r = await tx.query<{ id: string }>(
            'INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING id',
            [email, name ?? '', role, hash],
          );
          await audit(ctx, tx, {
            actor: req.principal!.label,
            action: 'user.create',
            target: `user:${r.rows[0]!.id}`,
            details: { email, role },
          });
          return r.rows[0]!.id;
        });
        return reply.code(201).send({ id, email, role });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpError(409, `a user with e-mail ${email} exists`);
        throw err;
      }
    },
  );

  app.patch<{ Params: { userId: string }; Body: { role?: Role; disabled?: boolean; resetMfa?: boolean } }>(
    '/api/v1/users/:userId',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['users'],
        params: { type: 'object', required: ['userId'], properties: { userId: uuid } },
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { role: { enum: ROLES }, disabled: { type: 'boolean' }, resetMfa: { type: 'boolean' } },
        },
      },
    },
    async (req) => {
      const { role, disabled, resetMfa } = req.body;
      await ctx.db.transaction(async (tx) => {
        const r = await tx.query(
          `UPDATE users SET role = COALESCE($2, role), disabled = COALESCE($3, disabled),
             totp_enabled = CASE WHEN $4 THEN false ELSE totp_enabled END,
             totp_secret_enc = CASE WHEN $4 THEN NULL ELSE totp_secret_enc END
           WHERE id = $1`,
          [req.params.userId, role ?? null, disabled ?? null, resetMfa === true],
        );
        if (r.rowCount === 0) throw new HttpError(404, 'user not found');
        if (disabled || role) await tx.query('DELETE FROM sessions WHERE user_id = $1', [req.params.userId]);
        await audit(ctx, tx, {
          actor: req.principal!.label,
          action: 'user.update',
          target: `user:${req.params.userId}`,
          details: req.body,
        });
      });
      return { ok: true };
    },
  );

  // ---- organisations and projects ---------------------------------------------------------------
  app.get(
    '/api/v1/orgs',
    { config: { access: 'authenticated' }, schema: { tags: ['projects'] } },
    async () => {
      const r = await ctx.db.query('SELECT id, name FROM orgs ORDER BY name');
      return { orgs: r.rows };
    },
  );

  app.post<{ Body: { name: string } }>(
    '/api/v1/orgs',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags: ['projects'],
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
        },
      },
    },
    async (req, reply) => {
      try {
        const id = await ctx.db.transaction(async (tx) => {
          const r = await tx.query<{ id: string }>('INSERT INTO orgs (name) VALUES ($1) RETURNING id', [
            req.body.name,
          ]);
          await audit(ctx, tx, {
            actor: req.principal!.label,
            action: 'org.create',
            target: `org:${r.rows[0]!.id}`,
            details: { name: req.body.name },
          });
          return r.rows[0]!.id;
        });
        return reply.code(201).send({ id, name: req.body.name });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpError(409, `organisation ${req.body.name} exists`);
        throw err;
      }
    },
  );

  app.get(
    '/api/v1/projects',
    { config: { access: 'authenticated' }, schema: { tags: ['projects'] } },
    async (req) => {
      const p = req.principal!;
      const all = p.kind === 'user' ? roleSeesAllProjects(p.role) : p.projectId === undefined;
      const ids = p.kind === 'user' ? [...p.projects] : p.projectId ? [p.projectId] : [];
      const r = await ctx.db.query(
        `SELECT p.id, p.name, p.repository, o.name AS org,
         (SELECT count(*) FROM findings f WHERE f.project_id = p.id AND f.state IN ('new', 'open')) AS "openFindings"
       FROM projects p JOIN orgs o ON o.id = p.org_id
       WHERE $1 OR p.id = ANY($2::uuid[]) ORDER BY o.name, p.name`,
        [all, ids],
      );
      return {
        projects: r.rows.map((row) => ({
          ...row,
          openFindings: Number((row as { openFindings: unknown }).openFindings),
        })),
      };
    },
  );

  app.post<{ Body: { name: string; repository?: string; orgId?: string } }>(
    '/api/v1/projects',
    {
      config: { access: 'projects:create' },
      schema: {
        tags: ['projects'],
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            repository: { type: 'string', minLength: 1, maxLength: 300 },
            orgId: uuid,
          },
        },
      },
    },
    async (req, reply) => {
      const orgId = req.body.orgId ?? (await defaultOrgId(ctx.db));
      try {
        const id = await ctx.db.transaction(async (tx) => {
          const r = await tx.query<{ id: string }>(
            'INSERT INTO projects (org_id, name, repository) VALUES ($1, $2, $3) RETURNING id',
            [orgId, req.body.name, req.body.repository ?? null],
          );
          await audit(ctx, tx, {
            actor: req.principal!.label,
            action: 'project.create',
            target: `project:${r.rows[0]!.id}`,
            details: req.body,
          });
          return r.rows[0]!.id;
        });
        return reply.code(201).send({ id, name: req.body.name });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpError(409, 'a project with this name or repository exists');
        if ((err as { code?: string }).code === '23503') throw new HttpError(404, 'organisation not found');
        throw err;
      }
    },
  );

  app.get<{ Params: { projectId: string } }>(
    '/api/v1/projects/:projectId',
    {
      config: { access: 'project:read', projectParam: 'projectId' },
      schema: { tags: ['projects'], params: projectParams },
    },
    async (req) => {
      const r = await ctx.db.query(
        `SELECT p.id, p.name, p.repository, p.created_at AS "createdAt",
           (SELECT json_agg(json_build_object('userId', u.id, 'email', u.email, 'role', u.role))
              FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.project_id = p.id) AS members
         FROM projects p WHERE p.id = $1`,
        [req.params.projectId],
      );
      if (!r.rows[0]) throw new HttpError(404, 'project not found');
      return r.rows[0];
    },
  );

  const memberParams = {
    type: 'object',
    required: ['projectId', 'userId'],
    properties: { projectId: uuid, userId: uuid },
  } as const;
  app.put<{ Params: { projectId: string; userId: string } }>(
    '/api/v1/projects/:projectId/members/:userId',
    {
      config: { access: 'projects:manage', projectParam: 'projectId' },
      schema: { tags: ['projects'], params: memberParams },
    },
    async (req) => {
      await ctx.db.transaction(async (tx) => {
        try {
          await tx.query(
            'INSERT INTO memberships (user_id, project_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
            [req.params.userId, req.params.projectId],
          );
        } catch (err) {
          if ((err as { code?: string }).code === '23503')
            throw new HttpError(404, 'user or project not found');
          throw err;
        }
        await audit(ctx, tx, {
          actor: req.principal!.label,
          action: 'project.member-add',
          target: `project:${req.params.projectId}`,
          details: { userId: req.params.userId },
        });
      });
      return { ok: true };
    },
  );
  app.delete<{ Params: { projectId: string; userId: string } }>(
    '/api/v1/projects/:projectId/members/:userId',
    {
      config: { access: 'projects:manage', projectParam: 'projectId' },
      schema: { tags: ['projects'], params: memberParams },
    },
    async (req) => {
      await ctx.db.transaction(async (tx) => {
        await tx.query('DELETE FROM memberships WHERE user_id = $1 AND project_id = $2', [
          req.params.userId,
          req.params.projectId,
        ]);
        await audit(ctx, tx, {
          actor: req.principal!.label,
          action: 'project.member-remove',
          target: `project:${req.params.projectId}`,
          details: { userId: req.params.userId },
        });
      });
      return { ok: true };
    },
  );

  // ---- API tokens -------------------------------------------------------------------------------
  app.post<{ Body: { name: string; projectId?: string; permissions: Permission[]; expiresInDays?: number } }>(
    '/api/v1/tokens',
    {
      config: { access: 'authenticated', usersOnly: true },
      schema: {
        tags: ['tokens'],
        body: {
          type: 'object',
          required: ['name', 'permissions'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            projectId: uuid,
            permissions: {
              type: 'array',
              minItems: 1,
              maxItems: PERMISSIONS.length,
              items: { enum: PERMISSIONS },
            },
            expiresInDays: { type: 'integer', minimum: 1, maximum: 365 },
          },
        },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      if (p.kind !== 'user') throw new HttpError(403, 'only users mint tokens');
      const allowed = new Set(grantablePermissions(p.role));
      const denied = req.body.permissions.filter((perm) => !allowed.has(perm) || !isPermission(perm));
      if (denied.length) throw new HttpError(403, `your role cannot grant ${denied.join(', ')}`);
      if (req.body.projectId)
        for (const perm of req.body.permissions) assertProjectAccess(req, perm, req.body.projectId);
      else if (p.role !== 'admin') throw new HttpError(403, 'only admins mint tokens without a project');
      const expiresAt = new Date(ctx.now().getTime() + (req.body.expiresInDays ?? 90) * 86_400_000);
      const t = await ctx.db.transaction(async (tx) => {
        const created = await createApiToken(ctx, tx, {
          name: req.body.name,
          userId: p.userId,
          projectId: req.body.projectId,
          permissions: req.body.permissions,
          expiresAt,
        });
        await audit(ctx, tx, {
          actor: p.label,
          action: 'token.create',
          target: `token:${created.id}`,
          details: {
            name: req.body.name,
            projectId: req.body.projectId ?? null,
            permissions: req.body.permissions,
          },
        });
        return created;
      });
      return reply.code(201).send({ id: t.id, token: t.token, expiresAt: expiresAt.toISOString() });
    },
  );

  app.get(
    '/api/v1/tokens',
    { config: { access: 'authenticated', usersOnly: true }, schema: { tags: ['tokens'] } },
    async (req) => {
      const p = req.principal!;
      if (p.kind !== 'user') throw new HttpError(403, 'only users list tokens');
      const r = await ctx.db.query(
        `SELECT id, name, project_id AS "projectId", permissions, created_at AS "createdAt", expires_at AS "expiresAt",
         last_used_at AS "lastUsedAt", revoked FROM api_tokens WHERE user_id = $1 ORDER BY created_at`,
        [p.userId],
      );
      return { tokens: r.rows };
    },
  );

  app.delete<{ Params: { tokenId: string } }>(
    '/api/v1/tokens/:tokenId',
    {
      config: { access: 'authenticated', usersOnly: true },
      schema: {
        tags: ['tokens'],
        params: {
          type: 'object',
          required: ['tokenId'],
          properties: { tokenId: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (req) => {
      const p = req.principal!;
      if (p.kind !== 'user') throw new HttpError(403, 'only users revoke tokens');
      await ctx.db.transaction(async (tx) => {
        const r = await tx.query(
          'UPDATE api_tokens SET revoked = true WHERE id = $1 AND (user_id = $2 OR $3)',
          [req.params.tokenId, p.userId, p.role === 'admin'],
        );
        if (r.rowCount === 0) throw new HttpError(404, 'token not found');
        await audit(ctx, tx, {
          actor: p.label,
          action: 'token.revoke',
          target: `token:${req.params.tokenId}`,
        });
      });
      return { ok: true };
    },
  );

  // ---- CI federation ----------------------------------------------------------------------------
  app.get(
    '/api/v1/federation',
    { config: { access: 'settings:manage' }, schema: { tags: ['federation'] } },
    async () => {
      const issuers = await ctx.db.query(
        'SELECT issuer, audience, platform, jwks_uri AS "jwksUri" FROM trusted_issuers ORDER BY issuer',
      );
      const rules = await ctx.db.query(
        'SELECT id, issuer, repository, ref, environment, project_id AS "projectId", permissions FROM federation_rules ORDER BY created_at',
      );
      return { issuers: issuers.rows, rules: rules.rows };
    },
  );

  app.put<{ Body: { issuer: string; audience: string; platform: string; jwksUri?: string } }>(
    '/api/v1/federation/issuers',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags: ['federation'],
        body: {
          type: 'object',
          required: ['issuer', 'audience', 'platform'],
          additionalProperties: false,
          properties: {
            issuer: { type: 'string', format: 'uri', maxLength: 500 },
            audience: { type: 'string', minLength: 1, maxLength: 500 },
            platform: { enum: ['github-actions', 'azure-pipelines', 'generic'] },
            jwksUri: { type: 'string', format: 'uri', maxLength: 500 },
          },
        },
      },
    },
    async (req) => {
      const b = req.body;
      await ctx.db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO trusted_issuers (issuer, audience, platform, jwks_uri) VALUES ($1, $2, $3, $4)
           ON CONFLICT (issuer) DO UPDATE SET audience = $2, platform = $3, jwks_uri = $4`,
          [b.issuer, b.audience, b.platform, b.jwksUri ?? null],
        );
        await audit(ctx, tx, {
          actor: req.principal!.label,
          action: 'federation.issuer-put',
          target: `issuer:${b.issuer}`,
          details: b,
        });
      });
      return { ok: true };
    },
  );

  app.post<{
    Body: {
      issuer: string;
      repository: string;
      ref?: string;
      environment?: string;
      projectId: string;
      permissions: Permission[];
    };
  }>(
    '/api/v1/federation/rules',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags: ['federation'],
        body: {
          type: 'object',
          required: ['issuer', 'repository', 'projectId', 'permissions'],
          additionalProperties: false,
          properties: {
            issuer: { type: 'string', maxLength: 500 },
            repository: { type: 'string', minLength: 1, maxLength: 300 },
            ref: { type: 'string', maxLength: 300 },
            environment: { type: 'string', maxLength: 100 },
            projectId: uuid,
            permissions: {
              type: 'array',
              minItems: 1,
              items: { enum: ['project:read', 'scans:upload', 'artifacts:write', 'deployments:request'] },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      try {
        const id = await ctx.db.transaction(async (tx) => {
          const r = await tx.query<{ id: string }>(
            `INSERT INTO federation_rules (issuer, repository, ref, environment, project_id, permissions)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
            [b.issuer, b.repository, b.ref ?? null, b.environment ?? null, b.projectId, b.permissions],
          );
          await audit(ctx, tx, {
            actor: req.principal!.label,
            action: 'federation.rule-create',
            target: `rule:${r.rows[0]!.id}`,
            details: b,
          });
          return r.rows[0]!.id;
        });
        return reply.code(201).send({ id });
      } catch (err) {
        if ((err as { code?: string }).code === '23503')
          throw new HttpError(404, 'unknown issuer or project');
        throw err;
      }
    },
  );

  auditedDelete(app, ctx, {
    url: '/api/v1/federation/rules/:ruleId',
    table: 'federation_rules',
    what: 'rule',
    action: 'federation.rule-delete',
    tag: 'federation',
  });

  // ---- webhooks ---------------------------------------------------------------------------------
  app.get(
    '/api/v1/webhooks',
    { config: { access: 'settings:manage' }, schema: { tags: ['webhooks'] } },
    async () => {
      const r = await ctx.db.query(
        'SELECT id, url, events, created_at AS "createdAt" FROM webhooks ORDER BY created_at',
      );
      return { webhooks: r.rows };
    },
  );

  app.post<{ Body: { url: string; events: string[] } }>(
    '/api/v1/webhooks',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags: ['webhooks'],
        body: {
          type: 'object',
          required: ['url', 'events'],
          additionalProperties: false,
          properties: {
            url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 500 },
            events: {
              type: 'array',
              minItems: 1,
              items: { enum: ['finding.new', 'deployment.decided'] },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const secret = randomBytes(32).toString('base64url');
      const id = await ctx.db.transaction(async (tx) => {
        const r = await tx.query<{ id: string }>(
          'INSERT INTO webhooks (url, secret_enc, events) VALUES ($1, $2, $3) RETURNING id',
          [req.body.url, ctx.keys.seal(secret), req.body.events],
        );
        await audit(ctx, tx, {
          actor: req.principal!.label,
          action: 'webhook.create',
          target: `webhook:${r.rows[0]!.id}`,
          details: req.body,
        });
        return r.rows[0]!.id;
      });
      // The signing secret is shown once; it is stored encrypted with the server key.
      return reply.code(201).send({ id, secret });
    },
  );

  auditedDelete(app, ctx, {
    url: '/api/v1/webhooks/:webhookId',
    table: 'webhooks',
    what: 'webhook',
    action: 'webhook.delete',
    tag: 'webhooks',
  });
}
