/**
 * Structural checks of deploy/admission/ and policies/: the manifests hold what the issue asks for,
 * and the webhook's own pod spec satisfies the fields the restricted and best-practices packs check.
 * (The policies themselves are evaluated by the engine's tests; this file does not need the engine.)
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import {
  BUILTIN_PACKS,
  builtinPoliciesDir,
  resolveBuiltinPacks,
  withFailureAction,
} from './builtin-packs.js';
import { engineEvaluatorFactory, loadEngineFacade } from './engine-evaluator.js';
import { readPolicyFiles } from './policy-files.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const deployDir = path.join(repo, 'deploy', 'admission');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function manifests(): Obj[] {
  const out: Obj[] = [];
  for (const f of readdirSync(deployDir).filter((n) => n.endsWith('.yaml') && n !== 'kustomization.yaml')) {
    const text = readFileSync(path.join(deployDir, f), 'utf8').replace('${CA_BUNDLE}', 'Q0E=');
    for (const d of parseAllDocuments(text)) {
      assert.deepEqual(d.errors, [], f);
      out.push(d.toJS() as Obj);
    }
  }
  return out;
}

const byKind = (kind: string) => manifests().filter((m) => m.kind === kind);

describe('deploy/admission manifests', () => {
  it('has every object the issue lists, all in rampart-system', () => {
    const kinds = manifests()
      .map((m) => m.kind)
      .sort();
    assert.deepEqual(kinds, [
      'ConfigMap',
      'Deployment',
      'Namespace',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
      'ValidatingWebhookConfiguration',
    ]);
    for (const m of manifests())
      if (!['Namespace', 'ValidatingWebhookConfiguration'].includes(m.kind))
        assert.equal(m.metadata.namespace, 'rampart-system', m.kind);
  });

  it('grants no RBAC and mounts no token', () => {
    assert.equal(byKind('Role').length + byKind('ClusterRole').length + byKind('RoleBinding').length, 0);
    assert.equal(byKind('ServiceAccount')[0]!.automountServiceAccountToken, false);
    assert.equal(byKind('Deployment')[0]!.spec.template.spec.automountServiceAccountToken, false);
  });

  it('runs 2 replicas with anti-affinity, probes on /healthz and /readyz, and a PDB of 1', () => {
    const d = byKind('Deployment')[0]!;
    assert.equal(d.spec.replicas, 2);
    const pod = d.spec.template.spec;
    assert.ok(pod.affinity.podAntiAffinity);
    const c = pod.containers[0];
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.equal(c.livenessProbe.httpGet.scheme, 'HTTPS');
    assert.equal(byKind('PodDisruptionBudget')[0]!.spec.minAvailable, 1);
    const svc = byKind('Service')[0]!;
    assert.deepEqual([svc.spec.ports[0].port, svc.spec.ports[0].targetPort], [443, 'https']);
    assert.equal(c.ports[0].containerPort, 8443);
  });

  it('has a pod spec that satisfies the restricted and best-practices checks', () => {
    const pod = byKind('Deployment')[0]!.spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) assert.ok(!pod[key], key);
    const allowedVolumes = new Set([
      'configMap',
      'csi',
      'downwardAPI',
      'emptyDir',
      'ephemeral',
      'persistentVolumeClaim',
      'projected',
      'secret',
      'name',
    ]);
    for (const v of pod.volumes)
      for (const k of Object.keys(v)) assert.ok(allowedVolumes.has(k), `volume type ${k}`);
    for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
      const sc = c.securityContext;
      assert.equal(sc.allowPrivilegeEscalation, false);
      assert.equal(sc.readOnlyRootFilesystem, true);
      assert.equal(sc.runAsNonRoot, true);
      assert.notEqual(sc.runAsUser, 0);
      assert.deepEqual(sc.capabilities.drop, ['ALL']);
      assert.equal(sc.capabilities.add, undefined);
      assert.equal(sc.privileged, false);
      assert.equal(sc.seccompProfile.type, 'RuntimeDefault');
      assert.match(c.image, /^[^:]+:[^:]+$/, 'tagged image');
      assert.doesNotMatch(c.image, /:latest$/);
      assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
      assert.ok(c.livenessProbe && c.readinessProbe);
      for (const p of c.ports ?? []) assert.ok(!p.hostPort, 'no hostPort');
    }
  });

  it('lets only 8443 in and nothing out', () => {
    const np = byKind('NetworkPolicy')[0]!;
    assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(np.spec.ingress, [{ ports: [{ protocol: 'TCP', port: 8443 }] }]);
    assert.deepEqual(np.spec.egress, []);
  });

  it('registers the webhook with sideEffects None, v1 reviews, a timeout and the namespace exclusions', () => {
    const hook = byKind('ValidatingWebhookConfiguration')[0]!.webhooks[0];
    assert.equal(hook.sideEffects, 'None');
    assert.deepEqual(hook.admissionReviewVersions, ['v1']);
    assert.ok(hook.timeoutSeconds >= 1 && hook.timeoutSeconds <= 30);
    assert.deepEqual(hook.namespaceSelector.matchExpressions[0].values, ['kube-system', 'rampart-system']);
    assert.equal(hook.clientConfig.service.path, '/validate');
  });

  it('mounts the policies ConfigMap at the folder the webhook watches', () => {
    const d = byKind('Deployment')[0]!;
    const c = d.spec.template.spec.containers[0];
    const mount = c.volumeMounts.find((m: Obj) => m.name === 'policies');
    assert.equal(mount.mountPath, '/etc/rampart/policies');
    assert.ok(c.args.includes(`--policies=${mount.mountPath}`));
    assert.equal(
      d.spec.template.spec.volumes.find((v: Obj) => v.name === 'policies').configMap.name,
      'rampart-policies',
    );
  });
});

describe('built-in policy packs', () => {
  it('are all Audit ClusterPolicies that parse, with ≥ 30 rules in restricted + best-practices', async () => {
    const files = resolveBuiltinPacks(['restricted', 'best-practices']);
    const { docs, errors } = await readPolicyFiles(files);
    assert.deepEqual(errors, []);
    let rules = 0;
    for (const d of docs as Obj[]) {
      assert.equal(d.apiVersion, 'kyverno.io/v1');
      assert.equal(d.kind, 'ClusterPolicy');
      assert.equal(d.spec.validationFailureAction, 'Audit', d.metadata.name);
      for (const r of d.spec.rules) assert.ok(r.validate, `${d.metadata.name}/${r.name} is a validate rule`);
      rules += d.spec.rules.length;
    }
    assert.equal(docs.length, 26);
    assert.ok(rules >= 30, `${rules} rules`);
    const names = (docs as Obj[]).map((d) => d.metadata.name);
    assert.equal(new Set(names).size, names.length, 'unique policy names');
  });

  it('resolves pack names; restricted includes baseline; unknown names are errors', () => {
    const dir = builtinPoliciesDir();
    assert.deepEqual(resolveBuiltinPacks(['restricted,baseline'], dir), [
      path.join(dir, 'pod-security-baseline.yaml'),
      path.join(dir, 'pod-security-restricted.yaml'),
    ]);
    assert.equal(
      resolveBuiltinPacks(['all'], dir).length,
      new Set(Object.values(BUILTIN_PACKS).flat()).size - 1,
      'all = every pack but require-signed-images, which needs a key',
    );
    assert.throws(() => resolveBuiltinPacks(['nope'], dir), /unknown built-in pack "nope"/);
  });

  it('every built-in file parses, and the editable packs keep their single list', async () => {
    const { docs, errors } = await readPolicyFiles(resolveBuiltinPacks(['all']));
    assert.deepEqual(errors, []);
    const trusted = (docs as Obj[]).find((d) => d.metadata.name === 'trusted-registries')!;
    const spec = trusted.spec.rules[0].validate.pattern.spec;
    assert.equal(spec['=(initContainers)'][0].image, spec.containers[0].image, 'alias reuses the list');
  });

  it('withFailureAction switches policies and rule overrides to Enforce without touching the input', () => {
    const doc = {
      apiVersion: 'kyverno.io/v1',
      kind: 'ClusterPolicy',
      metadata: { name: 'p' },
      spec: {
        validationFailureAction: 'Audit',
        rules: [{ name: 'r', validate: { failureAction: 'Audit' } }],
      },
    };
    const [out] = withFailureAction([doc, { kind: 'ConfigMap' }], 'Enforce') as Obj[];
    assert.equal(out!.spec.validationFailureAction, 'Enforce');
    assert.equal(out!.spec.rules[0].validate.failureAction, 'Enforce');
    assert.equal(doc.spec.validationFailureAction, 'Audit');
  });
});

describe('the webhook pod under its own packs (real engine)', () => {
  const facade = path.join(repo, 'src', 'policy', 'engine', 'index.ts');
  it(
    'the Deployment and its Pod pass every rule of restricted + best-practices',
    { skip: existsSync(facade) ? false : 'src/policy/engine/index.ts does not exist yet' },
    async () => {
      const { docs } = await readPolicyFiles(resolveBuiltinPacks(['restricted', 'best-practices']));
      const evaluator = await engineEvaluatorFactory(await loadEngineFacade())(docs);
      assert.deepEqual(evaluator.errors, []);
      const deployment = byKind('Deployment')[0]!;
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'rampart-admission-0',
          namespace: 'rampart-system',
          ...deployment.spec.template.metadata,
        },
        spec: deployment.spec.template.spec,
      };
      for (const resource of [deployment, pod]) {
        const results = await evaluator.evaluate(resource, { operation: 'CREATE' });
        assert.ok(results.length > 0, `${resource.kind}: the packs apply`);
        const bad = results.filter((r) => r.status === 'fail' || r.status === 'error');
        assert.deepEqual(
          bad.map((r) => `${r.policy}/${r.rule}: ${r.message}`),
          [],
          resource.kind,
        );
      }
    },
  );
});
