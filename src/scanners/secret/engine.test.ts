import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, detectSecrets, RuleSetError } from './engine.js';
import type { SecretRule } from './rule.js';

const token: SecretRule = {
  id: 'acme-token',
  title: 'Acme token',
  description: 'A token of the fictional Acme API.',
  regex: '\\b(acme_[A-Za-z0-9]{24})\\b',
  keywords: ['acme_'],
  entropy: 3,
  severity: 'high',
  truePositives: ['t = acme_Zx81Qm4Lp0Rt7Vb2Nc6Yd9Ke'],
  falsePositives: ['t = acme_short'],
};

const generic: SecretRule = {
  id: 'generic-api-key',
  title: 'Generic API key',
  description: 'A credential-named assignment with a high-entropy value.',
  regex: '(?:key|token)\\s*[=:]\\s*["\']?([A-Za-z0-9_]{20,64})',
  flags: 'i',
  keywords: ['key', 'token'],
  entropy: 3.5,
  severity: 'medium',
  truePositives: [],
  falsePositives: [],
};

const pem: SecretRule = {
  id: 'private-key',
  title: 'Private key',
  description: 'PEM private key block.',
  regex: '-----BEGIN[A-Z ]{0,20} PRIVATE KEY-----[\\s\\S]{64,8000}?-----END[A-Z ]{0,20} PRIVATE KEY-----',
  keywords: ['-----begin'],
  span: 16384,
  severity: 'critical',
  truePositives: [],
  falsePositives: [],
};

const set = compileRules([token, generic, pem]);

test('reports line, 1-based column and the secret group', () => {
  const text = 'first line\n  api = acme_Zx81Qm4Lp0Rt7Vb2Nc6Yd9Ke;\n';
  const { matches } = detectSecrets(text, 'a.txt', set);
  assert.equal(matches.length, 1);
  const m = matches[0]!;
  assert.equal(m.ruleId, 'acme-token');
  assert.equal(m.secret, 'acme_Zx81Qm4Lp0Rt7Vb2Nc6Yd9Ke');
  assert.deepEqual([m.startLine, m.startColumn, m.endLine, m.endColumn], [2, 9, 2, 38]);
});

test('provider rules win over generic rules on the same secret', () => {
  const { matches } = detectSecrets('token = acme_Zx81Qm4Lp0Rt7Vb2Nc6Yd9Ke', 'a.env', set);
  assert.deepEqual(
    matches.map((m) => m.ruleId),
    ['acme-token'],
  );
  const g = detectSecrets('token = Zx81Qm4Lp0Rt7Vb2Nc6Yd9KeQ', 'a.env', set).matches;
  assert.deepEqual(
    g.map((m) => m.ruleId),
    ['generic-api-key'],
  );
});

test('entropy threshold rejects low-entropy values', () => {
  assert.equal(detectSecrets('token = aaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'a.env', set).matches.length, 0);
});

test('columns count characters, not bytes, after multi-byte text', () => {
  const { matches } = detectSecrets('é€ acme_Zx81Qm4Lp0Rt7Vb2Nc6Yd9Ke', 'a.txt', set);
  assert.equal(matches[0]?.startColumn, 4);
});

test('multi-line rules see the whole block within their span', () => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const body = Array.from({ length: 20 }, (_, i) =>
    Array.from({ length: 64 }, (_, j) => chars[(i * 31 + j * 17 + ((i * j) % 7)) % 64]).join(''),
  ).join('\n');
  const text = `x\n-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\n`;
  const { matches } = detectSecrets(text, 'id_rsa', set);
  assert.equal(matches.length, 1);
  assert.equal(matches[0]!.startLine, 2);
  assert.equal(matches[0]!.endLine, 23);
});

test('a secret far into a very long single line is found', () => {
  const filler = 'var a=function(b){return b+1};'.repeat(50_000);
  const { matches } = detectSecrets(`${filler}x="acme_Zx81Qm4Lp0Rt7Vb2Nc6Yd9Ke";${filler}`, 'min.js', set);
  assert.equal(matches.length, 1);
  assert.equal(matches[0]!.startLine, 1);
});

test('a passed deadline stops detection and says so', () => {
  const text = 'token = Zx81Qm4Lp0Rt7Vb2Nc6Yd9KeQ\n'.repeat(200) + 'acme_Zx81Qm4Lp0Rt7Vb2Nc6Yd9Ke';
  const r = detectSecrets(text, 'a.txt', set, { deadline: Date.now() - 1 });
  assert.equal(r.timedOut, true);
});

test('compileRules lists every problem at once', () => {
  const bad = { ...token, id: 'Bad_Id', keywords: ['AB'], regex: '([' };
  assert.throws(
    () => compileRules([bad, { ...token, secretGroup: 3 }]),
    (err: unknown) => err instanceof RuleSetError && err.problems.length >= 4,
  );
});

test('countCaptureGroups agrees with the RegExp engine', async () => {
  const { countCaptureGroups } = await import('./engine.js');
  for (const src of ['a', '(a)(b)', '(?:a)(b)', '(?<n>a)(?<=b)(?!c)(?<!d)', '[(]\\((x)', '((a)|[\\]()])']) {
    assert.equal(countCaptureGroups(src), new RegExp(`${src}|`).exec('')!.length - 1, src);
  }
});

test('a provider named near a generic match takes the decision: its own format check wins', () => {
  const acme: SecretRule = { ...token, id: 'acme-key', provider: ['acmecorp'] };
  const s2 = compileRules([acme, generic]);
  // wrong format for Acme (no acme_ prefix): the generic rule would fire, but Acme is named nearby
  assert.equal(detectSecrets('acmecorp\ntoken = Zx81Qm4Lp0Rt7Vb2Nc6Yd9KeQ', 'a.env', s2).matches.length, 0);
  // no provider named: the generic rule reports it
  assert.equal(detectSecrets('other\ntoken = Zx81Qm4Lp0Rt7Vb2Nc6Yd9KeQ', 'a.env', s2).matches.length, 1);
  // the provider's own format is reported by its rule
  const m = detectSecrets('acmecorp token = acme_Zx81Qm4Lp0Rt7Vb2Nc6Yd9Ke', 'a.env', s2).matches;
  assert.deepEqual(
    m.map((x) => x.ruleId),
    ['acme-key'],
  );
});
