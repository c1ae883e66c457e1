/**
 * JobQueue over the `jobs` table (migration 001_jobs), the same code on PGlite and PostgreSQL.
 *
 * - Claiming: `SELECT … FOR UPDATE SKIP LOCKED` inside one UPDATE, so two workers never claim the
 *   same job; polled every `pollIntervalMs`, and at once after an enqueue or a finished job in
 *   this process.
 * - Leases: a claimed job is `running` until `locked_until` (now + visibility timeout), renewed
 *   while the handler runs. A job whose lease expired (its worker crashed) is claimed again, or
 *   marked failed when it has no attempts left. Every claim gets a fresh `lock_token`, so a worker
 *   that lost its lease cannot record an outcome over the new owner's.
 * - Failures: retried after `backoff(attempt)` until `maxAttempts`, then `failed` with the last
 *   error message. Finished jobs are deleted after `retainFinishedMs`.
 */
import { randomUUID } from 'node:crypto';
import { RampartError, errorMessage } from '../../core/errors.js';
import type { Db } from '../db/types.js';
import { exponentialBackoff } from './backoff.js';
import type { EnqueueOptions, JobHandler, JobInfo, JobQueue, StopOptions, WorkOptions } from './types.js';

export interface DbJobQueueOptions {
  /** Poll period when idle (default 200 ms). */
  pollIntervalMs?: number;
  /** Lease of a claimed job; renewed every third of it while the handler runs (default 5 min). */
  visibilityTimeoutMs?: number;
  /** Delay before retry after the `attempt`-th run failed (default exponentialBackoff). */
  backoff?: (attempt: number) => number;
  /** Default maxAttempts of enqueue (default 5). */
  maxAttempts?: number;
  /** Succeeded and failed jobs are deleted after this long (default 7 days). */
  retainFinishedMs?: number;
  /** Infrastructure errors (database unreachable while polling…). Default: one line on stderr. */
  onError?: (err: unknown) => void;
}

interface Worker {
  handler: JobHandler<unknown>;
  concurrency: number;
  running: number;
}

interface ClaimedRow {
  id: string;
  key: string | null;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  lock_token: string;
}

const MAX_ERROR_LENGTH = 4000;
const PURGE_EVERY_MS = 3_600_000;

const INSERT_JOB = `
INSERT INTO jobs (name, key, payload, run_at, max_attempts)
VALUES ($1, $2, $3::jsonb, coalesce($4::timestamptz, now()), $5)
ON CONFLICT (name, key) WHERE key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING
RETURNING id`;

const FAIL_ABANDONED = `
UPDATE jobs
SET state = 'failed', finished_at = now(), updated_at = now(), locked_until = NULL, lock_token = NULL,
    last_error = 'the worker running it stopped responding (visibility timeout expired)'
WHERE name = ANY($1::text[]) AND state = 'running' AND locked_until < now() AND attempts >= max_attempts`;

const CLAIM = `
WITH next AS (
  SELECT id FROM jobs
  WHERE name = $1
    AND ((state = 'queued' AND run_at <= now())
      OR (state = 'running' AND locked_until < now() AND attempts < max_attempts))
  ORDER BY run_at, id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)
UPDATE jobs
SET state = 'running', attempts = jobs.attempts + 1, lock_token = $3 || '/' || jobs.id || '/' || (jobs.attempts + 1),
    locked_until = now() + make_interval(secs => $4::float8 / 1000), updated_at = now()
FROM next
WHERE jobs.id = next.id
RETURNING jobs.id, jobs.key, jobs.payload, jobs.attempts, jobs.max_attempts, jobs.lock_token`;

const RENEW_LEASE = `
UPDATE jobs SET locked_until = now() + make_interval(secs => $3::float8 / 1000), updated_at = now()
WHERE id = $1 AND lock_token = $2`;

const SUCCEED = `
UPDATE jobs
SET state = 'succeeded', finished_at = now(), updated_at = now(), locked_until = NULL, lock_token = NULL
WHERE id = $1 AND lock_token = $2`;

const FAIL_ATTEMPT = `
UPDATE jobs
SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
    run_at = CASE WHEN attempts >= max_attempts THEN run_at
                  ELSE now() + make_interval(secs => $3::float8 / 1000) END,
    finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
    last_error = $4, updated_at = now(), locked_until = NULL, lock_token = NULL
WHERE id = $1 AND lock_token = $2`;

const COUNT_UNFINISHED = `
SELECT count(*) AS n FROM jobs WHERE name = ANY($1::text[]) AND state IN ('queued', 'running')`;

const PURGE_FINISHED = `
DELETE FROM jobs
WHERE state IN ('succeeded', 'failed') AND finished_at < now() - make_interval(secs => $1::float8 / 1000)`;

export class DbJobQueue implements JobQueue {
  private readonly pollIntervalMs: number;
  private readonly visibilityTimeoutMs: number;
  private readonly backoff: (attempt: number) => number;
  private readonly defaultMaxAttempts: number;
  private readonly retainFinishedMs: number;
  private readonly onError: (err: unknown) => void;
  /** Prefix of this process' lock tokens (the job id completes it). */
  private readonly instanceId = randomUUID();

  private readonly workers = new Map<string, Worker>();
  private readonly runningJobs = new Set<Promise<void>>();
  private started = false;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private currentPoll: Promise<void> | undefined;
  private pollRequested = false;
  private lastPurge = 0;

