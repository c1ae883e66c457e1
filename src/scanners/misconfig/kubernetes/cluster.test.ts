import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { createMisconfigScanner } from '../index.js';
import type { ScanContext } from '../../../core/scanner.js';

const ctx: ScanContext = { warn: () => {}, deadline: Date.now() + 60_000 };

const deployment = stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    replicas: 3,
    template: {
      metadata: { labels: { app: 'web', tier: 'front' } },
      spec: { containers: [{ name: 'w', image: 'w:1' }] },
    },
  },
});
const denyAll = stringify({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny', namespace: 'shop' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
});
const allowWeb = stringify({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'allow-web', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] },
});
const pdb = stringify({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
});

async function crossFile(files: Record<string, string>): Promise<string[]> {
  const s = await createMisconfigScanner();
  for (const [path, text] of Object.entries(files)) s.scan({ path, content: Buffer.from(text) }, ctx);
  return s.finalize!(ctx).map((f) => `${f.ruleId}@${f.location?.path}`);
}

describe('kubernetes checks across files', () => {
  it('reports a namespace without default deny and a replicated workload without PDB', async () => {
    const got = await crossFile({ 'k8s/web.yaml': deployment, 'k8s/policy.yaml': allowWeb });
    assert.deepEqual(got.sort(), [
      'misconfig/k8s-namespace-no-default-deny@k8s/web.yaml',
      'misconfig/k8s-pdb-missing@k8s/web.yaml',
    ]);
  });

  it('a default-deny policy and a matching PDB in other files satisfy both checks', async () => {
    assert.deepEqual(
      await crossFile({ 'k8s/web.yaml': deployment, 'k8s/policy.yaml': denyAll, 'k8s/pdb.yaml': pdb }),
      [],
    );
  });

  it('facts gathered by a worker instance are judged by the main instance', async () => {
    const worker = (await createMisconfigScanner()) as unknown as {
      scan: (t: { path: string; content: Buffer }, c: ScanContext) => unknown;
      drainState(): unknown;
    };
    const main = (await createMisconfigScanner()) as unknown as {
      absorbState(s: unknown): void;
      finalize(c: ScanContext): { ruleId: string }[];
    };
    worker.scan({ path: 'web.yaml', content: Buffer.from(deployment) }, ctx);
    main.absorbState(structuredClone(worker.drainState()));
    assert.deepEqual(
      main
        .finalize(ctx)
        .map((f) => f.ruleId)
        .sort(),
      ['misconfig/k8s-namespace-no-default-deny', 'misconfig/k8s-pdb-missing'],
    );
  });
});
