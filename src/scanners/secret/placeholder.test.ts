import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPlaceholder } from './placeholder.js';

const placeholders: [string, string][] = [
  // templates and references
  ['${API_KEY}', 'shell/compose variable'],
  ['${{ secrets.GITHUB_TOKEN }}', 'GitHub Actions expression'],
  ['{{ .Values.password }}', 'Helm template'],
  ['%(db_password)s', 'Python %-format'],
  ['#{vault_token}', 'Ruby interpolation'],
  ['<your-api-token>', 'angle-bracket placeholder'],
  ['[PASSWORD]', 'bracketed placeholder'],
  ['$API_KEY', 'bare variable'],
  ['$(gcloud auth print-access-token)', 'command substitution'],
  ['%APPDATA_TOKEN%', 'Windows variable'],
  ['process.env.STRIPE_SECRET_KEY', 'Node environment lookup'],
  ['os.environ["OPENAI_API_KEY"]', 'Python environment lookup'],
  // masked or constant bodies
  ['ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'masked body after a prefix'],
  ['xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx', 'masked Slack token'],
  ['****************', 'stars'],
  ['################', 'hashes'],
  ['00000000000000000000000000000000', 'zeros'],
  ['sk-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'one repeated letter'],
  ['aaaaaaaaaa1111111111bbbbbbbbbb2222222222', 'blocks of repeated characters'],
  ['glc_111111111111111111111111111111111111111111=', 'repeated digit'],
  // sequences
  ['abcdefghijklmnopqrstuvwxyz123456', 'alphabet'],
  ['sk_abcdefghijklmnopqrstuvwxyz123', 'alphabet after a prefix'],
  ['12345678901234567890', 'digits in order'],
  // documented examples and placeholder wording
  ['AKIAIOSFODNN7EXAMPLE', 'AWS documentation access key'],
  ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS documentation secret key'],
  ['EXAMPLEq76owjnks3lnluwg65scbemvw', 'EXAMPLE marker'],
  ['your_api_key', 'your_api_key'],
  ['YOUR_SCRAPING_BEE_API_KEY', '"your" segment'],
  ['insert-token-here', 'instruction wording'],
  ['changeme', 'changeme'],
  ['sk_live_REDACTED', 'redacted marker'],
  ['dummy-password', 'dummy wording'],
  ['a-fake-api-key', 'fake wording only'],
  ['yourapikey', 'placeholder words run together'],
  ['MyPassword123', 'placeholder words and a short number'],
  ['ops_eyJzaWduSW5BZGRyZXNzIjoiaHR0cHM6...', 'elided with dots'],
  ['…6wqX6fNUXA/rYqRvfQ+EZAKGqQRiRyqA…', 'elided with an ellipsis'],
  ['ZHVtbXkgdGV4dCBkYXRhIGRhdGEgZGF0YQ==', 'base64 of "dummy text data data data"'],
  ['', 'empty'],
];

const secrets: [string, string][] = [
  ['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', 'GitHub PAT'],
  ['H8VuKAcg3pmwH3NbhOSDJSbVqCxslaOQ7lVqF61be25HEGzCJXzzCGoxw8sE', 'random alphanumeric'],
  [
    'skCrESWvpXysjmfakeaMGdMecRnw2mTVURqlVABArKApL1j4SLUhFAKEEizjp7ymM8pebv0ScqyqelbLD',
    'contains "fake" inside random text',
  ],
  ['1c73ff35-2415-fc58-8712-3d24f00cbe2a', 'UUID-shaped key'],
  ['Cw8xeDNK6Bub3p61aq5ij/TiVvtBicpTj5rverVezj+ACRBPkEcx', 'base64 with symbols'],
  ['xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1', 'Slack bot token'],
  ['dp.ct.5KE9aLrlMoprKwgigGZl1zJOOMQDcYPTWoTPujmF5Tm3', 'dotted prefix'],
  ['testAKCwithinsomeirrelevantstringXk29', 'contains "test" as a prefix'],
  ['57d2de35873840b5ad59d742e90e974e', 'hex key'],
  ['SecureP@ss123', 'password with symbols'],
  ['dHJ1ZmZsZWhvZzpiZDQyNzQ2Yy1hNzc3LTQ4ZDktYjBhMi04N2I2YzEzMjdkMDA=', 'base64 of user:password'],
];

for (const [value, why] of placeholders) {
  test(`placeholder: ${why}`, () => {
    assert.equal(isPlaceholder(value), true, value);
  });
}

for (const [value, why] of secrets) {
  test(`not a placeholder: ${why}`, () => {
    assert.equal(isPlaceholder(value), false, value);
  });
}

test('a value captured inside a template on its line is a placeholder', () => {
  assert.equal(isPlaceholder('secrets.DOCKER_PASSWORD', 'password: ${{ secrets.DOCKER_PASSWORD }}'), true);
  assert.equal(isPlaceholder('NPM_TOKEN', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}'), true);
  assert.equal(isPlaceholder('API_TOKEN', '-H "Authorization: Bearer <API_TOKEN>"'), true);
});

test('the same value written literally on its line is not a placeholder', () => {
  const v = 'q8Zr2TfW9LmN4xVb7KcP1sYd';
  assert.equal(isPlaceholder(v, `API_TOKEN=${v}`), false);
  assert.equal(isPlaceholder(v, `token: "${v}" # not \${{ secrets.X }}`), false);
});

test('hostile input: long values are judged quickly and without error', () => {
  const long = 'a1'.repeat(200_000);
  const t0 = performance.now();
  assert.equal(typeof isPlaceholder(long, `k=${long}`), 'boolean');
  assert.equal(isPlaceholder('x'.repeat(100_000)), true);
  assert.ok(performance.now() - t0 < 1000);
});
