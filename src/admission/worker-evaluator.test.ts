import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, podReview } from './__fixtures__/client.js';
import { engineEvaluatorFactory, loadEngineFacade } from './engine-evaluator.js';
import { createAdmissionServer } from './server.js';
import { workerEvaluatorFactory } from './worker-evaluator.js';

const FAKE_ENGINE = new URL('./__fixtures__/fake-engine.js', import.meta.url);

const docs = [
  {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: { name: 'labels' },
    spec: {
      validationFailureAction: 'Enforce',
      rules: [
        { name: 'no-bad', fake: { failIfPresent: 'metadata.labels.bad', message: 'bad label' } },
        { name: 'slow', fake: { busyMs: 60_000, busyIfPresent: 'metadata.labels.slow' } },
      ],
    },
  },
  {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: { name: 'broken' },
    spec: { rules: [{ name: 'bad-pattern', fake: { invalid: true } }] },
  },
];

const pod = (labels: Record<string, string>) =>
  (podReview({ labels }).request as { object: Record<string, unknown> }).object;

describe('worker-thread evaluator', () => {
  it('gives the same results and load errors as the in-thread engine', async () => {
    const inThread = await engineEvaluatorFactory(await loadEngineFacade(FAKE_ENGINE))(docs);
    const inWorker = await workerEvaluatorFactory({ engineModule: FAKE_ENGINE, workers: 2 })(docs);
    try {
      assert.deepEqual(inWorker.errors, inThread.errors);
      assert.equal(inWorker.policyCount, 1);
      assert.equal(inWorker.ruleCount, 2);
      for (const labels of [{ bad: 'x' }, { good: 'y' }] as Record<string, string>[]) {
        const [a, b] = await Promise.all([
          inWorker.evaluate(pod(labels), {}),
          inThread.evaluate(pod(labels), {}),
        ]);
        assert.deepEqual(a, b);
      }
    } finally {
      await inWorker.dispose?.();
    }
  });

  it('reports an engine that cannot be loaded', async () => {
    await assert.rejects(
      async () => workerEvaluatorFactory({ engineModule: new URL('./duration.js', import.meta.url) })(docs),
      /does not export/,
    );
  });

  it('enforces the budget preemptively: a hung evaluation is cut, the webhook stays responsive, the worker is replaced', async () => {
    // Two workers: while the killed one is being replaced, the other answers.
    const restarts: string[] = [];
    const evaluator = await workerEvaluatorFactory({
      engineModule: FAKE_ENGINE,
      workers: 2,
      hardTimeoutMs: 200,
      onWorkerRestart: (r) => restarts.push(r),
    })(docs);
    const server = createAdmissionServer({ evaluator, timeoutMs: 200, failurePolicy: 'Fail', log: false });
    const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
    const client = createClient(`http://127.0.0.1:${port}`);
    try {
      const slow = client.post('/validate', JSON.stringify(podReview({ labels: { slow: 'yes' } })));
      await new Promise((r) => setTimeout(r, 50));
      const health = await client.get('/healthz');
      assert.equal(health.status, 200);
      assert.ok(health.ms < 100, `health answered in ${health.ms} ms while the engine was busy`);
      const slowAnswer = await slow;
      assert.ok(slowAnswer.ms < 1000, `answered after ${slowAnswer.ms} ms`);
      const body = JSON.parse(slowAnswer.body);
      assert.equal(body.response.allowed, false);
      assert.match(body.response.status.message, /time budget of 200 ms/);
      const next = JSON.parse(
        (await client.post('/validate', JSON.stringify(podReview({ labels: { bad: 'x' } })))).body,
      );
      assert.equal(next.response.allowed, false);
      assert.match(next.response.status.message, /no-bad: bad label/);
      assert.equal(restarts.length, 1);
      assert.match(restarts[0]!, /exceeded 200 ms; worker restarted/);
    } finally {
      client.close();
      await server.close();
    }
  });
});
