/**
 * Sign-in: password (+ TOTP when enrolled; enrolment is forced for admin and security-admin), OIDC
 * single sign-on (authorization code + PKCE), logout, and the caller's own profile and MFA enrolment.
 * Sessions live in an HttpOnly, SameSite=Lax cookie; unsafe methods need the X-CSRF-Token header.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hashPassword, verifyPassword } from '../auth/password.js';
import { newTotpSecret, totpUri, verifyTotp } from '../auth/totp.js';
import { csrfTokenFor, newOpaqueToken, parseOpaqueToken, tokenMatchesHash } from '../auth/tokens.js';
import { RampartError } from '../../core/errors.js';
import { OidcLogin } from '../auth/oidc-login.js';
import { MFA_REQUIRED_ROLES } from '../authz/roles.js';
import type { ServerContext } from '../http/context.js';
import { HttpError } from '../http/errors.js';
import { audit } from '../services/audit-log.js';
import { createSession, deleteSession, SESSION_COOKIE, userByEmail, userById } from '../services/identity.js';

const LOGIN_TICKET_MS = 5 * 60_000;
const OIDC_COOKIE = 'rampart_oidc';
/** Spent on unknown e-mails too, so response time does not reveal which accounts exist. */
let dummyHash: Promise<string> | undefined;

function cookieOptions(ctx: ServerContext, maxAgeMs?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: ctx.settings.publicUrl.startsWith('https:'),
    ...(maxAgeMs !== undefined ? { maxAge: Math.floor(maxAgeMs / 1000) } : {}),
  };
}

async function startSession(
  ctx: ServerContext,
  reply: FastifyReply,
  userId: string,
  mfaPassed: boolean,
  method: string,
): Promise<{ csrfToken: string; mfa: 'satisfied' | 'enrolment-required' | 'not-required' }> {
  const user = await userById(ctx.db, userId);
  if (!user) throw new HttpError(401, 'invalid credentials');
  const session = await ctx.db.transaction(async (tx) => {
    const s = await createSession(ctx, tx, userId, mfaPassed);
    await audit(ctx, tx, {
      actor: `user:${user.email}`,
      action: 'auth.login',
      target: `user:${user.id}`,
      details: { method },
    });
    return s;
  });
  reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(ctx, ctx.settings.sessionTtlMs));
  const mfa = mfaPassed
    ? 'satisfied'
    : MFA_REQUIRED_ROLES.has(user.role)
      ? 'enrolment-required'
      : 'not-required';
  return { csrfToken: csrfTokenFor(session.token, ctx.keys.key('csrf')), mfa };
}

/** A single-use ticket for the second step of a sign-in (POST /api/v1/auth/login/totp). */
async function issueLoginTicket(ctx: ServerContext, userId: string): Promise<string> {
  const t = newOpaqueToken('rps');
  await ctx.db.query(
    'INSERT INTO login_tickets (id, token_hash, user_id, expires_at) VALUES ($1, $2, $3, $4)',
    [t.id, t.hash, userId, new Date(ctx.now().getTime() + LOGIN_TICKET_MS).toISOString()],
  );
  return t.token;
}

function signState(ctx: ServerContext, value: object): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url');
  const mac = createHmac('sha256', ctx.keys.key('cookie')).update(body).digest('base64url');
  return `${body}.${mac}`;
}

