import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byKey, depsOf, fixtureInput, textInput } from './__fixtures__/input.js';
import { packageLockParser } from './package-lock.js';

type Expect = [key: string, scope: string, direct: boolean | undefined, line: number];

function check(folder: string, file: string, expected: Expect[]): ReturnType<typeof packageLockParser.parse> {
  const result = packageLockParser.parse(fixtureInput(folder, file));
  assert.equal(result.errors, undefined);
  const got = byKey(result.components);
  assert.deepEqual([...got.keys()].sort(), expected.map((e) => e[0]).sort());
  for (const [key, scope, direct, line] of expected) {
    const c = got.get(key);
    assert.ok(c, key);
    assert.equal(c.scope, scope, `${key} scope`);
    assert.equal(c.direct, direct, `${key} direct`);
    assert.deepEqual(c.location, { path: file, line }, `${key} location`);
    assert.equal(c.ecosystem, 'npm');
    assert.equal(c.id, c.purl);
  }
  assert.equal(new Set(result.components.map((c) => c.id)).size, result.components.length);
  return result;
}

test('matches package-lock.json and npm-shrinkwrap.json only', () => {
  assert.ok(packageLockParser.matches('a/b/package-lock.json'));
  assert.ok(packageLockParser.matches('npm-shrinkwrap.json'));
  assert.ok(!packageLockParser.matches('package.json'));
  assert.ok(!packageLockParser.matches('node_modules/.package-lock.json'));
});

test('lockfileVersion 1: nested dependencies, aliases, bundled entries, direct from package.json', () => {
  const r = check('package-lock-v1', 'package-lock.json', [
    ['aaa-dev-tool@0.1.0', 'dev', false, 7],
    // first seen as a nested dev copy (line 16), also installed at the top level for production
    ['ms@2.0.0', 'prod', false, 16],
    ['debug@2.6.9', 'prod', false, 24],
    ['express@4.17.1', 'prod', true, 32],
    ['fsevents@2.3.2', 'optional', true, 41],
    ['git-dep@github:user/git-dep#abc123', 'prod', true, 47],
    ['mocha@8.4.0', 'dev', true, 54],
    ['debug@4.3.1', 'dev', false, 65],
    ['ms@2.1.2', 'dev', false, 74],
    ['ms@2.1.3', 'dev', false, 82],
    ['npm-packlist@1.4.8', 'dev', false, 88],
    ['dezalgo@1.0.3', 'dev', false, 97], // bundled, "resolved": false
    ['string-width@4.2.3', 'prod', true, 113], // "string-width-cjs": "npm:string-width@4.2.3"
  ]);
  const c = r.components;
  assert.equal(byKey(c).get('string-width@4.2.3')?.purl, 'pkg:npm/string-width@4.2.3');
  assert.deepEqual(depsOf(c, 'express@4.17.1'), ['debug@2.6.9', 'ms@2.0.0']);
  assert.deepEqual(depsOf(c, 'mocha@8.4.0'), ['debug@4.3.1', 'ms@2.1.3', 'npm-packlist@1.4.8']);
  assert.deepEqual(depsOf(c, 'debug@4.3.1'), ['ms@2.1.2']);
  assert.deepEqual(depsOf(c, 'npm-packlist@1.4.8'), ['dezalgo@1.0.3']);
  assert.deepEqual(depsOf(c, 'aaa-dev-tool@0.1.0'), ['ms@2.0.0']);
});

test('lockfileVersion 1 without package.json: direct is unknown', () => {
  const r = packageLockParser.parse(fixtureInput('package-lock-v1', 'package-lock.json', false));
  assert.ok(r.components.every((c) => c.direct === undefined));
  assert.equal(r.components.length, 13);
});

