/**
 * Worker thread for the hostile scan tests: scans one target with the real secret scanner and posts
 * the outcome. Running the scan in a worker lets the test kill it (worker.terminate()) when it
 * overruns: a synchronous scan on the main thread could not be interrupted by the test timeout.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSecretScanner } from '../../src/scanners/secret/index.js';

interface Job {
  path: string;
  content: Uint8Array;
  budgetMs: number;
}

const job = workerData as Job;
const scanner = await createSecretScanner();
const warnings: string[] = [];
const t0 = performance.now();
const findings = scanner.scan(
  {
    path: job.path,
    content: Buffer.from(job.content.buffer, job.content.byteOffset, job.content.byteLength),
  },
  { warn: (m) => warnings.push(m), deadline: Date.now() + job.budgetMs },
);
parentPort!.postMessage({ findings, warnings, ms: performance.now() - t0 });
