/**
 * Worker-thread side of worker-evaluator.ts: loads the engine module and one policy set, then answers
 * evaluation requests. Messages in: `{ id, resource, ctx }`; out: `{ type: 'loaded', … }` once, then
 * `{ id, results }` or `{ id, error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { KubeObject, RequestContext } from '../policy/engine/types.js';
import { countRules, loadEngineFacade } from './engine-evaluator.js';

interface WorkerInput {
  engineModule: string;
  docs: unknown[];
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
    port.on('message', (msg: EvaluateMessage) => {
      try {
        port.postMessage({ id: msg.id, results: engine.evaluate(set, msg.resource, msg.ctx) });
      } catch (err) {
        port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : 'evaluation failed' });
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
