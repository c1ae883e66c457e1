/**
 * Who is calling: sessions (cookie), API tokens and CI tokens (bearer) become a Principal. Credentials
 * are looked up by their public id and compared by hash; nothing secret is stored in clear.
 */
import type { Queryable } from '../db/types.js';
import {
  grantablePermissions,
  isPermission,
  isRole,
  MFA_REQUIRED_ROLES,
  type Permission,
  type Principal,
  type Role,
} from '../authz/roles.js';
import { newOpaqueToken, parseOpaqueToken, tokenMatchesHash } from '../auth/tokens.js';
import { matchFederationRule, verifyCiToken, type TrustedIssuer } from '../auth/ci-federation.js';
import type { ServerContext } from '../http/context.js';

export const SESSION_COOKIE = 'rampart_session';
const LAST_USED_GRANULARITY_MS = 5 * 60_000;

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string | null;
  totp_secret_enc: string | null;
  totp_enabled: boolean;
  totp_last_step: string | number;
  disabled: boolean;
}

export async function userById(q: Queryable, id: string): Promise<UserRow | undefined> {
  const r = await q.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
  return r.rows[0];
}

export async function userByEmail(q: Queryable, email: string): Promise<UserRow | undefined> {
  const r = await q.query<UserRow>('SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
  return r.rows[0];
}

async function memberProjects(q: Queryable, userId: string): Promise<Set<string>> {
  const r = await q.query<{ project_id: string }>('SELECT project_id FROM memberships WHERE user_id = $1', [
    userId,
  ]);
  return new Set(r.rows.map((row) => row.project_id));
}

export async function userPrincipal(q: Queryable, user: UserRow, mfaPassed: boolean): Promise<Principal> {
  return {
    kind: 'user',
    userId: user.id,
    label: `user:${user.email}`,
    role: user.role,
    projects: await memberProjects(q, user.id),
    mfaSatisfied: mfaPassed || (!MFA_REQUIRED_ROLES.has(user.role) && !user.totp_enabled),
  };
}

export async function createSession(
  ctx: ServerContext,
  q: Queryable,
  userId: string,
  mfaPassed: boolean,
): Promise<{ token: string; expiresAt: Date }> {
  const t = newOpaqueToken('rps');
  const expiresAt = new Date(ctx.now().getTime() + ctx.settings.sessionTtlMs);
  await q.query(
    'INSERT INTO sessions (id, token_hash, user_id, mfa_passed, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [t.id, t.hash, userId, mfaPassed, expiresAt.toISOString()],
  );
  return { token: t.token, expiresAt };
}

export async function deleteSession(q: Queryable, token: string): Promise<void> {
  const parsed = parseOpaqueToken(token);
  if (parsed) await q.query('DELETE FROM sessions WHERE id = $1', [parsed.id]);
}

export async function sessionPrincipal(ctx: ServerContext, token: string): Promise<Principal | undefined> {
  const parsed = parseOpaqueToken(token);
  if (!parsed || parsed.prefix !== 'rps') return undefined;
  const r = await ctx.db.query<{
    token_hash: string;
    user_id: string;
    mfa_passed: boolean;
    expires_at: string | Date;
  }>('SELECT token_hash, user_id, mfa_passed, expires_at FROM sessions WHERE id = $1', [parsed.id]);
  const row = r.rows[0];
  if (!row || !tokenMatchesHash(token, row.token_hash)) return undefined;
  if (new Date(row.expires_at).getTime() <= ctx.now().getTime()) return undefined;
  const user = await userById(ctx.db, row.user_id);
  if (!user || user.disabled) return undefined;
  return userPrincipal(ctx.db, user, row.mfa_passed);
}

export async function createApiToken(
  ctx: ServerContext,
  q: Queryable,
  fields: { name: string; userId: string; projectId?: string; permissions: Permission[]; expiresAt: Date },
): Promise<{ id: string; token: string }> {
  const t = newOpaqueToken('rpt');
  await q.query(
    `INSERT INTO api_tokens (id, token_hash, name, user_id, project_id, permissions, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      t.id,
      t.hash,
      fields.name,
      fields.userId,
      fields.projectId ?? null,
      fields.permissions,
      fields.expiresAt.toISOString(),
    ],
  );
  return { id: t.id, token: t.token };
}

export async function apiTokenPrincipal(ctx: ServerContext, token: string): Promise<Principal | undefined> {
  const parsed = parseOpaqueToken(token);
  if (!parsed || parsed.prefix !== 'rpt') return undefined;
  const r = await ctx.db.query<{
    token_hash: string;
    name: string;
    user_id: string | null;
    project_id: string | null;
    permissions: string[];
    expires_at: string | Date;
    revoked: boolean;
    last_used_at: Date | null;
  }>(
    'SELECT token_hash, name, user_id, project_id, permissions, expires_at, revoked, last_used_at FROM api_tokens WHERE id = $1',
    [parsed.id],
  );
  const row = r.rows[0];
  if (!row || row.revoked || !tokenMatchesHash(token, row.token_hash)) return undefined;
  const now = ctx.now();
  if (new Date(row.expires_at).getTime() <= now.getTime()) return undefined;
  // "Last used" for the token list, written at most every few minutes so requests stay read-only.
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > LAST_USED_GRANULARITY_MS)
    await ctx.db.query('UPDATE api_tokens SET last_used_at = $1 WHERE id = $2', [
      now.toISOString(),
      parsed.id,
    ]);
  // A token never outlives its owner's access: a disabled owner disables the token, and the owner's
  // current role caps what it may do.
  let allowed: Permission[] = row.permissions.filter(isPermission);
  if (row.user_id) {
    const owner = await userById(ctx.db, row.user_id);
    if (!owner || owner.disabled || !isRole(owner.role)) return undefined;
    const cap = new Set(grantablePermissions(owner.role));
    allowed = allowed.filter((p) => cap.has(p));
  }
  return {
    kind: 'token',
    label: `token:${parsed.id}(${row.name})`,
    userId: row.user_id ?? undefined,
    permissions: new Set(allowed),
    projectId: row.project_id ?? undefined,
  };
}

interface RuleRow {
  issuer: string;
  repository: string;
  ref: string | null;
  environment: string | null;
  project_id: string;
  permissions: string[];
}

/** A CI job's OIDC token (GitHub Actions, Azure Pipelines): verified against the issuer's JWKS, mapped by rule. */
export async function ciPrincipal(ctx: ServerContext, jwt: string): Promise<Principal | undefined> {
  const issuers = await ctx.db.query<{
    issuer: string;
    audience: string;
    platform: string;
    jwks_uri: string | null;
  }>('SELECT issuer, audience, platform, jwks_uri FROM trusted_issuers');
  if (issuers.rows.length === 0) return undefined;
  const trusted: TrustedIssuer[] = issuers.rows.map((r) => ({
    issuer: r.issuer,
    audience: r.audience,
    platform: r.platform as TrustedIssuer['platform'],
    jwksUri: r.jwks_uri ?? undefined,
  }));
  let claims;
  try {
    claims = await verifyCiToken(jwt, trusted, {
      now: ctx.now(),
      allowHttp: ctx.settings.ciAllowHttpLoopback,
    });
  } catch {
    return undefined;
  }
  const rules = await ctx.db.query<RuleRow>(
    'SELECT issuer, repository, ref, environment, project_id, permissions FROM federation_rules WHERE issuer = $1 ORDER BY created_at, id',
    [claims.issuer],
  );
  const rule = matchFederationRule(
    claims,
    rules.rows.map((r) => ({
      issuer: r.issuer,
      repository: r.repository,
      ref: r.ref ?? undefined,
      environment: r.environment ?? undefined,
      projectId: r.project_id,
      permissions: r.permissions,
    })),
  );
  if (!rule) return undefined;
  return {
    kind: 'ci',
    label: `ci:${claims.platform}:${claims.repository ?? claims.subject}@${claims.ref ?? ''}`,
    permissions: new Set(rule.permissions.filter(isPermission)),
    projectId: rule.projectId,
  };
}
