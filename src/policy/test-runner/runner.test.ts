import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runKyvernoTest } from './runner.js';
import { parseTest, parseValues } from './parse.js';

const dir = fileURLToPath(new URL('./fixtures/suite/.kyverno-test', import.meta.url));
const readFile = (p: string) => readFileSync(p, 'utf8');

test('runs a kyverno-test.yaml suite: statuses, values, autogen lookup, default namespace', async () => {
  const report = await runKyvernoTest(dir, readFile);
  assert.equal(report.name, 'team-rules');
  assert.deepEqual(report.errors, []);
  const rows = report.checks.map(
    (c) => `${c.rule} ${c.kind}/${c.resource} ${c.expected}->${c.actual} ${c.ok}`,
  );
  assert.deepEqual(rows, [
    'require-team-label Pod/default/labelled pass->pass true',
    'require-team-label Pod/unlabelled fail->fail true',
    'require-team-label Pod/updated skip->skip true',
    'require-team-label Deployment/small pass->pass true',
    'max-replicas Deployment/small pass->pass true',
    'max-replicas Deployment/large fail->fail true',
    'require-team-label Pod/ghost pass->missing false',
  ]);
  assert.equal(report.passed, 6);
  assert.equal(report.failed, 1);
  assert.deepEqual(
    report.notSupported.map((n) => [n.rule, n.resource]),
    [['add-owner', 'labelled']],
  );
});

test('supports the older un-typed test shape (resource, status)', async () => {
  const report = await runKyvernoTest(dir, readFile, { fileName: 'legacy-test.yaml' });
  assert.equal(report.name, 'legacy-shape');
  assert.deepEqual(
    report.checks.map((c) => [c.resource, c.expected, c.actual]),
    [['unlabelled', 'fail', 'fail']],
  );
});

test('missing files and malformed YAML become errors, never exceptions', async () => {
  const files: Record<string, string> = {
    '/t/kyverno-test.yaml':
      'apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\npolicies: [p.yaml]\nresources: [r.yaml, gone.yaml]\nresults: []\n',
    '/t/p.yaml': 'kind: ClusterPolicy\napiVersion: kyverno.io/v1\nmetadata: {name: x}\nspec: {rules: [}',
    '/t/r.yaml': '{{{',
  };
  const report = await runKyvernoTest('/t', (p) => {
    const f = files[p];
    if (f === undefined) throw new Error('ENOENT');
    return f;
  });
  assert.ok(report.errors.length >= 3);
  const none = await runKyvernoTest('/nowhere', () => {
    throw new Error('ENOENT');
  });
  assert.ok(none.errors.some((e) => e.includes('not a kyverno test')));
});

test('parsers: results, values', () => {
  const t = parseTest({
    apiVersion: 'cli.kyverno.io/v1alpha1',
    kind: 'Test',
    metadata: { name: 'n' },
    policies: ['p'],
    resources: ['r'],
    results: [{ policy: 'p', rule: 'r', resources: ['a', 'ns/b'], kind: 'Pod', result: 'pass ' }],
  })!;
  assert.deepEqual(t.results[0]!.resources, ['a', 'ns/b']);
  assert.equal(t.results[0]!.result, 'pass');
  assert.equal(parseTest({ kind: 'Values' }), undefined);
  const v = parseValues({
    globalValues: { 'request.operation': 'UPDATE' },
    namespaceSelector: [{ name: 'prod', labels: { env: 'prod' } }],
    policies: [
      { name: 'p', rules: [{ name: 'r', values: { a: 1 } }], resources: [{ name: 'x', values: { b: 2 } }] },
    ],
  });
  assert.equal(v.globalValues['request.operation'], 'UPDATE');
  assert.deepEqual(v.namespaceSelector, [{ name: 'prod', labels: { env: 'prod' } }]);
  assert.deepEqual(v.policies[0]!.rules[0]!.values, { a: 1 });
});
