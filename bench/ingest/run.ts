/**
 * Upload throughput and crash safety of the control plane on PostgreSQL (issue acceptance):
 *   node --import tsx bench/ingest/run.ts [--kill] [--files 1000] [--findings 500] [--projects 50]
 *        [--clients 4] [--kill-at 0.4] [--restart-after-ms 1000] [--log info] [--keep-db]
 *        [--no-workers] [--no-build] [--cpu-prof DIR] [--server-root DIR]
 *
 * Creates a fresh database `rampart_bench` on the PostgreSQL server of DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), starts the real server (`node bin/rampart.js server`,
 * dist/ rebuilt first when src/ is newer) as a child process, signs in as the bootstrap admin (TOTP
 * enrolment), creates the projects and one upload token per project, then uploads `--files` SARIF
 * logs of `--findings` results each with `--clients` concurrent clients using the real client
 * (`uploadReport`: content-derived idempotency key, retries with backoff) over HTTP on loopback.
 * Prints findings/s, upload latency p50/p95/p99/max, errors and the server's peak RSS, then checks
 * the database: every upload recorded once, every finding once with one history event, one audit
 * entry per scan, and the audit chain verifies.
 *
 * --kill: the same run, but when `--kill-at` of the uploads are done the server is SIGKILLed and
 * restarted `--restart-after-ms` later on the same port and database; the clients keep retrying.
 * The check then prints "lost N, doubled M".
 *
 * Goal: ≥ 20,000 findings/s (the --kill run is about correctness; its rate includes the outage).
 * Exit code: 0 goal met and database consistent, 1 goal missed or inconsistency, 2 could not run.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { idempotencyKeyFor, uploadReport, type UploadTarget } from '../../src/server/client/upload.js';
import { AdminSession } from './admin-session.js';
import { buildCorpus, type BenchUpload } from './corpus.js';
import {
  freePort,
  procCpuSeconds,
  startServer,
  stopServer,
  type ServerEnv,
  type ServerProcess,
} from './server-process.js';
import { checkDatabase, type ExpectedUpload } from './verify.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOAL_FINDINGS_PER_S = 20_000;
const BENCH_DB = 'rampart_bench';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const has = (name: string) => process.argv.includes(name);

const options = {
  files: Number(flag('--files', '1000')),
  findings: Number(flag('--findings', '500')),
  projects: Number(flag('--projects', '50')),
  clients: Number(flag('--clients', '4')),
  kill: has('--kill'),
  killAt: Number(flag('--kill-at', '0.4')),
  restartAfterMs: Number(flag('--restart-after-ms', '1000')),
  logLevel: flag('--log', 'info'),
  keepDb: has('--keep-db'),
  build: !has('--no-build'),
  /** Another checkout's built server (A/B comparisons); this checkout's by default. */
  serverRoot: has('--server-root') ? path.resolve(flag('--server-root', '')) : repoRoot,
  /** Background jobs (overview refresh, notifications) not in the server process: ingest alone. */
  noWorkers: has('--no-workers'),
  cpuProf: has('--cpu-prof') ? path.resolve(flag('--cpu-prof', '')) : undefined,
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
};

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Rebuilds dist/ with tsconfig.build.json when a source file is newer than the built CLI. */
function buildIfStale(): void {
  let built = 0;
  try {
    built = statSync(path.join(repoRoot, 'dist', 'cli', 'main.js')).mtimeMs;
  } catch {
    /* never built */
  }
  if (newestMtime(path.join(repoRoot, 'src')) <= built) return;
  console.log('dist/ is older than src/: building (npx tsc -p tsconfig.build.json)…');
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0)
    console.log(
      `  tsc reported errors (files were still emitted; the server may run stale code):\n${(r.stdout ?? '').split('\n').slice(0, 10).join('\n')}`,
    );
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** CPU seconds of the PostgreSQL backends serving the bench database, by pid (same host only). */
async function backendCpu(client: pg.Client): Promise<Map<number, number>> {
  const r = await client.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [BENCH_DB],
  );
  return new Map(r.rows.map((row) => [row.pid, procCpuSeconds(row.pid)]));
}

