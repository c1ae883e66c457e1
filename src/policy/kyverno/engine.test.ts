import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject, RuleResult } from '../engine/types.js';
import { evaluateKyverno, loadKyvernoPolicies } from './engine.js';

const fixture = (name: string): unknown[] =>
  parseAllDocuments(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')).map(
    (d) => d.toJS() as unknown,
  );

const pod = (name: string, containers: unknown[], extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers, ...extra },
});
const deployment = (name: string, containers: unknown[]): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: { template: { metadata: { labels: { app: name } }, spec: { containers } } },
});
const cronJob = (name: string, containers: unknown[]): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name, namespace: 'default' },
  spec: {
    schedule: '*/1 * * * *',
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers } } } },
  },
});

function byRule(results: RuleResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.rule, r.status]));
}

// Expected statuses from best-practices/disallow-latest-tag/.kyverno-test/kyverno-test.yaml.
test('disallow-latest-tag: foreach patterns, autogen for controllers', () => {
  const { policies, errors } = loadKyvernoPolicies(fixture('disallow-latest-tag.yaml'));
  assert.deepEqual(errors, []);
  const ok = pod('myapp-pod', [{ name: 'nginx', image: 'nginx:1.12' }], {
    initContainers: [{ name: 'i', image: 'nginx:1.12' }],
  });
  assert.deepEqual(byRule(evaluateKyverno(policies, ok, {})), {
    'require-image-tag': 'pass',
    'validate-image-tag': 'pass',
  });
  const untagged = pod('badpod01', [{ name: 'nginx', image: 'nginx' }], {
    initContainers: [{ name: 'i', image: 'nginx' }],
  });
  assert.equal(byRule(evaluateKyverno(policies, untagged, {}))['require-image-tag'], 'fail');
  const latest = pod('vit-badpod01', [{ name: 'nginx', image: 'nginx:latest' }]);
  const results = evaluateKyverno(policies, latest, {});
  assert.equal(byRule(results)['validate-image-tag'], 'fail');
  const fail = results.find((r) => r.rule === 'validate-image-tag')!;
  assert.match(
    fail.message,
    /^validation failure: validation error: Using a mutable image tag e\.g\. 'latest' is not allowed\. rule validate-image-tag failed at path \/image\/$/,
  );
  assert.equal(fail.failureAction, 'Audit');
  assert.deepEqual(fail.resource, {
    apiVersion: 'v1',
    kind: 'Pod',
    name: 'vit-badpod01',
    namespace: 'default',
  });
  assert.deepEqual(
    byRule(evaluateKyverno(policies, deployment('baddeployment01', [{ name: 'b', image: 'busybox' }]), {})),
    {
      'autogen-require-image-tag': 'fail',
      'autogen-validate-image-tag': 'pass',
    },
  );
  assert.deepEqual(
    byRule(
      evaluateKyverno(policies, deployment('gooddeployment01', [{ name: 'b', image: 'busybox:1.28' }]), {}),
    ),
    {
      'autogen-require-image-tag': 'pass',
      'autogen-validate-image-tag': 'pass',
    },
  );
});

