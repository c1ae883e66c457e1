/**
 * The control plane end to end on both database engines: sign-in with MFA, projects, uploads
 * (idempotent, validated, all-or-nothing), the findings lifecycle through later scans and triage,
 * SLA dates, artifacts, and the audit trail with tamper detection.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { forEachEngine } from './db/__fixtures__/engines.js';
import { startHarness, totpNow, PASSWORD, type Caller, type Harness } from './__fixtures__/plane.js';
import { sarifLog } from './__fixtures__/sarif.js';
import { expireRiskAcceptances } from './services/expiry.js';

const fixture = (name: string) => readFileSync(new URL(`./ingest/__fixtures__/${name}`, import.meta.url));

forEachEngine('control plane', (getDb) => {
  let h: Harness;
  let admin: Caller;
  let sec: Caller;
  let dev: Caller;
  let projectId: string;
  let token: string;

  before(async () => {
    h = await startHarness(getDb());
    admin = await h.user('admin');
    sec = await h.user('security-admin');
    dev = await h.user('developer');
  });
  after(() => h.close());

  const upload = (
    body: string | Buffer,
    query: string,
    key: string,
    who: Caller | { bearer: string } = { bearer: token },
  ) => h.call(who, 'POST', `/api/v1/projects/${projectId}/scans?${query}`, body, { 'idempotency-key': key });

  it('signs in with password, then requires TOTP once enrolled; a replayed code is refused', async () => {
    const first = await h.call(undefined, 'POST', '/api/v1/auth/login', {
      email: admin.email,
      password: PASSWORD,
    });
    assert.equal(first.status, 200);
    assert.equal(first.json.mfa, 'required');
    assert.equal(first.headers['set-cookie'], undefined, 'no session before the second factor');
    const code = totpNow(admin.totpSecret!, h.clock.now);
    const ok = await h.call(undefined, 'POST', '/api/v1/auth/login/totp', {
      ticket: first.json.ticket,
      code,
    });
    assert.equal(ok.status, 200, ok.text);
    assert.match(String(ok.headers['set-cookie']), /rampart_session=.*HttpOnly/i);
    const again = await h.call(undefined, 'POST', '/api/v1/auth/login', {
      email: admin.email,
      password: PASSWORD,
    });
    const replay = await h.call(undefined, 'POST', '/api/v1/auth/login/totp', {
      ticket: again.json.ticket,
      code,
    });
    assert.equal(replay.status, 401);
    const wrong = await h.call(undefined, 'POST', '/api/v1/auth/login', {
      email: admin.email,
      password: 'wrong password 1234',
    });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.json, { error: 'invalid credentials' });
  });

  it('an admin without MFA can only enrol; a session without CSRF token cannot write', async () => {
    const fresh = await h.db.query<{ id: string }>(
      "INSERT INTO users (email, role, password_hash) SELECT 'late-admin@example.test', 'admin', password_hash FROM users WHERE id = $1 RETURNING id",
      [dev.userId],
    );
    assert.ok(fresh.rows[0]);
    const login = await h.call(undefined, 'POST', '/api/v1/auth/login', {
      email: 'late-admin@example.test',
      password: PASSWORD,
    });
    assert.equal(login.json.mfa, 'enrolment-required');
    const cookie = /rampart_session=([^;]+)/.exec(String(login.headers['set-cookie']))![1]!;
    const caller = { ...admin, cookie, csrf: login.json.csrfToken };
    assert.equal((await h.call(caller, 'GET', '/api/v1/users')).status, 403);
    assert.equal((await h.call(caller, 'GET', '/api/v1/me')).status, 200);
    const noCsrf = await h.call({ ...dev, csrf: 'forged' }, 'POST', '/api/v1/tokens', {
      name: 'x',
      permissions: ['project:read'],
    });
    assert.equal(noCsrf.status, 403);
    assert.match(noCsrf.json.error, /CSRF/);
  });

  it('creates a project, adds a member, mints a project-scoped upload token', async () => {
    const p = await h.call(admin, 'POST', '/api/v1/projects', {
      name: 'payments',
      repository: 'acme/payments',
    });
    assert.equal(p.status, 201, p.text);
    projectId = p.json.id;
    assert.equal(
      (await h.call(admin, 'PUT', `/api/v1/projects/${projectId}/members/${dev.userId}`)).status,
      200,
    );
    const t = await h.call(dev, 'POST', '/api/v1/tokens', {
      name: 'ci',
      projectId,
      permissions: ['scans:upload', 'project:read'],
    });
    assert.equal(t.status, 201, t.text);
    assert.match(t.json.token, /^rpt_/);
    token = t.json.token;
    const stored = await h.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    assert.ok(
      stored.rows.every((r) => !r.token_hash.includes(token)),
      'only the hash is stored',
    );
    const tooMuch = await h.call(dev, 'POST', '/api/v1/tokens', {
      name: 'x',
      projectId,
      permissions: ['findings:accept-risk'],
    });
    assert.equal(tooMuch.status, 403);
  });

  it('ingests SARIF from CodeQL, Semgrep and Trivy and Rampart JSON; a retried upload counts once', async () => {
    for (const name of ['codeql.sarif', 'semgrep.sarif', 'trivy.sarif', 'rampart-demo.json']) {
      const r = await upload(fixture(name), 'branch=main&commit=abc123', `fixture-${name}`);
      assert.equal(r.status, 201, `${name}: ${r.text}`);
      assert.ok(r.json.summary.created > 0, name);
      const retry = await upload(fixture(name), 'branch=main&commit=abc123', `fixture-${name}`);
      assert.equal(retry.status, 200);
      assert.equal(retry.json.duplicate, true);
      assert.equal(retry.json.scanId, r.json.scanId);
    }
    const scans = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM scans WHERE project_id = $1', [
      projectId,
    ]);
    assert.equal(Number(scans.rows[0]!.n), 4);
    const list = await h.call({ bearer: token }, 'GET', `/api/v1/projects/${projectId}/findings?limit=500`);
    assert.equal(list.status, 200);
    const tools = new Set(list.json.findings.map((f: { tool: string }) => f.tool));
    assert.ok(tools.size >= 4, [...tools].join(','));
    const mine = await h.call(dev, 'GET', '/api/v1/tokens');
    const ci = (mine.json.tokens as { name: string; lastUsedAt: unknown }[]).find((t) => t.name === 'ci')!;
    assert.ok(ci.lastUsedAt, 'the token list says when the token was last used');
  });

  it('follows new → open → fixed → reopened across scans of one branch and tool', async () => {
    const a = {
      ruleId: 'js/sql-injection',
      path: 'src/db.js',
      fp: 'aaa',
      level: 'error' as const,
      securitySeverity: '8.8',
    };
    const b = { ruleId: 'js/xss', path: 'src/view.js', fp: 'bbb' };
    const c = { ruleId: 'js/path-injection', path: 'src/files.js', fp: 'ccc', securitySeverity: '9.8' };
    const s1 = await upload(sarifLog('LifecycleTool', [a, b, c]), 'branch=feature', 'life-1');
    assert.deepEqual(s1.json.summary, { findings: 3, created: 3, reopened: 0, fixed: 0, unchanged: 0 });
    h.clock.advance(3_600_000);
    const s2 = await upload(sarifLog('LifecycleTool', [a, { ...b, line: 40 }]), 'branch=feature', 'life-2');
    assert.equal(s2.json.summary.fixed, 1);
    // A partial scan never fixes anything.
    const s3 = await upload(sarifLog('LifecycleTool', [a]), 'branch=feature&complete=false', 'life-3');
    assert.equal(s3.json.summary.fixed, 0);
    h.clock.advance(3_600_000);
    const s4 = await upload(sarifLog('LifecycleTool', [a, b, c]), 'branch=feature', 'life-4');
    assert.equal(s4.json.summary.reopened, 1);
    const rows = await h.db.query<{
      fingerprint: string;
      state: string;
      sla_due_at: Date;
      first_seen_at: Date;
      location: { startLine: number };
    }>(
      "SELECT fingerprint, state, sla_due_at, first_seen_at, location FROM findings WHERE tool = 'LifecycleTool' ORDER BY rule_id",
    );
    const byRule = Object.fromEntries(rows.rows.map((r) => [r.location && r.fingerprint, r]));
    assert.equal(rows.rows.length, 3, 'same fingerprints, no duplicates');
    const states = rows.rows.map((r) => r.state).sort();
    assert.deepEqual(states, ['open', 'open', 'open']);
    // SLA from the first sighting: critical (9.8) 7 days, high (8.8) 30 days.
    const days = rows.rows
      .map((r) =>
        Math.round((new Date(r.sla_due_at).getTime() - new Date(r.first_seen_at).getTime()) / 86_400_000),
      )
      .sort((x, y) => x - y);
    assert.ok(days.includes(7) && days.includes(30), JSON.stringify(days));
    assert.ok(Object.keys(byRule).length > 0);
    const events = await h.db.query<{ to_state: string; reason: string }>(
      `SELECT e.to_state, e.reason FROM finding_events e JOIN findings f ON f.id = e.finding_id
       WHERE f.tool = 'LifecycleTool' AND f.rule_id = 'js/path-injection' ORDER BY e.id`,
    );
    assert.deepEqual(
      events.rows.map((e) => `${e.to_state}:${e.reason}`),
      ['new:first-seen', 'fixed:absent-from-complete-scan', 'open:reappeared'],
    );
  });

  it('triage: dismiss with reason (stays dismissed), accept risk needs security-admin and expires', async () => {
    const list = await h.call(
      dev,
      'GET',
      `/api/v1/projects/${projectId}/findings?branch=feature&tool=LifecycleTool`,
    );
    const [x, y] = list.json.findings as { id: string }[];
    const dismiss = await h.call(dev, 'POST', `/api/v1/findings/${x!.id}/triage`, {
      action: 'dismiss',
      reason: 'used-in-tests',
      comment: 'fixture data',
    });
    assert.equal(dismiss.status, 200, dismiss.text);
    assert.equal(dismiss.json.state, 'dismissed');
    const until = new Date(h.clock.now.getTime() + 2 * 86_400_000).toISOString();
    const devAccept = await h.call(dev, 'POST', `/api/v1/findings/${y!.id}/triage`, {
      action: 'accept-risk',
      until,
      comment: 'x',
    });
    assert.equal(devAccept.status, 403);
    const accept = await h.call(sec, 'POST', `/api/v1/findings/${y!.id}/triage`, {
      action: 'accept-risk',
      until,
      comment: 'compensating WAF rule',
    });
    assert.equal(accept.status, 200, accept.text);
    const all = [
      {
        ruleId: 'js/sql-injection',
        path: 'src/db.js',
        fp: 'aaa',
        level: 'error' as const,
        securitySeverity: '8.8',
      },
      { ruleId: 'js/xss', path: 'src/view.js', fp: 'bbb' },
      { ruleId: 'js/path-injection', path: 'src/files.js', fp: 'ccc', securitySeverity: '9.8' },
    ];
    await upload(sarifLog('LifecycleTool', all), 'branch=feature', 'life-5');
    const mid = await h.call(dev, 'GET', `/api/v1/findings/${x!.id}`);
    assert.equal(mid.json.finding.state, 'dismissed');
    h.clock.advance(3 * 86_400_000);
    await upload(sarifLog('LifecycleTool', all), 'branch=feature', 'life-6');
    const later = await h.call(dev, 'GET', `/api/v1/findings/${y!.id}`);
    assert.equal(later.json.finding.state, 'open');
    assert.equal(later.json.history.at(-1).reason, 'risk-acceptance-expired');
    const bad = await h.call(dev, 'POST', `/api/v1/findings/${x!.id}/triage`, { action: 'dismiss' });
    assert.equal(bad.status, 400);
  });

  it('reopens a risk acceptance on its date even when no scan comes', async () => {
    const list = await h.call(
      dev,
      'GET',
      `/api/v1/projects/${projectId}/findings?branch=feature&tool=LifecycleTool`,
    );
    const open = (list.json.findings as { id: string; state: string }[]).find((f) => f.state === 'open')!;
    const until = new Date(h.clock.now.getTime() + 86_400_000).toISOString();
    const accept = await h.call(sec, 'POST', `/api/v1/findings/${open.id}/triage`, {
      action: 'accept-risk',
      until,
      comment: 'vendor patch due tomorrow',
    });
    assert.equal(accept.status, 200, accept.text);
    assert.equal(await expireRiskAcceptances(h.plane.ctx), 0, 'not yet');
    h.clock.advance(2 * 86_400_000);
    assert.equal(await expireRiskAcceptances(h.plane.ctx), 1);
    const after_ = await h.call(dev, 'GET', `/api/v1/findings/${open.id}`);
    assert.equal(after_.json.finding.state, 'open');
    assert.equal(after_.json.history.at(-1).reason, 'risk-acceptance-expired');
    const trail = await h.call(admin, 'GET', '/api/v1/audit?action=finding.risk-acceptance-expired');
    assert.equal(trail.json.entries.length, 1);
  });

  it('refuses bad uploads with a reason and writes nothing', async () => {
    const before = await h.db.query<{ s: string; f: string; a: string }>(
      'SELECT (SELECT count(*) FROM scans) AS s, (SELECT count(*) FROM findings) AS f, (SELECT count(*) FROM audit_log) AS a',
    );
    const cases: [string | Buffer, number, RegExp][] = [
      ['{"version":"2.1.0","runs":[{"tool":{}}]}', 400, /runs/],
      ['not json', 400, /JSON/],
      [JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: 'nope' }), 400, /components/],
      [Buffer.alloc(65 * 1024 * 1024, 32), 413, /./],
    ];
    for (const [body, status, reason] of cases) {
      const r = await upload(body, 'branch=main', `bad-${status}-${String(body).length}`);
      assert.equal(r.status, status, r.text.slice(0, 200));
      assert.match(r.json.error, reason);
    }
    const unknown = await h.call(
      { bearer: token },
      'POST',
      `/api/v1/projects/00000000-0000-4000-8000-000000000000/scans?branch=x`,
      sarifLog('T', []),
      {
        'idempotency-key': 'unknown-project',
      },
    );
    assert.equal(unknown.status, 404);
    const noKey = await h.call(
      { bearer: token },
      'POST',
      `/api/v1/projects/${projectId}/scans?branch=x`,
      sarifLog('T', []),
    );
    assert.equal(noKey.status, 400);
    const after_ = await h.db.query<{ s: string; f: string; a: string }>(
      'SELECT (SELECT count(*) FROM scans) AS s, (SELECT count(*) FROM findings) AS f, (SELECT count(*) FROM audit_log) AS a',
    );
    assert.deepEqual(after_.rows[0], before.rows[0]);
  });

  it('records artifacts with their SBOM and verification evidence', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const a = await h.call(admin, 'POST', `/api/v1/projects/${projectId}/artifacts`, {
      name: 'registry.example/payments:1.0',
      digest,
    });
    assert.equal(a.status, 201, a.text);
    const sbom = await h.call(
      admin,
      'PUT',
      `/api/v1/projects/${projectId}/artifacts/${a.json.id}/sbom`,
      fixture('rampart-demo.cdx.json'),
    );
    assert.equal(sbom.status, 200, sbom.text);
    assert.ok(sbom.json.components > 0);
    const ev = await h.call(admin, 'POST', `/api/v1/projects/${projectId}/artifacts/${a.json.id}/evidence`, {
      kind: 'signature',
      verified: true,
      details: { key: 'cosign.pub' },
    });
    assert.equal(ev.status, 201);
    const got = await h.call(dev, 'GET', `/api/v1/projects/${projectId}/artifacts/${a.json.id}`);
    assert.equal(got.json.artifact.digest, digest);
    assert.equal(got.json.evidence[0].verified, true);
  });

  it('keeps an intact audit chain and detects an edited, deleted or reordered row', async () => {
    const ok = await h.call(admin, 'GET', '/api/v1/audit/verify');
    assert.equal(ok.json.ok, true, ok.text);
    assert.ok(ok.json.count >= 10);
    const actions = await h.call(admin, 'GET', '/api/v1/audit?action=finding.');
    assert.ok(actions.json.entries.some((e: { action: string }) => e.action === 'finding.accept-risk'));
    assert.equal((await h.call(dev, 'GET', '/api/v1/audit')).status, 403);
    // Each tampering is applied for real, checked, then undone by restoring the saved rows.
    const saved = await h.db.query(
      'SELECT seq, at, actor, action, target, details, prev_hash, hash FROM audit_log ORDER BY seq',
    );
    const restore = async () => {
      await h.db.query('DELETE FROM audit_log');
      for (const r of saved.rows as Record<string, unknown>[])
        await h.db.query(
          'INSERT INTO audit_log (seq, at, actor, action, target, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [
            r.seq,
            r.at,
            r.actor,
            r.action,
            r.target,
            r.details === null ? null : JSON.stringify(r.details),
            r.prev_hash,
            r.hash,
          ],
        );
    };
    const tamper = async (statements: string[], problem: RegExp) => {
      try {
        for (const sql of statements) await h.db.query(sql);
        const r = await h.call(admin, 'GET', '/api/v1/audit/verify');
        assert.equal(r.json.ok, false, statements.join('; '));
        assert.match(r.json.problem, problem);
      } finally {
        await restore();
      }
      assert.equal((await h.call(admin, 'GET', '/api/v1/audit/verify')).json.ok, true, 'restored');
    };
    await tamper(["UPDATE audit_log SET actor = 'user:someone-else' WHERE seq = 3"], /edited/);
    await tamper(
      [
        'UPDATE audit_log SET details = \'{"verified": false}\' WHERE seq = (SELECT max(seq) - 1 FROM audit_log)',
      ],
      /edited/,
    );
    await tamper(['DELETE FROM audit_log WHERE seq = 4'], /deleted/);
    await tamper(
      [
        'UPDATE audit_log SET seq = -5 WHERE seq = 5',
        'UPDATE audit_log SET seq = 5 WHERE seq = 6',
        'UPDATE audit_log SET seq = 6 WHERE seq = -5',
      ],
      /reordered|edited/,
    );
    await tamper(['DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)'], /truncated/);
    const export_ = await h.call(admin, 'GET', '/api/v1/audit/export');
    const lines = export_.text.trim().split('\n');
    assert.equal(lines.length, ok.json.count);
    assert.equal(JSON.parse(lines[0]!).seq, 1);
  });

  it('serves an OpenAPI 3.1 document listing the routes', async () => {
    const r = await h.call(undefined, 'GET', '/openapi.json');
    assert.equal(r.json.openapi, '3.1.0');
    assert.ok(r.json.paths['/api/v1/projects/{projectId}/scans']);
    assert.equal((await h.call(undefined, 'GET', '/metrics')).status, 401);
    assert.equal((await h.call(admin, 'GET', '/metrics')).status, 200);
  });
});