test('lockfileVersion 2: packages map wins over the legacy section; node_modules lookup; licences', () => {
  const r = check('package-lock-v2', 'package-lock.json', [
    ['body-parser@1.19.0', 'prod', true, 18],
    ['debug@2.6.9', 'prod', false, 31],
    ['ms@2.0.0', 'prod', false, 40],
    ['bytes@3.1.0', 'prod', false, 46],
    ['debug@4.3.4', 'dev', false, 52],
    ['eslint@8.10.0', 'dev', true, 62],
    ['ms@2.1.2', 'dev', false, 72],
  ]);
  const c = r.components;
  assert.deepEqual(byKey(c).get('body-parser@1.19.0')?.licenses, ['MIT']);
  assert.deepEqual(depsOf(c, 'body-parser@1.19.0'), ['bytes@3.1.0', 'debug@2.6.9']);
  assert.deepEqual(depsOf(c, 'debug@2.6.9'), ['ms@2.0.0']); // the copy next to body-parser, not the top-level 2.1.2
  assert.deepEqual(depsOf(c, 'eslint@8.10.0'), ['debug@4.3.4']);
  assert.deepEqual(depsOf(c, 'debug@4.3.4'), ['ms@2.1.2']);
});

test('lockfileVersion 3: workspaces, links, aliases, dev/optional/devOptional/peer', () => {
  const r = check('package-lock-v3', 'package-lock.json', [
    ['@types/node@20.1.0', 'dev', false, 27], // dev + peer: dev
    ['fsevents@2.3.2', 'optional', true, 38],
    ['lodash@4.17.21', 'prod', true, 52],
    ['string-width@4.2.3', 'prod', true, 58], // declared by the packages/lib workspace
    ['strip-ansi@6.0.1', 'optional', false, 68], // devOptional
    ['typescript@5.0.4', 'dev', true, 75],
    ['chalk@4.1.2', 'peer', true, 96],
  ]);
  const c = r.components;
  assert.equal(byKey(c).get('@types/node@20.1.0')?.purl, 'pkg:npm/%40types/node@20.1.0');
  assert.deepEqual(byKey(c).get('typescript@5.0.4')?.licenses, ['Apache-2.0']);
  assert.deepEqual(depsOf(c, 'string-width@4.2.3'), ['strip-ansi@6.0.1']);
  assert.deepEqual(depsOf(c, 'typescript@5.0.4'), ['@types/node@20.1.0']);
});

test('npm-shrinkwrap.json is read like package-lock.json', () => {
  const r = check('npm-shrinkwrap', 'npm-shrinkwrap.json', [
    ['commander@11.1.0', 'prod', true, 15],
    ['semver@7.5.4', 'prod', false, 24],
  ]);
  assert.deepEqual(byKey(r.components).get('semver@7.5.4')?.licenses, ['(ISC OR MIT)']);
});

test('malformed JSON: an error with the line, no exception', () => {
  const text =
    '{\n  "lockfileVersion": 2,\n  "packages": {\n    "node_modules/a": {"version": "1.0.0",}\n  }\n}\n';
  const r = packageLockParser.parse(textInput('package-lock.json', text));
  assert.deepEqual(r.components, []);
  assert.equal(r.errors?.length, 1);
  assert.equal(r.errors?.[0]?.line, 4);
  assert.equal(r.errors?.[0]?.path, 'package-lock.json');
  assert.match(
    r.errors?.[0]?.message ?? '',
    /invalid JSON at column 43: unexpected "}", expected a property name/,
  );
});

test('not a lockfile, nesting bombs and empty projects', () => {
  assert.match(
    packageLockParser.parse(textInput('package-lock.json', '[]')).errors?.[0]?.message ?? '',
    /JSON object/,
  );
  assert.match(
    packageLockParser.parse(textInput('package-lock.json', '{"a": 1}')).errors?.[0]?.message ?? '',
    /not an npm lockfile/,
  );
  const bomb = packageLockParser.parse(textInput('package-lock.json', '['.repeat(100_000)));
  assert.match(bomb.errors?.[0]?.message ?? '', /nesting deeper/);
  assert.deepEqual(
    packageLockParser.parse(textInput('package-lock.json', '{"lockfileVersion": 3, "packages": {"": {}}}')),
    {
      components: [],
    },
  );
});