function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, cpu] of after) sum += cpu - (before.get(pid) ?? 0);
  return sum;
}

interface UploadRecord {
  latencyMs: number;
  attempts: number;
  duplicate: boolean;
  error?: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const msf = (n: number) => `${n.toFixed(0)} ms`;

async function main(): Promise<number> {
  if (options.build && options.serverRoot === repoRoot) buildIfStale();
  const workDir = path.join(repoRoot, 'bench', '.work');
  mkdirSync(workDir, { recursive: true });
  const logFile = path.join(workDir, 'ingest-server.log');
  const benchUrl = withDatabase(options.databaseUrl, BENCH_DB);
  try {
    await adminQuery(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${BENCH_DB}`);
  } catch (err) {
    console.error(
      `bench/ingest: cannot create database ${BENCH_DB} via ${new URL(options.databaseUrl).host}: ${String(err)}`,
    );
    return 2;
  }

  const env: ServerEnv = {
    databaseUrl: benchUrl,
    secretKey: randomBytes(32).toString('base64'),
    adminEmail: 'bench-admin@example.test',
    adminPassword: `Bench-${randomBytes(12).toString('hex')}-pass`,
  };
  const port = await freePort();
  const nodeArgs = options.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProf] : [];
  const start = () =>
    startServer({
      repoRoot: options.serverRoot,
      port,
      env,
      logFile,
      logLevel: options.logLevel,
      nodeArgs,
      serverArgs: options.noWorkers ? ['--no-workers'] : [],
    });

  const t0 = performance.now();
  const corpus = buildCorpus({
    files: options.files,
    findingsPerFile: options.findings,
    projects: options.projects,
  });
  const corpusBytes = corpus.reduce((n, u) => n + u.body.byteLength, 0);
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; server, clients and PostgreSQL on one host`,
  );
  console.log(
    `corpus: ${fmt(options.files)} SARIF logs × ${options.findings} results (CodeQL-shaped), ${(corpusBytes / 1048576).toFixed(0)} MiB, ` +
      `${options.projects} projects × ${Math.ceil(options.files / options.projects)} branches, one upload per branch ` +
      `(all findings new; nothing marked fixed), built in ${msf(performance.now() - t0)}`,
  );

  let server: ServerProcess | undefined;
  const db = new pg.Client({ connectionString: benchUrl });
  try {
    server = await start();
    console.log(
      `server: ${options.serverRoot === repoRoot ? '' : `${options.serverRoot}/`}bin/rampart.js server on ${server.url}, PostgreSQL database ${BENCH_DB}, log ${options.logLevel}` +
        (options.noWorkers
          ? ', --no-workers (background jobs queued, not run)'
          : ', background jobs in-process'),
    );
    const admin = await AdminSession.signIn(server.url, env.adminEmail, env.adminPassword);
    const projects: { id: string; token: string }[] = [];
    for (let p = 0; p < options.projects; p++) {
      const id = await admin.createProject(`bench-${p}`);
      projects.push({ id, token: await admin.createUploadToken(id, `ci bench-${p}`) });
    }

    const target = (u: BenchUpload): UploadTarget => ({
      server: server!.url,
      projectId: projects[u.projectIndex]!.id,
      branch: u.branch,
      commit: `c${u.index.toString(16).padStart(7, '0')}`,
      complete: true,
    });
    const expected: ExpectedUpload[] = corpus.map((u) => ({
      projectId: projects[u.projectIndex]!.id,
      idempotencyKey: idempotencyKeyFor(u.body, target(u)),
      findings: options.findings,
    }));

    // The run: `clients` workers take the next upload from a shared cursor.
    const records: UploadRecord[] = [];
    let next = 0;
    let done = 0;
    let peakRss = 0;
    let outage: Promise<void> | undefined;
    const killAfter = Math.floor(options.files * options.killAt);
    let lastMark = { at: performance.now(), done: 0 };
    const step = Math.max(1, Math.round(options.files / 10));
    const onDone = () => {
      done++;
      if (done % step === 0) {
        const now = performance.now();
        const interval = ((done - lastMark.done) * options.findings) / ((now - lastMark.at) / 1000);
        console.log(
          `  ${String(done).padStart(6)} uploads done, ${fmt(interval)} findings/s over the last ${done - lastMark.done}`,
        );
        lastMark = { at: now, done };
      }
      if (options.kill && !outage && done >= killAfter) outage = crashAndRestart();
    };
    const crashAndRestart = async () => {
      const victim = server!;
      peakRss = Math.max(peakRss, victim.peakRssMb());
      const killedAt = performance.now();
      victim.child.kill('SIGKILL');
      await victim.exited;
      console.log(
        `  [kill] SIGKILL after ${done} uploads done (${next - done} in flight); restarting in ${options.restartAfterMs} ms`,
      );
      await new Promise((r) => setTimeout(r, options.restartAfterMs));
      server = await start();
      console.log(`  [kill] server back after ${msf(performance.now() - killedAt)} (same port and database)`);
    };
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= corpus.length) return;
        const u = corpus[i]!;
        const started = performance.now();
        try {
          const r = await uploadReport(u.body, target(u), {
            credential: projects[u.projectIndex]!.token,
            retries: options.kill ? 12 : 5,
            backoffMs: options.kill ? 250 : 500,
          });
          records[i] = {
            latencyMs: performance.now() - started,
            attempts: r.attempts,
            duplicate: r.duplicate,
          };
        } catch (err) {
          records[i] = {
            latencyMs: performance.now() - started,
            attempts: 0,
            duplicate: false,
            error: err instanceof Error ? err.message : String(err),
          };
        }
        onDone();
      }
    };
    console.log(
      `uploading with ${options.clients} concurrent clients${options.kill ? `, SIGKILL at ${Math.round(options.killAt * 100)} %` : ''}…`,
    );
    await db.connect();
    const pgCpuBefore = await backendCpu(db);
    const serverCpuBefore = server.cpuSeconds();
    const clientCpuBefore = process.cpuUsage();
    const load = os.loadavg()[0]!;
    const runStart = performance.now();
    lastMark = { at: runStart, done: 0 };
    await Promise.all(Array.from({ length: options.clients }, worker));
    const wallS = (performance.now() - runStart) / 1000;
    await outage;
    peakRss = Math.max(peakRss, server.peakRssMb());
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const serverCpu = options.kill ? NaN : server.cpuSeconds() - serverCpuBefore;
    const pgCpu = cpuDelta(pgCpuBefore, await backendCpu(db));

