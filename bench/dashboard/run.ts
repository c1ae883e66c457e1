/**
 * Dashboard scale bench (issue 8, acceptance 3):
 *   npm run bench:dashboard -- [--findings 1000000] [--projects 200] [--requests 200] [--warmup 20]
 *                              [--keep] [--reuse]
 *
 * Creates the PostgreSQL database rampart_dash_bench (server: RAMPART_BENCH_PG, default
 * postgres://postgres@127.0.0.1:5432), migrates it, bulk-loads the data set of load.ts, runs the
 * overview roll-up refresh (timed: every project, the largest, one change), then starts the real
 * control plane on loopback and times, over HTTP with keep-alive, N sequential requests per endpoint
 * after a warm-up: the overview as an admin (org-wide API token), the overview as a developer
 * (session cookie, member of 5 projects) and filtered findings pages of the largest project.
 * Prints p50/p95/p99 per endpoint. Goal: p95 ≤ 200 ms for the overview and the filtered page.
 * The database is dropped at the end unless --keep; --reuse skips creating and loading it (after
 * a --keep run). Exit code: 0 goal met, 1 goal missed.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createControlPlane } from '../../src/server/control-plane.js';
import { migrate } from '../../src/server/db/migrate.js';
import { openDb } from '../../src/server/db/open.js';
import type { Db } from '../../src/server/db/types.js';
import { serverKeysFrom } from '../../src/server/keys/server-key.js';
import { createApiToken, createSession } from '../../src/server/services/identity.js';
import {
  refreshAllStats,
  refreshDirtyStats,
  refreshProjectStats,
} from '../../src/server/services/stats-refresh.js';
import { loadDataSet, projectName } from './load.js';

const GOAL_P95_MS = 200;
const DB_NAME = 'rampart_dash_bench';
const SERVER = (process.env.RAMPART_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const options = {
  findings: Number(flag('--findings', '1000000')),
  projects: Number(flag('--projects', '200')),
  requests: Number(flag('--requests', '200')),
  warmup: Number(flag('--warmup', '20')),
  keep: process.argv.includes('--keep'),
  reuse: process.argv.includes('--reuse'),
};

const log = (line: string) => process.stdout.write(`${line}\n`);

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Endpoint {
  label: string;
  path: string;
  headers: Record<string, string>;
  /** Counts toward the goal. */
  goal: boolean;
  describe: (json: unknown) => string;
}

