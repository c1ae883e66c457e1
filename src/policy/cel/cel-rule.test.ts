import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { KubeObject } from '../engine/types.js';
import { rewriteCelForController } from './autogen.js';
import { evaluateCelRule } from './cel-rule.js';

const restrictJobs = parse(
  readFileSync(new URL('./fixtures/cel-restrict-jobs.yaml', import.meta.url), 'utf8'),
) as {
  spec: { rules: KubeObject[] };
};

const job = (name: string, ownerKind?: string): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: ownerKind
    ? { name, ownerReferences: [{ apiVersion: 'batch/v1', kind: ownerKind, name: 'owner' }] }
    : { name },
  spec: {
    template: { spec: { containers: [{ name: 'busybox', image: 'busybox:1.35' }], restartPolicy: 'Never' } },
  },
});

const pod = (
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = { name: 'p' },
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata,
  spec,
});

const rule = (cel: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
  name: 'check',
  ...extra,
  validate: { ...((extra['validate'] as object | undefined) ?? {}), cel },
});

describe('validate.cel (kyverno/policies other-cel/restrict-jobs)', () => {
  const restrict = restrictJobs.spec.rules[0] as KubeObject;

  it('fails a Job not created by a CronJob and skips one that is (celPreconditions)', () => {
    assert.deepEqual(evaluateCelRule(restrict, job('badjob')), {
      status: 'fail',
      message: 'Jobs are only allowed if spawned from CronJobs.',
    });
    assert.deepEqual(evaluateCelRule(restrict, job('goodjob', 'CronJob')), {
      status: 'skip',
      message: 'cel preconditions not met',
    });
  });
});

describe('validate.cel semantics', () => {
  it('passes with Kyverno’s pass message', () => {
    const result = evaluateCelRule(
      rule({ expressions: [{ expression: 'object.spec.containers.size() > 0' }] }),
      pod({ containers: [{ name: 'c' }] }),
    );
    assert.deepEqual(result, { status: 'pass', message: "Validation rule 'check' passed." });
  });

  it('uses validate.message, then the Kubernetes default message', () => {
    const withRuleMessage = rule(
      { expressions: [{ expression: 'false' }] },
      { validate: { message: 'rule message' } },
    );
    assert.equal(evaluateCelRule(withRuleMessage, pod({})).message, 'rule message');
    const bare = rule({ expressions: [{ expression: ' false ' }] });
    assert.equal(evaluateCelRule(bare, pod({})).message, 'failed expression: false');
  });

  it('evaluates messageExpression and lazy variables', () => {
    const checked = rule({
      variables: [
        { name: 'images', expression: 'object.spec.containers.map(c, c.image)' },
        { name: 'broken', expression: 'object.spec.nope.nope' },
      ],
      expressions: [
        {
          expression: "variables.images.all(i, i.startsWith('registry.io/'))",
          messageExpression:
            "'untrusted images: ' + variables.images.filter(i, !i.startsWith('registry.io/')).join(', ')",
        },
      ],
    });
    const result = evaluateCelRule(
      checked,
      pod({
        containers: [
          { name: 'a', image: 'registry.io/a' },
          { name: 'b', image: 'docker.io/b' },
        ],
      }),
    );
    assert.deepEqual(result, { status: 'fail', message: 'untrusted images: docker.io/b' });
  });

  it('an expression that errors fails the rule (Kyverno runs Kubernetes’ validator with failure policy Fail)', () => {
    const result = evaluateCelRule(
      rule({ expressions: [{ expression: 'object.spec.missing.field == 1' }] }),
      pod({}),
    );
    assert.equal(result.status, 'fail');
    assert.match(
      result.message,
      /^expression 'object\.spec\.missing\.field == 1' resulted in error: .*missing/,
    );
  });

  it('offers namespaceObject, request and oldObject', () => {
    const check = rule({
      expressions: [
        { expression: "namespaceObject.metadata.name != 'default'", message: 'default namespace' },
        { expression: "request.operation != 'UPDATE' || oldObject.metadata.name == object.metadata.name" },
      ],
    });
    assert.equal(evaluateCelRule(check, pod({}, { name: 'p' })).message, 'default namespace');
    assert.equal(evaluateCelRule(check, pod({}, { name: 'p', namespace: 'team' })).status, 'pass');
    const labelled = rule({ expressions: [{ expression: "namespaceObject.metadata.labels.env == 'prod'" }] });
    assert.equal(
      evaluateCelRule(labelled, pod({}, { name: 'p', namespace: 'team' }), {
        namespaceLabels: { env: 'prod' },
      }).status,
      'pass',
    );
    const update = { operation: 'UPDATE' as const, oldObject: pod({}, { name: 'p', namespace: 'team' }) };
    assert.equal(evaluateCelRule(check, pod({}, { name: 'p', namespace: 'team' }), update).status, 'pass');
  });

  it('reports missing validate.cel, params and broken input as results', () => {
    assert.equal(evaluateCelRule({ name: 'x', validate: {} }, pod({})).status, 'error');
    assert.equal(evaluateCelRule(null as unknown as KubeObject, pod({})).status, 'error');
    assert.equal(
      evaluateCelRule(
        rule({ paramKind: { kind: 'ConfigMap' }, expressions: [{ expression: 'true' }] }),
        pod({}),
      ).status,
      'error',
    );
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 300; i++) deep = deep['x'] = {};
    assert.equal(evaluateCelRule(rule({ expressions: [{ expression: 'true' }] }), pod(root)).status, 'error');
    const syntax = evaluateCelRule(rule({ expressions: [{ expression: 'object.' }] }), pod({}));
    assert.equal(syntax.status, 'fail');
    assert.match(syntax.message, /compilation failed/);
  });
});

describe('rewriteCelForController (Kyverno CEL autogen)', () => {
  it('moves object/oldObject spec and metadata under the pod template, except name and namespace', () => {
    assert.equal(
      rewriteCelForController('object.spec.containers.all(c, has(object.metadata.labels.app))', 'template'),
      'object.spec.template.spec.containers.all(c, has(object.spec.template.metadata.labels.app))',
    );
    assert.equal(
      rewriteCelForController('oldObject.spec.x == object.spec.x', 'cronjob'),
      'oldObject.spec.jobTemplate.spec.template.spec.x == object.spec.jobTemplate.spec.template.spec.x',
    );
    assert.equal(rewriteCelForController('object.metadata.name', 'template'), 'object.metadata.name');
    assert.equal(
      rewriteCelForController('namespaceObject.metadata.name', 'template'),
      'namespaceObject.metadata.name',
    );
  });
});
