import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fixtureInput, textInput } from '../pypi/__fixtures__/fixture-input.js';
import { composerLicense, parseComposerLock } from './composer-lock.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

test('composer.lock: packages prod, packages-dev dev, composer.json direct, licences, graph', () => {
  const r = parseComposerLock(fixtureInput(fixtures, 'composer.lock'));
  assert.equal(r.errors, undefined);
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.scope, c.direct, c.location.line, c.licenses]),
    [
      ['guzzlehttp/guzzle', '6.5.2', 'prod', true, 8, ['MIT']],
      ['guzzlehttp/psr7', '1.6.1', 'prod', false, 21, ['MIT']],
      ['symfony/polyfill-mbstring', 'v1.13.1', 'prod', false, 26, ['MIT']],
      ['acme/dual', 'dev-master', 'prod', true, 31, ['GPL-2.0-or-later OR Apache-2.0']],
      ['phpunit/phpunit', '8.5.2', 'dev', true, 38, ['BSD-3-Clause']],
    ],
  );
  assert.equal(r.components[0]?.purl, 'pkg:composer/guzzlehttp/guzzle@6.5.2');
  assert.deepEqual(r.components[0]?.dependsOn, ['pkg:composer/guzzlehttp/psr7@1.6.1']);
  assert.deepEqual(r.components[4]?.dependsOn, ['pkg:composer/symfony/polyfill-mbstring@v1.13.1']);
});

test('composer licence arrays are alternatives', () => {
  assert.equal(composerLicense(['MIT']), 'MIT');
  assert.equal(composerLicense('proprietary'), 'LicenseRef-proprietary');
  assert.equal(composerLicense([]), undefined);
  assert.equal(
    composerLicense(['MIT', 'GPL-2.0-only OR GPL-3.0-only']),
    'MIT OR (GPL-2.0-only OR GPL-3.0-only)',
  );
});

test('composer.lock: malformed JSON and malformed entries are errors with lines', () => {
  const bad = parseComposerLock(
    textInput('composer.lock', '{\n  "packages": [\n    {"name": "a/b" "version": "1"}\n  ]\n}'),
  );
  assert.deepEqual(bad.components, []);
  assert.equal(bad.errors?.[0]?.line, 3);
  const partial = parseComposerLock(
    textInput(
      'composer.lock',
      '{\n  "packages": [\n    {"version": "1"},\n    {"name": "a/b"}\n  ],\n  "packages-dev": 7\n}',
    ),
  );
  assert.deepEqual(
    partial.errors?.map((e) => e.line),
    [3, 6],
  );
  assert.deepEqual(
    partial.unresolved?.map((u) => [u.name, u.line]),
    [['a/b', 4]],
  );
});
