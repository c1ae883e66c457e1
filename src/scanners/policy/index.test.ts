import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../../core/finding.js';
import type { Scanner, ScanContext } from '../../core/scanner.js';
import { SEVERITIES } from '../../core/severity.js';
import { RampartError } from '../../core/errors.js';
import { createPolicyScanner, MAX_OBJECTS } from './index.js';
import { MANIFEST_LIMITS } from './manifests.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (...p: string[]) => path.join(here, '__fixtures__', ...p);
const manifest = (name: string) => readFileSync(fixture('manifests', name), 'utf8');
/** 1-based line of the first line of `text` containing `needle` (read from the fixture itself). */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function context(): ScanContext & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (m) => warnings.push(m), deadline: Date.now() + 60_000 };
}

/** Scans the given (path, text) pairs and finalizes, as the pipeline does without worker threads. */
function run(scanner: Scanner, files: [string, string][], ctx = context()): Finding[] {
  for (const [p, text] of files)
    assert.deepEqual(scanner.scan({ path: p, content: Buffer.from(text) }, ctx), []);
  return scanner.finalize!(ctx);
}

const byRule = (findings: Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId);

test('a privileged Pod fails the restricted pack on the privileged line', async () => {
  const scanner = await createPolicyScanner({ config: {} });
  const text = manifest('privileged-pod.yaml');
  const findings = run(scanner, [['k8s/debug.yaml', text]]);
  const [f, ...more] = byRule(findings, 'policy/disallow-privileged-containers/privileged-containers');
  assert.ok(f, 'disallow-privileged-containers reported');
  assert.equal(more.length, 0);
  assert.equal(f.scanner, 'policy');
  // Annotations of the Baseline pack's policy.
  assert.equal(f.title, 'Disallow Privileged Containers');
  assert.equal(f.severity, 'medium');
  assert.equal(f.properties?.category, 'Pod Security Standards (Baseline)');
  assert.match(f.remediation ?? '', /privileged/i);
  assert.match(f.message, /Privileged mode is disallowed/);
  assert.deepEqual(f.location, {
    path: 'k8s/debug.yaml',
    startLine: lineOf(text, 'privileged: true'),
    endLine: lineOf(text, 'privileged: true'),
  });
  assert.deepEqual(f.resource, {
    kind: 'Pod',
    name: 'debug-shell',
    namespace: 'tools',
    path: 'k8s/debug.yaml',
    line: lineOf(text, 'kind: Pod'),
  });
  assert.deepEqual(f.properties, {
    policy: 'disallow-privileged-containers',
    rule: 'privileged-containers',
    failureAction: 'Audit',
    category: 'Pod Security Standards (Baseline)',
    objectLine: lineOf(text, 'kind: Pod'),
  });
  assert.ok(f.tags?.includes('policy') && f.tags.includes('audit'));
  // The container sets neither runAsNonRoot nor a seccomp profile: Restricted fails too.
  assert.equal(byRule(findings, 'policy/require-run-as-nonroot/run-as-non-root').length, 1);
  assert.equal(byRule(findings, 'policy/restrict-seccomp-strict/check-seccomp-strict').length, 1);
});

test('a Deployment written to the restricted and best-practices packs passes', async () => {
  const scanner = await createPolicyScanner({ config: {} });
  const ctx = context();
  const findings = run(scanner, [['deploy/storefront.yaml', manifest('compliant-deployment.yaml')]], ctx);
  assert.deepEqual(
    findings.map((f) => `${f.ruleId}: ${f.message}`),
    [],
  );
  assert.deepEqual(ctx.warnings, []);
});

