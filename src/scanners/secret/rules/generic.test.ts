import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, detectSecrets } from '../engine.js';
import type { SecretRule } from '../rule.js';
import { genericRules } from './generic.js';

const set = compileRules(genericRules);

function secretsIn(text: string, path = 'config.txt'): string[] {
  return detectSecrets(text, path, set).matches.map((m) => m.secret);
}

for (const rule of genericRules) {
  test(`${rule.id}: every true-positive example is found`, () => {
    assert.ok(rule.truePositives.length >= 5);
    for (const line of rule.truePositives) {
      const found = detectSecrets(line, 'example.txt', set).matches.filter((m) => m.ruleId === rule.id);
      assert.equal(found.length, 1, `not found exactly once: ${line}`);
    }
  });

  test(`${rule.id}: no false-positive example is found`, () => {
    assert.ok(rule.falsePositives.length >= 5);
    for (const line of rule.falsePositives) {
      const found = detectSecrets(line, 'example.txt', set).matches.filter((m) => m.ruleId === rule.id);
      assert.deepEqual(
        found.map((m) => m.secret.slice(0, 6)),
        [],
        `found in: ${line}`,
      );
    }
  });
}

test('the secret group is the value only, across assignment syntaxes', () => {
  const v = 'q8Zr2TfW9LmN4xVb7KcP1sYd';
  const forms = [
    `API_KEY=${v}`,
    `export ACME_TOKEN="${v}"`,
    `acme_secret: '${v}'`,
    `"acmeApiKey": "${v}",`,
    `acme.api.key = ${v}`,
    `const acmeToken = \`${v}\`;`,
    `acmeToken := "${v}"`,
    `$config = array("api_key" => "${v}");`,
    `acme_token ?= ${v}`,
    `<add key="AcmeApiKey" value="${v}" />`,
    `<apiToken>${v}</apiToken>`,
    `<secret>{acme AQAAABAAA ${v}}</secret>`,
    `Authorization: Bearer ${v}`,
    `headers = {"X-Api-Key": "${v}"}`,
    `client.set_auth("token", "${v}")`,
    `acme token - '${v}'`,
    `| acme api key | ${v} |`,
    `[DEBUG] Using acme Key=${v}`,
    `https://api.acme.test/v1/items?api_key=${v}&page=2`,
    `"line": "client_secret = \\"${v}\\";"`,
    `const acmeKey string = "${v}"`,
    `acme_key: str = "${v}"`,
  ];
  for (const form of forms) assert.deepEqual(secretsIn(form), [v], form);
});

test('values that only look like credentials are not reported', () => {
  const cases = [
    // identifiers behind id-like names, public material, checksums
    '"TargetKeyId": "1374ef38-d34e-4d5f-b2c9-4e0daee38855",',
    'client_id: 04b07795-8ddb-461a-bbee-02f9e1bf7b46',
    'publishable_key = "pk_4Qq8Zr2TfW9LmN4xVb7KcP1sYd"',
    'cache_key = "build-3f9a8c7d6e5b4a39281706f5"',
    'token_url: "https://login.acme.test/oauth2/v2.0/token"',
    // code, not a literal
    'api_key = get_api_key(settings.ACME_CONFIG_FILE_2)',
    'const token = await fetchToken(clientSecret2, scope);',
    // a quote that never closes around a clean token
    "acme_token = 'q8Zr2TfW9LmN4xVb7Kc?P1sYd'",
    'acme_token = q8Zr2TfW9LmN4xVb7Kc$P1sYd',
    // low entropy and placeholders
    'api_key = "1111111122222222"',
    'ACME_API_KEY=<your-acme-api-key-123>',
    'secret_key: ${ACME_SECRET_KEY_2}',
  ];
  for (const c of cases) assert.deepEqual(secretsIn(c), [], c);
});

test('a provider rule wins over the generic rule on the same secret', () => {
  const provider: SecretRule = {
    id: 'acme-token',
    title: 'Acme token',
    description: 'A token of the fictional Acme API.',
    regex: '\\b(acme_[A-Za-z0-9]{24})\\b',
    keywords: ['acme_'],
    severity: 'high',
    truePositives: [],
    falsePositives: [],
  };
  const both = compileRules([provider, ...genericRules]);
  const { matches } = detectSecrets('ACME_TOKEN=acme_Zx81Qm4Lp0Rt7Vb2Nc6Yd9Ke', 'a.env', both);
  assert.deepEqual(
    matches.map((m) => m.ruleId),
    ['acme-token'],
  );
});

test('hostile input: long runs of name and value characters stay fast', () => {
  const inputs = [
    `api_key=${'a1'.repeat(50_000)}`,
    `${'key_'.repeat(20_000)}= "x"`,
    `<secret>${'{abc '.repeat(20_000)}</secret>`,
    `token: ${'"'.repeat(50_000)}`,
    `${'token - '.repeat(10_000)}`,
    `${'api_key = \\"'.repeat(5_000)}`,
  ];
  for (const input of inputs) {
    const t0 = performance.now();
    detectSecrets(input, 'hostile.txt', set);
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms on ${input.slice(0, 30)}…`);
  }
});
