/**
 * Identity end to end through the control plane's HTTP API, on both database engines:
 * - single sign-on against a real OpenID provider on 127.0.0.1 (oidc-provider, development login
 *   pages played by `browse`): login redirect, callback, session, account linking by issuer+subject;
 * - CI workload identity federation: a local issuer serving a discovery document and a JWKS, an admin
 *   registering it with a rule, GitHub-shaped tokens uploading to the one project the rule names.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCiIssuer, type MintOptions, type TestCiIssuer } from './auth/__fixtures__/ci-issuer.js';
import { startOidcProvider, type TestOidcProvider } from './auth/__fixtures__/oidc-provider.js';
import { forEachEngine } from './db/__fixtures__/engines.js';
import { startHarness, totpNow, type Answer, type Caller, type Harness } from './__fixtures__/plane.js';
import { sarifLog } from './__fixtures__/sarif.js';

const PUBLIC_URL = 'http://127.0.0.1:8080';
const CALLBACK = `${PUBLIC_URL}/api/v1/auth/oidc/callback`;
const CLIENT = { client_id: 'rampart', client_secret: 'identity-test-client-secret-0123456789' };

/** The value of cookie `name` among a response's Set-Cookie headers ('' when cleared, undefined when absent). */
function setCookie(answer: Answer, name: string): string | undefined {
  const raw = answer.headers['set-cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  for (const line of lines) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(line);
    if (m) return m[1]!;
  }
  return undefined;
}