async function measure(base: string, e: Endpoint): Promise<number[]> {
  const call = async () => {
    const res = await fetch(`${base}${e.path}`, { headers: e.headers });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${e.label}: ${res.status} ${body.slice(0, 200)}`);
    return body;
  };
  log(`  ${e.label}: ${e.describe(JSON.parse(await call()))}`);
  for (let i = 0; i < options.warmup; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < options.requests; i++) times.push((await timeIt(call)).ms);
  return times.sort((a, b) => a - b);
}

async function users(db: Db, bigProject: string): Promise<{ adminId: string; devId: string }> {
  const admin = await db.query<{ id: string }>(
    `INSERT INTO users (email, name, role) VALUES ('bench-admin@example.test', 'Bench admin', 'admin')
     ON CONFLICT (email) DO UPDATE SET role = 'admin' RETURNING id`,
  );
  const dev = await db.query<{ id: string }>(
    `INSERT INTO users (email, name, role) VALUES ('bench-dev@example.test', 'Bench developer', 'developer')
     ON CONFLICT (email) DO UPDATE SET role = 'developer' RETURNING id`,
  );
  const devId = dev.rows[0]!.id;
  // The largest project and four others.
  const names = [0, 7, 42, 120, 199].map((p) => projectName(p % options.projects));
  await db.query(
    `INSERT INTO memberships (user_id, project_id)
     SELECT $1, id FROM projects WHERE name = ANY($2::text[]) OR id = $3 ON CONFLICT DO NOTHING`,
    [devId, names, bigProject],
  );
  return { adminId: admin.rows[0]!.id, devId };
}

async function main(): Promise<number> {
  if (!options.reuse) {
    await adminQuery(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${DB_NAME}`);
  }
  const db = await openDb({ url: `${SERVER}/${DB_NAME}`, poolSize: 10 });
  await migrate(db);
  const plane = await createControlPlane({
    db,
    keys: serverKeysFrom(randomBytes(32)),
    runWorkers: false,
    statsRefreshMs: 0,
  });
  let ok = false;
  try {
    if (!options.reuse) {
      log(`loading ${options.projects} projects and ${options.findings.toLocaleString('en')} findings…`);
      const load = await timeIt(() =>
        loadDataSet(db, {
          projects: options.projects,
          findings: options.findings,
          onProgress: (n) => process.stdout.write(`\r  ${n.toLocaleString('en')} findings`),
        }),
      );
      log(`\n  loaded in ${(load.ms / 1000).toFixed(1)} s (incl. VACUUM ANALYZE)`);
    }
    const big = await db.query<{ id: string; n: string }>(
      `SELECT p.id, (SELECT count(*) FROM findings f WHERE f.project_id = p.id) AS n
       FROM projects p WHERE p.name = $1`,
      [projectName(0)],
    );
    const bigProject = big.rows[0]!.id;
    const sizes = await db.query<{ median: string; total: string }>(
      `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n) AS median, sum(n) AS total
       FROM (SELECT count(*) AS n FROM findings GROUP BY project_id) AS s`,
    );
    log(
      `data: ${Number(sizes.rows[0]!.total).toLocaleString('en')} findings; largest project ${projectName(0)} ` +
        `${Number(big.rows[0]!.n).toLocaleString('en')}, median project ${sizes.rows[0]!.median}`,
    );

    const ctx = plane.ctx;
    log('overview roll-up refresh:');
    const all = await timeIt(() => refreshAllStats(ctx));
    log(`  every project (${all.value}): ${(all.ms / 1000).toFixed(2)} s`);
    const one = await timeIt(() => refreshProjectStats(ctx, bigProject));
    log(`  largest project: ${one.ms.toFixed(0)} ms`);
    await db.query(`INSERT INTO stats_dirty (project_id) SELECT id FROM projects WHERE name = $1`, [
      projectName(Math.floor(options.projects / 2)),
    ]);
    const dirty = await timeIt(() => refreshDirtyStats(ctx));
    log(`  one changed (median-sized) project, as the on-change job: ${dirty.ms.toFixed(0)} ms`);

    const { adminId, devId } = await users(db, bigProject);
    const token = await createApiToken(ctx, db, {
      name: 'bench',
      userId: adminId,
      permissions: ['project:read'],
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    const session = await createSession(ctx, db, devId, true);
    const base = await plane.listen({ host: '127.0.0.1', port: 0 });
    const asAdmin = { authorization: `Bearer ${token.token}` };
    const asDev = { cookie: `rampart_session=${session.token}` };
    const overview = (json: unknown) => {
      const o = json as { totals: { open: number }; topProjects: unknown[]; generatedAt: string };
      return `open ${o.totals.open}, ${o.topProjects.length} top projects, generatedAt ${o.generatedAt}`;
    };
    const page = (json: unknown) => {
      const p = json as { total: number; totalIsEstimate?: boolean; findings: unknown[] };
      return `total ${p.total}${p.totalIsEstimate ? ' (estimate)' : ''}, ${p.findings.length} on the page`;
    };
    const findings = `/api/v1/projects/${bigProject}/findings`;
    const endpoints: Endpoint[] = [
      {
        label: 'overview (admin)',
        path: '/api/v1/overview',
        headers: asAdmin,
        goal: true,
        describe: overview,
      },
      {
        label: 'overview (developer)',
        path: '/api/v1/overview',
        headers: asDev,
        goal: true,
        describe: overview,
      },
      {
        label: 'findings: open+high, q, sort=sla',
        path: `${findings}?state=open&severity=high&q=injection&sort=sla`,
        headers: asAdmin,
        goal: true,
        describe: page,
      },
      {
        label: 'findings: default (new+open, by severity)',
        path: findings,
        headers: asAdmin,
        goal: true,
        describe: page,
      },
      {
        label: 'findings: new+open, q, sort=last_seen, page 5',
        path: `${findings}?q=module-1/&sort=last_seen&offset=200`,
        headers: asDev,
        goal: true,
        describe: page,
      },
    ];
    log(
      `HTTP on ${base}, ${options.requests} sequential requests per endpoint after ${options.warmup} warm-up:`,
    );
    const results: { e: Endpoint; times: number[] }[] = [];
    for (const e of endpoints) results.push({ e, times: await measure(base, e) });
    log('');
    log(`${'endpoint'.padEnd(48)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
    ok = true;
    for (const { e, times } of results) {
      const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(times, p));
      if (e.goal && !(p95! <= GOAL_P95_MS)) ok = false;
      log(
        `${e.label.padEnd(48)} ${p50!.toFixed(1).padStart(8)} ${p95!.toFixed(1).padStart(8)} ${p99!.toFixed(1).padStart(8)}`,
      );
    }
    log(`goal p95 ≤ ${GOAL_P95_MS} ms: ${ok ? 'met' : 'MISSED'}`);
  } finally {
    await plane.close();
    if (!options.keep) await adminQuery(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:dashboard: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
