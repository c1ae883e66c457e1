import { Worker } from 'node:worker_threads';
import type { ScannerKind } from '../core/finding.js';
import type { WalkedFile } from '../walk/types.js';
import type { FileOutcome, WorkerInit, WorkerRequest, WorkerResponse } from './worker-protocol.js';

const BATCH_BYTES = 4 * 1024 * 1024;
const BATCH_FILES = 128;

/** Worker entry next to this module: worker.js in dist/, worker.ts when run from source (tsx). */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./worker${ext}`, import.meta.url);
}

export interface PoolCallbacks {
  /** Called on the main thread for every file, in completion order. */
  onOutcome(o: FileOutcome): void;
  /** Cross-file scanner state drained by a worker after a batch. */
  onStates(states: Partial<Record<ScannerKind, unknown>>): void;
}

/**
 * Reads and scans files on worker threads. Files are added while the walk is still running (so the
 * workers' start-up and the walk overlap), grouped in small batches handed to whichever worker is
 * free, so one huge file does not stall the others. `finish()` resolves when every file was
 * reported, rejects if a worker fails; workers are always terminated.
 */
export class ScanPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: WalkedFile[][] = [];
  private batch: WalkedFile[] = [];
  private batchBytes = 0;
  private nextId = 0;
  private closed = false;
  private failure: Error | undefined;
  private settle: { resolve(): void; reject(err: Error): void } | undefined;

  constructor(
    init: WorkerInit,
    count: number,
    private readonly callbacks: PoolCallbacks,
  ) {
    for (let i = 0; i < Math.max(1, count); i++) {
      const w = new Worker(workerUrl(), { workerData: init });
      this.workers.push(w);
      this.idle.push(w);
      w.on('message', (msg: WorkerResponse) => {
        if ('error' in msg) return this.fail(new Error(`scan worker failed: ${msg.error}`));
        for (const o of msg.results) this.callbacks.onOutcome(o);
        this.callbacks.onStates(msg.states);
        this.idle.push(w);
        this.dispatch();
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closedAndDone()) this.fail(new Error(`scan worker exited with code ${code}`));
      });
    }
  }

  add(file: WalkedFile): void {
    this.batch.push(file);
    this.batchBytes += file.size;
    if (this.batchBytes >= BATCH_BYTES || this.batch.length >= BATCH_FILES) this.flushBatch();
  }

  async finish(): Promise<void> {
    this.closed = true;
    this.flushBatch();
    try {
      await new Promise<void>((resolve, reject) => {
        this.settle = { resolve, reject };
        if (this.failure) reject(this.failure);
        else this.checkDone();
      });
    } finally {
      await Promise.all(this.workers.map((w) => w.terminate()));
    }
  }

  private flushBatch(): void {
    if (this.batch.length) {
      this.queue.push(this.batch);
      this.batch = [];
      this.batchBytes = 0;
    }
    this.dispatch();
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length && !this.failure) {
      const w = this.idle.pop()!;
      w.postMessage({ id: this.nextId++, files: this.queue.shift()! } satisfies WorkerRequest);
    }
    this.checkDone();
  }

  private closedAndDone(): boolean {
    return (
      this.closed &&
      this.queue.length === 0 &&
      this.batch.length === 0 &&
      this.idle.length === this.workers.length
    );
  }

  private checkDone(): void {
    if (this.settle && this.closedAndDone()) this.settle.resolve();
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.settle?.reject(err);
  }
}
