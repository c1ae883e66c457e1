/**
 * Authorisation matrix: every route of the control plane × every kind of caller. The expectations
 * below are written by hand from the role design (docs/server.md), not derived from the code: a route
 * added without a row here fails the test, and so does any unexpected allow or deny.
 *
 * "Denied" means 401, 403, or 404 "project not found" (projects a caller cannot read are hidden).
 * "Allowed" means anything else: with the valid bodies below, the handler runs (2xx, or a 4xx of
 * its own such as 404 "token not found" for a made-up id).
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import { forEachEngine } from './db/__fixtures__/engines.js';
import { startHarness, type Answer, type Harness } from './__fixtures__/plane.js';
import { sarifLog } from './__fixtures__/sarif.js';
import { createApiToken, createSession } from './services/identity.js';
import { csrfTokenFor, parseOpaqueToken } from './auth/tokens.js';
import type { Role } from './authz/roles.js';

type Who =
  | 'anon'
  | 'expired'
  | 'admin-no-mfa'
  | 'admin'
  | 'security-admin'
  | 'developer-member'
  | 'developer-other'
  | 'operator-member'
  | 'token-project-a'
  | 'token-project-b'
  | 'ci-project-a'
  | 'ci-other-repo';

const EVERYONE: Who[] = [
  'anon',
  'expired',
  'admin-no-mfa',
  'admin',
  'security-admin',
  'developer-member',
  'developer-other',
  'operator-member',
  'token-project-a',
  'token-project-b',
  'ci-project-a',
  'ci-other-repo',
];
const USERS_WITH_MFA: Who[] = [
  'admin',
  'security-admin',
  'developer-member',
  'developer-other',
  'operator-member',
];
const SIGNED_IN: Who[] = [...USERS_WITH_MFA, 'token-project-a', 'token-project-b', 'ci-project-a'];
const READERS_OF_A: Who[] = [
  'admin',
  'security-admin',
  'developer-member',
  'operator-member',
  'token-project-a',
  'ci-project-a',
];
const ADMIN: Who[] = ['admin'];
const SECURITY: Who[] = ['admin', 'security-admin'];

/** Routes nobody needs to be signed in for. Anything else public is a defect. */
const PUBLIC = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /openapi.json',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/login/totp',
  'GET /api/v1/auth/methods',
  'GET /api/v1/auth/oidc/login',
  'GET /api/v1/auth/oidc/callback',
  // The dashboard's static shell (no data; every API call behind it is checked).
  'GET /*',
]);

/** Who may use each protected route (project routes are called on project A). */
const EXPECTED: Record<string, Who[]> = {
  'GET /metrics': ['admin', 'security-admin', 'operator-member'],
  'POST /api/v1/auth/logout': [...SIGNED_IN, 'admin-no-mfa'],
  'GET /api/v1/auth/csrf': [...SIGNED_IN, 'admin-no-mfa'],
  'GET /api/v1/me': [...SIGNED_IN, 'admin-no-mfa'],
  'POST /api/v1/me/totp/enrol': [...USERS_WITH_MFA, 'admin-no-mfa'],
  'POST /api/v1/me/totp/confirm': [...USERS_WITH_MFA, 'admin-no-mfa'],
  'GET /api/v1/users': ADMIN,
  'POST /api/v1/users': ADMIN,
  'PATCH /api/v1/users/:userId': ADMIN,
  'GET /api/v1/orgs': SIGNED_IN,
  'POST /api/v1/orgs': ADMIN,
  'GET /api/v1/projects': SIGNED_IN,
  'GET /api/v1/overview': SIGNED_IN,
  'POST /api/v1/projects': SECURITY,
  'GET /api/v1/projects/:projectId': READERS_OF_A,
  'PUT /api/v1/projects/:projectId/members/:userId': ADMIN,
  'DELETE /api/v1/projects/:projectId/members/:userId': ADMIN,
  'POST /api/v1/tokens': ['admin', 'security-admin', 'developer-member', 'operator-member'],
  'GET /api/v1/tokens': USERS_WITH_MFA,
  'DELETE /api/v1/tokens/:tokenId': USERS_WITH_MFA,
  'GET /api/v1/federation': ADMIN,
  'PUT /api/v1/federation/issuers': ADMIN,
  'POST /api/v1/federation/rules': ADMIN,
  'DELETE /api/v1/federation/rules/:ruleId': ADMIN,
  'GET /api/v1/webhooks': ADMIN,
  'POST /api/v1/webhooks': ADMIN,
  'DELETE /api/v1/webhooks/:webhookId': ADMIN,
  'POST /api/v1/projects/:projectId/scans': READERS_OF_A,
  'GET /api/v1/projects/:projectId/scans': READERS_OF_A,
  'GET /api/v1/projects/:projectId/findings': READERS_OF_A,
  'GET /api/v1/findings/:findingId': READERS_OF_A,
  'POST /api/v1/findings/:findingId/triage': ['admin', 'security-admin', 'developer-member'],
  'POST /api/v1/projects/:projectId/findings/triage': ['admin', 'security-admin', 'developer-member'],
  'POST /api/v1/projects/:projectId/artifacts': ['admin', 'security-admin', 'operator-member'],
  'GET /api/v1/projects/:projectId/artifacts': READERS_OF_A,
  'GET /api/v1/projects/:projectId/artifacts/:artifactId': READERS_OF_A,
  'PUT /api/v1/projects/:projectId/artifacts/:artifactId/sbom': [
    'admin',
    'security-admin',
    'operator-member',
  ],
  'POST /api/v1/projects/:projectId/artifacts/:artifactId/evidence': [
    'admin',
    'security-admin',
    'operator-member',
  ],
  'POST /api/v1/rescan': SECURITY,
  'GET /api/v1/audit': SECURITY,
  'GET /api/v1/audit/export': SECURITY,
  'GET /api/v1/audit/verify': SECURITY,
  'GET /api/v1/environments': SIGNED_IN,
  'PUT /api/v1/environments/:name': ADMIN,
  'GET /api/v1/environments/:name/deployments': SIGNED_IN,
  'POST /api/v1/projects/:projectId/deployments': [
    'admin',
    'security-admin',
    'developer-member',
    'operator-member',
  ],
  'GET /api/v1/deployments': SIGNED_IN,
  'GET /api/v1/deployments/:deploymentId': READERS_OF_A,
  // Approvers: people with deployments:approve on the project AND an approver role of the
  // environment (production: security-admin, operator), never the requester; tokens never.
  'POST /api/v1/deployments/:deploymentId/decision': ['admin', 'security-admin', 'operator-member'],
};

