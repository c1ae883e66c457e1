/**
 * Assembles the control plane: context, HTTP app with every route, background job handlers, and the
 * advisory-database watcher that triggers continuous re-scans. The same assembly serves
 * `rampart server` (embedded or PostgreSQL), `rampart worker` (jobs only) and the tests.
 */
import type { FastifyInstance } from 'fastify';
import { openDatabase, readLiveGeneration } from '../deps/db/open.js';
import { defaultDbDir } from '../deps/db/paths.js';
import type { Db } from './db/types.js';
import { DbJobQueue, type JobQueue } from './jobs/index.js';
import type { ServerKeys } from './keys/server-key.js';
import { buildServerApp, type ServerApp } from './http/app.js';
import type { ServerContext, ServerSettings } from './http/context.js';
import { DEFAULT_SLA_DAYS } from './lifecycle/index.js';
import { adminRoutes } from './routes/admin.js';
import { artifactRoutes, REMATCH_ALL_JOB, REMATCH_JOB } from './routes/artifacts.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { deploymentRoutes } from './routes/deployments.js';
import { findingRoutes } from './routes/findings.js';
import { uiRoutes } from './routes/ui.js';
import { overviewRoutes } from './routes/overview.js';
import { registerDeploymentJobs } from './services/gates-notify.js';
import { notifyScan, NOTIFY_JOB } from './services/notify.js';
import { EXPIRY_JOB, expireRiskAcceptances, scheduleExpiry } from './services/expiry.js';
import { rematchArtifact } from './services/rematch.js';
import { registerStatsJobs, scheduleStatsRefresh } from './services/stats-refresh.js';

export const DEFAULT_SETTINGS: ServerSettings = {
  publicUrl: 'http://127.0.0.1:8080',
  sessionTtlMs: 12 * 3_600_000,
  maxUploadBytes: 64 * 1024 * 1024,
  maxFindingsPerUpload: 100_000,
  sla: { ...DEFAULT_SLA_DAYS },
  advisoryDbDir: undefined,
  ciAllowHttpLoopback: false,
};

export interface ControlPlaneOptions {
  db: Db;
  keys: ServerKeys;
  settings?: Partial<ServerSettings>;
  now?: () => Date;
  /** Run background jobs in this process (embedded mode, tests). */
  runWorkers?: boolean;
  logger?: boolean | { level: string; stream?: { write(line: string): unknown } };
  queue?: JobQueue;
  /** How often the advisory database's generation is checked for continuous re-scans (default 60 s; 0 = never). */
  advisoryWatchMs?: number;
  /** How often every project's overview roll-ups are refreshed, first at start (default 10 min; 0 = never). */
  statsRefreshMs?: number;
}

export interface ControlPlane {
  ctx: ServerContext;
  app: FastifyInstance;
  server: ServerApp;
  queue: JobQueue;
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Graceful: stops taking requests, finishes those in flight, stops the workers, closes the database. */
  close(options?: { keepDb?: boolean }): Promise<void>;
}

/** Registers the job handlers on `queue` (server with in-process workers, or `rampart worker`). */
export function registerJobs(ctx: ServerContext, queue: JobQueue): void {
  queue.work(EXPIRY_JOB, async () => {
    await expireRiskAcceptances(ctx);
  });
  queue.work<{ artifactId: string }>(
    REMATCH_JOB,
    async ({ artifactId }) => {
      const adb = openDatabase(ctx.settings.advisoryDbDir ?? defaultDbDir());
      if (!adb) return; // no advisory database yet: matched once one is installed (generation watcher)
      try {
        await rematchArtifact(ctx, adb, adb.generation, artifactId);
      } finally {
        adb.close();
      }
    },
    { concurrency: 2 },
  );
  queue.work(REMATCH_ALL_JOB, async () => {
    const r = await ctx.db.query<{ artifact_id: string }>(
      'SELECT artifact_id FROM sboms ORDER BY artifact_id',
    );
    for (const row of r.rows)
      await queue.enqueue(REMATCH_JOB, { artifactId: row.artifact_id }, { key: row.artifact_id });
  });
  queue.work<{ scanId: string }>(NOTIFY_JOB, async ({ scanId }, job) => {
    await notifyScan(ctx, scanId, job.id);
  });
  registerDeploymentJobs(ctx, queue);
  registerStatsJobs(ctx, queue);
}

/** Enqueues a full re-match when the advisory database moved to a new generation since the last check. */
export async function checkAdvisoryGeneration(ctx: ServerContext, queue: JobQueue): Promise<boolean> {
  const live = readLiveGeneration(ctx.settings.advisoryDbDir ?? defaultDbDir());
  if (!live) return false;
  return ctx.db.transaction(async (tx) => {
    const r = await tx.query<{ value: string }>(
      "SELECT value FROM settings WHERE key = 'advisory_generation' FOR UPDATE",
    );
    if (r.rows[0]?.value === live.generation) return false;
    await tx.query(
      `INSERT INTO settings (key, value) VALUES ('advisory_generation', $1)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [JSON.stringify(live.generation)],
    );
    await queue.enqueue(
      REMATCH_ALL_JOB,
      { reason: 'advisory-db-updated', generation: live.generation },
      { tx, key: 'all' },
    );
    return true;
  });
}

export async function createControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const settings: ServerSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const queue = options.queue ?? new DbJobQueue(options.db);
  const ctx: ServerContext = {
    db: options.db,
    queue,
    keys: options.keys,
    settings,
    now: options.now ?? (() => new Date()),
  };
  registerJobs(ctx, queue);
  const server = await buildServerApp(ctx, {
    logger: options.logger ?? false,
    routes: async (app) => {
      await authRoutes(app, ctx);
      await adminRoutes(app, ctx);
      await findingRoutes(app, ctx);
      await artifactRoutes(app, ctx);
      await auditRoutes(app, ctx);
      await uiRoutes(app); // the dashboard (dist/web) at `/`: every non-API GET path
      await deploymentRoutes(app, ctx);
      await overviewRoutes(app, ctx);
    },
  });
  const stopStats = scheduleStatsRefresh(queue, options.statsRefreshMs ?? 600_000, (err: unknown) =>
    server.app.log.warn({ err: String(err) }, 'queueing the overview refresh failed'),
  );
  const stopExpiry = scheduleExpiry(queue, options.statsRefreshMs ?? 600_000, (err: unknown) =>
    server.app.log.warn({ err: String(err) }, 'queueing the risk-acceptance expiry failed'),
  );
  let watcher: NodeJS.Timeout | undefined;
  if (options.runWorkers) {
    queue.start();
    const every = options.advisoryWatchMs ?? 60_000;
    if (every > 0) {
      const tick = () =>
        void checkAdvisoryGeneration(ctx, queue).catch((err: unknown) =>
          server.app.log.warn({ err: String(err) }, 'advisory database check failed'),
        );
      tick();
      watcher = setInterval(tick, every);
      watcher.unref();
    }
  }
  return {
    ctx,
    app: server.app,
    server,
    queue,
    async listen(o = {}) {
      return server.app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 });
    },
    async close(o = {}) {
      if (watcher) clearInterval(watcher);
      stopStats();
      stopExpiry();
      await server.close();
      await queue.stop();
      if (!o.keepDb) await options.db.close();
    },
  };
}
