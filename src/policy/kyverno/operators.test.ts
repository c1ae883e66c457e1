import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateValueWithPattern } from './operators.js';
import { compareQuantity, formatQuantity, parseQuantity, addQuantity } from './quantity.js';
import { formatDuration, parseDuration } from './duration.js';

const v = validateValueWithPattern;

// Operator table of the Kyverno docs (validate.md, "Operators").
test('comparison operators on numbers and numeric strings', () => {
  assert.equal(v(5, '>3'), true);
  assert.equal(v(3, '>3'), false);
  assert.equal(v(3, '>=3'), true);
  assert.equal(v(2, '<3'), true);
  assert.equal(v('2', '<=3'), true);
  assert.equal(v(10, '!10'), false);
  assert.equal(v(11, '!10'), true);
});

test('quantities compare across scales', () => {
  assert.equal(v('512Mi', '<1Gi'), true);
  assert.equal(v('2Gi', '<=1Gi'), false);
  assert.equal(v('500m', '<1'), true);
  assert.equal(v('1024Mi', '1Gi'), true);
  assert.equal(v('200m', '>=100m'), true);
});

test('durations compare as Go durations', () => {
  assert.equal(v('30m', '<1h'), true);
  assert.equal(v('2h', '<1h'), false);
  assert.equal(v('90s', '>1m'), true);
});

test('or, and, ranges and negated ranges', () => {
  assert.equal(v('Always', 'Always | IfNotPresent'), true);
  assert.equal(v('Never', 'Always | IfNotPresent'), false);
  assert.equal(v(5, '>1 & <10'), true);
  assert.equal(v(15, '>1 & <10'), false);
  assert.equal(v(5, '1-10'), true);
  assert.equal(v(11, '1-10'), false);
  assert.equal(v(11, '1!-10'), true);
  assert.equal(v(5, '1!-10'), false);
});

test('wildcards and negated wildcards in string patterns', () => {
  assert.equal(v('nginx:latest', '!*:latest'), false);
  assert.equal(v('nginx:1.2', '!*:latest'), true);
  assert.equal(v('nginx:1.2', '*:*'), true);
  assert.equal(v('nginx', '*:*'), false);
});

test('comparison operators never match non-numeric strings', () => {
  assert.equal(v('abc', '>1'), false);
  assert.equal(v('abc', '<1'), false);
});

test('null pattern accepts absent, null, empty string, zero and false', () => {
  assert.equal(v(undefined, null), true);
  assert.equal(v(null, null), true);
  assert.equal(v('', null), true);
  assert.equal(v(0, null), true);
  assert.equal(v(false, null), true);
  assert.equal(v('x', null), false);
  assert.equal(v({}, null), false);
});

test('booleans, numbers and strings', () => {
  assert.equal(v(true, true), true);
  assert.equal(v('true', true), false);
  assert.equal(v(1, 1), true);
  assert.equal(v('1', 1), true);
  assert.equal(v(1000, '1000'), true);
  assert.equal(v(undefined, 'x'), false);
  assert.equal(v(undefined, '!x'), false);
});

test('quantities: parse, compare, add, format', () => {
  const gi = parseQuantity('1Gi')!;
  const mi = parseQuantity('512Mi')!;
  assert.equal(compareQuantity(mi, gi), -1);
  assert.equal(formatQuantity(addQuantity(gi, mi)), '1536Mi');
  assert.equal(formatQuantity(parseQuantity('1.5')!), '1500m');
  assert.equal(parseQuantity('abc'), undefined);
  assert.equal(parseQuantity('1h'), undefined);
});

test('durations: parse and Go formatting', () => {
  assert.equal(parseDuration('1h30m'), 5_400_000_000_000n);
  assert.equal(formatDuration(3_600_000_000_000n), '1h0m0s');
  assert.equal(formatDuration(1_500_000_000n), '1.5s');
  assert.equal(formatDuration(500_000_000n), '500ms');
  assert.equal(formatDuration(0n), '0s');
  assert.equal(parseDuration('5'), undefined);
});
