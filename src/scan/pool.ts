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

function batches(files: readonly WalkedFile[]): WalkedFile[][] {
  const out: WalkedFile[][] = [];
  let cur: WalkedFile[] = [];
  let bytes = 0;
  for (const f of files) {
    cur.push(f);
    bytes += f.size;
    if (bytes >= BATCH_BYTES || cur.length >= BATCH_FILES) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Reads and scans `files` on `count` worker threads, handing out small batches as workers become
 * free (so one huge file does not stall the others). Calls onOutcome on the main thread for every
 * file, in completion order. Rejects if a worker dies; workers are always terminated.
 */
export async function scanInWorkers(
  files: readonly WalkedFile[],
  init: WorkerInit,
  count: number,
  onOutcome: (o: FileOutcome) => void,
  onStates: (states: Partial<Record<ScannerKind, unknown>>) => void = () => {},
): Promise<void> {
  const queue = batches(files);
  const workers: Worker[] = [];
  let nextId = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let active = 0;
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      const feed = (w: Worker) => {
        const batch = queue.shift();
        if (!batch) {
          if (--active === 0) resolve();
          return;
        }
        w.postMessage({ id: nextId++, files: batch } satisfies WorkerRequest);
      };
      const n = Math.max(1, Math.min(count, queue.length));
      active = n;
      for (let i = 0; i < n; i++) {
        const w = new Worker(workerUrl(), { workerData: init });
        workers.push(w);
        w.on('message', (msg: WorkerResponse) => {
          if ('error' in msg) return fail(new Error(`scan worker failed: ${msg.error}`));
          for (const o of msg.results) onOutcome(o);
          onStates(msg.states);
          feed(w);
        });
        w.on('error', (err) => fail(err));
        w.on('exit', (code) => {
          if (code !== 0) fail(new Error(`scan worker exited with code ${code}`));
        });
        feed(w);
      }
      if (n === 0) resolve();
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
