import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRegistryError } from './errors.js';
import { formatReference, isLoopbackRegistry, parseReference, registryBaseUrl } from './reference.js';

const D = `sha256:${'a1'.repeat(32)}`;

test('Docker Hub defaults: docker.io, library/, latest', () => {
  assert.deepEqual(parseReference('ubuntu'), {
    registry: 'docker.io',
    repository: 'library/ubuntu',
    tag: 'latest',
  });
  assert.deepEqual(parseReference('bitnami/redis:7.2'), {
    registry: 'docker.io',
    repository: 'bitnami/redis',
    tag: '7.2',
  });
  assert.deepEqual(parseReference('index.docker.io/library/alpine:3.19'), {
    registry: 'docker.io',
    repository: 'library/alpine',
    tag: '3.19',
  });
  assert.equal(formatReference(parseReference('alpine')), 'docker.io/library/alpine:latest');
});

test('hosts with ports, localhost, tags and digests', () => {
  assert.deepEqual(parseReference('localhost:5000/x'), {
    registry: 'localhost:5000',
    repository: 'x',
    tag: 'latest',
  });
  assert.deepEqual(parseReference('localhost/x:1'), { registry: 'localhost', repository: 'x', tag: '1' });
  assert.deepEqual(parseReference(`ghcr.io/org/team/app:v1.2.3@${D}`), {
    registry: 'ghcr.io',
    repository: 'org/team/app',
    tag: 'v1.2.3',
    digest: D,
  });
  assert.deepEqual(parseReference(`127.0.0.1:5000/test/debian@${D}`), {
    registry: '127.0.0.1:5000',
    repository: 'test/debian',
    digest: D,
  });
  assert.deepEqual(parseReference('[::1]:5000/a/b:c'), {
    registry: '[::1]:5000',
    repository: 'a/b',
    tag: 'c',
  });
});

test('malformed references are refused with bad-reference', () => {
  for (const bad of [
    '',
    'UPPER/case',
    'a/../b',
    'host:5000/',
    'repo:bad tag',
    'repo@sha256:abc',
    `repo@sha512:${'a'.repeat(128)}`,
    'user:pass@host/x',
    'host:99999/x',
    'a'.repeat(600),
    'a//b',
  ]) {
    assert.throws(
      () => parseReference(bad),
      (e: unknown) => isRegistryError(e, 'bad-reference'),
      bad,
    );
  }
});

test('http only for loopback or insecure registries', () => {
  assert.equal(registryBaseUrl('localhost:5000'), 'http://localhost:5000');
  assert.equal(registryBaseUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
  assert.equal(registryBaseUrl('[::1]:5000'), 'http://[::1]:5000');
  assert.equal(registryBaseUrl('registry.example.com'), 'https://registry.example.com');
  assert.equal(registryBaseUrl('registry.example.com:8080', true), 'http://registry.example.com:8080');
  assert.equal(registryBaseUrl('docker.io'), 'https://registry-1.docker.io');
  assert.equal(isLoopbackRegistry('localhost.evil.com'), false);
  assert.equal(isLoopbackRegistry('127.0.0.1.nip.io'), false);
});
