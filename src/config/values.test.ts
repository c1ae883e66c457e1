import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ValueProblem,
  parseBoolean,
  parseDuration,
  parseExitCode,
  parseList,
  parseProgress,
  parseRuleIds,
  parseScanners,
  parseSeverities,
  parseSize,
} from './values.js';

test('sizes: bytes or a binary unit, case-insensitive', () => {
  const cases: [unknown, number][] = [
    [4096, 4096],
    ['4096', 4096],
    ['10MB', 10 * 1024 * 1024],
    ['10 mb', 10 * 1024 * 1024],
    ['512KB', 512 * 1024],
    ['512k', 512 * 1024],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['1g', 1024 ** 3],
    ['100b', 100],
  ];
  for (const [raw, bytes] of cases) assert.equal(parseSize(raw), bytes, String(raw));
  for (const bad of ['', 'MB', '10 parsecs', '-1', '0', 0, 1.5, '1e9', '10TB', '9'.repeat(20)]) {
    assert.throws(() => parseSize(bad), ValueProblem, String(bad));
  }
});

test('durations: milliseconds or ms/s/m', () => {
  const cases: [unknown, number][] = [
    [1500, 1500],
    ['1500', 1500],
    ['500ms', 500],
    ['10s', 10_000],
    ['2.5s', 2500],
    ['1m', 60_000],
    ['5S', 5000],
  ];
  for (const [raw, ms] of cases) assert.equal(parseDuration(raw), ms, String(raw));
  for (const bad of ['', 's', '10h', '0', '0ms', '1441m', -5, 'ten seconds']) {
    assert.throws(() => parseDuration(bad), ValueProblem, String(bad));
  }
});

test('exit codes, booleans, progress, lists, rule ids', () => {
  assert.equal(parseExitCode('0'), 0);
  assert.equal(parseExitCode(255), 255);
  for (const bad of ['256', '-1', '1.0', 'one', 2.5])
    assert.throws(() => parseExitCode(bad), ValueProblem, String(bad));
  assert.deepEqual(['true', 'YES', '1', 'on', true].map(parseBoolean), [true, true, true, true, true]);
  assert.deepEqual(['false', 'No', '0', 'off', false].map(parseBoolean), [false, false, false, false, false]);
  assert.throws(() => parseBoolean('2'), ValueProblem);
  assert.deepEqual(['auto', 'ALWAYS', 'never', 'true', 'false', true].map(parseProgress), [
    'auto',
    'always',
    'never',
    'auto',
    'never',
    'auto',
  ]);
  assert.deepEqual(parseList(' a, b ,,c '), ['a', 'b', 'c']);
  assert.deepEqual(parseList(['x', ' y ']), ['x', 'y']);
  assert.deepEqual(parseRuleIds('secret/jwt, github-pat,SECRET/x'), ['jwt', 'github-pat', 'x']);
});

test('scanners and severities', () => {
  assert.deepEqual(parseScanners('secret, SECRET'), ['secret']);
  assert.deepEqual(parseScanners(['secret', 'deps']), ['secret', 'deps']);
  assert.throws(() => parseScanners('secrets'), /unknown scanner "secrets"/);
  assert.throws(() => parseScanners(''), /at least one scanner/);
  assert.deepEqual(parseSeverities('HIGH,CRITICAL,high'), ['high', 'critical']);
  assert.deepEqual(parseSeverities(['Unknown']), ['info']);
  assert.throws(() => parseSeverities('urgent'), /unknown severity "urgent"/);
});
