import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, runCli, tempDir } from '../helpers.js';

const fixture = path.join(repoRoot, 'test', 'policy', 'fixtures', 'require-labels');

test('policy test: a suite whose expectations hold prints the table and `N passed, 0 failed`, exit 0', () => {
  const r = runCli(['policy', 'test', fixture]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /PASS .*kyverno-test\.yaml/);
  assert.match(r.stdout, /1 test file\(s\): 3 passed, 0 failed/);
});

test('policy test: a wrong expectation is listed as a mismatch and the exit code is 1', () => {
  const tmp = tempDir('rampart-policy-test-');
  try {
    const dir = path.join(tmp.dir, 'suite');
    cpSync(fixture, dir, { recursive: true });
    const file = path.join(dir, '.kyverno-test', 'kyverno-test.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'resources: [bad-pod]\n    result: fail',
        'resources: [bad-pod]\n    result: pass',
      ),
    );
    const r = runCli(['policy', 'test', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /MISS +require-team-label\/check-team +Pod\/bad-pod +expected pass, got fail/);
    assert.match(r.stdout, /2 passed, 1 failed/);
  } finally {
    tmp.cleanup();
  }
});

test('policy apply: failing rules (autogen included) are listed with their messages; a broken policy is a warning naming it', () => {
  const tmp = tempDir('rampart-policy-apply-');
  try {
    cpSync(path.join(fixture, 'policy.yaml'), path.join(tmp.dir, 'policy.yaml'));
    writeFileSync(
      path.join(tmp.dir, 'broken.yaml'),
      'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: broken\nspec:\n  rules:\n    - name: bad-operator\n      match:\n        any:\n          - resources:\n              kinds: [Pod]\n      validate:\n        deny:\n          conditions:\n            any:\n              - key: a\n                operator: Equalz\n                value: b\n',
    );
    const r = runCli([
      'policy',
      'apply',
      '-p',
      tmp.dir,
      '-r',
      path.join(fixture, 'resources.yaml'),
      '-f',
      'json',
    ]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /policy broken.*bad-operator/);
    const out = JSON.parse(r.stdout) as {
      summary: Record<string, number>;
      results: { rule: string; status: string; resource: { name: string }; message: string }[];
    };
    const fails = out.results
      .filter((x) => x.status === 'fail')
      .map((x) => `${x.rule} ${x.resource.name}`)
      .sort();
    assert.deepEqual(fails, ['autogen-check-team bad-deployment', 'check-team bad-pod']);
    assert.ok(out.results.some((x) => x.status === 'pass' && x.resource.name === 'good-pod'));
    assert.match(
      out.results.find((x) => x.resource.name === 'bad-pod')!.message,
      /The label `team` is required/,
    );
  } finally {
    tmp.cleanup();
  }
});

test('policy: bad input is one clear line with exit 2', () => {
  const r = runCli(['policy', 'test', path.join(repoRoot, 'docs')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^rampart: no kyverno-test\.yaml found under /);
  const s = runCli(['policy', 'apply', '-p', '/nonexistent/p', '-r', fixture]);
  assert.equal(s.status, 2);
  assert.match(s.stderr, /^rampart: no such file or directory: \/nonexistent\/p/);
});
