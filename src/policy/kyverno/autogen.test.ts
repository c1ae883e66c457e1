import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autogenControllers, computeRules } from './autogen.js';

const policy = (rules: unknown[], annotations: Record<string, string> = {}) => ({
  apiVersion: 'kyverno.io/v1',
  kind: 'ClusterPolicy',
  metadata: { name: 'p', annotations },
  spec: { rules },
});

const podRule = {
  name: 'check-image',
  match: { any: [{ resources: { kinds: ['Pod'] } }] },
  preconditions: { all: [{ key: '{{ request.object.metadata.name }}', operator: 'NotEquals', value: '' }] },
  validate: { message: 'no latest', pattern: { spec: { containers: [{ image: '!*:latest' }] } } },
};

test('Pod rules get autogen-<rule> and autogen-cronjob-<rule> variants (Kyverno autogen docs)', () => {
  const rules = computeRules(policy([podRule]));
  assert.deepEqual(
    rules.map((r) => r.name),
    ['check-image', 'autogen-check-image', 'autogen-cronjob-check-image'],
  );
  const controllers = rules[1]!;
  assert.deepEqual(
    (controllers.match as { any: { resources: { kinds: string[] } }[] }).any[0]!.resources.kinds,
    ['DaemonSet', 'Deployment', 'Job', 'ReplicaSet', 'ReplicationController', 'StatefulSet'],
  );
  assert.deepEqual((controllers.validate as { pattern: unknown }).pattern, {
    spec: { template: { spec: { containers: [{ image: '!*:latest' }] } } },
  });
  assert.equal(
    (controllers.preconditions as { all: { key: string }[] }).all[0]!.key,
    '{{ request.object.spec.template.metadata.name }}',
  );
  const cron = rules[2]!;
  assert.deepEqual((cron.match as { any: { resources: { kinds: string[] } }[] }).any[0]!.resources.kinds, [
    'CronJob',
  ]);
  assert.deepEqual((cron.validate as { pattern: unknown }).pattern, {
    spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: '!*:latest' }] } } } } },
  });
  assert.equal(
    (cron.preconditions as { all: { key: string }[] }).all[0]!.key,
    '{{ request.object.spec.jobTemplate.spec.template.metadata.name }}',
  );
});

test('the autogen-controllers annotation selects controllers or disables autogen', () => {
  assert.equal(
    autogenControllers(policy([podRule], { 'pod-policies.kyverno.io/autogen-controllers': 'none' })),
    undefined,
  );
  const rules = computeRules(
    policy([podRule], { 'pod-policies.kyverno.io/autogen-controllers': 'Deployment' }),
  );
  assert.deepEqual(
    rules.map((r) => r.name),
    ['check-image', 'autogen-check-image'],
  );
  const withCron = computeRules(
    policy([podRule], { 'pod-policies.kyverno.io/autogen-controllers': 'Deployment,CronJob' }),
  );
  assert.equal(withCron.length, 3);
});

test('no autogen with names, selectors, mixed kinds, or non-Pod kinds', () => {
  const named = { ...podRule, match: { any: [{ resources: { kinds: ['Pod'], names: ['x'] } }] } };
  assert.equal(computeRules(policy([named])).length, 1);
  const mixed = { ...podRule, match: { any: [{ resources: { kinds: ['Pod', 'Service'] } }] } };
  assert.equal(computeRules(policy([mixed])).length, 1);
  const svc = { ...podRule, match: { any: [{ resources: { kinds: ['Service'] } }] } };
  assert.equal(computeRules(policy([svc])).length, 1);
});

test('deny and foreach bodies are kept, anyPattern entries are wrapped, names are capped at 63', () => {
  const deny = {
    name: 'd'.repeat(70),
    match: { any: [{ resources: { kinds: ['Pod'] } }] },
    validate: { deny: { conditions: { any: [] } } },
  };
  const rules = computeRules(policy([deny]));
  assert.equal(rules[1]!.name!.toString().length, 63);
  assert.deepEqual((rules[1]!.validate as { deny: unknown }).deny, { conditions: { any: [] } });
  const anyP = {
    name: 'a',
    match: { any: [{ resources: { kinds: ['Pod'] } }] },
    validate: { anyPattern: [{ spec: { a: 1 } }, { spec: { b: 2 } }] },
  };
  const r = computeRules(policy([anyP]))[1]!;
  assert.deepEqual((r.validate as { anyPattern: unknown }).anyPattern, [
    { spec: { template: { spec: { a: 1 } } } },
    { spec: { template: { spec: { b: 2 } } } },
  ]);
});

test('request."object" escapes the textual rewrite', () => {
  const rule = {
    name: 'own-labels',
    match: { any: [{ resources: { kinds: ['Pod'] } }] },
    validate: {
      deny: {
        conditions: {
          any: [{ key: '{{ request."object".metadata.labels.app }}', operator: 'Equals', value: '' }],
        },
      },
    },
  };
  const out = computeRules(policy([rule]))[1]!;
  assert.match(JSON.stringify(out.validate), /request\.\\"object\\"\.metadata\.labels/);
});
