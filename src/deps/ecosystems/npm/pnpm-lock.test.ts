import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParseResult } from '../../model.js';
import { byKey, depsOf, fixtureInput, textInput } from './__fixtures__/input.js';
import { pnpmLockParser } from './pnpm-lock.js';

type Expect = [key: string, scope: string | undefined, direct: boolean, line: number];

function check(result: ParseResult, expected: Expect[]): void {
  assert.equal(result.errors, undefined);
  const got = byKey(result.components);
  assert.deepEqual([...got.keys()].sort(), expected.map((e) => e[0]).sort());
  for (const [key, scope, direct, line] of expected) {
    const c = got.get(key);
    assert.ok(c, key);
    assert.equal(c.scope, scope, `${key} scope`);
    assert.equal(c.direct, direct, `${key} direct`);
    assert.deepEqual(c.location, { path: 'pnpm-lock.yaml', line }, `${key} location`);
    assert.equal(c.id, c.purl);
  }
}

test('matches pnpm-lock.yaml', () => {
  assert.ok(pnpmLockParser.matches('apps/web/pnpm-lock.yaml'));
  assert.ok(!pnpmLockParser.matches('pnpm-workspace.yaml'));
});

test('lockfileVersion 5.4: /name/version keys, _peer suffixes merged, dev flags, importers', () => {
  const r = pnpmLockParser.parse(fixtureInput('pnpm-v5', 'pnpm-lock.yaml'));
  check(r, [
    ['@babel/core@7.21.3', 'dev', true, 31],
    ['@babel/helper-compilation-targets@7.20.7', 'dev', false, 39],
    ['@vue/shared@3.3.0', 'prod', true, 48],
    ['debug@4.3.4', 'prod', true, 52], // dev: true variant first, dev: false peer variant at line 64
    ['fsevents@2.3.2', 'optional', true, 77],
    ['lodash@4.17.21', 'prod', true, 85],
    ['ms@2.1.2', 'prod', false, 89], // no dev flag: used by prod and dev
    ['supports-color@8.1.1', 'prod', false, 92],
    ['foo@1.0.0', 'prod', true, 97], // git package: name and version fields
  ]);
  const c = r.components;
  assert.equal(byKey(c).get('@vue/shared@3.3.0')?.purl, 'pkg:npm/%40vue/shared@3.3.0');
  assert.deepEqual(depsOf(c, '@babel/core@7.21.3'), [
    '@babel/helper-compilation-targets@7.20.7',
    'debug@4.3.4',
  ]);
  assert.deepEqual(depsOf(c, 'debug@4.3.4'), ['ms@2.1.2', 'supports-color@8.1.1']);
});

test('lockfileVersion 6.0: /name@version(peer) keys, single project at the top level, alias', () => {
  const r = pnpmLockParser.parse(fixtureInput('pnpm-v6', 'pnpm-lock.yaml'));
  check(r, [
    ['@scope/tool@1.0.0', 'dev', false, 25],
    ['js-tokens@4.0.0', 'prod', false, 29],
    ['loose-envify@1.4.0', 'prod', false, 33],
    ['react-dom@18.2.0', 'prod', true, 40],
    ['react@18.2.0', 'prod', true, 50],
    ['scheduler@0.23.0', 'prod', false, 57],
    ['string-width@4.2.3', 'prod', true, 63],
    ['typescript@5.0.4', 'dev', true, 68],
  ]);
  assert.deepEqual(depsOf(r.components, 'react-dom@18.2.0'), [
    'loose-envify@1.4.0',
    'react@18.2.0',
    'scheduler@0.23.0',
  ]);
});

test('lockfileVersion 9.0: packages + snapshots, scope from the importers graph', () => {
  const r = pnpmLockParser.parse(fixtureInput('pnpm-v9', 'pnpm-lock.yaml'));
  check(r, [
    ['@types/node@20.12.7', 'dev', true, 42],
    ['ansi-regex@5.0.1', 'prod', true, 45],
    ['fsevents@2.3.3', 'optional', true, 49],
    ['js-tokens@4.0.0', 'prod', false, 54], // from react (prod) and vitest (dev)
    ['loose-envify@1.4.0', 'prod', false, 57],
    ['react@18.2.0', 'prod', true, 61],
    ['strip-ansi@6.0.1', 'prod', true, 65], // strip-ansi-cjs alias
    ['undici-types@5.26.5', 'dev', false, 69],
    ['vitest@1.5.0', 'dev', true, 72],
  ]);
  const c = r.components;
  assert.deepEqual(depsOf(c, 'vitest@1.5.0'), ['@types/node@20.12.7', 'js-tokens@4.0.0']);
  assert.deepEqual(depsOf(c, '@types/node@20.12.7'), ['undici-types@5.26.5']);
  assert.deepEqual(depsOf(c, 'strip-ansi@6.0.1'), ['ansi-regex@5.0.1']);
});

test('malformed pnpm lockfiles: YAML errors with lines; missing lockfileVersion; alias bombs', () => {
  const bad = pnpmLockParser.parse(
    textInput(
      'pnpm-lock.yaml',
      "lockfileVersion: '9.0'\n\npackages:\n  a@1.0.0:\n    resolution: {integrity: x\n",
    ),
  );
  assert.deepEqual(bad.components, []);
  assert.equal(bad.errors?.[0]?.path, 'pnpm-lock.yaml');
  assert.equal(typeof bad.errors?.[0]?.line, 'number');
  assert.match(bad.errors?.[0]?.message ?? '', /invalid YAML/);

  const dup = pnpmLockParser.parse(
    textInput('pnpm-lock.yaml', "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}\n  a@1.0.0: {}\n"),
  );
  assert.equal(dup.errors?.[0]?.line, 4);

  const notPnpm = pnpmLockParser.parse(textInput('pnpm-lock.yaml', 'packages: {}\n'));
  assert.match(notPnpm.errors?.[0]?.message ?? '', /no lockfileVersion/);

  const aliases = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 6; i++)
    aliases.push(
      `${'b'.repeat(i + 1)}: &${'b'.repeat(i + 1)} [${Array(10)
        .fill(i === 0 ? '*a' : `*${'b'.repeat(i)}`)
        .join(', ')}]`,
    );
  const bomb = pnpmLockParser.parse(
    textInput('pnpm-lock.yaml', `lockfileVersion: 5.4\n${aliases.join('\n')}\n`),
  );
  assert.deepEqual(bomb.components, []);
  assert.ok(bomb.errors && bomb.errors.length > 0);
});
