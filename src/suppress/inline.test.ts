import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../core/finding.js';
import { inlineSuppression, parseInlineDirectives } from './inline.js';

/** A file mixing comment syntaxes; findings below point at its lines. */
const FILE = [
  /* 1 */ 'API_TOKEN = "x"  # rampart:ignore',
  /* 2 */ 'const k = "x"; // rampart:ignore github-pat, secret/slack-webhook -- test fixture',
  /* 3 */ '<!-- rampart:ignore-next-line secret/private-key -->',
  /* 4 */ '-----BEGIN RSA PRIVATE KEY-----',
  /* 5 */ "password: 'x' /* rampart:ignore generic-password */",
  /* 6 */ 'token = "x" -- rampart:ignore SECRET/GITHUB-PAT',
  /* 7 */ 'export TOKEN=x # rampart:ignored (not the marker)',
  /* 8 */ 'x = 1 # not a directive: rampart:ignore-foo',
  /* 9 */ 'key = x # see rampart:ignore-next-line (but applies to the next line only)',
  /* 10 */ 'AWS_KEY=x',
  /* 11 */ 'y = "x" # myrampart:ignore',
  /* 12 */ 'z = "x" # rampart:ignore because it is a test',
  /* 13 */ 'w = "x" # rampart:ignore-->',
].join('\r\n');

const lines = FILE.split('\n');
const lineAt = (n: number) => lines[n - 1];

function finding(ruleId: string, line: number, scanner: Finding['scanner'] = 'secret'): Finding {
  return {
    scanner,
    ruleId,
    title: 't',
    message: 'm',
    severity: 'high',
    confidence: 'high',
    location: { path: 'app/config.txt', startLine: line, endLine: line },
    fingerprint: 'f'.repeat(32),
    references: [],
    cwe: [],
  };
}

test('rampart:ignore with no rule suppresses every rule on that line', () => {
  assert.deepEqual(inlineSuppression(finding('secret/aws-access-key', 1), lineAt), {
    kind: 'inline',
    source: 'app/config.txt:1',
  });
  assert.deepEqual(inlineSuppression(finding('secret/generic-api-key', 13), lineAt), {
    kind: 'inline',
    source: 'app/config.txt:13',
  });
});

test('rule lists (spaces or commas, with or without the scanner prefix) and the reason after --', () => {
  assert.deepEqual(inlineSuppression(finding('secret/github-pat', 2), lineAt), {
    kind: 'inline',
    reason: 'test fixture',
    source: 'app/config.txt:2',
  });
  assert.equal(inlineSuppression(finding('secret/slack-webhook', 2), lineAt)?.kind, 'inline');
  assert.equal(inlineSuppression(finding('secret/stripe-key', 2), lineAt), undefined);
  assert.equal(inlineSuppression(finding('secret/generic-password', 5), lineAt)?.kind, 'inline');
  assert.equal(
    inlineSuppression(finding('secret/github-pat', 6), lineAt)?.kind,
    'inline',
    'case-insensitive',
  );
  // Words that are not after `--` are rule ids: this comment names rules "because", "it"…
  assert.equal(inlineSuppression(finding('secret/github-pat', 12), lineAt), undefined);
});

test('rampart:ignore-next-line covers only the following line', () => {
  assert.deepEqual(inlineSuppression(finding('secret/private-key', 4), lineAt), {
    kind: 'inline',
    source: 'app/config.txt:3',
  });
  assert.equal(inlineSuppression(finding('secret/github-pat', 4), lineAt), undefined, 'other rule');
  assert.equal(inlineSuppression(finding('secret/private-key', 3), lineAt), undefined, 'not its own line');
  assert.equal(inlineSuppression(finding('secret/aws-access-key', 10), lineAt)?.source, 'app/config.txt:9');
  // …and a plain rampart:ignore on the line before does not reach the next line.
  assert.equal(inlineSuppression(finding('secret/github-pat', 3), lineAt), undefined);
});

test('look-alikes are not directives', () => {
  for (const n of [7, 8, 11])
    assert.equal(inlineSuppression(finding('secret/github-pat', n), lineAt), undefined, `line ${n}`);
});

test('the scanner prefix is the finding’s own; findings without a line are never inline-suppressed', () => {
  const misconfig = finding('misconfig/github-pat', 2, 'misconfig');
  assert.equal(inlineSuppression(misconfig, lineAt)?.kind, 'inline');
  // `secret/slack-webhook` names the secret rule, not misconfig/slack-webhook.
  assert.equal(inlineSuppression(finding('misconfig/slack-webhook', 2, 'misconfig'), lineAt), undefined);
  const noLine: Finding = { ...finding('secret/github-pat', 1), location: undefined };
  assert.equal(inlineSuppression(noLine, lineAt), undefined);
  assert.equal(inlineSuppression(finding('secret/github-pat', 99), lineAt), undefined);
});

test('directive parsing', () => {
  assert.deepEqual(parseInlineDirectives('a # rampart:ignore x y,z -- why */'), [
    { nextLine: false, rules: ['x', 'y', 'z'], reason: 'why' },
  ]);
  assert.deepEqual(parseInlineDirectives('<!-- rampart:ignore-next-line secret/a-b-->'), [
    { nextLine: true, rules: ['secret/a-b'] },
  ]);
  assert.deepEqual(parseInlineDirectives('no marker here'), []);
  assert.deepEqual(parseInlineDirectives('rampart:ignore a rampart:ignore-next-line b').length, 1);
});

test('hostile lines stay cheap and bounded', () => {
  const long = `x # rampart:ignore ${'r '.repeat(200_000)}`;
  const started = Date.now();
  const [d] = parseInlineDirectives(long);
  assert.equal(d!.rules.length, 64);
  const many = 'rampart:ignore-'.repeat(100_000);
  assert.ok(parseInlineDirectives(many).length <= 1);
  assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
});
