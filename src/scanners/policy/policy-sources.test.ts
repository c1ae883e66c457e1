import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dropDuplicatePolicies, packName, policyFilesOf, policyFilesUnder } from './policy-sources.js';

const policy = (kind: string, name: string, namespace?: string) => ({
  apiVersion: 'kyverno.io/v1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  spec: { rules: [] },
});

test('pack names: the file stems of policies/ are accepted as aliases', () => {
  assert.equal(packName('pod-security-restricted'), 'restricted');
  assert.equal(packName('pod-security-baseline'), 'baseline');
  assert.equal(packName(' best-practices '), 'best-practices');
  assert.equal(packName('all'), 'all');
  assert.equal(packName('pod-security-unknown'), 'pod-security-unknown');
});

test('default packs when nothing is configured; paths alone replace them', () => {
  const defaults = policyFilesOf({}).map((f) => path.basename(f));
  assert.deepEqual(defaults, [
    'pod-security-baseline.yaml',
    'pod-security-restricted.yaml',
    'best-practices.yaml',
  ]);
  const dir = mkdtempSync(path.join(tmpdir(), 'rampart-policy-'));
  try {
    writeFileSync(path.join(dir, 'b.yaml'), '');
    writeFileSync(path.join(dir, 'a.json'), '');
    writeFileSync(path.join(dir, 'notes.txt'), '');
    mkdirSync(path.join(dir, '.kyverno-test'));
    writeFileSync(path.join(dir, '.kyverno-test', 'kyverno-test.yaml'), '');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'c.yml'), '');
    assert.deepEqual(
      policyFilesUnder(dir).map((f) => path.relative(dir, f)),
      ['a.json', 'b.yaml', path.join('sub', 'c.yml')],
    );
    assert.deepEqual(
      policyFilesOf({ paths: [dir] }).map((f) => path.relative(dir, f)),
      ['a.json', 'b.yaml', path.join('sub', 'c.yml')],
    );
    // Both: the user's files first (their policies win over a built-in of the same name).
    const both = policyFilesOf({ paths: [path.join(dir, 'b.yaml')], builtin: ['best-practices'] });
    assert.deepEqual(
      both.map((f) => path.basename(f)),
      ['b.yaml', 'best-practices.yaml'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a policy defined twice: the first definition is kept and the second reported', () => {
  const first = policy('ClusterPolicy', 'p');
  const second = { ...policy('ClusterPolicy', 'p'), spec: { other: true } };
  const r = dropDuplicatePolicies([
    first,
    policy('Policy', 'p', 'team-a'),
    policy('Policy', 'p', 'team-b'),
    { kind: 'Pod', metadata: { name: 'p' } },
    second,
  ]);
  assert.equal(r.docs.length, 4);
  assert.equal(r.docs[0], first);
  assert.deepEqual(r.problems, [
    'policy ClusterPolicy//p is defined more than once; the first definition is used',
  ]);
});
