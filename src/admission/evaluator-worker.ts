/**
 * Worker-thread side of worker-evaluator.ts: loads the engine module and one policy set, then answers
 * evaluation requests. Messages in: `{ id, resource, ctx }`; out: `{ type: 'loaded', … }` once, then
 * `{ id, results }` or `{ id, error }`. With `imageVerification` options the worker builds its own
 * registry image verifier (and cache) for verifyImages rules; evaluations then run concurrently.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { KubeObject, RequestContext } from '../policy/engine/types.js';
import { countRules, evaluatorFor, loadEngineFacade } from './engine-evaluator.js';
import { createRegistryImageVerifier, type RegistryImageVerifierOptions } from './image-verifier.js';

interface WorkerInput {
  engineModule: string;
  docs: unknown[];
  /** Serializable options of the registry image verifier (none: verifyImages rules are skip). */
  imageVerification?: RegistryImageVerifierOptions & { engineLookupTimeoutMs?: number };
}

interface EvaluateMessage {
  id: number;
  resource: KubeObject;
  ctx: RequestContext;
}

async function run(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const input = workerData as WorkerInput;
  try {
    const engine = await loadEngineFacade(input.engineModule);
    const set = engine.loadPolicies(input.docs);
    const iv = input.imageVerification;
    const evaluate = evaluatorFor(
      engine,
      set,
      iv
        ? {
            verifier: createRegistryImageVerifier(iv),
            ...(iv.engineLookupTimeoutMs !== undefined ? { lookupTimeoutMs: iv.engineLookupTimeoutMs } : {}),
          }
        : undefined,
    );
    const fail = (id: number, err: unknown) =>
      port.postMessage({ id, error: err instanceof Error ? err.message : 'evaluation failed' });
    port.on('message', (msg: EvaluateMessage) => {
      try {
        const out = evaluate(msg.resource, msg.ctx);
        if (Array.isArray(out)) port.postMessage({ id: msg.id, results: out });
        else
          out.then(
            (results) => port.postMessage({ id: msg.id, results }),
            (err: unknown) => fail(msg.id, err),
          );
      } catch (err) {
        fail(msg.id, err);
      }
    });
    port.postMessage({
      type: 'loaded',
      errors: set.errors,
      policyCount: set.policies.length,
      ruleCount: countRules(set.policies),
    });
  } catch (err) {
    port.postMessage({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
  }
}

void run();