function readState<T>(ctx: ServerContext, cookie: string | undefined): T | undefined {
  if (!cookie) return undefined;
  const [body, mac] = cookie.split('.');
  if (!body || !mac) return undefined;
  const expected = createHmac('sha256', ctx.keys.key('cookie')).update(body).digest();
  const got = Buffer.from(mac, 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

const credentialsBody = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: { email: { type: 'string', maxLength: 320 }, password: { type: 'string', maxLength: 1024 } },
} as const;

export async function authRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  let oidc: Promise<OidcLogin> | undefined;
  const oidcClient = (): Promise<OidcLogin> => {
    const s = ctx.settings.oidc;
    if (!s) throw new HttpError(404, 'single sign-on is not configured');
    oidc ??= OidcLogin.discover({
      issuer: s.issuer,
      clientId: s.clientId,
      clientSecret: s.clientSecret,
      redirectUri: new URL('/api/v1/auth/oidc/callback', ctx.settings.publicUrl).toString(),
      allowHttp: s.allowHttp,
    }).catch((err: unknown) => {
      oidc = undefined;
      // The provider is unreachable or answers nonsense: a gateway problem, not the caller's.
      if (err instanceof RampartError && err.code === 'AUTH_FAILED') throw new HttpError(502, err.message);
      throw err;
    });
    return oidc;
  };

  app.post<{ Body: { email: string; password: string } }>(
    '/api/v1/auth/login',
    { config: { access: 'public' }, schema: { tags: ['auth'], body: credentialsBody } },
    async (req, reply) => {
      const user = await userByEmail(ctx.db, req.body.email);
      if (!user || !user.password_hash || user.disabled) {
        dummyHash ??= hashPassword('not a real password, only spends the same time');
        await verifyPassword(req.body.password, await dummyHash);
        throw new HttpError(401, 'invalid credentials');
      }
      if (!(await verifyPassword(req.body.password, user.password_hash)))
        throw new HttpError(401, 'invalid credentials');
      if (user.totp_enabled) return { mfa: 'required', ticket: await issueLoginTicket(ctx, user.id) };
      return startSession(ctx, reply, user.id, false, 'password');
    },
  );

  app.post<{ Body: { ticket: string; code: string } }>(
    '/api/v1/auth/login/totp',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        body: {
          type: 'object',
          required: ['ticket', 'code'],
          additionalProperties: false,
          properties: {
            ticket: { type: 'string', maxLength: 200 },
            code: { type: 'string', pattern: '^[0-9]{6,8}$' },
          },
        },
      },
    },
    async (req, reply) => {
      const parsed = parseOpaqueToken(req.body.ticket);
      if (!parsed) throw new HttpError(401, 'invalid or expired login ticket');
      const userId = await ctx.db.transaction(async (tx) => {
        const r = await tx.query<{ token_hash: string; user_id: string; expires_at: string | Date }>(
          'DELETE FROM login_tickets WHERE id = $1 RETURNING token_hash, user_id, expires_at',
          [parsed.id],
        );
        const row = r.rows[0];
        if (
          !row ||
          !tokenMatchesHash(req.body.ticket, row.token_hash) ||
          new Date(row.expires_at) <= ctx.now()
        )
          throw new HttpError(401, 'invalid or expired login ticket');
        const user = await tx.query<{ totp_secret_enc: string | null; totp_last_step: string | number }>(
          'SELECT totp_secret_enc, totp_last_step FROM users WHERE id = $1 FOR UPDATE',
          [row.user_id],
        );
        const u = user.rows[0];
        if (!u?.totp_secret_enc) throw new HttpError(401, 'invalid or expired login ticket');
        const check = verifyTotp(ctx.keys.open(u.totp_secret_enc), req.body.code, {
          now: ctx.now(),
          lastStep: Number(u.totp_last_step),
        });
        if (!check.ok) throw new HttpError(401, 'invalid one-time code');
        await tx.query('UPDATE users SET totp_last_step = $1 WHERE id = $2', [check.step, row.user_id]);
        return row.user_id;
      });
      return startSession(ctx, reply, userId, true, 'password+totp');
    },
  );

  app.get(
    '/api/v1/auth/methods',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'How one can sign in here (the login page asks before it shows SSO)',
      },
    },
    async () => ({ password: true, sso: ctx.settings.oidc !== undefined }),
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { access: 'authenticated', allowBeforeMfa: true }, schema: { tags: ['auth'] } },
    async (req, reply) => {
      if (req.sessionToken) await deleteSession(ctx.db, req.sessionToken);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );

  app.get(
    '/api/v1/auth/csrf',
    { config: { access: 'authenticated', allowBeforeMfa: true }, schema: { tags: ['auth'] } },
    async (req) => {
      if (!req.sessionToken) throw new HttpError(400, 'CSRF tokens are for cookie sessions only');
      return { csrfToken: csrfTokenFor(req.sessionToken, ctx.keys.key('csrf')) };
    },
  );

  app.get(
    '/api/v1/me',
    { config: { access: 'authenticated', allowBeforeMfa: true }, schema: { tags: ['auth'] } },
    async (req) => {
      const p = req.principal!;
      if (p.kind !== 'user')
        return {
          kind: p.kind,
          label: p.label,
          projectId: p.projectId ?? null,
          permissions: [...p.permissions],
        };
      const user = await userById(ctx.db, p.userId);
      return {
        kind: 'user',
        id: p.userId,
        email: user?.email,
        name: user?.name,
        role: p.role,
        mfaEnabled: user?.totp_enabled ?? false,
        mfaSatisfied: p.mfaSatisfied,
        projects: [...p.projects],
      };
    },
  );

  app.post(
    '/api/v1/me/totp/enrol',
    {
      config: { access: 'authenticated', allowBeforeMfa: true, usersOnly: true },
      schema: { tags: ['auth'] },
    },
    async (req) => {
      const p = req.principal!;
      if (p.kind !== 'user') throw new HttpError(403, 'only users enrol MFA');
      const user = await userById(ctx.db, p.userId);
      if (!user) throw new HttpError(401, 'authentication required');
      if (user.totp_enabled) throw new HttpError(409, 'MFA is already enrolled');
      const secret = newTotpSecret();
      await ctx.db.query('UPDATE users SET totp_secret_enc = $1 WHERE id = $2', [
        ctx.keys.seal(secret),
        user.id,
      ]);
      return { secret, uri: totpUri({ secret, account: user.email, issuer: 'Rampart' }) };
    },
  );

  app.post<{ Body: { code: string } }>(
    '/api/v1/me/totp/confirm',
    {
      config: { access: 'authenticated', allowBeforeMfa: true, usersOnly: true },
      schema: {
        tags: ['auth'],
        body: {
          type: 'object',
          required: ['code'],
          additionalProperties: false,
          properties: { code: { type: 'string', pattern: '^[0-9]{6,8}$' } },
        },
      },
    },
    async (req) => {
      const p = req.principal!;
      if (p.kind !== 'user') throw new HttpError(403, 'only users enrol MFA');
      await ctx.db.transaction(async (tx) => {
        const r = await tx.query<{ email: string; totp_secret_enc: string | null; totp_enabled: boolean }>(
          'SELECT email, totp_secret_enc, totp_enabled FROM users WHERE id = $1 FOR UPDATE',
          [p.userId],
        );
        const u = r.rows[0];
        if (!u?.totp_secret_enc || u.totp_enabled) throw new HttpError(409, 'start enrolment first');
        const check = verifyTotp(ctx.keys.open(u.totp_secret_enc), req.body.code, { now: ctx.now() });
        if (!check.ok) throw new HttpError(400, 'invalid one-time code');
        await tx.query('UPDATE users SET totp_enabled = true, totp_last_step = $1 WHERE id = $2', [
          check.step,
          p.userId,
        ]);
        if (req.sessionToken) {
          const s = parseOpaqueToken(req.sessionToken);
          if (s) await tx.query('UPDATE sessions SET mfa_passed = true WHERE id = $1', [s.id]);
        }
        await audit(ctx, tx, { actor: p.label, action: 'auth.mfa-enrol', target: `user:${p.userId}` });
      });
      return { mfaEnabled: true };
    },
  );

  app.get(
    '/api/v1/auth/oidc/login',
    { config: { access: 'public' }, schema: { tags: ['auth'] } },
    async (_req, reply) => {
      const client = await oidcClient();
      const start = await client.startLogin();
      reply.setCookie(
        OIDC_COOKIE,
        signState(ctx, {
          state: start.state,
          nonce: start.nonce,
          codeVerifier: start.codeVerifier,
          at: ctx.now().getTime(),
        }),
        cookieOptions(ctx, 10 * 60_000),
      );
      return reply.redirect(start.url);
    },
  );

  app.get(
    '/api/v1/auth/oidc/callback',
    { config: { access: 'public' }, schema: { tags: ['auth'] } },
    async (req, reply) => {
      const client = await oidcClient();
      const saved = readState<{ state: string; nonce: string; codeVerifier: string; at: number }>(
        ctx,
        req.cookies[OIDC_COOKIE],
      );
      reply.clearCookie(OIDC_COOKIE, { path: '/' });
      if (!saved || ctx.now().getTime() - saved.at > 10 * 60_000)
        throw new HttpError(400, 'sign-in expired or was started elsewhere; start again');
      const callbackUrl = new URL(req.url, ctx.settings.publicUrl);
      const identity = await client.finishLogin(callbackUrl, saved).catch((err: unknown) => {
        // Tampered state, replayed code, provider error, bad ID token: the sign-in is refused.
        if (err instanceof RampartError && err.code === 'AUTH_FAILED') throw new HttpError(401, err.message);
        throw err;
      });
      const userId = await ctx.db.transaction(async (tx) => {
        const found = await tx.query<{ id: string; disabled: boolean }>(
          'SELECT id, disabled FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2',
          [identity.issuer, identity.subject],
        );
        if (found.rows[0]) {
          if (found.rows[0].disabled) throw new HttpError(403, 'account disabled');
          return found.rows[0].id;
        }
        // First sign-in: a new account with the configured default role. Accounts are linked by
        // (issuer, subject) only, never by e-mail, so a provider cannot take over a local account.
        const email = identity.email ?? `${identity.subject}@${new URL(identity.issuer).host}`;
        const created = await tx.query<{ id: string }>(
          `INSERT INTO users (email, name, role, oidc_issuer, oidc_subject) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (email) DO NOTHING RETURNING id`,
          [email, identity.name ?? '', ctx.settings.oidc!.defaultRole, identity.issuer, identity.subject],
        );
        if (!created.rows[0])
          throw new HttpError(409, `a local account already uses ${email}; ask an admin to link it`);
        await audit(ctx, tx, {
          actor: `oidc:${identity.issuer}#${identity.subject}`,
          action: 'user.create-sso',
          target: `user:${created.rows[0].id}`,
          details: { email, role: ctx.settings.oidc!.defaultRole },
        });
        return created.rows[0].id;
      });
      if (identity.mfa !== true && (await userById(ctx.db, userId))?.totp_enabled) {
        // The provider stood in for the password, not for the second factor this account enrolled:
        // the browser finishes with its code, as after a password (the ticket stays out of server logs
        // in the URL fragment).
        return reply.redirect(`/#totp-ticket=${encodeURIComponent(await issueLoginTicket(ctx, userId))}`);
      }
      await startSession(ctx, reply, userId, identity.mfa === true, 'oidc');
      return reply.redirect('/');
    },
  );
}