    const ok = records.filter((r) => !r.error);
    const errors = records.filter((r) => r.error);
    const lat = ok.map((r) => r.latencyMs).sort((a, b) => a - b);
    const uploadedFindings = ok.length * options.findings;
    const rate = uploadedFindings / wallS;
    const retried = ok.filter((r) => r.attempts > 1).length;
    const duplicates = ok.filter((r) => r.duplicate).length;
    console.log(
      `  uploads ${fmt(ok.length)}/${fmt(corpus.length)}, findings ${fmt(uploadedFindings)} in ${wallS.toFixed(1)} s`,
    );
    console.log(
      `  throughput ${fmt(rate)} findings/s (${(ok.length / wallS).toFixed(1)} uploads/s, ${(corpusBytes / 1048576 / wallS).toFixed(1)} MiB/s)`,
    );
    console.log(
      `  upload latency p50 ${msf(quantile(lat, 0.5))}  p95 ${msf(quantile(lat, 0.95))}  p99 ${msf(quantile(lat, 0.99))}  max ${msf(quantile(lat, 1))}`,
    );
    console.log(
      `  errors ${errors.length}; uploads retried ${retried}; answered "already uploaded" ${duplicates}`,
    );
    for (const e of errors.slice(0, 5)) console.log(`    error: ${e.error}`);
    console.log(
      `  server peak RSS ${Number.isNaN(peakRss) ? 'n/a' : `${peakRss.toFixed(0)} MiB`}${options.kill ? ' (max of both processes)' : ''}`,
    );