forEachEngine('identity: OIDC single sign-on', (getDb) => {
  let idp: TestOidcProvider;
  let h: Harness;
  const accounts: Record<string, Record<string, unknown>> = {
    alice: { email: 'alice@example.com', email_verified: true, name: 'Alice Example' },
    carol: { email: 'carol@example.com', email_verified: true, name: 'Carol Example' },
    dave: { email: 'dave@example.com', email_verified: true, name: 'Dave Example' },
  };

  before(async () => {
    idp = await startOidcProvider({
      clients: [{ ...CLIENT, redirect_uris: [CALLBACK] }],
      accounts,
    });
    h = await startHarness(getDb(), {
      settings: {
        publicUrl: PUBLIC_URL,
        oidc: {
          issuer: idp.issuer,
          clientId: CLIENT.client_id,
          clientSecret: CLIENT.client_secret,
          allowHttp: true,
          defaultRole: 'developer',
        },
      },
    });
  });
  after(async () => {
    await h.close();
    await idp.close();
  });

  /** Rampart's login redirect, the provider's pages, and the callback URL the provider sends the browser to. */
  async function startSso(login: string): Promise<{ oidcCookie: string; callback: URL }> {
    const start = await h.call(undefined, 'GET', '/api/v1/auth/oidc/login');
    assert.equal(start.status, 302, start.text);
    const location = new URL(String(start.headers.location));
    assert.equal(location.origin, idp.issuer);
    assert.equal(location.searchParams.get('redirect_uri'), CALLBACK);
    const oidcCookie = setCookie(start, 'rampart_oidc');
    assert.ok(oidcCookie, 'the login checks travel in the rampart_oidc cookie');
    const callback = new URL(await idp.browse(location.href, login));
    assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
    return { oidcCookie, callback };
  }

  function finishSso(callback: URL, oidcCookie: string | undefined): Promise<Answer> {
    return h.call(
      undefined,
      'GET',
      `${callback.pathname}${callback.search}`,
      undefined,
      oidcCookie === undefined ? {} : { cookie: `rampart_oidc=${oidcCookie}` },
    );
  }

  async function ssoSession(login: string): Promise<Caller> {
    const { oidcCookie, callback } = await startSso(login);
    const done = await finishSso(callback, oidcCookie);
    assert.equal(done.status, 302, done.text);
    assert.equal(done.headers.location, '/');
    assert.equal(setCookie(done, 'rampart_oidc'), '', 'the one-time login cookie is cleared');
    const cookie = setCookie(done, 'rampart_session');
    assert.ok(cookie, 'a session cookie is set');
    const session = { cookie, csrf: '' };
    const csrf = await h.call(session as Caller, 'GET', '/api/v1/auth/csrf');
    assert.equal(csrf.status, 200, csrf.text);
    const me = await h.call(session as Caller, 'GET', '/api/v1/me');
    assert.equal(me.status, 200, me.text);
    return {
      role: me.json.role,
      userId: me.json.id,
      email: me.json.email,
      cookie,
      csrf: csrf.json.csrfToken,
    };
  }

  it('first sign-in creates a developer from the provider’s claims; the session works like any other', async () => {
    const alice = await ssoSession('alice');
    const me = await h.call(alice, 'GET', '/api/v1/me');
    assert.equal(me.json.kind, 'user');
    assert.equal(me.json.email, 'alice@example.com');
    assert.equal(me.json.name, 'Alice Example');
    assert.equal(me.json.role, 'developer');
    assert.equal(me.json.mfaSatisfied, true, 'developers need no second factor');
    const row = await h.db.query<{ oidc_issuer: string; oidc_subject: string; password_hash: string | null }>(
      'SELECT oidc_issuer, oidc_subject, password_hash FROM users WHERE id = $1',
      [alice.userId],
    );
    assert.deepEqual(row.rows[0], { oidc_issuer: idp.issuer, oidc_subject: 'alice', password_hash: null });
    const trail = await h.db.query<{ actor: string; action: string; details: Record<string, unknown> }>(
      'SELECT actor, action, details FROM audit_log WHERE target = $1 ORDER BY seq',
      [`user:${alice.userId}`],
    );
    assert.deepEqual(
      trail.rows.map((r) => [r.actor, r.action, r.details]),
      [
        [`oidc:${idp.issuer}#alice`, 'user.create-sso', { email: 'alice@example.com', role: 'developer' }],
        ['user:alice@example.com', 'auth.login', { method: 'oidc' }],
      ],
    );
    // A state-changing request with the session's CSRF token, then the session is gone.
    const out = await h.call(alice, 'POST', '/api/v1/auth/logout');
    assert.equal(out.status, 200, out.text);
    assert.equal((await h.call(alice, 'GET', '/api/v1/me')).status, 401);
  });

  it('a later sign-in reaches the same account, linked by issuer and subject even when the e-mail changed', async () => {
    const first = await ssoSession('alice');
    accounts.alice!.email = 'alice.renamed@example.com';
    try {
      const second = await ssoSession('alice');
      assert.equal(second.userId, first.userId);
      assert.notEqual(second.cookie, first.cookie);
    } finally {
      accounts.alice!.email = 'alice@example.com';
    }
    const n = await h.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM users WHERE oidc_issuer = $1 AND oidc_subject = 'alice'",
      [idp.issuer],
    );
    assert.equal(Number(n.rows[0]!.n), 1);
  });

  it('never takes over a local account that has the same e-mail', async () => {
    const local = await h.user('developer', 'carol@example.com');
    const { oidcCookie, callback } = await startSso('carol');
    const done = await finishSso(callback, oidcCookie);
    assert.equal(done.status, 409, done.text);
    assert.match(done.json.error, /local account already uses carol@example\.com/);
    assert.equal(setCookie(done, 'rampart_session'), undefined);
    const row = await h.db.query<{ oidc_subject: string | null }>(
      'SELECT oidc_subject FROM users WHERE id = $1',
      [local.userId],
    );
    assert.equal(row.rows[0]!.oidc_subject, null);
  });

  it('refuses a tampered state, a missing or forged login cookie, or another login’s cookie, with no session', async () => {
    const { oidcCookie, callback } = await startSso('alice');
    const other = await startSso('alice');

    const start = await h.call(undefined, 'GET', '/api/v1/auth/oidc/login');
    const cancelled = new URL(
      await idp.browse(String(start.headers.location), 'alice', { abortAtLogin: true }),
    );
    const tampered = new URL(callback);
    tampered.searchParams.set('state', 'attacker-chosen-state');
    const attempts: [string, URL, string | undefined, number][] = [
      ['tampered state', tampered, oidcCookie, 401],
      ['no login cookie', callback, undefined, 400],
      ['forged login cookie', callback, `${oidcCookie.split('.')[0]}.${'A'.repeat(43)}`, 400],
      ['cookie of another login', callback, other.oidcCookie, 401],
      ['sign-in cancelled at the provider', cancelled, setCookie(start, 'rampart_oidc'), 401],
    ];
    for (const [what, url, cookie, status] of attempts) {
      const r = await finishSso(url, cookie);
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.equal(typeof r.json.error, 'string', what);
      assert.doesNotMatch(r.json.error, /\n/, what);
      assert.equal(setCookie(r, 'rampart_session'), undefined, `${what}: no session`);
    }
    // None of the refused attempts spent the code: the genuine pair still signs in.
    const ok = await finishSso(callback, oidcCookie);
    assert.equal(ok.status, 302, ok.text);
    assert.ok(setCookie(ok, 'rampart_session'));
  });

  it('an SSO account with TOTP enrolled finishes sign-in with its code when the provider reports no MFA', async () => {
    const dave = await ssoSession('dave');
    const enrol = await h.call(dave, 'POST', '/api/v1/me/totp/enrol');
    assert.equal(enrol.status, 200, enrol.text);
    const confirm = await h.call(dave, 'POST', '/api/v1/me/totp/confirm', {
      code: totpNow(enrol.json.secret, h.clock.now),
    });
    assert.equal(confirm.status, 200, confirm.text);
    h.clock.advance(30_000);

    const { oidcCookie, callback } = await startSso('dave');
    const done = await finishSso(callback, oidcCookie);
    assert.equal(done.status, 302, done.text);
    assert.equal(setCookie(done, 'rampart_session'), undefined, 'no session before the second factor');
    const ticket = /^\/#totp-ticket=([^&]+)$/.exec(String(done.headers.location))?.[1];
    assert.ok(ticket, `the browser is sent to the code step: ${String(done.headers.location)}`);
    const wrong = await h.call(undefined, 'POST', '/api/v1/auth/login/totp', {
      ticket: decodeURIComponent(ticket),
      code: '000000',
    });
    assert.equal(wrong.status, 401);
    const ok = await h.call(undefined, 'POST', '/api/v1/auth/login/totp', {
      ticket: decodeURIComponent(ticket),
      code: totpNow(enrol.json.secret, h.clock.now),
    });
    assert.equal(ok.status, 200, ok.text);
    const session = { cookie: setCookie(ok, 'rampart_session')!, csrf: ok.json.csrfToken } as Caller;
    const me = await h.call(session, 'GET', '/api/v1/me');
    assert.equal(me.json.id, dave.userId);
    assert.equal(me.json.mfaSatisfied, true);
    assert.equal((await h.call(session, 'GET', '/api/v1/orgs')).status, 200, 'past the MFA gate');
  });

  it('a disabled SSO account cannot sign in again', async () => {
    const alice = await ssoSession('alice');
    const admin = await h.user('admin');
    const off = await h.call(admin, 'PATCH', `/api/v1/users/${alice.userId}`, { disabled: true });
    assert.equal(off.status, 200, off.text);
    assert.equal((await h.call(alice, 'GET', '/api/v1/me')).status, 401, 'its sessions ended');
    const { oidcCookie, callback } = await startSso('alice');
    const done = await finishSso(callback, oidcCookie);
    assert.equal(done.status, 403, done.text);
    assert.equal(setCookie(done, 'rampart_session'), undefined);
  });
});

