import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKeywordAutomaton } from './aho-corasick.js';

function hits(keywords: string[], text: string): [string, number][] {
  const ac = buildKeywordAutomaton(keywords);
  const out: [string, number][] = [];
  ac.scan(Buffer.from(text), (k, end) => {
    out.push([keywords[k]!, end]);
  });
  return out;
}

test('finds every occurrence, including overlapping and suffix keywords', () => {
  assert.deepEqual(hits(['he', 'she', 'his', 'hers'], 'ushers'), [
    ['she', 4],
    ['he', 4],
    ['hers', 6],
  ]);
});

test('matches ASCII case-insensitively against lower-case keywords', () => {
  assert.deepEqual(hits(['akia', 'ghp_'], 'x AKIA y GhP_ z'), [
    ['akia', 6],
    ['ghp_', 13],
  ]);
});

test('agrees with a naive search on random text', () => {
  const keywords = ['key', 'token', 'secret', 'ab', 'abc', 'bca', 'password', 'k'];
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabet = 'abcKEYtokensecrpwd_ ';
  let text = '';
  for (let i = 0; i < 5000; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
  const expected: [string, number][] = [];
  const lower = text.toLowerCase();
  for (let end = 1; end <= lower.length; end++) {
    for (const k of keywords)
      if (end >= k.length && lower.slice(end - k.length, end) === k) expected.push([k, end]);
  }
  const got = hits(keywords, text);
  const key = (h: [string, number]) => `${h[1]}:${h[0]}`;
  assert.deepEqual(got.map(key).sort(), expected.map(key).sort());
});

test('test() stops at the first keyword and handles multi-byte keywords', () => {
  const ac = buildKeywordAutomaton(['clé', 'zzz']);
  assert.equal(ac.test(Buffer.from('une clé secrète')), true);
  assert.equal(ac.test(Buffer.from('nothing here')), false);
});