// Expected statuses from pod-security/baseline/disallow-capabilities/.kyverno-test/kyverno-test.yaml.
test('disallow-capabilities: deny with AnyNotIn, preconditions, autogen for CronJob', () => {
  const { policies } = loadKyvernoPolicies(fixture('disallow-capabilities.yaml'));
  const caps = (add: string[]) => [
    { name: 'container01', image: 'dummyimagename', securityContext: { capabilities: { add } } },
  ];
  const run = (r: KubeObject, ctx = {}) =>
    evaluateKyverno(policies, r, ctx).map((x) => `${x.rule}=${x.status}`);
  assert.deepEqual(run(pod('badpod01', caps(['NET_RAW']))), ['adding-capabilities=fail']);
  assert.deepEqual(run(pod('goodpod01', [{ name: 'container01', image: 'dummyimagename' }])), [
    'adding-capabilities=pass',
  ]);
  assert.deepEqual(run(pod('goodpod02', caps(['SETGID']))), ['adding-capabilities=pass']);
  assert.deepEqual(run(cronJob('badcronjob01', caps(['NET_RAW']))), [
    'autogen-cronjob-adding-capabilities=fail',
  ]);
  assert.deepEqual(run(deployment('gooddeployment01', caps(['SETGID']))), [
    'autogen-adding-capabilities=pass',
  ]);
  // Preconditions false -> skip.
  assert.deepEqual(run(pod('badpod01', caps(['NET_RAW'])), { operation: 'DELETE' }), [
    'adding-capabilities=skip',
  ]);
  const msg = evaluateKyverno(policies, pod('badpod01', caps(['NET_RAW'])), {})[0]!.message;
  assert.match(msg, /^Any capabilities added beyond the allowed list/);
});

const policy = (
  rules: unknown[],
  spec: Record<string, unknown> = {},
  kind = 'ClusterPolicy',
  namespace?: string,
) => ({
  apiVersion: 'kyverno.io/v1',
  kind,
  metadata: {
    name: 'test-policy',
    ...(namespace ? { namespace } : {}),
    annotations: { 'pod-policies.kyverno.io/autogen-controllers': 'none' },
  },
  spec: { rules, ...spec },
});
const podMatch = { any: [{ resources: { kinds: ['Pod'] } }] };

test('anyPattern: first matching pattern passes, otherwise fail listing each pattern', () => {
  const { policies } = loadKyvernoPolicies([
    policy([
      {
        name: 'run-as-non-root',
        match: podMatch,
        validate: {
          message: 'Running as root is not allowed.',
          anyPattern: [
            { spec: { securityContext: { runAsNonRoot: true } } },
            { spec: { containers: [{ securityContext: { runAsNonRoot: true } }] } },
          ],
        },
      },
    ]),
  ]);
  const pass = evaluateKyverno(
    policies,
    pod('a', [{ name: 'c', securityContext: { runAsNonRoot: true } }]),
    {},
  )[0]!;
  assert.equal(pass.status, 'pass');
  assert.equal(pass.message, "validation rule 'run-as-non-root' anyPattern[1] passed.");
  const fail = evaluateKyverno(policies, pod('b', [{ name: 'c' }]), {})[0]!;
  assert.equal(fail.status, 'fail');
  assert.equal(
    fail.message,
    'validation error: Running as root is not allowed. rule run-as-non-root[0] failed at path /spec/securityContext/ rule run-as-non-root[1] failed at path /spec/containers/0/securityContext/',
  );
});

test('failure actions: policy default, rule-level failureAction, namespace overrides', () => {
  const rules = [
    { name: 'r1', match: podMatch, validate: { pattern: { metadata: { labels: { app: '?*' } } } } },
    {
      name: 'r2',
      match: podMatch,
      validate: { failureAction: 'Enforce', pattern: { metadata: { labels: { app: '?*' } } } },
    },
  ];
  const { policies } = loadKyvernoPolicies([
    policy(rules, {
      validationFailureAction: 'Audit',
      validationFailureActionOverrides: [{ action: 'Enforce', namespaces: ['prod-*'] }],
    }),
  ]);
  const actions = (ns: string) =>
    evaluateKyverno(policies, { ...pod('x', []), metadata: { name: 'x', namespace: ns } }, {}).map(
      (r) => `${r.rule}:${r.failureAction}`,
    );
  assert.deepEqual(actions('dev'), ['r1:Audit', 'r2:Enforce']);
  assert.deepEqual(actions('prod-eu'), ['r1:Enforce', 'r2:Enforce']);
  const r = evaluateKyverno(policies, pod('x', []), {})[0]!;
  assert.equal(r.message, 'validation error: rule r1 failed at path /metadata/labels/');
});

