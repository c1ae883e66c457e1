/**
 * Scan worker thread: receives batches of walked files, reads and scans them with its own scanner
 * instances, and posts the results back. Only plain data crosses the thread boundary.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ScannerKind } from '../core/finding.js';
import type { Scanner } from '../core/scanner.js';
import type { Skipped, WalkedFile } from '../walk/types.js';
import { readForScanSync, isSkipped } from '../walk/read.js';
import { loadScanners } from './load-scanners.js';
import { scanTarget } from './scan-target.js';
import type { WorkerInit, WorkerRequest, WorkerResponse, FileOutcome } from './worker-protocol.js';

const init = workerData as WorkerInit;
// Load and compile the scanners at start-up, while the main thread is still walking.
const ready: Promise<Scanner[]> = loadScanners(init.kinds, init.sections);
let scanners: Scanner[] | undefined;

async function handle(files: WalkedFile[]): Promise<FileOutcome[]> {
  scanners ??= await ready;
  const out: FileOutcome[] = [];
  for (const file of files) {
    const warnings: string[] = [];
    if (!scanners.some((s) => s.required(file.path))) {
      out.push({ path: file.path, bytes: 0, findings: [], warnings, notRequired: true });
      continue;
    }
    const content = readForScanSync(file, init.maxFileSize);
    if (isSkipped(content)) {
      out.push({ path: file.path, bytes: 0, findings: [], warnings, skipped: content as Skipped });
      continue;
    }
    const r = scanTarget(scanners, { path: file.path, content }, init.fileTimeout, (m) => warnings.push(m));
    out.push({
      path: file.path,
      bytes: content.length,
      findings: r.findings,
      warnings,
      timedOut: r.timedOut,
    });
  }
  return out;
}

/** Cross-file state gathered by this batch, handed to the main thread for finalize(). */
function drainStates(): Partial<Record<ScannerKind, unknown>> {
  const states: Partial<Record<ScannerKind, unknown>> = {};
  for (const s of scanners ?? []) if (s.drainState) states[s.kind] = s.drainState();
  return states;
}

parentPort!.on('message', (msg: WorkerRequest) => {
  handle(msg.files).then(
    (results) =>
      parentPort!.postMessage({ id: msg.id, results, states: drainStates() } satisfies WorkerResponse),
    (err: unknown) =>
      parentPort!.postMessage({ id: msg.id, error: (err as Error).message } satisfies WorkerResponse),
  );
});