    console.log(
      `  CPU during the run: server ${options.kill ? 'n/a (two processes)' : `${serverCpu.toFixed(1)} s`}, ` +
        `PostgreSQL backends ${pgCpu.toFixed(1)} s, bench clients ${((clientCpu.user + clientCpu.system) / 1e6).toFixed(1)} s ` +
        `(${wallS.toFixed(1)} s × ${os.cpus().length} cores available); load average ${load.toFixed(1)} before → ${os.loadavg()[0]!.toFixed(1)} after`,
    );

    if (!options.kill) {
      const cpuTotal = serverCpu + pgCpu + (clientCpu.user + clientCpu.system) / 1e6;
      console.log(
        `  CPU per 1,000 findings: server ${(((1000 * serverCpu) / uploadedFindings) * 1000).toFixed(0)} ms, ` +
          `PostgreSQL ${(((1000 * pgCpu) / uploadedFindings) * 1000).toFixed(0)} ms; ` +
          `CPU-bound ceiling on ${os.cpus().length} idle cores ≈ ${fmt((uploadedFindings * os.cpus().length) / cpuTotal)} findings/s ` +
          '(excludes WAL writer, checkpointer, fsync waits)',
      );
    }

    const audit = await admin.verifyAudit();
    await stopServer(server);
    const check = await checkDatabase(db, expected);
    const expectedFindings = options.files * options.findings;
    console.log('database check:');
    console.log(
      `  scans ${fmt(check.scans)} (expected ${fmt(options.files)}); findings ${fmt(check.findings)} (expected ${fmt(expectedFindings)})`,
    );
    console.log(
      `  duplicate (project, branch, tool, fingerprint) ${check.duplicateIdentities}; finding_events ${fmt(check.events)}, findings without exactly one first-seen event from their scan ${check.findingsWithBadHistory}; findings of no scan ${check.orphanFindings}`,
    );
    console.log(
      `  scan.upload audit entries ${fmt(check.uploadAuditEntries)}; audit chain ${audit.ok ? `verifies (${fmt(audit.count ?? 0)} entries)` : `BROKEN at ${audit.seq}: ${audit.problem} ${audit.detail ?? ''}`}`,
    );
    const lost = check.lostScans + check.lostFindings;
    const doubled = check.doubledScans + check.extraFindings;
    console.log(
      `  lost ${lost}, doubled ${doubled} (scans lost ${check.lostScans}, doubled ${check.doubledScans}; findings lost ${check.lostFindings}, extra ${check.extraFindings})`,
    );
    const consistent =
      lost === 0 &&
      doubled === 0 &&
      errors.length === 0 &&
      check.scans === options.files &&
      check.findings === expectedFindings &&
      check.duplicateIdentities === 0 &&
      check.events === expectedFindings &&
      check.findingsWithBadHistory === 0 &&
      check.orphanFindings === 0 &&
      check.uploadAuditEntries === options.files &&
      audit.ok;
    const goalMet = rate >= GOAL_FINDINGS_PER_S;
    console.log('');
    console.log(`database consistent: ${consistent ? 'YES' : 'NO'}`);
    console.log(
      `goal ≥ ${fmt(GOAL_FINDINGS_PER_S)} findings/s: ${goalMet ? 'MET' : 'MISSED'} (${fmt(rate)} findings/s, p99 ${msf(quantile(lat, 0.99))})` +
        (options.kill ? ' — the --kill run includes the outage; the goal is for the plain run' : ''),
    );
    return consistent && (goalMet || options.kill) ? 0 : 1;
  } finally {
    if (server) await stopServer(server).catch(() => undefined);
    await db.end().catch(() => undefined);
    if (!options.keepDb)
      await adminQuery(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`).catch(() => undefined);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench/ingest: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 2;
  },
);