test('UPDATE: a violation that did not change is skipped, like Kyverno (allowExistingViolations)', () => {
  const { policies } = loadKyvernoPolicies([
    policy([
      { name: 'label', match: podMatch, validate: { pattern: { metadata: { labels: { app: '?*' } } } } },
    ]),
  ]);
  const bad = pod('x', []);
  assert.equal(evaluateKyverno(policies, bad, { operation: 'UPDATE', oldObject: bad })[0]!.status, 'skip');
  const good = { ...bad, metadata: { name: 'x', namespace: 'default', labels: { app: 'a' } } };
  assert.equal(evaluateKyverno(policies, bad, { operation: 'UPDATE', oldObject: good })[0]!.status, 'fail');
  assert.equal(evaluateKyverno(policies, bad, { operation: 'CREATE' })[0]!.status, 'fail');
});

test('variables: request fields, userInfo, serviceAccountName, images, context entries and values', () => {
  const { policies } = loadKyvernoPolicies([
    policy([
      {
        name: 'sa',
        match: podMatch,
        context: [{ name: 'allowed', variable: { value: ['builder'] } }],
        validate: {
          message:
            '{{ serviceAccountName }} may not create {{ request.object.metadata.name }} with {{ images.containers.c.registry }}',
          deny: {
            conditions: {
              all: [{ key: '{{ serviceAccountName }}', operator: 'AnyNotIn', value: '{{ allowed }}' }],
            },
          },
        },
      },
    ]),
  ]);
  const ctx = { userInfo: { username: 'system:serviceaccount:ci:deployer' } };
  const r = evaluateKyverno(policies, pod('web', [{ name: 'c', image: 'ghcr.io/acme/web:1' }]), ctx)[0]!;
  assert.equal(r.status, 'fail');
  assert.equal(r.message, 'deployer may not create web with ghcr.io');
  const ok = evaluateKyverno(policies, pod('web', [{ name: 'c', image: 'x:1' }]), {
    userInfo: { username: 'system:serviceaccount:ci:builder' },
  })[0]!;
  assert.equal(ok.status, 'pass');
  const viaValues = evaluateKyverno(policies, pod('web', [{ name: 'c', image: 'x:1' }]), {
    variables: { serviceAccountName: 'builder' },
  })[0]!;
  assert.equal(viaValues.status, 'pass');
});

test('nested foreach with element0/element1, preconditions per element, elementIndex', () => {
  const { policies } = loadKyvernoPolicies([
    policy([
      {
        name: 'ports',
        match: podMatch,
        validate: {
          message: 'container {{ element0.name }} port {{ elementIndex1 }} too low',
          foreach: [
            {
              list: 'request.object.spec.containers',
              preconditions: {
                all: [{ key: '{{ element.name }}', operator: 'NotEquals', value: 'sidecar' }],
              },
              foreach: [
                {
                  list: 'element.ports',
                  deny: {
                    conditions: {
                      any: [{ key: '{{ element1.containerPort }}', operator: 'LessThan', value: 1024 }],
                    },
                  },
                },
              ],
            },
          ],
        },
      },
    ]),
  ]);
  const ports = (...p: number[]) => p.map((containerPort) => ({ containerPort }));
  const r = evaluateKyverno(policies, pod('p', [{ name: 'web', ports: ports(8080, 80) }]), {})[0]!;
  assert.equal(r.status, 'fail');
  assert.match(r.message, /container web port 1 too low$/);
  assert.equal(
    evaluateKyverno(policies, pod('p', [{ name: 'sidecar', ports: ports(80) }]), {})[0]!.status,
    'skip',
  );
  assert.equal(
    evaluateKyverno(policies, pod('p', [{ name: 'web', ports: ports(8080) }]), {})[0]!.status,
    'pass',
  );
  assert.equal(evaluateKyverno(policies, pod('p', [{ name: 'web' }]), {})[0]!.status, 'skip');
});

