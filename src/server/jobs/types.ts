/**
 * A durable background job queue. Producers `enqueue`; workers register a handler per job name
 * with `work` and consume after `start`. In embedded mode the server runs the workers in-process;
 * with PostgreSQL, separate `rampart worker` processes consume the same table. A job runs at least
 * once: handlers must be idempotent (a worker that crashes mid-job has its job run again).
 */
import type { Queryable } from '../db/types.js';

export interface JobInfo {
  id: string;
  name: string;
  key: string | null;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  maxAttempts: number;
}

export type JobHandler<P = unknown> = (payload: P, job: JobInfo) => Promise<void>;

export interface EnqueueOptions {
  /**
   * De-duplicates: while a job with the same name and key is queued or running, enqueue does
   * nothing and returns null. Once it succeeded or failed, the key is free again.
   */
  key?: string;
  /** Not before this time (default: now). */
  runAt?: Date;
  /** Runs in total before the job is marked failed (default: the queue's, 5). */
  maxAttempts?: number;
  /**
   * Enqueue inside this transaction: the job exists only if the transaction commits (and is
   * picked up by the next poll rather than immediately).
   */
  tx?: Queryable;
}

export interface WorkOptions {
  /** Jobs of this name run at most this many at once in this process (default 1). */
  concurrency?: number;
}

export interface StopOptions {
  /**
   * Give up waiting for running handlers after this long (default: wait for them all). Jobs still
   * running are then picked up again by a worker once their visibility timeout expires.
   */
  timeoutMs?: number;
}

export interface JobQueue {
  /** The new job's id, or null when `key` matched an unfinished job. Payload must be JSON. */
  enqueue<P = unknown>(name: string, payload: P, opts?: EnqueueOptions): Promise<string | null>;
  /** Registers the handler of `name` (once per name); takes effect at/after `start()`. */
  work<P = unknown>(name: string, handler: JobHandler<P>, opts?: WorkOptions): void;
  /** Starts polling for jobs of the registered names. */
  start(): void;
  /** Stops taking jobs and waits for the running handlers to finish and be recorded. */
  stop(opts?: StopOptions): Promise<void>;
  /**
   * For tests: resolves once no job of a registered name is queued (including retries waiting for
   * their back-off) or running, in this process or any other sharing the database.
   */
  drain(): Promise<void>;
}
