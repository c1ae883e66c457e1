import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lockfileParsers } from './registry.js';
import { buildInventory, makeInventoryFilter } from '../inventory.js';
import type { ParseInput } from '../model.js';

/** A file name each parser must claim (the contract names one per parser id). */
const SAMPLE_PATH: Record<string, string> = {
  'npm-package-lock': 'web/package-lock.json',
  'yarn-lock': 'yarn.lock',
  'pnpm-lock': 'pnpm-lock.yaml',
  'bun-lock': 'bun.lock',
  'pip-requirements': 'requirements.txt',
  'poetry-lock': 'poetry.lock',
  'pipfile-lock': 'Pipfile.lock',
  'uv-lock': 'uv.lock',
  'go-mod': 'go.mod',
  'cargo-lock': 'Cargo.lock',
  'gemfile-lock': 'Gemfile.lock',
  'composer-lock': 'composer.lock',
  'nuget-packages-lock': 'src/Api/packages.lock.json',
  'maven-pom': 'pom.xml',
  'gradle-lockfile': 'gradle.lockfile',
};

const input = (path: string, text: string): ParseInput => ({ path, text, file: () => undefined });

test('every registered parser has a unique id, an OSV ecosystem, a format name and a sample file', () => {
  const ids = lockfileParsers.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'unique ids');
  assert.deepEqual([...ids].sort(), Object.keys(SAMPLE_PATH).sort(), 'the contract names every parser');
  for (const p of lockfileParsers) {
    assert.ok(p.format.length > 3, p.id);
    assert.ok(p.matches(SAMPLE_PATH[p.id]!), `${p.id} claims ${SAMPLE_PATH[p.id]}`);
    assert.ok(!p.matches('README.md') && !p.matches('src/index.ts'), `${p.id} ignores unrelated files`);
  }
});

for (const p of lockfileParsers) {
  test(`parser ${p.id}: never throws on empty, binary, truncated or hostile input`, () => {
    const path = SAMPLE_PATH[p.id]!;
    const inputs = [
      '',
      '\u0000\u00ff\ufffd{{[[: :',
      '{"a":'.repeat(5000),
      '['.repeat(100_000),
      'a: &a [*a, *a]\nb: *a\n',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><project>&b;</project>',
      '[[package]]\nname = "x"\nversion = "1.0"\n'.repeat(3) + '[[package]\n',
    ];
    for (const text of inputs) {
      const r = p.parse(input(path, text));
      assert.ok(Array.isArray(r.components));
      for (const c of r.components) {
        assert.match(c.purl, /^pkg:[a-z]+\//, `${p.id}: purl ${c.purl}`);
        assert.ok(c.id && c.name && c.version, `${p.id}: complete component`);
      }
      for (const e of r.errors ?? []) {
        assert.equal(e.path, path);
        assert.ok(!e.message.includes('\n'), `${p.id}: one-line message: ${e.message}`);
      }
    }
  });
}

test('the inventory filter keeps lockfiles and their companions, nothing else', () => {
  const keep = makeInventoryFilter();
  for (const p of Object.values(SAMPLE_PATH)) assert.ok(keep(p), p);
  for (const p of ['package.json', 'app/pyproject.toml', 'Pipfile', 'go.sum', 'Gemfile', 'composer.json'])
    assert.ok(keep(p), `companion ${p}`);
  for (const p of ['src/index.ts', 'README.md', 'Dockerfile', 'main.tf']) assert.ok(!keep(p), p);
});

test('buildInventory: a file read directly and through `-r` is counted once; a broken file does not stop the others', () => {
  const files = new Map([
    ['requirements.txt', '-r base.txt\nflask==2.0.1\n'],
    ['base.txt', 'requests==2.31.0\n'],
    ['requirements-base.txt', 'requests==2.31.0\n'],
    ['composer.lock', '{ "packages": [ ,, ] }'],
    ['go.mod', 'module example.com/app\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n'],
  ]);
  const inv = buildInventory(files);
  const names = inv.components.map((c) => `${c.ecosystem}:${c.name}@${c.version}`);
  assert.ok(names.includes('Go:github.com/pkg/errors@0.9.1'), names.join(' '));
  assert.ok(names.includes('PyPI:flask@2.0.1'), names.join(' '));
  const dupes = inv.components.filter((c) => c.name === 'requests' && c.location.path === 'base.txt');
  assert.ok(dupes.length <= 1, 'the included file is not counted twice at the same location');
  assert.equal(inv.problems.filter((x) => x.path === 'composer.lock').length, 1);
  assert.equal(inv.problems[0]!.line, 1);
});
