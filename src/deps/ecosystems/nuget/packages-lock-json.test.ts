import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fixtureInput, textInput } from '../pypi/__fixtures__/fixture-input.js';
import { packagesLockJsonParser, parsePackagesLockJson } from './packages-lock-json.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

test('packages.lock.json: deduplicated across frameworks, Project skipped, Direct/Transitive/CentralTransitive', () => {
  const r = parsePackagesLockJson(fixtureInput(fixtures, 'packages.lock.json'));
  assert.equal(r.errors, undefined);
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.direct, c.location.line]),
    [
      ['Newtonsoft.Json', '13.0.1', true, 5],
      ['Serilog.Sinks.File', '5.0.0', true, 11],
      ['Serilog', '2.10.0', false, 20],
      ['System.Text.Json', '8.0.4', false, 25],
      ['serilog', '2.12.0', false, 45],
    ],
  );
  assert.equal(r.components[0]?.purl, 'pkg:nuget/Newtonsoft.Json@13.0.1');
  // Each framework's edge resolves against that framework's entries, case-insensitively.
  assert.deepEqual(r.components[1]?.dependsOn, ['pkg:nuget/Serilog@2.10.0', 'pkg:nuget/serilog@2.12.0']);
});

test('packages.lock.json: malformed input is an error with its line', () => {
  const bad = parsePackagesLockJson(
    textInput(
      'packages.lock.json',
      '{\n  "version": 1,\n  "dependencies": {\n    "net6.0": {\n      "A": {"type": "Direct" "resolved": "1.0.0"}\n',
    ),
  );
  assert.deepEqual(bad.components, []);
  assert.equal(bad.errors?.[0]?.line, 5);
  const notLock = parsePackagesLockJson(textInput('packages.lock.json', '{"version": 1}'));
  assert.match(notLock.errors?.[0]?.message ?? '', /no "dependencies"/);
  const odd = parsePackagesLockJson(
    textInput(
      'packages.lock.json',
      '{\n "version": 1,\n "dependencies": {\n  "net6.0": {\n   "A": 5,\n   "B": {"type": "Transitive"}\n  }\n }\n}',
    ),
  );
  assert.deepEqual(
    odd.errors?.map((e) => e.line),
    [5],
  );
  assert.deepEqual(
    odd.unresolved?.map((u) => [u.name, u.line]),
    [['B', 6]],
  );
  assert.ok(packagesLockJsonParser.matches('src/Api/packages.lock.json'));
  assert.ok(!packagesLockJsonParser.matches('src/Api/package-lock.json'));
});
