import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wildcardMatch } from './wildcard.js';

test('wildcards: * matches any run, ? exactly one character', () => {
  assert.equal(wildcardMatch('*', ''), true);
  assert.equal(wildcardMatch('*:latest', 'nginx:latest'), true);
  assert.equal(wildcardMatch('*:latest', 'nginx:1.2'), false);
  assert.equal(wildcardMatch('?*', ''), false);
  assert.equal(wildcardMatch('?*', 'x'), true);
  assert.equal(wildcardMatch('a?c', 'abc'), true);
  assert.equal(wildcardMatch('a?c', 'ac'), false);
  assert.equal(wildcardMatch('docker.io/*', 'docker.io/library/nginx'), true);
  assert.equal(wildcardMatch('exact', 'exact'), true);
  assert.equal(wildcardMatch('exact', 'exactly'), false);
});

test('wildcards: non-ASCII characters count as one character', () => {
  assert.equal(wildcardMatch('?', '\u{1F600}'), true);
  assert.equal(wildcardMatch('a?b', 'a\u00e9b'), true);
});

test('wildcards: hostile patterns stay linear', () => {
  const pattern = 'a*'.repeat(2000) + 'b';
  const name = 'a'.repeat(20000);
  const start = Date.now();
  assert.equal(wildcardMatch(pattern, name), false);
  assert.ok(Date.now() - start < 2000);
});
