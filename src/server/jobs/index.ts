export type { EnqueueOptions, JobHandler, JobInfo, JobQueue, StopOptions, WorkOptions } from './types.js';
export { DbJobQueue, type DbJobQueueOptions } from './db-queue.js';
export { exponentialBackoff } from './backoff.js';
