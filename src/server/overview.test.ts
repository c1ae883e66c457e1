/**
 * The overview API over a small data set uploaded through the scans API (SARIF), on both engines:
 * counts per state, stage and severity, SLA breaches, the open-vs-fixed trend per day, the riskiest
 * projects and artifacts, what each caller may see, and the roll-ups following triage and the clock.
 *
 * The data set (clock starts on D0 = 2026-11-01T10:00Z; SLA: critical 7 days, high 30):
 *   alpha (the developer's project)
 *     CodeQL on main, D0: a1 critical, a2 critical, a3 high, a4 high, a5 medium
 *       D3: a1 a3 a5 again + a6 low → a2, a4 fixed on D3
 *       D5: a5 dismissed (developer), a3 risk-accepted (security admin)
 *     Gitleaks on main, D0: s1 high                      (stage secret)
 *     Grype on artifact app-a, D0: d1 high               (stage deps)
 *   beta   CodeQL D0: b1 critical, b2 critical; Grype on artifact app-b, D0: i1 critical, i2 high
 *   gamma  Semgrep D0: c1 high
 * On D10: open a1 a6 s1 d1 | b1 b2 i1 i2 | c1 = 9; past SLA: a1, b1, b2, i1 (critical, due D7).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine } from './db/__fixtures__/engines.js';
import { startHarness, type Caller, type Harness } from './__fixtures__/plane.js';
import { sarifLog, type SarifResultSpec } from './__fixtures__/sarif.js';
import { ingestScan, parseScanUpload } from './services/ingest-scan.js';
import { markStatsDirty, refreshDirtyStats, STATS_JOB } from './services/stats-refresh.js';

const DAY_MS = 86_400_000;
const score = { critical: '9.5', high: '8.0', medium: '5.0', low: '2.0' } as const;
const result = (id: string, severity: keyof typeof score): SarifResultSpec => ({
  ruleId: `rule/${id}`,
  path: `src/${id}.ts`,
  fp: id,
  securitySeverity: score[severity],
});
const digest = (c: string) => `sha256:${c.repeat(64)}`;

/** The trend the data set implies: [first day, last day, open, fixed] spans. */
function expectedTrend(
  spans: [string, string, number, number][],
): { day: string; open: number; fixed: number }[] {
  const out: { day: string; open: number; fixed: number }[] = [];
  for (let t = Date.parse('2026-10-13T00:00:00Z'); t <= Date.parse('2026-11-11T00:00:00Z'); t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    const span = spans.find(([from, to]) => day >= from && day <= to);
    out.push({ day, open: span?.[2] ?? 0, fixed: span?.[3] ?? 0 });
  }
  return out;
}

