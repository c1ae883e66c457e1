import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { RuleResult } from '../policy/engine/types.js';
import { createClient, podReview, type Client } from './__fixtures__/client.js';
import { engineEvaluatorFactory, loadEngineFacade, EngineUnavailableError } from './engine-evaluator.js';
import { createPolicyReloader, loadPolicySources, type PolicyReloader } from './policy-reloader.js';
import { createAdmissionServer, type AdmissionServer } from './server.js';
import type { Evaluator, EvaluatorFactory } from './types.js';

const FAKE_ENGINE = new URL('./__fixtures__/fake-engine.js', import.meta.url);

function policy(
  name: string,
  rules: { name: string; fake: Record<string, unknown> }[],
  action = 'Enforce',
): string {
  const lines = [
    'apiVersion: kyverno.io/v1',
    'kind: ClusterPolicy',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  validationFailureAction: ${action}`,
    '  rules:',
  ];
  for (const r of rules) {
    lines.push(`    - name: ${r.name}`, '      fake:');
    for (const [k, v] of Object.entries(r.fake)) lines.push(`        ${k}: ${JSON.stringify(v)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes atomically (like a ConfigMap volume update) so the watcher never sees half a file. */
function writePolicy(dir: string, file: string, text: string): void {
  const tmp = path.join(dir, `.${file}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path.join(dir, file));
}

/** Wraps the fake engine's evaluators so each evaluation takes `delayMs` (asynchronously). */
function slowed(factory: EvaluatorFactory, delayMs: number, disposed: Evaluator[] = []): EvaluatorFactory {
  return async (docs) => {
    const inner = await factory(docs);
    const e: Evaluator = {
      errors: inner.errors,
      policyCount: inner.policyCount,
      evaluate: (resource, ctx) =>
        new Promise<RuleResult[]>((resolve, reject) =>
          setTimeout(() => {
            try {
              resolve(inner.evaluate(resource, ctx) as RuleResult[]);
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          }, delayMs),
        ),
      dispose: () => {
        disposed.push(e);
      },
    };
    return e;
  };
}

interface Harness {
  dir: string;
  server: AdmissionServer;
  reloader: PolicyReloader;
  client: Client;
  logs: Record<string, unknown>[];
}

async function harness(factory: EvaluatorFactory, watch: boolean): Promise<Harness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-reload-'));
  const logs: Record<string, unknown>[] = [];
  const server = createAdmissionServer({
    log: { stream: { write: (l: string) => logs.push(JSON.parse(l) as Record<string, unknown>) } },
  });
  const reloader = createPolicyReloader({
    target: server,
    factory,
    load: () => loadPolicySources({ dir }),
    log: server.app.log,
    onReload: (ok) => server.metrics.observeReload(ok),
    ...(watch ? { watchDir: dir, debounceMs: 100 } : {}),
  });
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  return { dir, server, reloader, client: createClient(`http://127.0.0.1:${port}`), logs };
}

async function dispose(h: Harness): Promise<void> {
  h.reloader.close();
  h.client.close();
  await h.server.close();
  rmSync(h.dir, { recursive: true, force: true });
}

const bad = JSON.stringify(podReview({ labels: { bad: 'yes', other: 'x' } }));

async function allowed(client: Client, body = bad): Promise<boolean> {
  const r = await client.post('/validate', body);
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as { response: { allowed: boolean } }).response.allowed;
}

describe('engine facade loading', () => {
  it('imports a module with the facade exports by URL', async () => {
    const engine = await loadEngineFacade(FAKE_ENGINE);
    const e = await engineEvaluatorFactory(engine)([
      {
        apiVersion: 'kyverno.io/v1',
        kind: 'ClusterPolicy',
        metadata: { name: 'p' },
        spec: { rules: [{ name: 'r' }, { name: 's' }] },
      },
    ]);
    assert.equal(e.policyCount, 1);
    assert.equal(e.ruleCount, 2);
  });

  it('reports a module without the facade exports clearly', async () => {
    await assert.rejects(
      loadEngineFacade(new URL('./duration.js', import.meta.url)),
      (err: unknown) =>
        err instanceof EngineUnavailableError &&
        /does not export loadPolicies and evaluate/.test(err.message),
    );
  });
});

describe('policy reload', () => {
  let fake: EvaluatorFactory;
  before(async () => {
    fake = engineEvaluatorFactory(await loadEngineFacade(FAKE_ENGINE));
  });

  it('swaps the policy set without failing requests in flight; they finish with the set they started with', async () => {
    const disposed: Evaluator[] = [];
    const h = await harness(slowed(fake, 150, disposed), false);
    try {
      writePolicy(
        h.dir,
        'a.yaml',
        policy('deny-bad', [{ name: 'no-bad', fake: { failIfPresent: 'metadata.labels.bad' } }]),
      );
      assert.equal((await h.reloader.reload()).ok, true);
      const first = h.server.currentEvaluator();
      const inFlight = Array.from({ length: 20 }, () => allowed(h.client));
      await new Promise((r) => setTimeout(r, 50));
      // Replace the policy: now only label "other" is forbidden, in Audit mode.
      writePolicy(
        h.dir,
        'a.yaml',
        policy('deny-bad', [{ name: 'no-bad', fake: { failIfPresent: 'metadata.labels.nothing' } }]),
      );
      const report = await h.reloader.reload();
      assert.equal(report.ok, true);
      assert.notEqual(h.server.currentEvaluator(), first);
      assert.deepEqual(disposed, [], 'the old evaluator is still serving requests');
      assert.deepEqual(
        await Promise.all(inFlight),
        Array(20).fill(false),
        'in-flight requests used the old set',
      );
      assert.equal(await allowed(h.client), true, 'new requests use the new set');
      assert.deepEqual(disposed, [first], 'the old evaluator is disposed once idle');
    } finally {
      await dispose(h);
    }
  });

  it('keeps answering 200 while policies are reloaded repeatedly under load', async () => {
    const h = await harness(slowed(fake, 5), false);
    try {
      writePolicy(
        h.dir,
        'a.yaml',
        policy('p', [{ name: 'r', fake: { failIfPresent: 'metadata.labels.bad' } }]),
      );
      await h.reloader.reload();
      let stop = false;
      const statuses: number[] = [];
      const workers = Array.from({ length: 8 }, async () => {
        while (!stop) statuses.push((await h.client.post('/validate', bad)).status);
      });
      for (let i = 0; i < 10; i++) {
        writePolicy(
          h.dir,
          'a.yaml',
          policy('p', [{ name: `r${i}`, fake: { failIfPresent: 'metadata.labels.bad' } }]),
        );
        assert.equal((await h.reloader.reload()).ok, true);
        await new Promise((r) => setTimeout(r, 20));
      }
      stop = true;
      await Promise.all(workers);
      assert.ok(statuses.length > 50, `${statuses.length} requests`);
      assert.deepEqual([...new Set(statuses)], [200]);
    } finally {
      await dispose(h);
    }
  });

  it('picks up a change in the watched folder by itself', async () => {
    const h = await harness(fake, true);
    try {
      writePolicy(
        h.dir,
        'a.yaml',
        policy('p', [{ name: 'r', fake: { failIfPresent: 'metadata.labels.nothing' } }]),
      );
      await h.reloader.reload();
      assert.equal(await allowed(h.client), true);
      writePolicy(
        h.dir,
        'b.yml',
        policy('q', [{ name: 'r', fake: { failIfPresent: 'metadata.labels.bad' } }]),
      );
      const deadline = Date.now() + 5000;
      while ((await allowed(h.client)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await allowed(h.client), false);
      assert.equal(h.server.currentEvaluator()?.policyCount, 2);
    } finally {
      await dispose(h);
    }
  });

  it('reports load errors with policy and rule names while the other policies keep working', async () => {
    const h = await harness(fake, false);
    try {
      writePolicy(
        h.dir,
        'good.yaml',
        policy('good', [{ name: 'no-bad', fake: { failIfPresent: 'metadata.labels.bad' } }]),
      );
      writePolicy(
        h.dir,
        'broken.yaml',
        policy('broken-policy', [
          { name: 'fine', fake: {} },
          { name: 'invalid-pattern', fake: { invalid: true } },
        ]),
      );
      writePolicy(
        h.dir,
        'syntax.yaml',
        'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: x\n',
      );
      writePolicy(h.dir, 'notes.txt', 'ignored: not a .yaml file');
      const report = await h.reloader.reload();
      assert.equal(report.ok, true);
      assert.equal(report.ok && report.policies, 1);
      const warnings = h.logs.filter((l) => l.msg === 'policy load error');
      const engineError = warnings.find((l) => l.policy === 'broken-policy');
      assert.equal(engineError?.rule, 'invalid-pattern');
      assert.match(String(engineError?.error), /invalid pattern/);
      // A YAML error names the policy when its name is readable, and always the file.
      assert.ok(
        warnings.some((l) => l.policy === 'x' && /^syntax\.yaml: YAML error at line 4/.test(String(l.error))),
      );
      // The valid policy is active.
      assert.equal(await allowed(h.client), false);
      const ready = JSON.parse((await h.client.get('/readyz')).body) as {
        loadErrors: { policy: string; rule?: string }[];
      };
      assert.ok(ready.loadErrors.some((e) => e.policy === 'broken-policy' && e.rule === 'invalid-pattern'));
      const metrics = (await h.client.get('/metrics')).body;
      assert.match(metrics, /^rampart_admission_policy_load_errors 2$/m);
      assert.match(metrics, /^rampart_admission_policies 1$/m);
    } finally {
      await dispose(h);
    }
  });

  it('keeps the previous policies when the folder cannot be read', async () => {
    const h = await harness(fake, false);
    try {
      writePolicy(
        h.dir,
        'a.yaml',
        policy('p', [{ name: 'r', fake: { failIfPresent: 'metadata.labels.bad' } }]),
      );
      await h.reloader.reload();
      const before = h.server.currentEvaluator();
      rmSync(h.dir, { recursive: true, force: true });
      const report = await h.reloader.reload();
      assert.equal(report.ok, false);
      assert.equal(h.server.currentEvaluator(), before);
      assert.equal(await allowed(h.client), false);
      assert.match(
        (await h.client.get('/metrics')).body,
        /^rampart_admission_policy_reloads_total\{result="failure"\} 1$/m,
      );
    } finally {
      await dispose(h);
    }
  });
});
