import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectObjects, lineOfMessage, looksLikeKubernetes } from './manifests.js';

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

test('objects of a multi-document stream, with the line of their kind and of their fields', () => {
  const text = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: a',
    'spec:',
    '  containers:',
    '    - name: one',
    '      image: x:1',
    '    - name: two',
    '      image: y:2',
    '---',
    '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "n"}}',
    '---',
    'apiVersion: v1',
    'kind: Config',
    'preferences: {}',
    '',
  ].join('\n');
  const objects = collectObjects(text, 'm.yaml');
  assert.deepEqual(
    objects.map((o) => [o.kind, o.name, o.namespace, o.line]),
    [
      ['Pod', 'a', undefined, 2],
      ['Service', 's', 'n', 12],
    ],
  );
  const pod = objects[0]!;
  assert.equal(pod.path, 'm.yaml');
  assert.equal(pod.lines['/spec/containers/1/image'], lineOf(text, 'image: y:2'));
  assert.equal(pod.lines['/spec/containers/1'], lineOf(text, 'name: two'));
  // A failing path that ends at a missing key points at its nearest existing ancestor.
  assert.equal(
    lineOfMessage(
      pod,
      'validation error: m. rule r failed at path /spec/containers/1/securityContext/privileged/',
    ),
    lineOf(text, 'name: two'),
  );
  assert.equal(lineOfMessage(pod, 'validation failure: no path in this message'), 2);
  assert.equal(lineOfMessage(pod, 'rule r failed at path /nowhere/'), 2);
  // anyPattern messages list one path per pattern: the first one is used.
  assert.equal(
    lineOfMessage(
      pod,
      'rule r[0] failed at path /spec/containers/0/image/ rule r[1] failed at path /metadata/',
    ),
    lineOf(text, 'image: x:1'),
  );
});

test('List items keep their own lines; keys with / and ~ are escaped in the line table', () => {
  const text = [
    'apiVersion: v1',
    'kind: List',
    'items:',
    '  - apiVersion: v1',
    '    kind: ConfigMap',
    '    metadata:',
    '      name: c',
    '      annotations:',
    '        example.com/a~b: "1"',
  ].join('\n');
  const [cm, ...rest] = collectObjects(text, 'l.yaml');
  assert.equal(rest.length, 0);
  assert.equal(cm!.kind, 'ConfigMap');
  assert.equal(cm!.line, 5);
  assert.equal(cm!.lines['/metadata/annotations/example.com~1a~0b'], 9);
});

test('skipped: no metadata, not Kubernetes, invalid YAML, templated documents, huge nesting', () => {
  assert.equal(looksLikeKubernetes('a: 1\nb: 2\n'), false);
  assert.deepEqual(collectObjects('apiVersion: v1\nkind: Pod\n', 'x.yaml'), []);
  assert.deepEqual(collectObjects('apiVersion: v1\nkind: Pod\nmetadata: [\n', 'x.yaml'), []);
  assert.deepEqual(
    collectObjects('apiVersion: v1\nkind: Pod\nmetadata:\n  name: "{{ .Values.n }}"\n', 'x.yaml'),
    [],
  );
  assert.deepEqual(
    collectObjects(`apiVersion: v1\nkind: Pod\nmetadata: ${'['.repeat(100_000)}`, 'x.yaml'),
    [],
  );
  // A template in one document does not hide the others.
  const two =
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "{{ x }}"\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\n';
  assert.deepEqual(
    collectObjects(two, 'x.yaml').map((o) => o.name),
    ['ok'],
  );
});
