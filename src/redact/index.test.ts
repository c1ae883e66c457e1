import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor, redact } from './index.js';

// Test tokens are assembled at run time so that this file does not itself look like it leaks one.
const GITHUB_PAT = ['ghp', 'R8nq2ZxK4vT7bW1mLp9sD3fH6jC0aYe5uQiN'].join('_');
const AWS_KEY_ID = ['AKIA', 'QX7PZ4N2RWT6YB3M'].join('');
/** Deterministic base64 lines that look like a key body. */
function base64Lines(n: number): string[] {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let a = 12345; // mulberry32
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return Array.from({ length: n }, () => Array.from({ length: 64 }, () => chars[next() % 64]).join(''));
}
const SLACK_BOT = ['xoxb', '2048663817', '4421087193025', 'Vq8KzT3nWm5RbY1cLp7DxH2e'].join('-');

test('text without any secret comes back unchanged (the same string)', () => {
  const text = 'GET /api/users 200 12ms user=alice keys=3 token_count=17';
  assert.equal(redact(text), text);
  assert.equal(redact(''), '');
});

test('a provider token is replaced by <redacted:RULE-ID>, the rest of the text is intact', () => {
  const out = redact(`auth failed for token ${GITHUB_PAT} (user alice)`);
  assert.equal(out, 'auth failed for token <redacted:github-pat> (user alice)');
});

test('several secrets of different kinds in one text are all masked', () => {
  const out = redact(`aws=${AWS_KEY_ID}; slack=${SLACK_BOT}; gh=${GITHUB_PAT}`);
  assert.ok(!out.includes(AWS_KEY_ID) && !out.includes(SLACK_BOT) && !out.includes(GITHUB_PAT), out);
  assert.match(out, /^aws=<redacted:[a-z0-9-]+>; slack=<redacted:[a-z0-9-]+>; gh=<redacted:github-pat>$/);
});

test('the same secret twice is masked twice', () => {
  const out = redact(`${GITHUB_PAT} and again ${GITHUB_PAT}`);
  assert.equal(out, '<redacted:github-pat> and again <redacted:github-pat>');
});

test('a credential assignment is masked by the generic rule', () => {
  const value = ['Zq8', 'vN3', 'xP7', 'rT2', 'kW9', 'mB4', 'yL6'].join('');
  const out = redact(`connecting with password="${value}" to db`);
  assert.ok(!out.includes(value), out);
  assert.match(out, /^connecting with password="<redacted:[a-z0-9-]+>" to db$/);
});

test("mask 'prefix' shows at most 4 characters and the length", () => {
  const out = redact(`token ${GITHUB_PAT}`, { mask: 'prefix' });
  assert.equal(out, `token ghp_…(${GITHUB_PAT.length})`);
});

test('a custom mask function receives the rule id and the secret', () => {
  const seen: string[] = [];
  const out = redact(`x ${GITHUB_PAT} y`, {
    mask: (m) => {
      seen.push(`${m.ruleId}:${m.secret === GITHUB_PAT}`);
      return '***';
    },
  });
  assert.equal(out, 'x *** y');
  assert.deepEqual(seen, ['github-pat:true']);
});

test('positions are right around multi-byte characters and astral symbols', () => {
  const out = redact(`héllo 🔑 ${GITHUB_PAT} — ünïcode after`);
  assert.equal(out, 'héllo 🔑 <redacted:github-pat> — ünïcode after');
});

test('createRedactor applies only the chosen rules', () => {
  const onlyGithub = createRedactor({ rules: ['secret/github-pat'] });
  assert.deepEqual(onlyGithub.ruleIds, ['github-pat']);
  const out = onlyGithub.redact(`${GITHUB_PAT} ${AWS_KEY_ID}`);
  assert.equal(out, `<redacted:github-pat> ${AWS_KEY_ID}`);
  assert.equal(onlyGithub.hasSecret(AWS_KEY_ID), false);
  assert.equal(onlyGithub.hasSecret(`x ${GITHUB_PAT}`), true);

  const noGithub = createRedactor({ disableRules: ['github-pat'] });
  assert.ok(!noGithub.ruleIds.includes('github-pat'));
  assert.ok(noGithub.redact(`${AWS_KEY_ID}`) !== AWS_KEY_ID);
});

test('unknown rule ids fail when the redactor is created, not later', () => {
  assert.throws(() => createRedactor({ rules: ['no-such-rule'] }), /unknown rule id\(s\): no-such-rule/);
  assert.throws(() => createRedactor({ disableRules: ['nope'] }), /unknown rule id/);
});

test('jsonSafe output stays valid JSON when a secret touches escape sequences', () => {
  const cases = [
    { msg: `a\n${GITHUB_PAT}\n` },
    { msg: `"${GITHUB_PAT}"` },
    { msg: `tab\t${GITHUB_PAT}\u0001`, other: 'é' },
    { nested: { list: [GITHUB_PAT, 'x\\', AWS_KEY_ID] } },
  ];
  for (const obj of cases) {
    const line = JSON.stringify(obj);
    const out = redact(line, { jsonSafe: true });
    assert.doesNotThrow(() => JSON.parse(out), `invalid JSON: ${out}`);
    assert.ok(!out.includes(GITHUB_PAT) && !out.includes(AWS_KEY_ID), out);
  }
  // A PEM private key in a log line: its line breaks are `\n` escapes in the JSON text.
  const pem = [
    `-----BEGIN RSA ${'PRIVATE'} KEY-----`,
    ...base64Lines(12),
    `-----END RSA ${'PRIVATE'} KEY-----`,
  ].join('\n');
  const pemLine = JSON.stringify({ level: 50, msg: 'bad key', key: pem });
  const pemOut = redact(pemLine, { jsonSafe: true });
  assert.ok(!pemOut.includes(base64Lines(12)[3]!), pemOut);
  assert.equal(JSON.parse(pemOut).msg, 'bad key');

  const custom = redact(JSON.stringify({ t: GITHUB_PAT }), { jsonSafe: true, mask: () => 'a"b\\c' });
  assert.deepEqual(JSON.parse(custom), { t: 'a"b\\c' });
});

test('the no-keyword fast path costs microseconds per line', () => {
  const line = JSON.stringify({
    level: 30,
    time: 1700000000000,
    pid: 4242,
    hostname: 'web-1',
    msg: 'request completed',
    status: 200,
  });
  redact(line); // compile outside the measurement
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) redact(line);
  const perLine = ((performance.now() - t0) * 1000) / n;
  assert.ok(perLine < 50, `${perLine.toFixed(1)} µs per line`);
});