const zeroStages = () =>
  Object.fromEntries(
    ['secret', 'deps', 'misconfig', 'sast', 'image', 'policy', 'dast', 'other'].map((stage) => [
      stage,
      { stage, critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    ]),
  );

forEachEngine('overview', (getDb) =>
  // A suite of its own so that the harness (and its job workers) stops before the engine's teardown.
  describe('GET /api/v1/overview', () => {
    let h: Harness;
    let admin: Caller;
    let sec: Caller;
    let dev: Caller;
    const project: Record<'alpha' | 'beta' | 'gamma', string> = { alpha: '', beta: '', gamma: '' };
    const artifact: Record<'a' | 'b', string> = { a: '', b: '' };
    let key = 0;

    before(async () => {
      h = await startHarness(getDb(), { runWorkers: true });
      admin = await h.user('admin');
      sec = await h.user('security-admin');
      dev = await h.user('developer');
    });
    after(() => h.close());

    const upload = async (p: keyof typeof project, tool: string, results: SarifResultSpec[]) => {
      const r = await h.call(
        admin,
        'POST',
        `/api/v1/projects/${project[p]}/scans?branch=main`,
        sarifLog(tool, results),
        {
          'idempotency-key': `k${++key}`,
        },
      );
      assert.ok(r.status === 201, r.text);
    };
    /** An SBOM match result, linked to its artifact (as the continuous re-scan records it). */
    const ingestForArtifact = async (
      p: keyof typeof project,
      a: keyof typeof artifact,
      c: string,
      results: SarifResultSpec[],
    ) => {
      const ctx = h.plane.ctx;
      await ingestScan(
        ctx,
        parseScanUpload(ctx, Buffer.from(sarifLog('Grype', results)), 'application/sarif+json'),
        {
          projectId: project[p],
          branch: `artifact:${digest(c)}`,
          complete: true,
          idempotencyKey: `k${++key}`,
          uploadedBy: 'test',
          artifactId: artifact[a],
        },
      );
    };
    const overview = async (who: Caller | { bearer: string }, query = '') => {
      const r = await h.call(who, 'GET', `/api/v1/overview${query}`);
      assert.equal(r.status, 200, r.text);
      return r.json;
    };
    const findingId = async (p: keyof typeof project, ruleId: string) => {
      const r = await h.call(
        admin,
        'GET',
        `/api/v1/projects/${project[p]}/findings?state=new&state=open&limit=500`,
      );
      const f = r.json.findings.find((x: { ruleId: string }) => x.ruleId === ruleId);
      assert.ok(f, `finding ${ruleId}`);
      return String(f.id);
    };
    const drain = () => h.plane.queue.drain();

    it('sets up three projects, a member developer and the D0 scans', async () => {
      for (const name of ['alpha', 'beta', 'gamma'] as const) {
        const r = await h.call(admin, 'POST', '/api/v1/projects', { name });
        assert.equal(r.status, 201, r.text);
        project[name] = r.json.id;
      }
      assert.equal(
        (await h.call(admin, 'PUT', `/api/v1/projects/${project.alpha}/members/${dev.userId}`)).status,
        200,
      );
      for (const [a, p, c] of [
        ['a', 'alpha', 'a'],
        ['b', 'beta', 'b'],
      ] as const) {
        const r = await h.call(admin, 'POST', `/api/v1/projects/${project[p]}/artifacts`, {
          name: `app-${a}`,
          digest: digest(c),
        });
        assert.equal(r.status, 201, r.text);
        artifact[a] = r.json.id;
      }
      await upload('alpha', 'CodeQL', [
        result('a1', 'critical'),
        result('a2', 'critical'),
        result('a3', 'high'),
        result('a4', 'high'),
        result('a5', 'medium'),
      ]);
      await upload('alpha', 'Gitleaks', [result('s1', 'high')]);
      await ingestForArtifact('alpha', 'a', 'a', [result('d1', 'high')]);
      await upload('beta', 'CodeQL', [result('b1', 'critical'), result('b2', 'critical')]);
      await ingestForArtifact('beta', 'b', 'b', [result('i1', 'critical'), result('i2', 'high')]);
      await upload('gamma', 'Semgrep', [result('c1', 'high')]);
      await drain();
      const o = await overview(admin);
      assert.deepEqual(o.totals, { open: 12, fixed: 0, dismissed: 0, riskAccepted: 0, slaBreaches: 0 });
      assert.equal(o.refreshPending, false);
      assert.equal(o.generatedAt, h.clock.now.toISOString());
    });

    it('follows a later scan (fixed findings) and triage (dismissed, risk-accepted) once refreshed', async () => {
      h.clock.advance(3 * DAY_MS); // D3
      await upload('alpha', 'CodeQL', [
        result('a1', 'critical'),
        result('a3', 'high'),
        result('a5', 'medium'),
        result('a6', 'low'),
      ]);
      await drain();
      assert.deepEqual((await overview(dev)).totals, {
        open: 6,
        fixed: 2,
        dismissed: 0,
        riskAccepted: 0,
        slaBreaches: 0,
      });

      h.clock.advance(2 * DAY_MS); // D5
      const a5 = await findingId('alpha', 'rule/a5');
      const a3 = await findingId('alpha', 'rule/a3');
      const dismissed = await h.call(dev, 'POST', `/api/v1/findings/${a5}/triage`, {
        action: 'dismiss',
        reason: 'false-positive',
      });
      assert.equal(dismissed.status, 200, dismissed.text);
      const accepted = await h.call(sec, 'POST', `/api/v1/findings/${a3}/triage`, {
        action: 'accept-risk',
        until: '2027-06-01T00:00:00.000Z',
        comment: 'compensating control in the gateway',
      });
      assert.equal(accepted.status, 200, accepted.text);
      await drain();
      const o = await overview(dev);
      assert.deepEqual(o.totals, { open: 4, fixed: 2, dismissed: 1, riskAccepted: 1, slaBreaches: 0 });
      assert.equal(o.generatedAt, h.clock.now.toISOString(), 'refreshed at the triage');
      assert.equal(o.refreshPending, false);
    });

    it('counts SLA breaches as of the last refresh: the periodic full refresh moves them with the clock', async () => {
      h.clock.advance(5 * DAY_MS); // D10: critical findings of D0 are past their 7 days
      const before = await overview(admin);
      assert.equal(before.totals.slaBreaches, 0, 'not refreshed since D5');
      await h.plane.queue.enqueue(STATS_JOB, { scope: 'all' }, { key: 'all' });
      await drain();
      const o = await overview(admin);
      assert.deepEqual(o.totals, { open: 9, fixed: 2, dismissed: 1, riskAccepted: 1, slaBreaches: 4 });
      assert.equal(o.generatedAt, h.clock.now.toISOString());
    });

    it('admin: posture per stage and severity over every project', async () => {
      const o = await overview(admin);
      const stages = zeroStages();
      Object.assign(stages.sast!, { critical: 3, high: 1, low: 1 });
      Object.assign(stages.secret!, { high: 1 });
      Object.assign(stages.deps!, { critical: 1, high: 2 });
      assert.deepEqual(o.bySeverityAndStage, Object.values(stages));
    });

    it('trend: open at the end of each day and fixed that day, 30 days ending today', async () => {
      const admins = await overview(admin);
      assert.deepEqual(
        admins.trend,
        expectedTrend([
          ['2026-11-01', '2026-11-03', 12, 0],
          ['2026-11-04', '2026-11-04', 11, 2],
          ['2026-11-05', '2026-11-05', 11, 0],
          ['2026-11-06', '2026-11-11', 9, 0],
        ]),
      );
      const devs = await overview(dev);
      assert.deepEqual(
        devs.trend,
        expectedTrend([
          ['2026-11-01', '2026-11-03', 7, 0],
          ['2026-11-04', '2026-11-04', 6, 2],
          ['2026-11-05', '2026-11-05', 6, 0],
          ['2026-11-06', '2026-11-11', 4, 0],
        ]),
      );
    });

    it('top projects by open critical, then high, then SLA breaches; top artifacts by critical, then high', async () => {
      const o = await overview(admin);
      assert.deepEqual(o.topProjects, [
        { id: project.beta, name: 'beta', critical: 3, high: 1, open: 4, slaBreaches: 3 },
        { id: project.alpha, name: 'alpha', critical: 1, high: 2, open: 4, slaBreaches: 1 },
        { id: project.gamma, name: 'gamma', critical: 0, high: 1, open: 1, slaBreaches: 0 },
      ]);
      assert.deepEqual(o.topArtifacts, [
        { id: artifact.b, projectId: project.beta, name: 'app-b', digest: digest('b'), critical: 1, high: 1 },
        {
          id: artifact.a,
          projectId: project.alpha,
          name: 'app-a',
          digest: digest('a'),
          critical: 0,
          high: 1,
        },
      ]);
    });

    it('a developer sees only the numbers of their projects; ?projectId narrows, never widens', async () => {
      const o = await overview(dev);
      assert.deepEqual(o.totals, { open: 4, fixed: 2, dismissed: 1, riskAccepted: 1, slaBreaches: 1 });
      const stages = zeroStages();
      Object.assign(stages.sast!, { critical: 1, low: 1 });
      Object.assign(stages.secret!, { high: 1 });
      Object.assign(stages.deps!, { high: 1 });
      assert.deepEqual(o.bySeverityAndStage, Object.values(stages));
      assert.deepEqual(
        o.topProjects.map((p: { id: string }) => p.id),
        [project.alpha],
      );
      assert.deepEqual(
        o.topArtifacts.map((a: { id: string }) => a.id),
        [artifact.a],
      );
      const other = await h.call(dev, 'GET', `/api/v1/overview?projectId=${project.beta}`);
      assert.equal(other.status, 404);
      assert.deepEqual(other.json, { error: 'project not found' });

      const beta = await overview(admin, `?projectId=${project.beta}`);
      assert.deepEqual(beta.totals, { open: 4, fixed: 0, dismissed: 0, riskAccepted: 0, slaBreaches: 3 });
      assert.deepEqual(
        beta.topProjects.map((p: { id: string }) => p.id),
        [project.beta],
      );
    });

    it('a project-scoped token sees its project; a token without project:read sees nothing; anonymous is refused', async () => {
      const mint = async (permissions: string[]) => {
        const t = await h.call(admin, 'POST', '/api/v1/tokens', {
          name: 'ro',
          projectId: project.gamma,
          permissions,
        });
        assert.equal(t.status, 201, t.text);
        return { bearer: String(t.json.token) };
      };
      const reader = await overview(await mint(['project:read']));
      assert.deepEqual(reader.totals, { open: 1, fixed: 0, dismissed: 0, riskAccepted: 0, slaBreaches: 0 });
      const uploader = await overview(await mint(['scans:upload']));
      assert.deepEqual(uploader.totals, { open: 0, fixed: 0, dismissed: 0, riskAccepted: 0, slaBreaches: 0 });
      assert.deepEqual(uploader.topProjects, []);
      assert.equal((await h.call(undefined, 'GET', '/api/v1/overview')).status, 401);
    });

    it('a reopened finding counts as open again after the refresh', async () => {
      const a5 = await findingId('alpha', 'rule/a5').catch(() => undefined);
      assert.equal(a5, undefined, 'a5 is dismissed, not in the open list');
      const r = await h.call(admin, 'GET', `/api/v1/projects/${project.alpha}/findings?state=dismissed`);
      const id = String(r.json.findings[0].id);
      const reopened = await h.call(dev, 'POST', `/api/v1/findings/${id}/triage`, { action: 'reopen' });
      assert.equal(reopened.status, 200, reopened.text);
      await drain();
      const o = await overview(dev);
      assert.deepEqual(o.totals, { open: 5, fixed: 2, dismissed: 0, riskAccepted: 1, slaBreaches: 1 });
      assert.equal(o.bySeverityAndStage.find((s: { stage: string }) => s.stage === 'sast').medium, 1);
    });

    it('a refresh waits for a change being committed, so it never leaves that change behind', async () => {
      const ctx = h.plane.ctx;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let marked!: () => void;
      const isMarked = new Promise<void>((resolve) => (marked = resolve));
      const change = ctx.db.transaction(async (tx) => {
        await markStatsDirty(ctx, tx, project.gamma);
        marked();
        await gate; // the change has queued its job and not committed yet
      });
      await isMarked;
      let refreshDone = false;
      const refresh = refreshDirtyStats(ctx).finally(() => (refreshDone = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(refreshDone, false, 'the refresh waits for the change');
      release();
      await change;
      await refresh;
      const left = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM stats_dirty');
      assert.equal(left.rows[0]!.n, 0, 'the refresh consumed the mark of the change it waited for');
      await drain();
    });
  }),
);

/**
 * The findings list's SQL (indexes of 004_stats, one ILIKE over joined fields, bounded totals),
 * against expectations computed here from the rows inserted: 6,000 findings in one project.
 */
interface Row {
  fingerprint: string;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  state: 'open' | 'fixed';
  rule_id: string;
  title: string;
  path: string;
  first_seen_at: string;
  last_seen_at: string;
  sla_due_at: string | null;
  id?: string;
}

const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 } as const;

function rows(n: number): Row[] {
  const base = Date.parse('2026-08-01T00:00:00Z');
  const minute = 60_000;
  return Array.from({ length: n }, (_, i) => {
    const severity = (['critical', 'high', 'medium', 'low', 'info'] as const)[i % 5]!;
    return {
      fingerprint: `fp-${i}`,
      severity,
      state: i % 3 === 0 ? 'fixed' : 'open',
      rule_id: `r/${i % 10}`,
      title: i % 7 === 0 ? `Needle in title ${i}` : `Title ${i}`,
      path: `src/f-${i}.ts`,
      first_seen_at: new Date(base + ((i * 7) % n) * minute).toISOString(),
      last_seen_at: new Date(base + ((i * 11) % n) * minute).toISOString(),
      sla_due_at: severity === 'info' ? null : new Date(base + ((i * 13) % n) * minute).toISOString(),
    };
  });
}

forEachEngine('findings list', (getDb) =>
  describe('GET /api/v1/projects/:projectId/findings', () => {
    let h: Harness;
    let admin: Caller;
    let projectId: string;
    const data = rows(6000);

    before(async () => {
      h = await startHarness(getDb());
      admin = await h.user('admin');
      const p = await h.call(admin, 'POST', '/api/v1/projects', { name: 'big' });
      projectId = p.json.id;
      const inserted = await h.db.query<{ id: string; fingerprint: string }>(
        `INSERT INTO findings (project_id, branch, tool, fingerprint, scanner, rule_id, severity, title, message, location,
           state, first_seen_at, last_seen_at, sla_due_at)
         SELECT $1, 'main', 'CodeQL', x.fingerprint, 'sast', x.rule_id, x.severity, x.title, 'm',
           jsonb_build_object('path', x.path), x.state, x.first_seen_at, x.last_seen_at, x.sla_due_at
         FROM jsonb_to_recordset($2::jsonb) AS x(fingerprint text, rule_id text, severity text, title text, path text,
           state text, first_seen_at timestamptz, last_seen_at timestamptz, sla_due_at timestamptz)
         RETURNING id, fingerprint`,
        [projectId, JSON.stringify(data)],
      );
      const ids = new Map(inserted.rows.map((r) => [r.fingerprint, String(r.id)]));
      for (const r of data) r.id = ids.get(r.fingerprint)!;
    });
    after(() => h.close());

    const list = async (query: string) => {
      const r = await h.call(admin, 'GET', `/api/v1/projects/${projectId}/findings?${query}`);
      assert.equal(r.status, 200, r.text);
      return r.json as { total: number; totalIsEstimate?: boolean; findings: { id: string }[] };
    };
    const open = () => data.filter((r) => r.state === 'open');
    const byId = (a: Row, b: Row) => Number(a.id) - Number(b.id);
    const ids = (rs: Row[]) => rs.map((r) => String(r.id));
    const matches = (r: Row, q: string) =>
      [r.rule_id, r.title, r.path].some((f) => f.toLowerCase().includes(q.toLowerCase()));

    it('pages in each sort order, as before the indexes', async () => {
      const expect = {
        severity: open().sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || byId(a, b)),
        sla: open().sort(
          (a, b) =>
            (a.sla_due_at === null ? 1 : 0) - (b.sla_due_at === null ? 1 : 0) ||
            (a.sla_due_at ?? '').localeCompare(b.sla_due_at ?? '') ||
            byId(a, b),
        ),
        first_seen: open().sort((a, b) => b.first_seen_at.localeCompare(a.first_seen_at) || byId(a, b)),
        last_seen: open().sort((a, b) => b.last_seen_at.localeCompare(a.last_seen_at) || byId(a, b)),
      };
      for (const [sort, sorted] of Object.entries(expect)) {
        const page = await list(`sort=${sort}&limit=30&offset=100`);
        assert.deepEqual(
          page.findings.map((f) => String(f.id)),
          ids(sorted.slice(100, 130)),
          sort,
        );
        assert.equal(page.total, 4000);
        assert.equal(page.totalIsEstimate, undefined);
      }
      const high = await list('state=open&severity=high&sort=sla&limit=10');
      assert.deepEqual(
        high.findings.map((f) => String(f.id)),
        ids(expect.sla.filter((r) => r.severity === 'high').slice(0, 10)),
      );
      assert.equal(high.total, 800);
    });

    it('searches rule, title and path case-insensitively, never across two of them', async () => {
      for (const q of ['needle', 'R/3', 'f-14', '4.ts', 'title 59']) {
        const expected = open()
          .filter((r) => matches(r, q))
          .sort((a, b) => b.first_seen_at.localeCompare(a.first_seen_at) || byId(a, b));
        const page = await list(`q=${encodeURIComponent(q)}&sort=first_seen&limit=500`);
        assert.equal(page.total, expected.length, q);
        assert.equal(page.totalIsEstimate, undefined, q);
        assert.deepEqual(
          page.findings.map((f) => String(f.id)),
          ids(expected.slice(0, 500)),
          q,
        );
      }
      for (const q of ['3\nNeedle', '%', '_', '3 title'])
        assert.equal((await list(`q=${encodeURIComponent(q)}`)).total, 0, q);
    });

    it('estimates the total of a search over more than 5,000 candidates, and says so', async () => {
      const exact = data.filter((r) => matches(r, 'needle')).length; // open and fixed: 6,000 candidates
      const page = await list('state=open&state=fixed&q=needle&sort=severity&limit=5');
      assert.equal(page.totalIsEstimate, true);
      assert.ok(Math.abs(page.total - exact) <= exact * 0.1, `${page.total} ≈ ${exact}`);
      assert.equal(page.findings.length, 5);
      const unfiltered = await list('state=open&state=fixed');
      assert.equal(unfiltered.total, 6000, 'without a row filter the count stays exact');
      assert.equal(unfiltered.totalIsEstimate, undefined);
    });
  }),
);
