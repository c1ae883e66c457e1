import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchPattern } from './pattern.js';

const pod = (containers: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'web' } },
  spec: { containers, ...extra },
});

test('plain keys are mandatory and report the path of the first failure', () => {
  const pattern = { spec: { containers: [{ securityContext: { privileged: 'false' } }] } };
  const r = matchPattern(pod([{ name: 'a', securityContext: { privileged: true } }]), pattern);
  assert.equal(r.status, 'fail');
  assert.equal(r.status === 'fail' && r.path, '/spec/containers/0/securityContext/privileged/');
  const missing = matchPattern(pod([{ name: 'a' }]), pattern);
  assert.equal(missing.status, 'fail');
  assert.equal(
    matchPattern(pod([{ name: 'a', securityContext: { privileged: false } }]), pattern).status,
    'pass',
  );
});

test('every element of a list must match the first pattern element', () => {
  const pattern = { spec: { containers: [{ image: '!*:latest' }] } };
  assert.equal(matchPattern(pod([{ image: 'a:1' }, { image: 'b:2' }]), pattern).status, 'pass');
  const r = matchPattern(pod([{ image: 'a:1' }, { image: 'b:latest' }]), pattern);
  assert.equal(r.status === 'fail' && r.path, '/spec/containers/1/image/');
  assert.equal(matchPattern(pod([]), pattern).status, 'pass');
});

test('equality anchor =(key): absent is fine, present must match', () => {
  const pattern = { spec: { '=(hostNetwork)': false } };
  assert.equal(matchPattern(pod([]), pattern).status, 'pass');
  assert.equal(matchPattern(pod([], { hostNetwork: false }), pattern).status, 'pass');
  assert.equal(matchPattern(pod([], { hostNetwork: true }), pattern).status, 'fail');
});

test('conditional anchor (key): elements that do not meet the condition are skipped', () => {
  // Kyverno docs: "if the image is latest, imagePullPolicy must be Always".
  const pattern = { spec: { containers: [{ '(image)': '*:latest', imagePullPolicy: 'Always' }] } };
  assert.equal(matchPattern(pod([{ image: 'a:latest', imagePullPolicy: 'Always' }]), pattern).status, 'pass');
  assert.equal(
    matchPattern(pod([{ image: 'a:latest', imagePullPolicy: 'IfNotPresent' }]), pattern).status,
    'fail',
  );
  assert.equal(matchPattern(pod([{ image: 'a:1', imagePullPolicy: 'Never' }]), pattern).status, 'skip');
  assert.equal(
    matchPattern(
      pod([
        { image: 'a:1', imagePullPolicy: 'Never' },
        { image: 'b:latest', imagePullPolicy: 'Always' },
      ]),
      pattern,
    ).status,
    'pass',
  );
});

test('negation anchor X(key): the key must be absent', () => {
  const pattern = { spec: { '=(volumes)': [{ 'X(hostPath)': 'null' }] } };
  assert.equal(matchPattern(pod([], { volumes: [{ name: 'v', emptyDir: {} }] }), pattern).status, 'pass');
  const r = matchPattern(pod([], { volumes: [{ name: 'v', hostPath: { path: '/' } }] }), pattern);
  assert.equal(r.status, 'fail');
  assert.equal(r.status === 'fail' && r.path, '/spec/volumes/0/hostPath/');
});

test('existence anchor ^(key): at least one element must match', () => {
  const pattern = { spec: { '^(containers)': [{ image: 'nginx:*' }] } };
  assert.equal(matchPattern(pod([{ image: 'busybox:1' }, { image: 'nginx:1' }]), pattern).status, 'pass');
  assert.equal(matchPattern(pod([{ image: 'busybox:1' }]), pattern).status, 'fail');
});

test('global anchor <(key): a false condition skips the whole rule', () => {
  const pattern = {
    spec: { containers: [{ name: '*', '<(image)': 'nginx*' }], imagePullSecrets: [{ name: 'regcred' }] },
  };
  assert.equal(matchPattern(pod([{ name: 'a', image: 'busybox' }]), pattern).status, 'skip');
  assert.equal(matchPattern(pod([{ name: 'a', image: 'nginx' }]), pattern).status, 'fail');
  assert.equal(
    matchPattern(pod([{ name: 'a', image: 'nginx' }], { imagePullSecrets: [{ name: 'regcred' }] }), pattern)
      .status,
    'pass',
  );
});

test('"*" requires a present, non-null value; "?*" a non-empty one', () => {
  assert.equal(
    matchPattern({ metadata: { labels: { team: '' } } }, { metadata: { labels: { team: '*' } } }).status,
    'pass',
  );
  assert.equal(
    matchPattern({ metadata: { labels: {} } }, { metadata: { labels: { team: '*' } } }).status,
    'fail',
  );
  assert.equal(
    matchPattern({ metadata: { labels: { team: '' } } }, { metadata: { labels: { team: '?*' } } }).status,
    'fail',
  );
});

test('wildcard label keys in metadata patterns are expanded against the resource', () => {
  const pattern = { metadata: { labels: { 'app.kubernetes.io/*': '?*' } } };
  assert.equal(
    matchPattern({ metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }, pattern).status,
    'pass',
  );
  assert.equal(matchPattern({ metadata: { labels: { other: 'x' } } }, pattern).status, 'fail');
  const forbidden = { metadata: { '=(annotations)': { 'X(fluxcd.io/*)': 'null' } } };
  assert.equal(
    matchPattern({ metadata: { annotations: { 'fluxcd.io/sync': 'x' } } }, forbidden).status,
    'fail',
  );
  assert.equal(matchPattern({ metadata: { annotations: { a: 'b' } } }, forbidden).status, 'pass');
});

test('a scalar pattern against a list checks every element', () => {
  assert.equal(matchPattern({ spec: { ports: [80, 443] } }, { spec: { ports: '<1024' } }).status, 'pass');
  assert.equal(matchPattern({ spec: { ports: [80, 8080] } }, { spec: { ports: '<1024' } }).status, 'fail');
});

test('structural mismatches fail instead of throwing', () => {
  assert.equal(matchPattern({ spec: 'x' }, { spec: { a: 1 } }).status, 'fail');
  assert.equal(matchPattern({ spec: { a: 1 } }, { spec: [{ a: 1 }] }).status, 'fail');
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < 500; i++) deep = (deep.a = {}) as Record<string, unknown>;
  assert.notEqual(matchPattern(root, root).status, 'pass');
});