test('Pod controllers are checked through Kyverno autogen rule names', async () => {
  const scanner = await createPolicyScanner({ config: { builtin: ['pod-security-baseline'] } });
  const pod = manifest('privileged-pod.yaml');
  const spec = pod.slice(pod.indexOf('spec:'));
  const indented = spec
    .split('\n')
    .map((l) => (l ? `      ${l}` : l))
    .join('\n');
  const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: debug\n  namespace: tools\nspec:\n  template:\n${indented}`;
  const cronjob = `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\n  namespace: tools\nspec:\n  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n${indented
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n')}`;
  const findings = run(scanner, [
    ['deployment.yaml', deployment],
    ['cronjob.yaml', cronjob],
  ]);
  const d = byRule(findings, 'policy/disallow-privileged-containers/autogen-privileged-containers');
  assert.deepEqual(
    d.map((f) => [f.resource?.kind, f.location?.path, f.location?.startLine]),
    [['Deployment', 'deployment.yaml', lineOf(deployment, 'privileged: true')]],
  );
  const c = byRule(findings, 'policy/disallow-privileged-containers/autogen-cronjob-privileged-containers');
  assert.deepEqual(
    c.map((f) => [f.resource?.kind, f.location?.startLine]),
    [['CronJob', lineOf(cronjob, 'privileged: true')]],
  );
  const ids = new Set(scanner.rules().map((r) => r.id));
  for (const id of [
    'policy/disallow-privileged-containers/privileged-containers',
    'policy/disallow-privileged-containers/autogen-privileged-containers',
    'policy/disallow-privileged-containers/autogen-cronjob-privileged-containers',
  ])
    assert.ok(ids.has(id), id);
  // Baseline only: no Restricted policy is loaded.
  assert.ok(![...ids].some((id) => id.startsWith('policy/require-run-as-nonroot/')));
});

test('a custom policy folder replaces the default packs and is searched recursively', async () => {
  const scanner = await createPolicyScanner({ config: { paths: [fixture('custom-policies')] } });
  assert.deepEqual(
    scanner
      .rules()
      .map((r) => r.id)
      .sort(),
    ['policy/prod-requires-two-replicas/min-replicas', 'policy/require-team-label/check-team'],
  );
  const unlabelled = manifest('compliant-deployment.yaml');
  const labelled = unlabelled.replace(
    '    app: storefront\nspec:',
    '    app: storefront\n    team: payments\nspec:',
  );
  assert.notEqual(labelled, unlabelled);
  const ctx = context();
  const findings = run(
    scanner,
    [
      ['a.yaml', unlabelled],
      ['b.yaml', labelled.replace('name: storefront', 'name: storefront-b')],
    ],
    ctx,
  );
  assert.deepEqual(ctx.warnings, []);
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.equal(f.ruleId, 'policy/require-team-label/check-team');
  assert.equal(f.title, 'Require a Team Label');
  assert.equal(f.severity, 'high');
  assert.equal(
    f.message,
    'validation error: The label `team` is required. rule check-team failed at path /metadata/labels/team/',
  );
  assert.equal(f.resource?.name, 'storefront');
  // The failing path ends at the missing key: its parent (`labels:`) gives the line.
  assert.equal(f.location?.startLine, lineOf(unlabelled, 'app: storefront'));
  assert.ok(f.tags?.includes('enforce'));
  assert.deepEqual(f.properties, {
    policy: 'require-team-label',
    rule: 'check-team',
    failureAction: 'Enforce',
    category: 'Ownership',
    objectLine: lineOf(unlabelled, 'kind: Deployment'),
  });
  assert.equal(
    f.remediation,
    'Every Deployment names its owning team in the `team` label so that alerts reach someone.',
  );
});

test('a Namespace object in another file gives the labels for namespaceSelector', async () => {
  const scanner = await createPolicyScanner({ config: { paths: [fixture('custom-policies', 'nested')] } });
  const oneReplica = manifest('compliant-deployment.yaml').replace('replicas: 2', 'replicas: 1');
  const ns = (labels: string) =>
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n${labels}`;
  const prod = run(scanner, [
    ['ns.yaml', ns('    env: prod\n')],
    ['app.yaml', oneReplica],
  ]);
  assert.deepEqual(
    prod.map((f) => f.ruleId),
    ['policy/prod-requires-two-replicas/min-replicas'],
  );
  assert.equal(prod[0]!.location?.startLine, lineOf(oneReplica, 'replicas: 1'));
  const dev = run(scanner, [
    ['ns.yaml', ns('    env: dev\n')],
    ['app.yaml', oneReplica],
  ]);
  assert.deepEqual(dev, []);
});

test('a broken policy is a warning naming policy and rule; the other policies still run', async () => {
  const scanner = await createPolicyScanner({
    config: { paths: [fixture('broken-policies')], builtin: ['baseline'] },
  });
  const ctx = context();
  const findings = run(scanner, [['pod.yaml', manifest('privileged-pod.yaml')]], ctx);
  assert.ok(findings.some((f) => f.ruleId === 'policy/disallow-privileged-containers/privileged-containers'));
  assert.ok(!scanner.rules().some((r) => r.id.startsWith('policy/broken-deny/')));
  assert.ok(
    ctx.warnings.some(
      (w) => w.includes('broken-deny') && w.includes('no-host-network') && w.includes('Equalz'),
    ),
    ctx.warnings.join('\n'),
  );
  assert.ok(
    ctx.warnings.some((w) => w.includes('not-yaml.yaml')),
    ctx.warnings.join('\n'),
  );
});

test('non-Kubernetes YAML, Helm templates and diff excerpts are skipped; Lists are expanded', async () => {
  const scanner = await createPolicyScanner({ config: { builtin: ['best-practices'] } });
  const text = manifest('mixed.yaml');
  const ctx = context();
  scanner.scan(
    { path: 'excerpt.yaml', content: Buffer.from(manifest('privileged-pod.yaml')), lineMap: [3, 4] },
    ctx,
  );
  const findings = run(scanner, [['mixed.yaml', text]], ctx);
  assert.deepEqual(ctx.warnings, []);
  // Only the Deployment inside the List is a workload; the templated NodePort Service is not checked.
  assert.deepEqual(
    [...new Set(findings.map((f) => `${f.resource?.kind}/${f.resource?.name}`))],
    ['Deployment/worker'],
  );
  assert.ok(!findings.some((f) => f.ruleId.startsWith('policy/restrict-nodeport/')));
  const probes = byRule(findings, 'policy/require-probes/autogen-require-liveness-and-readiness');
  assert.equal(probes.length, 1);
  assert.equal(probes[0]!.resource?.line, lineOf(text, 'kind: Deployment'));
});

test('fingerprints survive moved lines and differ per object', async () => {
  const scanner = await createPolicyScanner({ config: {} });
  const text = manifest('privileged-pod.yaml');
  const id = 'policy/disallow-privileged-containers/privileged-containers';
  const [a] = byRule(run(scanner, [['pod.yaml', text]]), id);
  const [b] = byRule(run(scanner, [['pod.yaml', `# moved\n\n${text}`]]), id);
  const [c] = byRule(run(scanner, [['pod.yaml', text.replace('debug-shell', 'other')]]), id);
  assert.ok(a && b && c);
  assert.notEqual(a.location?.startLine, b.location?.startLine);
  assert.equal(a.fingerprint, b.fingerprint);
  assert.notEqual(a.fingerprint, c.fingerprint);
});

test('objects collected in worker instances are evaluated by the main instance', async () => {
  const worker1 = await createPolicyScanner({ config: {} });
  const worker2 = await createPolicyScanner({ config: {} });
  const main = await createPolicyScanner({ config: {} });
  const ctx = context();
  worker1.scan({ path: 'pod.yaml', content: Buffer.from(manifest('privileged-pod.yaml')) }, ctx);
  worker2.scan({ path: 'ok.yaml', content: Buffer.from(manifest('compliant-deployment.yaml')) }, ctx);
  main.absorbState!(structuredClone(worker1.drainState!()));
  main.absorbState!(structuredClone(worker2.drainState!()));
  main.absorbState!('garbage');
  const viaWorkers = main.finalize!(ctx);
  assert.deepEqual(worker1.finalize!(ctx), [], 'a drained instance holds nothing');
  const direct = run(await createPolicyScanner({ config: {} }), [
    ['pod.yaml', manifest('privileged-pod.yaml')],
    ['ok.yaml', manifest('compliant-deployment.yaml')],
  ]);
  assert.ok(viaWorkers.length > 0);
  assert.deepEqual(viaWorkers, direct);
});

test('configuration errors: unknown pack, missing path; pack aliases', async () => {
  await assert.rejects(
    createPolicyScanner({ config: { builtin: ['no-such-pack'] } }),
    (e: unknown) => e instanceof RampartError && e.code === 'CONFIG_INVALID',
  );
  await assert.rejects(
    createPolicyScanner({ config: { paths: [fixture('does-not-exist')] } }),
    (e: unknown) => e instanceof RampartError && e.code === 'PATH_UNREADABLE',
  );
  const a = await createPolicyScanner({ config: { builtin: ['pod-security-restricted', 'best-practices'] } });
  const b = await createPolicyScanner({ config: {} });
  assert.deepEqual(
    a.rules().map((r) => r.id),
    b.rules().map((r) => r.id),
  );
});

test('the policy scanner honours the Scanner contract (as registry.test.ts checks it)', async () => {
  const scanner = await createPolicyScanner({ config: {} });
  assert.equal(scanner.kind, 'policy');
  assert.match(scanner.version, /^\d+(\.\d+)*$/);
  const rules = scanner.rules();
  // Restricted (18 policies) + best practices (8): every declared rule plus autogen variants.
  assert.ok(rules.length >= 30, `${rules.length} rules`);
  const ids = new Set<string>();
  for (const r of rules) {
    assert.ok(r.id.startsWith('policy/'), `${r.id} is prefixed with policy/`);
    assert.ok(!ids.has(r.id), `duplicate rule id ${r.id}`);
    ids.add(r.id);
    assert.equal(r.scanner, 'policy');
    assert.ok(r.title && r.description && r.helpMarkdown, `${r.id} has title, description and help`);
    assert.ok((SEVERITIES as readonly string[]).includes(r.severity));
    assert.deepEqual(r.tags, ['security', 'policy']);
  }
  const ctx = context();
  for (const p of ['empty.yaml', 'Dockerfile', 'main.tf', 'a.env', 'x.json', 'y.yml']) {
    if (!scanner.required(p)) continue;
    assert.deepEqual(scanner.scan({ path: p, content: Buffer.alloc(0) }, ctx), []);
    assert.doesNotThrow(() => scanner.scan({ path: p, content: Buffer.from('\u0000\u00ff{{[[: :') }, ctx));
    assert.doesNotThrow(() =>
      scanner.scan(
        { path: p, content: Buffer.from(`apiVersion: v1\nkind: Pod\nmetadata: ${'['.repeat(5000)}`) },
        ctx,
      ),
    );
  }
  assert.equal(scanner.required('Dockerfile'), false);
  assert.equal(scanner.required('deploy/app.YAML'), true);
  assert.deepEqual(scanner.finalize!(ctx), []);
});

test('object cap and time budget are reported, never silent', async () => {
  const scanner = await createPolicyScanner({ config: {} });
  const object = (i: number) => ({
    path: 'many.yaml',
    value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } },
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: `c${i}`,
    line: 1,
    lines: {},
  });
  scanner.absorbState!({ objects: Array.from({ length: MAX_OBJECTS + 1 }, (_, i) => object(i)), dropped: 2 });
  const ctx = { ...context(), deadline: Date.now() - 1 };
  assert.deepEqual(scanner.finalize!(ctx), []);
  assert.ok(
    ctx.warnings.some((w) => w.includes(`3 Kubernetes objects over the limit of ${MAX_OBJECTS}`)),
    ctx.warnings.join('\n'),
  );
  assert.ok(
    ctx.warnings.some((w) =>
      w.includes(`${MAX_OBJECTS} of ${MAX_OBJECTS} Kubernetes objects were not evaluated`),
    ),
    ctx.warnings.join('\n'),
  );
});

test('a file over the size cap is not parsed and is reported', async () => {
  const scanner = await createPolicyScanner({ config: {} });
  const ctx = context();
  const big = Buffer.alloc(MANIFEST_LIMITS.maxBytes + 1, 0x20);
  assert.deepEqual(scanner.scan({ path: 'big.yaml', content: big }, ctx), []);
  assert.deepEqual(ctx.warnings, [
    `big.yaml: not checked by the policy scanner: larger than ${MANIFEST_LIMITS.maxBytes} bytes`,
  ]);
});
