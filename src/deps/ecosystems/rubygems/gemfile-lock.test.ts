import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fixtureInput, textInput } from '../pypi/__fixtures__/fixture-input.js';
import { parseGemfileLock, gemfileLockParser } from './gemfile-lock.js';
import { parseGemfileGroups, scopeOfGroups } from './gemfile-groups.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

test('Gemfile.lock: GIT/PATH/GEM specs, platform variants merged, DEPENDENCIES direct, Gemfile groups scope', () => {
  const r = parseGemfileLock(fixtureInput(fixtures, 'Gemfile.lock'));
  assert.equal(r.errors, undefined);
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.direct, c.scope, c.location.line]),
    [
      ['private_gem', '0.1.0', true, 'prod', 5],
      ['myapp', '1.0.0', true, 'prod', 11],
      ['byebug', '11.1.3', true, 'dev', 17],
      ['nokogiri', '1.13.10', true, 'prod', 18],
      ['racc', '1.6.2', false, 'prod', 22],
      ['rack', '2.2.6', false, 'prod', 23],
      ['rails', '6.1.7', false, 'prod', 24],
      ['rspec', '3.12.0', true, 'test', 26],
      ['rspec-core', '3.12.0', false, 'test', 28],
    ],
  );
  const by = new Map(r.components.map((c) => [c.name, c]));
  assert.equal(by.get('nokogiri')?.purl, 'pkg:gem/nokogiri@1.13.10');
  assert.deepEqual(by.get('nokogiri')?.dependsOn, ['pkg:gem/racc@1.6.2']);
  assert.deepEqual(by.get('private_gem')?.dependsOn, ['pkg:gem/rack@2.2.6']);
  assert.deepEqual(by.get('myapp')?.dependsOn, ['pkg:gem/rails@6.1.7']);
  assert.deepEqual(by.get('rspec')?.dependsOn, ['pkg:gem/rspec-core@3.12.0']);
});

test('Gemfile groups: blocks, inline group options, nested openers', () => {
  const { groups } = parseGemfileGroups(
    'group :development do\n  if x\n    gem "a"\n  end\n  group :test do\n    gem "b"\n  end\n  gem "c"\nend\ngem "d"\ngem "e", groups: [:test, :ci]\n',
  );
  assert.deepEqual([...(groups.get('a') ?? [])], ['development']);
  assert.deepEqual([...(groups.get('b') ?? [])], ['development', 'test']);
  assert.deepEqual([...(groups.get('c') ?? [])], ['development']);
  assert.deepEqual([...(groups.get('d') ?? [])], ['default']);
  assert.deepEqual([...(groups.get('e') ?? [])], ['test', 'ci']);
  assert.equal(scopeOfGroups(new Set(['development', 'test'])), 'dev');
  assert.equal(scopeOfGroups(new Set(['test'])), 'test');
  assert.equal(scopeOfGroups(new Set(['development', 'mysql'])), 'prod');
});

test('Gemfile.lock: without a Gemfile scope is unknown; malformed specs are errors with lines', () => {
  const r = parseGemfileLock(
    textInput(
      'Gemfile.lock',
      'GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.0.6)\n    broken\n     odd-indent (1)\n\nDEPENDENCIES\n  rake\n',
    ),
  );
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.direct, c.scope]),
    [['rake', '13.0.6', true, undefined]],
  );
  assert.deepEqual(
    r.errors?.map((e) => e.line),
    [5, 6],
  );
  const notLock = parseGemfileLock(textInput('Gemfile.lock', '{"not": "a lockfile"}'));
  assert.equal(notLock.components.length, 0);
  assert.equal(notLock.errors?.[0]?.line, 1);
  assert.ok(gemfileLockParser.matches('app/gems.locked'));
});
