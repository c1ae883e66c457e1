import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { hookScript, isRampartHook } from './script.js';

test('the hook runs the staged secret scan that blocks on findings', () => {
  const script = hookScript('pre-commit');
  assert.ok(script.startsWith('#!/bin/sh\n'));
  assert.match(script, /^exec "\$@" scan --staged --scanners secret --exit-code 1$/m);
  // Resolution order: the project's own install, then PATH, then npx without downloading.
  const order = ['./node_modules/.bin/rampart', 'command -v rampart', 'npx --no-install rampart'].map((s) =>
    script.indexOf(s),
  );
  assert.ok(
    order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!)),
    `order ${order.join(',')}`,
  );
  assert.doesNotMatch(script, /\r/);
});

test('the hook is valid POSIX sh', () => {
  execFileSync('sh', ['-n'], { input: hookScript('pre-commit') });
});

test('isRampartHook recognises our hooks only', () => {
  assert.equal(isRampartHook(hookScript('pre-commit')), true);
  assert.equal(isRampartHook(hookScript('pre-merge-commit')), true);
  assert.equal(isRampartHook('#!/bin/sh\nnpx lint-staged\n'), false);
  assert.equal(isRampartHook('#!/bin/sh\necho "# rampart-hook: pre-commit v1"\n'), false);
  assert.equal(isRampartHook(''), false);
});