  constructor(
    private readonly db: Db,
    opts: DbJobQueueOptions = {},
  ) {
    this.pollIntervalMs = opts.pollIntervalMs ?? 200;
    this.visibilityTimeoutMs = opts.visibilityTimeoutMs ?? 300_000;
    this.backoff = opts.backoff ?? exponentialBackoff;
    this.defaultMaxAttempts = opts.maxAttempts ?? 5;
    this.retainFinishedMs = opts.retainFinishedMs ?? 7 * 86_400_000;
    this.onError =
      opts.onError ?? ((err) => process.stderr.write(`rampart: job queue: ${errorMessage(err)}\n`));
  }

  async enqueue<P = unknown>(name: string, payload: P, opts: EnqueueOptions = {}): Promise<string | null> {
    assertJobName(name);
    const maxAttempts = opts.maxAttempts ?? this.defaultMaxAttempts;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new RampartError('INTERNAL', `job ${name}: maxAttempts must be a positive integer`);
    }
    const json = JSON.stringify(payload ?? null);
    if (json === undefined) throw new RampartError('INTERNAL', `job ${name}: payload is not JSON`);
    const { rows } = await (opts.tx ?? this.db).query<{ id: string }>(INSERT_JOB, [
      name,
      opts.key ?? null,
      json,
      opts.runAt ?? null,
      maxAttempts,
    ]);
    const id = rows[0]?.id ?? null;
    if (id !== null && opts.tx === undefined && this.workers.has(name)) this.wake();
    return id;
  }

  work<P = unknown>(name: string, handler: JobHandler<P>, opts: WorkOptions = {}): void {
    assertJobName(name);
    if (this.workers.has(name)) throw new RampartError('INTERNAL', `job ${name} already has a handler`);
    const concurrency = opts.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RampartError('INTERNAL', `job ${name}: concurrency must be a positive integer`);
    }
    this.workers.set(name, { handler: handler as JobHandler<unknown>, concurrency, running: 0 });
    this.wake();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.wake();
  }

  async stop(opts: StopOptions = {}): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const finished = (async () => {
      await this.currentPoll; // jobs it claims are started, then waited for below
      while (this.runningJobs.size > 0) await Promise.allSettled([...this.runningJobs]);
    })();
    if (opts.timeoutMs === undefined) await finished;
    else await Promise.race([finished, delay(opts.timeoutMs)]);
    this.started = false;
  }

  async drain(): Promise<void> {
    if (!this.started || this.stopping) {
      throw new RampartError('INTERNAL', 'drain() needs a started job queue');
    }
    const names = [...this.workers.keys()];
    for (;;) {
      if (this.runningJobs.size === 0 && this.currentPoll === undefined) {
        const { rows } = await this.db.query<{ n: string }>(COUNT_UNFINISHED, [names]);
        if (Number(rows[0]?.n) === 0 && this.runningJobs.size === 0) return;
      }
      this.wake();
      await delay(Math.min(this.pollIntervalMs, 20));
    }
  }

  /** Polls as soon as possible (again, if a poll is under way). */
  private wake(): void {
    if (!this.started || this.stopping) return;
    if (this.currentPoll !== undefined) {
      this.pollRequested = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), 0);
  }

  private poll(): void {
    this.timer = undefined;
    this.pollRequested = false;
    this.currentPoll = this.claimAndRun()
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.currentPoll = undefined;
        if (!this.started || this.stopping) return;
        this.timer = setTimeout(() => this.poll(), this.pollRequested ? 0 : this.pollIntervalMs);
      });
  }

  private async claimAndRun(): Promise<void> {
    const names = [...this.workers.keys()];
    if (names.length === 0) return;
    await this.db.query(FAIL_ABANDONED, [names]);
    for (const [name, worker] of this.workers) {
      const free = worker.concurrency - worker.running;
      if (free <= 0 || this.stopping) continue;
      const { rows } = await this.db.query<ClaimedRow>(CLAIM, [
        name,
        free,
        this.instanceId,
        this.visibilityTimeoutMs,
      ]);
      for (const row of rows) this.run(name, worker, row);
    }
    await this.purgeFinishedNowAndThen();
  }

  private run(name: string, worker: Worker, row: ClaimedRow): void {
    worker.running++;
    const job: JobInfo = {
      id: row.id,
      name,
      key: row.key,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
    };
    const execution = this.execute(worker, job, row.payload, row.lock_token).finally(() => {
      worker.running--;
      this.runningJobs.delete(execution);
      this.wake();
    });
    this.runningJobs.add(execution);
  }

  private async execute(worker: Worker, job: JobInfo, payload: unknown, lockToken: string): Promise<void> {
    const renewal = setInterval(() => {
      this.db
        .query(RENEW_LEASE, [job.id, lockToken, this.visibilityTimeoutMs])
        .catch((err: unknown) => this.onError(err));
    }, this.visibilityTimeoutMs / 3);
    let failure: { error: unknown } | undefined;
    try {
      await worker.handler(payload, job);
    } catch (error) {
      failure = { error };
    } finally {
      clearInterval(renewal);
    }
    try {
      if (failure === undefined) {
        await this.db.query(SUCCEED, [job.id, lockToken]);
      } else {
        const message = errorMessage(failure.error).slice(0, MAX_ERROR_LENGTH) || 'handler failed';
        await this.db.query(FAIL_ATTEMPT, [
          job.id,
          lockToken,
          Math.max(0, this.backoff(job.attempt)),
          message,
        ]);
      }
    } catch (err) {
      this.onError(err); // the lease expires and the job runs again
    }
  }

  private async purgeFinishedNowAndThen(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    await this.db.query(PURGE_FINISHED, [this.retainFinishedMs]);
  }
}

function assertJobName(name: string): void {
  if (name.length === 0) throw new RampartError('INTERNAL', 'a job needs a name');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
