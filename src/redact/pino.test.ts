import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { redactingHooks } from './pino.js';

const GITHUB_PAT = ['ghp', 'R8nq2ZxK4vT7bW1mLp9sD3fH6jC0aYe5uQiN'].join('_');

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

test('a real pino logger writes no token, and everything else intact', () => {
  const { stream, lines } = capture();
  const logger = pino({ hooks: redactingHooks(), base: { service: 'billing' }, timestamp: false }, stream);
  logger.info({ user: 'alice', header: `token ${GITHUB_PAT}` }, `pushing with ${GITHUB_PAT}`);
  logger.child({ requestId: 'r-42' }).warn('nothing secret here');
  const out = lines();
  assert.equal(out.length, 2);
  assert.ok(!out.join('\n').includes(GITHUB_PAT));
  const first = JSON.parse(out[0]!);
  assert.equal(first.msg, 'pushing with <redacted:github-pat>');
  assert.equal(first.header, 'token <redacted:github-pat>');
  assert.equal(first.user, 'alice');
  assert.equal(first.service, 'billing');
  assert.equal(first.level, 30);
  assert.deepEqual(JSON.parse(out[1]!), {
    level: 40,
    service: 'billing',
    requestId: 'r-42',
    msg: 'nothing secret here',
  });
});

test('error stacks and quoted secrets keep the line valid JSON', () => {
  const { stream, lines } = capture();
  const logger = pino({ hooks: redactingHooks({ mask: 'prefix' }), timestamp: false }, stream);
  logger.error(new Error(`request failed: Authorization: "Bearer ${GITHUB_PAT}"\n  at x`));
  const [line] = lines();
  assert.ok(line && !line.includes(GITHUB_PAT));
  const parsed = JSON.parse(line);
  assert.match(parsed.msg, new RegExp(`Bearer ghp_…\\(${GITHUB_PAT.length}\\)`));
  assert.ok(!String(parsed.err.stack).includes(GITHUB_PAT));
});
