/**
 * Deployments through gates on both database engines: environment protection, each policy gate
 * passing and failing with its reason, approvals (count, roles, requester excluded, one reject
 * rejects), access (a developer neither approves nor sees other projects), audit entries, what runs
 * where.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forEachEngine } from '../db/__fixtures__/engines.js';
import { startHarness, type Caller, type Harness } from '../__fixtures__/plane.js';
import { sarifLog, type SarifResultSpec } from '../__fixtures__/sarif.js';
import { notifyDeployment } from '../services/gates-notify.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const cdx = readFileSync(new URL('../ingest/__fixtures__/rampart-demo.cdx.json', import.meta.url));
const digestOf = (c: string) => `sha256:${c.repeat(64)}`;

interface Gate {
  name: string;
  passed: boolean;
  reason: string;
}

forEachEngine('deployments and gates', (getDb) => {
  let h: Harness;
  let admin: Caller;
  let sec: Caller;
  let op1: Caller;
  let op2: Caller;
  let dev: Caller;
  let outsider: Caller;
  let projectId: string;
  let otherProjectId: string;
  let uploads = 0;

  const upload = (tool: string, results: SarifResultSpec[], branch = 'main', project = projectId) =>
    h.call(admin, 'POST', `/api/v1/projects/${project}/scans?branch=${branch}`, sarifLog(tool, results), {
      'idempotency-key': `k-${++uploads}`,
    });

  async function artifact(
    name: string,
    digest: string,
    opts: { sbom?: boolean; signature?: boolean | 'failed'; project?: string } = {},
  ): Promise<string> {
    const project = opts.project ?? projectId;
    const a = await h.call(admin, 'POST', `/api/v1/projects/${project}/artifacts`, { name, digest });
    assert.equal(a.status, 201, a.text);
    if (opts.sbom !== false) {
      const s = await h.call(admin, 'PUT', `/api/v1/projects/${project}/artifacts/${a.json.id}/sbom`, cdx);
      assert.equal(s.status, 200, s.text);
    }
    if (opts.signature !== false) {
      const e = await h.call(admin, 'POST', `/api/v1/projects/${project}/artifacts/${a.json.id}/evidence`, {
        kind: 'signature',
        verified: opts.signature !== 'failed',
      });
      assert.equal(e.status, 201, e.text);
    }
    return a.json.id;
  }

  const requestAs = (
    who: Caller | { bearer: string },
    environment: string,
    ref: string,
    project = projectId,
  ) => h.call(who, 'POST', `/api/v1/projects/${project}/deployments`, { environment, artifact: ref });
  const decide = (who: Caller, id: string, decision: 'approve' | 'reject', comment = '') =>
    h.call(who, 'POST', `/api/v1/deployments/${id}/decision`, { decision, comment });
  const gate = (gates: Gate[], name: string) => gates.find((g) => g.name === name);
  /** Time passes for the project's data: first sightings and scans move `ms` into the past. */
  async function ageRows(ms: number): Promise<void> {
    const shift = `${ms / 1000} seconds`;
    await h.db.query(
      'UPDATE findings SET first_seen_at = first_seen_at - $2::interval WHERE project_id = $1',
      [projectId, shift],
    );
    await h.db.query('UPDATE scans SET created_at = created_at - $2::interval WHERE project_id = $1', [
      projectId,
      shift,
    ]);
    await h.db.query(
      'UPDATE sboms SET uploaded_at = uploaded_at - $2::interval WHERE artifact_id IN (SELECT id FROM artifacts WHERE project_id = $1)',
      [projectId, shift],
    );
  }

  const SHOP = 'registry.example/shop';
  const GOOD = `${SHOP}@${digestOf('a')}`;

  before(async () => {
    h = await startHarness(getDb());
    // Row defaults (scans.created_at, sboms.uploaded_at) follow the database clock: so does h.clock.
    h.clock.now = new Date();
    admin = await h.user('admin');
    sec = await h.user('security-admin');
    op1 = await h.user('operator');
    op2 = await h.user('operator');
    dev = await h.user('developer');
    outsider = await h.user('developer');
    const p = await h.call(admin, 'POST', '/api/v1/projects', { name: 'shop' });
    assert.equal(p.status, 201, p.text);
    projectId = p.json.id;
    const o = await h.call(admin, 'POST', '/api/v1/projects', { name: 'billing' });
    otherProjectId = o.json.id;
    for (const u of [dev, op1, op2])
      assert.equal(
        (await h.call(admin, 'PUT', `/api/v1/projects/${projectId}/members/${u.userId}`)).status,
        200,
      );
    assert.equal(
      (await h.call(admin, 'PUT', `/api/v1/projects/${otherProjectId}/members/${outsider.userId}`)).status,
      200,
    );
    await artifact(SHOP, digestOf('a'));
    assert.equal((await upload('CodeQL', [])).status, 201);
  });
  after(() => h.close());

  it('environments: admins set protection; roles that cannot approve are refused', async () => {
    const production = {
      requireSignature: true,
      requireSbom: true,
      maxOpenAgeDays: { critical: 7, high: 30 },
      maxScanAgeHours: 24,
      approvals: { count: 2, roles: ['security-admin', 'operator'] },
    };
    const put = await h.call(admin, 'PUT', '/api/v1/environments/production', { protection: production });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json.protection, production);
    assert.equal(
      (await h.call(admin, 'PUT', '/api/v1/environments/staging', { protection: { requireDast: true } }))
        .status,
      200,
    );
    assert.equal((await h.call(admin, 'PUT', '/api/v1/environments/dev', { protection: {} })).status, 200);
    const devRole = await h.call(admin, 'PUT', '/api/v1/environments/qa', {
      protection: { approvals: { count: 1, roles: ['developer'] } },
    });
    assert.equal(devRole.status, 400);
    assert.match(devRole.json.error, /role developer cannot approve deployments/);
    const unknownRule = await h.call(admin, 'PUT', '/api/v1/environments/qa', {
      protection: { requireMagic: true },
    });
    assert.equal(unknownRule.status, 400);
    assert.equal(
      (await h.call(dev, 'PUT', '/api/v1/environments/dev', { protection: {} })).status,
      403,
      'a developer cannot change protection',
    );
    const list = await h.call(dev, 'GET', '/api/v1/environments');
    assert.deepEqual(
      list.json.environments.map((e: { name: string }) => e.name),
      ['dev', 'production', 'staging'],
    );
  });

  it('an unknown environment is an error; an unregistered artifact is rejected with its reason', async () => {
    const unknown = await requestAs(dev, 'prod', GOOD);
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.error, /environment prod is not configured/);
    const bad = await requestAs(dev, 'production', 'shop:latest');
    assert.equal(bad.status, 400);
    const r = await requestAs(dev, 'production', `${SHOP}@${digestOf('f')}`);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'rejected');
    assert.deepEqual(
      r.json.gates.map((g: Gate) => [g.name, g.passed]),
      [['artifact-registered', false]],
    );
    assert.match(r.json.gates[0].reason, /is not registered in project shop/);
  });

  it('every gate passes for a signed artifact with an SBOM, a fresh scan and no old findings', async () => {
    const r = await requestAs(dev, 'production', GOOD);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'pending-approval');
    assert.deepEqual(
      r.json.gates.map((g: Gate) => [g.name, g.passed]),
      [
        ['artifact-registered', true],
        ['signature-verified', true],
        ['sbom-present', true],
        ['no-critical-findings-older-than-7d', true],
        ['no-high-findings-older-than-30d', true],
        ['scan-fresh', true],
      ],
    );
    assert.deepEqual(r.json.approvals, {
      required: 2,
      received: 0,
      roles: ['security-admin', 'operator'],
      decisions: [],
    });
    assert.equal(r.json.requestedBy, `user:${dev.email}`);
    assert.equal(r.json.environment, 'production');
    assert.equal(r.json.artifact, GOOD);
    assert.equal(r.json.facts.stream.branch, 'main');
    assert.equal(r.json.facts.artifact.signature.verified, true);
  });

  it('missing signature, failed signature and missing SBOM fail their gates', async () => {
    await artifact(SHOP, digestOf('b'), { signature: false, sbom: false });
    await artifact(SHOP, digestOf('c'), { signature: 'failed' });
    const unsigned = await requestAs(dev, 'production', `${SHOP}@${digestOf('b')}`);
    assert.equal(unsigned.json.status, 'rejected');
    assert.match(gate(unsigned.json.gates, 'signature-verified')!.reason, /no verified signature recorded/);
    assert.deepEqual(gate(unsigned.json.gates, 'sbom-present'), {
      name: 'sbom-present',
      passed: false,
      reason: 'no SBOM uploaded for the artifact',
    });
    const failed = await requestAs(dev, 'production', `${SHOP}@${digestOf('c')}`);
    assert.equal(failed.json.status, 'rejected');
    assert.match(
      gate(failed.json.gates, 'signature-verified')!.reason,
      /latest signature verification failed/,
    );
    assert.equal(gate(failed.json.gates, 'sbom-present')!.passed, true);
  });

  it('critical findings: new ones pass, the same ones 8 days later fail with a count', async () => {
    const critical = [
      { ruleId: 'js/sql-injection', path: 'src/db.js', fp: 'c1', securitySeverity: '9.8' },
      { ruleId: 'js/code-injection', path: 'src/run.js', fp: 'c2', securitySeverity: '9.1' },
    ];
    assert.equal((await upload('CodeQL', critical)).status, 201);
    // A finding on a feature branch never counts for the stream of main.
    assert.equal(
      (
        await upload(
          'CodeQL',
          [{ ruleId: 'js/xss', path: 'a.js', fp: 'x', securitySeverity: '9.0' }],
          'feature',
        )
      ).status,
      201,
    );
    const fresh = await requestAs(dev, 'production', GOOD);
    assert.equal(fresh.json.status, 'pending-approval', fresh.text);
    assert.equal(
      gate(fresh.json.gates, 'no-critical-findings-older-than-7d')!.reason,
      'no critical finding open for more than 7 days (2 newer)',
    );
    // Eight days pass (timestamps are moved back: row defaults follow the database clock, not h.clock).
    await ageRows(8 * DAY);
    assert.equal((await upload('CodeQL', critical)).status, 201); // still there, scanned again
    const old = await requestAs(dev, 'production', GOOD);
    assert.equal(old.json.status, 'rejected');
    assert.deepEqual(gate(old.json.gates, 'no-critical-findings-older-than-7d'), {
      name: 'no-critical-findings-older-than-7d',
      passed: false,
      reason: '2 critical findings open for more than 7 days',
    });
    assert.equal(gate(old.json.gates, 'scan-fresh')!.passed, true);
    // Fixed by the next scan: the gate passes again.
    assert.equal((await upload('CodeQL', [])).status, 201);
    const fixed = await requestAs(dev, 'production', GOOD);
    assert.equal(gate(fixed.json.gates, 'no-critical-findings-older-than-7d')!.passed, true, fixed.text);
  });

  it('a scan older than the limit fails the freshness gate', async () => {
    await ageRows(25 * HOUR);
    const stale = await requestAs(dev, 'production', GOOD);
    assert.equal(stale.json.status, 'rejected');
    const g = gate(stale.json.gates, 'scan-fresh')!;
    assert.equal(g.passed, false);
    assert.match(g.reason, /^latest scan of branch main is 25 hours old \(limit 24 hours\)/);
    assert.equal((await upload('CodeQL', [])).status, 201);
  });

  it('DAST: absent fails, a clean DAST scan passes, an open high DAST finding fails', async () => {
    const none = await requestAs(dev, 'staging', GOOD);
    assert.deepEqual(none.json.gates[1], {
      name: 'dast-passed',
      passed: false,
      reason: 'no DAST results for branch main',
    });
    assert.equal((await upload('OWASP ZAP', [])).status, 201);
    const clean = await requestAs(dev, 'staging', GOOD);
    assert.equal(clean.json.status, 'approved', 'no approval needed in staging');
    assert.equal(clean.json.gates[1].passed, true);
    const alert = [
      { ruleId: '40018', path: 'https://shop.example/login', fp: 'z1', securitySeverity: '8.1' },
    ];
    assert.equal((await upload('OWASP ZAP', alert)).status, 201);
    const found = await requestAs(dev, 'staging', GOOD);
    assert.equal(found.json.status, 'rejected');
    assert.equal(found.json.gates[1].reason, 'DAST found 1 open critical/high finding');
    assert.equal((await upload('OWASP ZAP', [])).status, 201);
  });

  let pending: string;
  it('approvals: two distinct approvers holding the roles; never the requester; a developer cannot approve', async () => {
    const r = await requestAs(op1, 'production', GOOD);
    assert.equal(r.json.status, 'pending-approval', r.text);
    pending = r.json.id;
    const self = await decide(op1, pending, 'approve');
    assert.equal(self.status, 403);
    assert.match(self.json.error, /requested a deployment cannot approve/);
    const devTry = await decide(dev, pending, 'approve');
    assert.equal(devTry.status, 403, 'a developer cannot approve');
    const adminTry = await decide(admin, pending, 'approve');
    assert.equal(adminTry.status, 403, 'admin is not among the approver roles of production');
    assert.match(adminTry.json.error, /need one of the roles security-admin, operator/);
    const first = await decide(op2, pending, 'approve', 'looks fine');
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.status, 'pending-approval');
    assert.equal(first.json.approvals.received, 1);
    const twice = await decide(op2, pending, 'approve');
    assert.equal(twice.status, 409, 'one person counts once');
    const second = await decide(sec, pending, 'approve', 'ship it');
    assert.equal(second.json.status, 'approved');
    assert.deepEqual(
      second.json.approvals.decisions.map((d: { by: string; decision: string; comment: string }) => [
        d.by,
        d.decision,
        d.comment,
      ]),
      [
        [`user:${op2.email}`, 'approve', 'looks fine'],
        [`user:${sec.email}`, 'approve', 'ship it'],
      ],
    );
    const late = await decide(op1, pending, 'reject');
    assert.equal(late.status, 403);
    const after = await decide(admin, pending, 'reject');
    assert.equal(after.status, 403);
    const got = await h.call(dev, 'GET', `/api/v1/deployments/${pending}`);
    assert.equal(got.status, 200);
    assert.deepEqual(
      got.json.history.map((e: { from: string | null; to: string }) => [e.from, e.to]),
      [
        [null, 'pending-approval'],
        ['pending-approval', 'approved'],
      ],
    );
  });

  it('one reject rejects; decisions on a decided deployment conflict', async () => {
    const r = await requestAs(dev, 'production', GOOD);
    const id = r.json.id;
    assert.equal((await decide(op1, id, 'approve')).json.status, 'pending-approval');
    const no = await decide(op2, id, 'reject', 'change freeze');
    assert.equal(no.status, 200);
    assert.equal(no.json.status, 'rejected');
    const again = await decide(sec, id, 'approve');
    assert.equal(again.status, 409);
    assert.match(again.json.error, /already rejected/);
  });

  it('a newer request supersedes an older pending one', async () => {
    const a = await requestAs(dev, 'production', GOOD);
    const b = await requestAs(dev, 'production', GOOD);
    const old = await h.call(dev, 'GET', `/api/v1/deployments/${a.json.id}`);
    assert.equal(old.json.status, 'rejected');
    assert.equal(old.json.history.at(-1).reason, `superseded by deployment ${b.json.id}`);
    assert.equal((await decide(op1, b.json.id, 'reject', 'not today')).json.status, 'rejected');
  });

  it('a token requests as its label; its owner cannot approve what the token requested', async () => {
    const t = await h.call(op1, 'POST', '/api/v1/tokens', {
      name: 'deploy',
      projectId,
      permissions: ['deployments:request'],
    });
    assert.equal(t.status, 201, t.text);
    const r = await requestAs({ bearer: t.json.token }, 'production', GOOD);
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.requestedBy, /^token:.*\(deploy\)$/);
    const poll = await h.call({ bearer: t.json.token }, 'GET', `/api/v1/deployments/${r.json.id}`);
    assert.equal(poll.status, 200, 'the requesting pipeline polls its deployment');
    assert.equal((await decide(op1, r.json.id, 'approve')).status, 403);
    const tokenDecides = await h.call(
      { bearer: t.json.token },
      'POST',
      `/api/v1/deployments/${r.json.id}/decision`,
      {
        decision: 'approve',
        comment: '',
      },
    );
    assert.equal(tokenDecides.status, 403);
    assert.equal((await decide(op2, r.json.id, 'reject')).json.status, 'rejected');
  });

  it('a developer sees only their projects’ deployments (404 for another project’s)', async () => {
    assert.equal((await requestAs(outsider, 'production', GOOD)).status, 404);
    const mine = await h.call(dev, 'GET', `/api/v1/deployments/${pending}`);
    assert.equal(mine.status, 200);
    const theirs = await h.call(outsider, 'GET', `/api/v1/deployments/${pending}`);
    assert.equal(theirs.status, 404);
    assert.equal((await decide(outsider, pending, 'approve')).status, 403);
    const list = await h.call(outsider, 'GET', '/api/v1/deployments');
    assert.deepEqual(list.json.deployments, []);
    const where = await h.call(outsider, 'GET', '/api/v1/environments/production/deployments');
    assert.deepEqual(where.json.deployments, []);
    const devList = await h.call(dev, 'GET', `/api/v1/deployments?status=approved&environment=production`);
    assert.deepEqual(
      devList.json.deployments.map((d: { id: string }) => d.id),
      [pending],
    );
  });

  it('what runs where: the latest approved deployment per project', async () => {
    const where = await h.call(sec, 'GET', '/api/v1/environments/production/deployments');
    assert.equal(where.status, 200);
    assert.deepEqual(
      where.json.deployments.map((d: { id: string; projectName: string }) => [d.projectName, d.id]),
      [['shop', pending]],
    );
    const staging = await h.call(sec, 'GET', '/api/v1/environments/staging/deployments');
    assert.equal(staging.json.deployments.length, 1);
  });

  it('every request and decision is in the audit trail with gate results and comments', async () => {
    const requests = await h.call(sec, 'GET', '/api/v1/audit?action=deployment.request&limit=1000');
    const rejectedAtRequest = requests.json.entries.find(
      (e: { details: { status: string; gates: Gate[] } }) =>
        e.details.status === 'rejected' && e.details.gates.some((g) => g.name === 'scan-fresh' && !g.passed),
    );
    assert.ok(rejectedAtRequest, 'a gate failure is audited with its gate results');
    assert.equal(rejectedAtRequest.actor, `user:${dev.email}`);
    const approvals = await h.call(
      sec,
      'GET',
      `/api/v1/audit?action=deployment.approve&target=deployment:${pending}`,
    );
    assert.deepEqual(
      approvals.json.entries.map((e: { actor: string; details: { comment: string; status: string } }) => [
        e.actor,
        e.details.comment,
        e.details.status,
      ]),
      [
        [`user:${sec.email}`, 'ship it', 'approved'],
        [`user:${op2.email}`, 'looks fine', 'pending-approval'],
      ],
    );
    const rejects = await h.call(sec, 'GET', '/api/v1/audit?action=deployment.reject');
    assert.ok(
      rejects.json.entries.some(
        (e: { actor: string; details: { comment: string } }) =>
          e.actor === `user:${op2.email}` && e.details.comment === 'change freeze',
      ),
    );
    const verify = await h.call(sec, 'GET', '/api/v1/audit/verify');
    assert.equal(verify.json.ok, true);
  });
  it('a decided deployment is announced to deployment.decided webhooks, signed', async () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const port = (receiver.address() as AddressInfo).port;
      const hook = await h.call(admin, 'POST', '/api/v1/webhooks', {
        url: `http://127.0.0.1:${port}/hook`,
        events: ['deployment.decided'],
      });
      assert.equal(hook.status, 201, hook.text);
      const r = await requestAs(dev, 'production', GOOD);
      assert.equal((await decide(op2, r.json.id, 'reject', 'not now')).json.status, 'rejected');
      const queued = await h.db.query<{ payload: { deploymentId: string } }>(
        "SELECT payload FROM jobs WHERE name = 'notify-deployment'",
      );
      assert.deepEqual(
        queued.rows.map((j) => j.payload.deploymentId),
        [r.json.id],
      );
      assert.equal(await notifyDeployment(h.plane.ctx, r.json.id, 'job-1'), 1);
      assert.equal(received.length, 1);
      const { headers, body } = received[0]!;
      assert.equal(headers['x-rampart-event'], 'deployment.decided');
      const expected = createHmac('sha256', hook.json.secret)
        .update(`${headers['x-rampart-timestamp']}.${body}`)
        .digest('hex');
      assert.equal(headers['x-rampart-signature'], `sha256=${expected}`);
      const event = JSON.parse(body);
      assert.equal(event.deployment.id, r.json.id);
      assert.equal(event.deployment.status, 'rejected');
      assert.equal(event.deployment.approvals.decisions[0].comment, 'not now');
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });
});