forEachEngine('identity: CI token federation', (getDb) => {
  const AUDIENCE = 'https://rampart.example.test';
  let ci: TestCiIssuer;
  let h: Harness;
  let admin: Caller;
  let projectId: string;
  let otherProjectId: string;
  let ruleId: string;

  before(async () => {
    ci = await startCiIssuer();
    h = await startHarness(getDb(), { settings: { ciAllowHttpLoopback: true } });
    admin = await h.user('admin');
    const p = await h.call(admin, 'POST', '/api/v1/projects', {
      name: 'payments',
      repository: 'acme/payments',
    });
    assert.equal(p.status, 201, p.text);
    projectId = p.json.id;
    const o = await h.call(admin, 'POST', '/api/v1/projects', { name: 'ledger' });
    assert.equal(o.status, 201, o.text);
    otherProjectId = o.json.id;
  });
  after(async () => {
    await h.close();
    await ci.close();
  });

  /** A token shaped like the one GitHub Actions issues to a workflow run, valid at the harness clock. */
  function githubToken(overrides: Record<string, unknown> = {}, options?: MintOptions): Promise<string> {
    const now = Math.floor(h.clock.now.getTime() / 1000);
    const repository = (overrides.repository as string | undefined) ?? 'acme/payments';
    const ref = (overrides.ref as string | undefined) ?? 'refs/heads/main';
    return ci.mint(
      {
        aud: AUDIENCE,
        sub: `repo:${repository}:ref:${ref}`,
        repository,
        repository_owner: repository.split('/')[0],
        ref,
        ref_type: 'branch',
        job_workflow_ref: `${repository}/.github/workflows/ci.yml@${ref}`,
        run_id: '4242',
        iat: now - 5,
        nbf: now - 5,
        exp: now + 300,
        ...overrides,
      },
      options,
    );
  }

  const sarif = sarifLog('CodeQL', [
    { ruleId: 'js/sql-injection', path: 'src/db.js', line: 12, fp: 'ci-fp-1', level: 'error' },
    { ruleId: 'js/xss', path: 'src/view.js', line: 40, fp: 'ci-fp-2' },
  ]);
  const upload = (bearer: string, project = projectId, key = 'ci-run-4242') =>
    h.call({ bearer }, 'POST', `/api/v1/projects/${project}/scans?branch=main&tool=CodeQL`, sarif, {
      'content-type': 'application/sarif+json',
      'idempotency-key': key,
    });

  it('without SSO configured, the SSO login route answers 404', async () => {
    const r = await h.call(undefined, 'GET', '/api/v1/auth/oidc/login');
    assert.equal(r.status, 404);
  });

  it('an admin registers the issuer and a rule; only settings:manage may', async () => {
    const dev = await h.user('developer');
    const denied = await h.call(dev, 'PUT', '/api/v1/federation/issuers', {
      issuer: ci.issuer,
      audience: AUDIENCE,
      platform: 'github-actions',
    });
    assert.equal(denied.status, 403);
    const put = await h.call(admin, 'PUT', '/api/v1/federation/issuers', {
      issuer: ci.issuer,
      audience: AUDIENCE,
      platform: 'github-actions',
    });
    assert.equal(put.status, 200, put.text);
    const unknownIssuer = await h.call(admin, 'POST', '/api/v1/federation/rules', {
      issuer: 'https://not-registered.example',
      repository: 'acme/payments',
      projectId,
      permissions: ['scans:upload'],
    });
    assert.equal(unknownIssuer.status, 404, unknownIssuer.text);
    const rule = await h.call(admin, 'POST', '/api/v1/federation/rules', {
      issuer: ci.issuer,
      repository: 'acme/payments',
      ref: 'refs/heads/main',
      projectId,
      permissions: ['scans:upload', 'project:read'],
    });
    assert.equal(rule.status, 201, rule.text);
    ruleId = rule.json.id;
    const listed = await h.call(admin, 'GET', '/api/v1/federation');
    assert.deepEqual(listed.json.issuers, [
      { issuer: ci.issuer, audience: AUDIENCE, platform: 'github-actions', jwksUri: null },
    ]);
    assert.deepEqual(listed.json.rules, [
      {
        id: ruleId,
        issuer: ci.issuer,
        repository: 'acme/payments',
        ref: 'refs/heads/main',
        environment: null,
        projectId,
        permissions: ['scans:upload', 'project:read'],
      },
    ]);
  });

  it('the workflow token of acme/payments on main uploads a SARIF and reads the findings', async () => {
    const token = await githubToken();
    const me = await h.call({ bearer: token }, 'GET', '/api/v1/me');
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.json, {
      kind: 'ci',
      label: 'ci:github-actions:acme/payments@refs/heads/main',
      projectId,
      permissions: ['scans:upload', 'project:read'],
    });
    const up = await upload(token);
    assert.equal(up.status, 201, up.text);
    assert.equal(up.json.summary.findings, 2);
    assert.equal(up.json.summary.created, 2);
    const again = await upload(token);
    assert.equal(again.status, 200, 'the same idempotency key is the same scan');
    assert.equal(again.json.scanId, up.json.scanId);
    const list = await h.call({ bearer: token }, 'GET', `/api/v1/projects/${projectId}/findings`);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.findings.map((f: { ruleId: string }) => f.ruleId).sort(), [
      'js/sql-injection',
      'js/xss',
    ]);
    const scans = await h.call(admin, 'GET', `/api/v1/projects/${projectId}/scans`);
    assert.equal(scans.json.scans[0].uploadedBy, 'ci:github-actions:acme/payments@refs/heads/main');
  });

  it('refuses with 401 a token of another repository or ref, for another audience, expired, or signed by another key', async () => {
    const now = Math.floor(h.clock.now.getTime() / 1000);
    const before = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM scans');
    const refused: [string, Promise<string>][] = [
      ['another repository', githubToken({ repository: 'acme/ledger' })],
      ['another ref', githubToken({ ref: 'refs/heads/feature-x' })],
      ['a tag ref', githubToken({ ref: 'refs/tags/v1.0.0' })],
      ['wrong audience', githubToken({ aud: 'https://another-server.example' })],
      ['expired', githubToken({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 })],
      ['another key under the published kid', githubToken({}, { key: 'rogue-same-kid' })],
      ['a key the issuer does not publish', githubToken({}, { key: 'rogue' })],
      ['no exp', githubToken({ exp: undefined })],
    ];
    for (const [what, pending] of refused) {
      const token = await pending;
      const up = await upload(token, projectId, `refused-${what}`);
      assert.equal(up.status, 401, `${what}: ${up.status} ${up.text}`);
      assert.deepEqual(up.json, { error: 'invalid or expired credential' }, what);
      const read = await h.call({ bearer: token }, 'GET', `/api/v1/projects/${projectId}/findings`);
      assert.equal(read.status, 401, what);
    }
    // The issuer and its keys were reachable all along: a good token still passes.
    assert.equal((await h.call({ bearer: await githubToken() }, 'GET', '/api/v1/me')).status, 200);
    const afterwards = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM scans');
    assert.equal(afterwards.rows[0]!.n, before.rows[0]!.n, 'no refused token left a scan');
    // The good token at a time past its expiry is refused too (the server's clock decides).
    const good = await githubToken();
    h.clock.advance(3_600_000);
    try {
      assert.equal((await h.call({ bearer: good }, 'GET', '/api/v1/me')).status, 401);
    } finally {
      h.clock.advance(-3_600_000);
    }
  });

  it('the CI token reaches neither another project (404) nor admin routes (403), nor permissions the rule lacks', async () => {
    const token = await githubToken();
    const other = await upload(token, otherProjectId, 'other-project');
    assert.equal(other.status, 404, other.text);
    const otherRead = await h.call({ bearer: token }, 'GET', `/api/v1/projects/${otherProjectId}/findings`);
    assert.equal(otherRead.status, 404);
    const adminRoutes: [string, string, unknown?][] = [
      ['GET', '/api/v1/users'],
      ['GET', '/api/v1/federation'],
      ['PUT', '/api/v1/federation/issuers', { issuer: ci.issuer, audience: 'x', platform: 'generic' }],
      ['GET', '/api/v1/audit'],
      ['POST', '/api/v1/projects', { name: 'from-ci' }],
    ];
    for (const [method, url, body] of adminRoutes) {
      const r = await h.call({ bearer: token }, method, url, body);
      assert.equal(r.status, 403, `${method} ${url}: ${r.status} ${r.text}`);
    }
    const artifact = await h.call({ bearer: token }, 'POST', `/api/v1/projects/${projectId}/artifacts`, {
      name: 'registry.example/payments',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    assert.equal(artifact.status, 403, 'artifacts:write is not in the rule');
    const issuerRow = await h.db.query<{ audience: string }>('SELECT audience FROM trusted_issuers');
    assert.deepEqual(issuerRow.rows, [{ audience: AUDIENCE }]);
  });

  it('deleting the rule revokes the federation at once', async () => {
    const token = await githubToken();
    assert.equal((await h.call({ bearer: token }, 'GET', '/api/v1/me')).status, 200);
    const del = await h.call(admin, 'DELETE', `/api/v1/federation/rules/${ruleId}`);
    assert.equal(del.status, 200, del.text);
    assert.equal((await h.call({ bearer: token }, 'GET', '/api/v1/me')).status, 401);
  });
});
