import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { KubeObject, RuleResult } from '../engine/types.js';
import {
  evaluateValidatingPolicy,
  loadValidatingPolicy,
  type LoadedValidatingPolicy,
} from './validating-policy.js';

function fixture(name: string): KubeObject {
  return parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as KubeObject;
}

function load(doc: unknown, bindings?: KubeObject[]): LoadedValidatingPolicy {
  const loaded = loadValidatingPolicy(doc, bindings ? { bindings } : {});
  assert.deepEqual(loaded.errors, []);
  assert.ok(loaded.policy);
  return loaded.policy;
}

function statuses(results: RuleResult[]): Array<[string, string]> {
  return results.map((r) => [r.rule, r.status]);
}

const podSpec = (add?: string[], drop?: string[]): Record<string, unknown> => ({
  containers: [
    {
      name: 'container01',
      image: 'dummyimagename',
      ...(add || drop
        ? { securityContext: { capabilities: { ...(add ? { add } : {}), ...(drop ? { drop } : {}) } } }
        : {}),
    },
  ],
});
const pod = (
  name: string,
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...metadata },
  spec,
});
const deployment = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'a' } },
    template: { metadata: { labels: { app: 'a' } }, spec },
  },
});
const cronJob = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name },
  spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec } } } },
});

describe('ValidatingPolicy disallow-capabilities (kyverno/policies pod-security-vpol)', () => {
  const policy = load(fixture('vpol-disallow-capabilities.yaml'));

  it('passes pods adding allowed capabilities and fails others', () => {
    assert.deepEqual(statuses(evaluateValidatingPolicy(policy, pod('goodpod01', podSpec(['CHOWN'])))), [
      ['disallow-capabilities', 'pass'],
    ]);
    const bad = evaluateValidatingPolicy(policy, pod('badpod01', podSpec(['NET_RAW'])));
    assert.deepEqual(statuses(bad), [['disallow-capabilities', 'fail']]);
    assert.equal(bad[0]?.failureAction, 'Audit');
    assert.match(bad[0]?.message ?? '', /^Any capabilities added beyond the allowed list/);
    assert.deepEqual(bad[0]?.resource, { apiVersion: 'v1', kind: 'Pod', name: 'badpod01' });
  });

  it('generates pod-controller variants (Deployment and CronJob results)', () => {
    assert.deepEqual(
      statuses(evaluateValidatingPolicy(policy, deployment('baddeployment01', podSpec(['SYS_ADMIN'])))),
      [['autogen-disallow-capabilities', 'fail']],
    );
    assert.deepEqual(
      statuses(evaluateValidatingPolicy(policy, cronJob('goodcronjob01', podSpec(['KILL'])))),
      [['autogen-cronjob-disallow-capabilities', 'pass']],
    );
  });

  it('returns nothing for resources outside matchConstraints', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} };
    assert.deepEqual(evaluateValidatingPolicy(policy, service), []);
    assert.deepEqual(evaluateValidatingPolicy(policy, pod('p', podSpec()), { operation: 'CONNECT' }), []);
  });
});

describe('ValidatingPolicy adding-capabilities-strict (orValue on plain fields, as cel-go allows)', () => {
  const policy = load(fixture('vpol-adding-capabilities-strict.yaml'));
  it('passes NET_BIND_SERVICE alone and fails anything else', () => {
    assert.equal(
      evaluateValidatingPolicy(policy, pod('addcap-goodpod02', podSpec(['NET_BIND_SERVICE'])))[0]?.status,
      'pass',
    );
    assert.equal(evaluateValidatingPolicy(policy, pod('addcap-goodpod01', podSpec()))[0]?.status, 'pass');
    assert.equal(
      evaluateValidatingPolicy(policy, pod('addcap-badpod01', podSpec(['NET_RAW'])))[0]?.status,
      'fail',
    );
  });
});

describe('ValidatingPolicy restrict-jobs (matchConditions, Deny)', () => {
  const policy = load(fixture('vpol-restrict-jobs.yaml'));
  const job = (name: string, owner?: string): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: owner
      ? { name, ownerReferences: [{ kind: owner, name: 'o', apiVersion: 'batch/v1' }] }
      : { name },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });

  it('fails a standalone Job (Enforce) and skips one owned by a CronJob', () => {
    const bad = evaluateValidatingPolicy(policy, job('badjob'));
    assert.deepEqual(
      bad.map((r) => [r.status, r.failureAction, r.message]),
      [['fail', 'Enforce', 'Jobs are only allowed if spawned from CronJobs.']],
    );
    assert.deepEqual(statuses(evaluateValidatingPolicy(policy, job('goodjob', 'CronJob'))), [
      ['restrict-jobs', 'skip'],
    ]);
  });
});