forEachEngine('authorisation matrix', (getDb) => {
  let h: Harness;
  let jwksServer: Server;
  const ids: Record<string, string> = {};
  const users: Partial<Record<Who, string>> = {};
  const bearer: Partial<Record<Who, string>> = {};
  let n = 0;

  before(async () => {
    h = await startHarness(getDb(), { settings: { ciAllowHttpLoopback: true } });
    const db = h.db;
    const ctx = h.plane.ctx;
    const admin = await h.user('admin');
    const project = async (name: string, repository: string) =>
      (await h.call(admin, 'POST', '/api/v1/projects', { name, repository })).json.id as string;
    ids.projectId = await project('project-a', 'acme/a');
    ids.projectB = await project('project-b', 'acme/b');
    const mk = async (role: Role, email: string) =>
      (
        await db.query<{ id: string }>('INSERT INTO users (email, role) VALUES ($1, $2) RETURNING id', [
          email,
          role,
        ])
      ).rows[0]!.id;
    users['admin'] = admin.userId;
    users['admin-no-mfa'] = await mk('admin', 'nomfa@example.test');
    users['security-admin'] = await mk('security-admin', 'sec@example.test');
    users['developer-member'] = await mk('developer', 'dev-a@example.test');
    users['developer-other'] = await mk('developer', 'dev-b@example.test');
    users['operator-member'] = await mk('operator', 'ops-a@example.test');
    users.expired = admin.userId;
    const member = (who: Who, project: string) =>
      db.query('INSERT INTO memberships (user_id, project_id) VALUES ($1, $2)', [users[who], project]);
    await member('developer-member', ids.projectId);
    await member('operator-member', ids.projectId);
    await member('developer-other', ids.projectB);
    const far = new Date(h.clock.now.getTime() + 365 * 86_400_000);
    bearer['token-project-a'] = (
      await createApiToken(ctx, db, {
        name: 'a',
        userId: users['developer-member']!,
        projectId: ids.projectId,
        permissions: ['scans:upload', 'project:read'],
        expiresAt: far,
      })
    ).token;
    bearer['token-project-b'] = (
      await createApiToken(ctx, db, {
        name: 'b',
        userId: users['developer-other']!,
        projectId: ids.projectB,
        permissions: ['scans:upload', 'project:read'],
        expiresAt: far,
      })
    ).token;

    // A CI issuer on loopback, with one federation rule: acme/a on main → project A.
    const { publicKey, privateKey } = await jose.generateKeyPair('RS256');
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    let issuer = '';
    jwksServer = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration')
        res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
    await db.query(
      "INSERT INTO trusted_issuers (issuer, audience, platform) VALUES ($1, 'rampart', 'github-actions')",
      [issuer],
    );
    await db.query(
      "INSERT INTO federation_rules (issuer, repository, ref, project_id, permissions) VALUES ($1, 'acme/a', 'refs/heads/main', $2, ARRAY['scans:upload', 'project:read'])",
      [issuer, ids.projectId],
    );
    const mint = (repository: string) =>
      new jose.SignJWT({
        repository,
        ref: 'refs/heads/main',
        repository_owner: repository.split('/')[0],
        run_id: '1',
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience('rampart')
        .setSubject(`repo:${repository}:ref:refs/heads/main`)
        .setIssuedAt(Math.floor(h.clock.now.getTime() / 1000))
        .setExpirationTime(Math.floor(h.clock.now.getTime() / 1000) + 3600)
        .sign(privateKey);
    bearer['ci-project-a'] = await mint('acme/a');
    bearer['ci-other-repo'] = await mint('evil/other');

    // Objects the routes act on, all in project A.
    const up = await h.call(
      admin,
      'POST',
      `/api/v1/projects/${ids.projectId}/scans?branch=main`,
      sarifLog('Seed', [{ ruleId: 'r1', path: 'a.js', fp: 'seed' }]),
      { 'idempotency-key': 'seed' },
    );
    assert.equal(up.status, 201, up.text);
    ids.findingId = (
      await db.query<{ id: string }>('SELECT id FROM findings WHERE project_id = $1 LIMIT 1', [ids.projectId])
    ).rows[0]!.id;
    const art = await h.call(admin, 'POST', `/api/v1/projects/${ids.projectId}/artifacts`, {
      name: 'img',
      digest: `sha256:${'cd'.repeat(32)}`,
    });
    ids.artifactId = art.json.id;
    ids.userId = await mk('developer', 'target@example.test');
    ids.name = 'production';
    const env = await h.call(admin, 'PUT', '/api/v1/environments/production', {
      protection: { approvals: { count: 5, roles: ['admin', 'security-admin', 'operator'] } },
    });
    assert.equal(env.status, 200, env.text);
    const requesterId = await mk('developer', 'requester@example.test');
    await db.query('INSERT INTO memberships (user_id, project_id) VALUES ($1, $2)', [
      requesterId,
      ids.projectId,
    ]);
    const session = await createSession(ctx, db, requesterId, true);
    const requester = {
      role: 'developer' as const,
      userId: requesterId,
      email: '',
      cookie: session.token,
      csrf: csrfTokenFor(session.token, ctx.keys.key('csrf')),
    };
    const dep = await h.call(requester, 'POST', `/api/v1/projects/${ids.projectId}/deployments`, {
      environment: 'production',
      artifact: `img@sha256:${'cd'.repeat(32)}`,
    });
    assert.equal(dep.status, 201, dep.text);
    assert.equal(dep.json.status, 'pending-approval', dep.text);
    ids.deploymentId = dep.json.id;
    ids.tokenId = 'ffffffffffffffff';
    ids.ruleId = '00000000-0000-4000-8000-000000000001';
    ids.webhookId = '00000000-0000-4000-8000-000000000002';
  });
  after(async () => {
    await h.close();
    await new Promise<void>((r) => jwksServer.close(() => r()));
  });

  /** A fresh credential per call, so routes like logout or token revocation do not disturb others. */
  async function credential(who: Who): Promise<Parameters<Harness['call']>[0]> {
    if (who === 'anon') return undefined;
    if (bearer[who]) return { bearer: bearer[who]! };
    const ctx = h.plane.ctx;
    const session = await createSession(ctx, h.db, users[who]!, who !== 'admin-no-mfa');
    if (who === 'expired')
      await h.db.query('UPDATE sessions SET expires_at = $1 WHERE id = $2', [
        new Date(h.clock.now.getTime() - 60_000).toISOString(),
        parseOpaqueToken(session.token)!.id,
      ]);
    const role =
      who === 'developer-member' || who === 'developer-other'
        ? 'developer'
        : who === 'operator-member'
          ? 'operator'
          : who === 'security-admin'
            ? 'security-admin'
            : 'admin';
    return {
      role,
      userId: users[who]!,
      email: '',
      cookie: session.token,
      csrf: csrfTokenFor(session.token, ctx.keys.key('csrf')),
    };
  }

  function bodyFor(key: string): { body?: unknown; headers?: Record<string, string> } {
    n++;
    switch (key) {
      case 'POST /api/v1/projects/:projectId/scans':
        return {
          body: sarifLog('Matrix', [{ ruleId: 'r', path: `f${n}.js`, fp: `m${n}` }]),
          headers: { 'idempotency-key': `matrix-${n}` },
        };
      case 'POST /api/v1/tokens':
        return { body: { name: `t${n}`, projectId: ids.projectId, permissions: ['project:read'] } };
      case 'POST /api/v1/findings/:findingId/triage':
        return { body: { action: 'comment', comment: 'matrix' } };
      case 'POST /api/v1/projects/:projectId/findings/triage':
        return { body: { action: 'comment', comment: 'matrix', findingIds: [ids.findingId] } };
      case 'POST /api/v1/projects':
        return { body: { name: `p${n}` } };
      case 'POST /api/v1/orgs':
        return { body: { name: `org${n}` } };
      case 'POST /api/v1/users':
        return { body: { email: `u${n}@example.test`, role: 'developer' } };
      case 'PATCH /api/v1/users/:userId':
        return { body: { role: 'developer' } };
      case 'POST /api/v1/projects/:projectId/artifacts':
        return { body: { name: 'img', digest: `sha256:${'ab'.repeat(32)}` } };
      case 'POST /api/v1/projects/:projectId/artifacts/:artifactId/evidence':
        return { body: { kind: 'signature', verified: false } };
      case 'PUT /api/v1/environments/:name':
        return {
          body: { protection: { approvals: { count: 5, roles: ['admin', 'security-admin', 'operator'] } } },
        };
      case 'POST /api/v1/projects/:projectId/deployments':
        return { body: { environment: 'production', artifact: `img@sha256:${'cd'.repeat(32)}` } };
      case 'POST /api/v1/deployments/:deploymentId/decision':
        return { body: { decision: 'approve', comment: 'matrix' } };
      case 'PUT /api/v1/projects/:projectId/artifacts/:artifactId/sbom':
        return {
          body: {
            bomFormat: 'CycloneDX',
            specVersion: '1.5',
            components: [
              { type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
            ],
          },
        };
      default:
        return { body: ['POST', 'PUT', 'PATCH'].includes(key.split(' ')[0]!) ? {} : undefined };
    }
  }

  function isDenied(r: Answer): boolean {
    return (
      r.status === 401 || r.status === 403 || (r.status === 404 && r.json?.error === 'project not found')
    );
  }

  it('covers every route and keeps the public set closed', () => {
    const keys = h.plane.server.routes.map((r) => `${r.method} ${r.url}`);
    const publicNow = h.plane.server.routes
      .filter((r) => r.access === 'public')
      .map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(
      publicNow.filter((k) => !PUBLIC.has(k)),
      [],
      'routes made public without review',
    );
    const missing = keys.filter((k) => !PUBLIC.has(k) && !(k in EXPECTED));
    assert.deepEqual(missing, [], 'routes without a row in the matrix');
  });

  it('allows exactly the expected callers on every protected route', async () => {
    const unexpectedAllows: string[] = [];
    const unexpectedDenies: string[] = [];
    let calls = 0;
    for (const route of h.plane.server.routes) {
      const key = `${route.method} ${route.url}`;
      if (PUBLIC.has(key)) continue;
      const allowed = new Set(EXPECTED[key] ?? []);
      const url = route.url.replace(/:(\w+)/g, (_m, name: string) => {
        const v = ids[name];
        if (!v) throw new Error(`no test value for :${name} in ${key}`);
        return v;
      });
      for (const who of EVERYONE) {
        const { body, headers } = bodyFor(key);
        const r = await h.call(await credential(who), route.method, url, body, headers);
        calls++;
        if (isDenied(r) && allowed.has(who))
          unexpectedDenies.push(`${key} ${who} → ${r.status} ${r.text.slice(0, 80)}`);
        if (!isDenied(r) && !allowed.has(who))
          unexpectedAllows.push(`${key} ${who} → ${r.status} ${r.text.slice(0, 80)}`);
      }
    }
    console.log(
      `authorisation matrix: ${calls} calls, ${unexpectedAllows.length} unexpected allows, ${unexpectedDenies.length} unexpected denies`,
    );
    assert.deepEqual(unexpectedAllows, []);
    assert.deepEqual(unexpectedDenies, []);
  });

  it('hides other projects from listings', async () => {
    const other = await h.call(await credential('developer-other'), 'GET', '/api/v1/projects');
    assert.deepEqual(
      other.json.projects.map((p: { name: string }) => p.name),
      ['project-b'],
    );
    const ci = await h.call(await credential('ci-project-a'), 'GET', '/api/v1/projects');
    assert.deepEqual(
      ci.json.projects.map((p: { name: string }) => p.name),
      ['project-a'],
    );
  });
});
