import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParseResult } from '../../model.js';
import { byKey, depsOf, fixtureInput, textInput } from './__fixtures__/input.js';
import { yarnLockParser } from './yarn-lock.js';

type Expect = [key: string, scope: string | undefined, direct: boolean | undefined, line: number];

function check(result: ParseResult, expected: Expect[]): void {
  assert.equal(result.errors, undefined);
  const got = byKey(result.components);
  assert.deepEqual([...got.keys()].sort(), expected.map((e) => e[0]).sort());
  for (const [key, scope, direct, line] of expected) {
    const c = got.get(key);
    assert.ok(c, key);
    assert.equal(c.scope, scope, `${key} scope`);
    assert.equal(c.direct, direct, `${key} direct`);
    assert.deepEqual(c.location, { path: 'yarn.lock', line }, `${key} location`);
    assert.equal(c.id, c.purl);
  }
}

test('matches yarn.lock', () => {
  assert.ok(yarnLockParser.matches('web/yarn.lock'));
  assert.ok(!yarnLockParser.matches('yarn.lock.bak'));
});

test('Yarn 1: patterns, aliases, optional edges; scope and direct from package.json', () => {
  const r = yarnLockParser.parse(fixtureInput('yarn-v1', 'yarn.lock'));
  check(r, [
    ['@babel/code-frame@7.8.3', 'prod', true, 5],
    ['@babel/highlight@7.9.0', 'prod', false, 12],
    ['chalk@2.4.2', 'prod', false, 19], // reached from prod and from dev: prod wins
    ['chokidar@3.5.1', 'prod', true, 24],
    ['fsevents@2.3.2', 'optional', false, 31], // only through chokidar's optionalDependencies
    ['jest@26.6.3', 'dev', true, 36],
    ['left-pad@1.3.0', 'dev', true, 44],
    ['string-width@4.2.3', 'prod', true, 52], // string-width-cjs@npm:string-width@^4.2.0
  ]);
  assert.deepEqual(depsOf(r.components, 'jest@26.6.3'), ['chalk@2.4.2', 'left-pad@1.3.0']);
  assert.deepEqual(depsOf(r.components, 'chokidar@3.5.1'), ['fsevents@2.3.2']);
  assert.deepEqual(depsOf(r.components, '@babel/code-frame@7.8.3'), ['@babel/highlight@7.9.0']);
});

test('Yarn 1 without package.json: scope and direct unknown', () => {
  const r = yarnLockParser.parse(fixtureInput('yarn-v1', 'yarn.lock', false));
  assert.equal(r.components.length, 8);
  assert.ok(r.components.every((c) => c.scope === undefined && c.direct === undefined));
});

test('Yarn berry: resolutions name the package, workspaces listed as own, patches merged', () => {
  const all = yarnLockParser.parse(fixtureInput('yarn-berry', 'yarn.lock'));
  // The workspaces are the project's own packages: listed (as Trivy does), never matched.
  assert.deepEqual(
    all.components
      .filter((c) => c.own)
      .map((c) => `${c.name}@${c.version}`)
      .sort(),
    ['@fixture/lib@0.0.0-use.local', 'fixture-app@0.0.0-use.local'],
  );
  const r = { ...all, components: all.components.filter((c) => !c.own) };
  check(r, [
    ['@babel/core@7.1.0', 'prod', true, 8],
    ['debug@4.3.4', 'prod', false, 25],
    ['left-pad@1.3.0', 'prod', true, 50], // user patch: the patched package's name and version
    ['ms@2.1.2', 'prod', true, 64], // declared by the packages/lib workspace
    ['resolve@1.22.8', 'dev', true, 71], // plus its built-in compat patch at line 78
    ['string-width@4.2.3', 'prod', true, 85],
    ['typescript@5.4.5', 'dev', true, 92],
  ]);
  assert.deepEqual(depsOf(r.components, '@babel/core@7.1.0'), ['debug@4.3.4']);
  assert.deepEqual(depsOf(r.components, 'debug@4.3.4'), ['ms@2.1.2']);
});

test('Yarn berry without package.json: direct from the workspace entries, scope unknown', () => {
  const all = yarnLockParser.parse(fixtureInput('yarn-berry', 'yarn.lock', false));
  const r = { ...all, components: all.components.filter((c) => !c.own) };
  const got = byKey(r.components);
  assert.equal(r.components.length, 7);
  assert.ok(r.components.every((c) => c.scope === undefined));
  assert.equal(got.get('typescript@5.4.5')?.direct, true);
  assert.equal(got.get('debug@4.3.4')?.direct, false);
});

test('malformed Yarn 1 lockfile: errors with lines, readable blocks still reported', () => {
  const text =
    '# yarn lockfile v1\n\na@^1.0.0:\n  version "1.0.0"\n\nthis is not a header\n  version "2.0.0"\n\n"b@^2:\n  version "2.0.0"\n';
  const r = yarnLockParser.parse(textInput('yarn.lock', text));
  assert.deepEqual(
    r.components.map((c) => `${c.name}@${c.version}`),
    ['a@1.0.0'],
  );
  assert.deepEqual(
    r.errors?.map((e) => e.line),
    [6, 9],
  );
});

test('malformed Yarn berry lockfile: YAML error with its line', () => {
  const text = '__metadata:\n  version: 8\n\n"a@npm:^1":\n  version: 1.0.0\n  version: 1.0.1\n';
  const r = yarnLockParser.parse(textInput('yarn.lock', text));
  assert.deepEqual(r.components, []);
  assert.ok(r.errors && r.errors.length > 0);
  assert.equal(r.errors[0]?.path, 'yarn.lock');
  assert.equal(r.errors[0]?.line, 6);
  assert.match(r.errors[0]?.message ?? '', /invalid YAML: Map keys must be unique/);
});
