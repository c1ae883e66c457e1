import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvalContext, SubstitutionError, substituteAll, substituteString } from './variables.js';
import { imagesVariable, parseImageReference } from './images.js';

const ctx = new EvalContext({
  request: {
    operation: 'CREATE',
    object: {
      metadata: { name: 'web', labels: { app: 'shop' } },
      spec: { replicas: 3, containers: [{ name: 'c1', image: 'nginx' }] },
    },
  },
});

test('a string that is exactly one expression keeps the JSON type', () => {
  assert.equal(substituteString('{{ request.object.spec.replicas }}', ctx), 3);
  assert.deepEqual(substituteString('{{request.object.metadata.labels}}', ctx), { app: 'shop' });
});

test('embedded expressions are rendered as text', () => {
  assert.equal(substituteString('name={{ request.object.metadata.name }}', ctx), 'name=web');
  assert.equal(substituteString('n={{ request.object.spec.replicas }}', ctx), 'n=3');
  assert.equal(substituteString('l={{ request.object.metadata.labels }}', ctx), 'l={"app":"shop"}');
});

test('nested expressions resolve inside-out', () => {
  const c = ctx.withVariable('key', 'app');
  assert.equal(substituteString('{{ request.object.metadata.labels.{{ key }} }}', c), 'shop');
  const filtered = ctx.withVariable('element', { name: 'c1' });
  assert.deepEqual(
    substituteString("{{ request.object.spec.containers[?name=='{{element.name}}'].image }}", filtered),
    ['nginx'],
  );
});

test('escaped expressions stay literal', () => {
  assert.equal(
    substituteString('keep \\{{ request.object.metadata.name }}', ctx),
    'keep {{ request.object.metadata.name }}',
  );
});

test('missing keys are substitution errors unless defaulted', () => {
  assert.throws(() => substituteString('{{ request.object.metadata.annotations }}', ctx), SubstitutionError);
  assert.equal(substituteString("{{ request.object.metadata.annotations || 'none' }}", ctx), 'none');
});

test('DELETE requests read request.object from request.oldObject', () => {
  const del = new EvalContext({
    request: { operation: 'DELETE', oldObject: { metadata: { name: 'gone' } } },
  });
  assert.equal(substituteString('{{ request.object.metadata.name }}', del), 'gone');
});

test('values-file variables are dotted paths merged into the context', () => {
  const c = ctx.withVariables({ 'request.operation': 'UPDATE', 'data.items.count': '2' });
  assert.equal(c.query('request.operation'), 'UPDATE');
  assert.equal(c.query('request.object.metadata.name'), 'web');
  assert.equal(c.query('data.items.count'), '2');
});

test('documents: keys and leaves are substituted, untouched documents are returned as is', () => {
  const doc = {
    spec: { '{{ request.object.metadata.name }}': 'x', n: '{{ request.object.spec.replicas }}' },
  };
  assert.deepEqual(substituteAll(doc, ctx), { spec: { web: 'x', n: 3 } });
  const plain = { a: ['b', { c: 'd' }] };
  assert.equal(substituteAll(plain, ctx), plain);
});

test('$() references point to other fields of the same pattern', () => {
  const pattern = {
    spec: {
      containers: [
        { resources: { requests: { memory: '?*' }, limits: { memory: '<=$(./../../requests/memory)' } } },
      ],
    },
  };
  const out = substituteAll(pattern, ctx) as {
    spec: { containers: { resources: { limits: { memory: string } } }[] };
  };
  assert.equal(out.spec.containers[0]!.resources.limits.memory, '<=?*');
});

test('images variable: registry, path, name, tag, digest per container', () => {
  assert.deepEqual(parseImageReference('nginx'), {
    registry: 'docker.io',
    name: 'nginx',
    path: 'nginx',
    tag: 'latest',
    reference: 'docker.io/nginx:latest',
    referenceWithTag: 'docker.io/nginx:latest',
  });
  const withDigest = parseImageReference('ghcr.io/org/app@sha256:' + 'a'.repeat(64))!;
  assert.equal(withDigest.registry, 'ghcr.io');
  assert.equal(withDigest.path, 'org/app');
  assert.equal(withDigest.name, 'app');
  assert.equal(withDigest.tag, undefined);
  assert.equal(parseImageReference('localhost:5000/a/b:v1')!.registry, 'localhost:5000');
  const imgs = imagesVariable({
    kind: 'Deployment',
    spec: {
      template: {
        spec: {
          initContainers: [{ name: 'i', image: 'busybox:1' }],
          containers: [{ name: 'c', image: 'quay.io/x/y:2' }],
        },
      },
    },
  })!;
  assert.equal(imgs.containers!.c!.registry, 'quay.io');
  assert.equal(imgs.initContainers!.i!.tag, '1');
});