test('rules that do not match, and mutate/generate rules, produce no results; namespaced Policy scope', () => {
  const { policies } = loadKyvernoPolicies([
    policy(
      [
        {
          name: 'svc',
          match: { any: [{ resources: { kinds: ['Service'] } }] },
          validate: { pattern: { spec: { type: 'ClusterIP' } } },
        },
        { name: 'm', match: podMatch, mutate: { patchStrategicMerge: { metadata: { labels: { a: 'b' } } } } },
        { name: 'v', match: podMatch, validate: { pattern: { metadata: { name: '*' } } } },
      ],
      {},
      'Policy',
      'team-a',
    ),
  ]);
  assert.deepEqual(evaluateKyverno(policies, pod('x', []), {}), []);
  const inNs = { ...pod('x', []), metadata: { name: 'x', namespace: 'team-a' } };
  const results = evaluateKyverno(policies, inNs, {});
  assert.deepEqual(
    results.map((r) => [r.rule, r.status, r.policyNamespace]),
    [['v', 'pass', 'team-a']],
  );
});

test('load errors name the policy and rule; other policies keep working', () => {
  const bad = policy([{ name: 'broken', match: podMatch, validate: { pattern: { spec: { '+(x)': 'y' } } } }]);
  const badOp = {
    ...policy([
      {
        name: 'op',
        match: podMatch,
        validate: { deny: { conditions: { any: [{ key: 'a', operator: 'Near', value: 'b' }] } } },
      },
    ]),
    metadata: { name: 'bad-op' },
  };
  const good = {
    ...policy([{ name: 'ok', match: podMatch, validate: { pattern: { metadata: { name: '*' } } } }]),
    metadata: { name: 'good' },
  };
  const { policies, errors } = loadKyvernoPolicies([bad, badOp, good, { kind: 'ConfigMap' }, 'junk', null]);
  assert.deepEqual(
    errors.map((e) => [e.policy, e.rule]),
    [
      ['test-policy', 'broken'],
      ['bad-op', 'op'],
    ],
  );
  assert.deepEqual(
    policies.map((p) => p.name),
    ['good'],
  );
  assert.equal(evaluateKyverno(policies, pod('x', []), {})[0]!.status, 'pass');
});

test('errors instead of exceptions: bad expressions, hostile resources', () => {
  const { policies } = loadKyvernoPolicies([
    policy([
      {
        name: 'syntax',
        match: podMatch,
        validate: {
          deny: { conditions: { any: [{ key: '{{ request.[ }}', operator: 'Equals', value: 'x' }] } },
        },
      },
      {
        name: 'missing',
        match: podMatch,
        validate: { pattern: { metadata: { name: '{{ request.object.spec.nothing }}' } } },
      },
      {
        name: 'regex',
        match: podMatch,
        validate: {
          deny: {
            conditions: {
              any: [{ key: "{{ regex_match('(a+)+$', 'aaa') }}", operator: 'Equals', value: true }],
            },
          },
        },
      },
    ]),
  ]);
  const results = evaluateKyverno(policies, pod('x', []), {});
  assert.deepEqual(
    results.map((r) => r.status),
    ['error', 'error', 'error'],
  );
  for (const hostile of [
    {},
    { kind: 'Pod' },
    { kind: 'Pod', metadata: 'x', spec: [1, 2] },
    { kind: 'Pod', spec: { containers: 'nope' } },
  ])
    assert.doesNotThrow(() => evaluateKyverno(policies, hostile as KubeObject, {}));
  assert.deepEqual(evaluateKyverno(policies, null as unknown as KubeObject, {}), []);
});

test('applyRules: One stops after the first rule that applied', () => {
  const rules = [
    { name: 'first', match: podMatch, validate: { pattern: { metadata: { name: '*' } } } },
    { name: 'second', match: podMatch, validate: { pattern: { metadata: { name: '*' } } } },
  ];
  const { policies } = loadKyvernoPolicies([policy(rules, { applyRules: 'One' })]);
  assert.deepEqual(
    evaluateKyverno(policies, pod('x', []), {}).map((r) => r.rule),
    ['first'],
  );
});
