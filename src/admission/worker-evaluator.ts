/**
 * Optional isolation: the engine runs in worker threads, one pool per policy set. The main thread
 * keeps serving (TLS, parsing, health probes) while rules are evaluated, the time budget becomes
 * preemptive — a worker whose evaluation overruns `hardTimeoutMs` is terminated and replaced — and a
 * runaway evaluation hits the worker's own heap limit instead of the process's.
 * Cost: the resource is copied to the worker (structured clone) and back as results.
 */
import { Worker } from 'node:worker_threads';
import type { KubeObject, PolicyLoadError, RequestContext, RuleResult } from '../policy/engine/types.js';
import { ENGINE_MODULE_URL } from './engine-evaluator.js';
import type { RegistryImageVerifierOptions } from './image-verifier.js';
import type { Evaluator, EvaluatorFactory } from './types.js';

export interface WorkerEvaluatorOptions {
  /** Engine module (default: the policy engine facade). */
  engineModule?: URL | string;
  /** Worker threads per policy set (default 1). */
  workers?: number;
  /** An evaluation running longer than this terminates its worker (default 2000 ms). */
  hardTimeoutMs?: number;
  /** Heap limit of each worker in MiB (default 256). */
  maxHeapMb?: number;
  onWorkerRestart?: (reason: string) => void;
  /** Registry image verifier options for verifyImages rules (each worker builds its own verifier). */
  imageVerification?: RegistryImageVerifierOptions & { engineLookupTimeoutMs?: number };
}

interface Loaded {
  errors: PolicyLoadError[];
  policyCount: number;
  ruleCount: number;
}

interface Pending {
  resolve(results: RuleResult[]): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

type WorkerMessage =
  | ({ type: 'loaded' } & Loaded)
  | { type: 'failed'; error: string }
  | { id: number; results?: RuleResult[]; error?: string };

function startWorker(
  engineModule: string,
  docs: unknown[],
  maxHeapMb: number,
  imageVerification: WorkerEvaluatorOptions['imageVerification'],
): Worker {
  const workerData = { engineModule, docs, ...(imageVerification ? { imageVerification } : {}) };
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./evaluator-worker.js', import.meta.url), { workerData, resourceLimits });
  // Running from TypeScript sources (tests, benchmarks under tsx): register tsx inside the worker first.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./evaluator-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData, resourceLimits });
}

class Slot {
  readonly pending = new Map<number, Pending>();
  readonly worker: Worker;
  readonly loaded: Promise<Loaded>;
  /** True once the worker has loaded the policies (a replacement may still be starting). */
  ready = false;
  private dead = false;

  constructor(
    engineModule: string,
    docs: unknown[],
    maxHeapMb: number,
    onDeath: (slot: Slot, reason: string) => void,
    imageVerification?: WorkerEvaluatorOptions['imageVerification'],
  ) {
    this.worker = startWorker(engineModule, docs, maxHeapMb, imageVerification);
    this.loaded = new Promise<Loaded>((resolve, reject) => {
      this.worker.on('message', (m: WorkerMessage) => {
        if ('type' in m) {
          if (m.type === 'loaded') {
            this.ready = true;
            resolve({ errors: m.errors, policyCount: m.policyCount, ruleCount: m.ruleCount });
          } else {
            reject(new Error(m.error));
            this.fail(`engine failed to load: ${m.error}`);
          }
          return;
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.results ?? []);
      });
      const died = (reason: string) => {
        reject(new Error(reason));
        if (!this.dead) {
          this.fail(reason);
          onDeath(this, reason);
        }
      };
      this.worker.on('error', (err) => died(`worker error: ${err.message}`));
      this.worker.on('exit', (code) => died(`worker exited with code ${code}`));
    });
    this.loaded.catch(() => undefined);
  }

  /** Rejects everything pending and stops the worker. */
  fail(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
    }
    this.pending.clear();
    void this.worker.terminate();
  }

  get alive(): boolean {
    return !this.dead;
  }
}

/** An EvaluatorFactory whose evaluators run the engine in worker threads. */
export function workerEvaluatorFactory(options: WorkerEvaluatorOptions = {}): EvaluatorFactory {
  const engineModule = String(options.engineModule ?? ENGINE_MODULE_URL.href);
  const size = Math.max(1, Math.floor(options.workers ?? 1));
  const hardTimeoutMs = options.hardTimeoutMs ?? 2000;
  const maxHeapMb = options.maxHeapMb ?? 256;

  return async (docs: unknown[]): Promise<Evaluator> => {
    let disposed = false;
    let nextId = 0;
    const slots: Slot[] = [];
    const onDeath = (slot: Slot, reason: string) => {
      const i = slots.indexOf(slot);
      if (disposed || i < 0) return;
      options.onWorkerRestart?.(reason);
      slots[i] = new Slot(engineModule, docs, maxHeapMb, onDeath, options.imageVerification);
    };
    for (let i = 0; i < size; i++)
      slots.push(new Slot(engineModule, docs, maxHeapMb, onDeath, options.imageVerification));
    let loaded: Loaded;
    try {
      loaded = (await Promise.all(slots.map((s) => s.loaded)))[0]!;
    } catch (err) {
      disposed = true;
      for (const s of slots) s.fail('load failed');
      throw err;
    }

    const evaluate = (resource: KubeObject, ctx: RequestContext): Promise<RuleResult[]> => {
      if (disposed) return Promise.reject(new Error('evaluator disposed'));
      // Least busy among the workers that are up; a replacement still starting only when none is.
      const usable = slots.filter((s) => s.alive && s.ready);
      let slot = usable[0] ?? slots[0]!;
      for (const s of usable) if (s.pending.size < slot.pending.size) slot = s;
      const id = nextId++;
      return new Promise<RuleResult[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          const reason = `evaluation exceeded ${hardTimeoutMs} ms; worker restarted`;
          slot.fail(reason);
          onDeath(slot, reason);
        }, hardTimeoutMs);
        slot.pending.set(id, { resolve, reject, timer });
        try {
          slot.worker.postMessage({ id, resource, ctx });
        } catch (err) {
          slot.pending.delete(id);
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    };

    return {
      evaluate,
      errors: loaded.errors,
      policyCount: loaded.policyCount,
      ruleCount: loaded.ruleCount,
      dispose() {
        disposed = true;
        for (const s of slots) s.fail('evaluator disposed');
      },
    };
  };
}