describe('matchConstraints', () => {
  const base = {
    apiVersion: 'policies.kyverno.io/v1',
    kind: 'ValidatingPolicy',
    metadata: { name: 'p' },
    spec: {
      validationActions: ['Audit'],
      matchConstraints: {
        resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['CREATE'] }],
        excludeResourceRules: [
          { apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], operations: ['*'] },
        ],
        namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
        objectSelector: { matchLabels: { checked: 'yes' } },
      },
      validations: [{ expression: "object.metadata.name.startsWith('ok')" }],
    },
  };
  const policy = load(base);
  const secret = (name: string, labels: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'ns', labels },
  });

  it('applies resource rules, exclusions, namespace and object selectors', () => {
    const prod = { namespaceLabels: { env: 'prod' } };
    assert.deepEqual(statuses(evaluateValidatingPolicy(policy, secret('ok-1', { checked: 'yes' }), prod)), [
      ['p', 'pass'],
    ]);
    assert.deepEqual(statuses(evaluateValidatingPolicy(policy, secret('bad', { checked: 'yes' }), prod)), [
      ['p', 'fail'],
    ]);
    assert.deepEqual(evaluateValidatingPolicy(policy, secret('bad', { checked: 'no' }), prod), []);
    assert.deepEqual(
      evaluateValidatingPolicy(policy, secret('bad', { checked: 'yes' }), {
        namespaceLabels: { env: 'dev' },
      }),
      [],
    );
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'bad', namespace: 'ns', labels: { checked: 'yes' } },
    };
    assert.deepEqual(evaluateValidatingPolicy(policy, configMap, prod), []);
    assert.deepEqual(
      evaluateValidatingPolicy(policy, secret('bad', { checked: 'yes' }), { ...prod, operation: 'UPDATE' }),
      [],
    );
  });

  it('does not autogenerate for selectors, and an empty controllers list disables autogen', () => {
    const pods = { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] };
    const noAutogen = load({
      ...base,
      spec: {
        ...base.spec,
        matchConstraints: { resourceRules: [pods] },
        autogen: { podControllers: { controllers: [] } },
        validations: [{ expression: 'false' }],
      },
    });
    assert.equal(noAutogen.variants.length, 1);
    const onlyDeployments = load({
      ...base,
      spec: {
        ...base.spec,
        matchConstraints: { resourceRules: [pods] },
        autogen: { podControllers: { controllers: ['deployments'] } },
      },
    });
    assert.equal(onlyDeployments.variants.length, 2);
    assert.deepEqual(evaluateValidatingPolicy(onlyDeployments, cronJob('c', podSpec())), []);
  });
});

describe('ValidatingAdmissionPolicy', () => {
  const vap = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'replicas' },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: ['apps'],
            apiVersions: ['v1'],
            resources: ['deployments'],
            operations: ['CREATE', 'UPDATE'],
          },
        ],
      },
      variables: [{ name: 'replicas', expression: 'object.spec.replicas' }],
      validations: [
        {
          expression: 'variables.replicas <= 5',
          messageExpression: "'replicas must be no greater than 5, got ' + string(variables.replicas)",
          reason: 'Invalid',
        },
        { expression: 'object.spec.template.spec.missing == 1' },
      ],
    },
  };

  it('uses the binding’s validationActions and Kubernetes messages', () => {
    const binding = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'b' },
      spec: { policyName: 'replicas', validationActions: ['Warn', 'Audit'] },
    };
    const policy = load(vap, [binding]);
    const many = { ...deployment('d', podSpec()), spec: { replicas: 7, template: { spec: podSpec() } } };
    const result = evaluateValidatingPolicy(policy, many);
    assert.deepEqual(
      result.map((r) => [r.status, r.failureAction, r.message]),
      [['fail', 'Audit', 'replicas must be no greater than 5, got 7']],
    );
    assert.equal(load(vap).failureAction, 'Enforce');
  });

  it('an expression that errors is an error result (skip with failurePolicy Ignore)', () => {
    const few = { ...deployment('d', podSpec()), spec: { replicas: 2, template: { spec: podSpec() } } };
    const failing = evaluateValidatingPolicy(load(vap), few);
    assert.equal(failing[0]?.status, 'error');
    assert.match(failing[0]?.message ?? '', /object\.spec\.template\.spec\.missing == 1' resulted in error/);
    const ignoring = load({ ...vap, spec: { ...vap.spec, failurePolicy: 'Ignore' } });
    assert.equal(evaluateValidatingPolicy(ignoring, few)[0]?.status, 'skip');
  });
});

describe('load errors and hostile input', () => {
  it('reports compile errors with the policy name and keeps the policy usable', () => {
    const doc = {
      apiVersion: 'policies.kyverno.io/v1alpha1',
      kind: 'ValidatingPolicy',
      metadata: { name: 'broken' },
      spec: {
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] },
          ],
        },
        validations: [{ expression: 'object.spec.(' }, { expression: "'not a bool'" }],
      },
    };
    const loaded = loadValidatingPolicy(doc);
    assert.equal(loaded.errors.length, 2);
    assert.ok(loaded.errors.every((e) => e.policy === 'broken'));
    assert.match(loaded.errors[0]?.message ?? '', /^validation\[0\]/);
    assert.match(loaded.errors[1]?.message ?? '', /must evaluate to bool/);
    assert.ok(loaded.policy);
    assert.equal(evaluateValidatingPolicy(loaded.policy, pod('p', podSpec()))[0]?.status, 'error');
  });

  it('rejects non-policies and survives garbage', () => {
    for (const doc of [
      null,
      42,
      'x',
      {},
      { apiVersion: 'v1', kind: 'Pod' },
      { apiVersion: 'policies.kyverno.io/v1', kind: 'ValidatingPolicy' },
    ]) {
      const loaded = loadValidatingPolicy(doc);
      assert.equal(loaded.policy, undefined);
      assert.equal(loaded.errors.length, 1);
    }
    const weirdLoad = loadValidatingPolicy({
      apiVersion: 'policies.kyverno.io/v1',
      kind: 'ValidatingPolicy',
      metadata: { name: 'w' },
      spec: { matchConstraints: 'x', validations: 'y', variables: [null, 1], autogen: 7 },
    });
    assert.equal(weirdLoad.errors.length, 2);
    const weird = weirdLoad.policy as LoadedValidatingPolicy;
    assert.deepEqual(evaluateValidatingPolicy(weird, pod('p', podSpec())), []);
    const policy = load(fixture('vpol-disallow-capabilities.yaml'));
    assert.deepEqual(evaluateValidatingPolicy(policy, null), []);
    assert.equal(evaluateValidatingPolicy(policy, pod('p', { containers: 'nope' }))[0]?.status, 'error');
  });
});
