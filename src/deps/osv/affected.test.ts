import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schemeFor } from '../versions/index.js';
import { affectedBy } from './affected.js';
import type { OsvEvent, OsvRecord } from './record.js';

/** A one-package record with one range; the expected results below come from the OSV schema's examples. */
function record(
  events: OsvEvent[],
  opts: { type?: string; ecosystem?: string; name?: string; versions?: string[] } = {},
): OsvRecord {
  return {
    id: 'TEST-1',
    affected: [
      {
        package: { ecosystem: opts.ecosystem ?? 'npm', name: opts.name ?? 'pkg' },
        ranges: [{ type: opts.type ?? 'SEMVER', events }],
        ...(opts.versions ? { versions: opts.versions } : {}),
      },
    ],
  };
}

const at = (r: OsvRecord, version: string, ecosystem = 'npm', name = 'pkg') =>
  affectedBy(r, ecosystem, name, version);

test('"introduced: 0" alone: every version is affected, nothing is fixed (schema: unfixed example)', () => {
  const r = record([{ introduced: '0' }]);
  assert.deepEqual(at(r, '0.0.1'), { affected: true });
  assert.deepEqual(at(r, '99.1.0'), { affected: true });
});

test('introduced 0 / fixed 1.0.2: everything before 1.0.2 (schema: fixed example)', () => {
  const r = record([{ introduced: '0' }, { fixed: '1.0.2' }]);
  assert.deepEqual(at(r, '1.0.1'), { affected: true, fixed: '1.0.2' });
  assert.deepEqual(at(r, '0.1.0'), { affected: true, fixed: '1.0.2' });
  assert.deepEqual(at(r, '1.0.2'), { affected: false });
  assert.deepEqual(at(r, '2.0.0'), { affected: false });
});

test('two intervals in one range, in any event order (schema: multiple range example)', () => {
  const events = [{ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' }];
  for (const ev of [events, [events[3]!, events[0]!, events[2]!, events[1]!]]) {
    const r = record(ev);
    assert.deepEqual(at(r, '0.9.0'), { affected: false });
    assert.deepEqual(at(r, '1.0.0'), { affected: true, fixed: '1.0.2' });
    assert.deepEqual(at(r, '1.0.2'), { affected: false });
    assert.deepEqual(at(r, '2.5.0'), { affected: false });
    assert.deepEqual(at(r, '3.1.0'), { affected: true, fixed: '3.2.5' });
    assert.deepEqual(at(r, '3.2.5'), { affected: false });
  }
});

test('last_affected is inclusive, versions above it are unaffected', () => {
  const r = record([{ introduced: '1.0.0' }, { last_affected: '1.4.0' }]);
  assert.deepEqual(at(r, '0.9.9'), { affected: false });
  assert.deepEqual(at(r, '1.4.0'), { affected: true });
  assert.deepEqual(at(r, '1.4.1'), { affected: false });
});

test('limit bounds the range; "*" means no bound', () => {
  const limited = record([{ introduced: '0' }, { limit: '2.0.0' }]);
  assert.deepEqual(at(limited, '1.9.9'), { affected: true });
  assert.deepEqual(at(limited, '2.0.0'), { affected: false });
  assert.deepEqual(at(limited, '3.0.0'), { affected: false });
  const star = record([{ introduced: '1.0.0' }, { limit: '*' }]);
  assert.deepEqual(at(star, '7.0.0'), { affected: true });
  assert.deepEqual(at(star, '0.5.0'), { affected: false });
});

test('explicit versions list: listed versions are affected even without a usable range', () => {
  const r: OsvRecord = {
    id: 'TEST-2',
    affected: [{ package: { ecosystem: 'Example', name: 'pkg' }, versions: ['1.0', '1.1'] }],
  };
  assert.deepEqual(at(r, '1.1', 'Example'), { affected: true });
  assert.deepEqual(at(r, '1.2', 'Example'), { affected: false });
  // An ECOSYSTEM range of an ecosystem without a known ordering cannot be evaluated (nor can its fix be
  // placed above the installed version); the list still counts.
  const withRange = record([{ introduced: '1.0' }, { fixed: '2.0' }], {
    type: 'ECOSYSTEM',
    ecosystem: 'Example',
    versions: ['1.0'],
  });
  assert.deepEqual(at(withRange, '1.0', 'Example'), { affected: true });
  assert.deepEqual(at(withRange, '1.5', 'Example'), { affected: false });
});

test('several ranges and affected entries are OR-ed; fixed is the lowest fix above the installed version', () => {
  const r: OsvRecord = {
    id: 'TEST-3',
    affected: [
      {
        package: { ecosystem: 'npm', name: 'pkg' },
        ranges: [
          { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.5.0' }] },
          { type: 'SEMVER', events: [{ introduced: '2.0.0' }, { fixed: '2.3.0' }] },
        ],
      },
      {
        package: { ecosystem: 'npm', name: 'pkg' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { fixed: '1.3.0' }] }],
      },
      {
        package: { ecosystem: 'npm', name: 'other' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
      },
    ],
  };
  assert.deepEqual(at(r, '1.2.0'), { affected: true, fixed: '1.3.0' });
  assert.deepEqual(at(r, '1.4.0'), { affected: true, fixed: '1.5.0' });
  assert.deepEqual(at(r, '2.1.0'), { affected: true, fixed: '2.3.0' });
  assert.deepEqual(at(r, '1.7.0'), { affected: false });
  assert.deepEqual(at(r, '2.3.0'), { affected: false });
});

test('SEMVER ranges: leading v stripped, pre-releases sort before their release', () => {
  const r = record([{ introduced: '0' }, { fixed: '1.0.0' }], { ecosystem: 'Go', name: 'example.com/mod' });
  assert.deepEqual(at(r, 'v0.9.0', 'Go', 'example.com/mod'), { affected: true, fixed: '1.0.0' });
  assert.deepEqual(at(r, 'v1.0.0-rc.1', 'Go', 'example.com/mod'), { affected: true, fixed: '1.0.0' });
  assert.deepEqual(at(r, 'v0.0.0-20210101000000-abcdefabcdef', 'Go', 'example.com/mod'), {
    affected: true,
    fixed: '1.0.0',
  });
  assert.deepEqual(at(r, 'v1.0.0', 'Go', 'example.com/mod'), { affected: false });
  assert.deepEqual(at(r, 'v1.0.1+incompatible', 'Go', 'example.com/mod'), { affected: false });
});

test('ECOSYSTEM ranges use the ecosystem ordering (npm)', () => {
  const r = record([{ introduced: '1.0' }, { fixed: '3.1.1' }], { type: 'ECOSYSTEM' });
  assert.deepEqual(at(r, '2.6.7'), { affected: true, fixed: '3.1.1' });
  assert.deepEqual(at(r, '3.1.1'), { affected: false });
  assert.deepEqual(at(r, '0.9.0'), { affected: false });
});

test('ECOSYSTEM ranges use the ecosystem ordering (PyPI, PEP 440)', { skip: !schemeFor('PyPI') }, () => {
  const r = record([{ introduced: '1.0' }, { fixed: '1.2' }], {
    type: 'ECOSYSTEM',
    ecosystem: 'PyPI',
    name: 'Some_Pkg',
  });
  // PEP 440: 1.0rc1 < 1.0 < 1.0.post1 < 1.2a1 < 1.2.
  assert.deepEqual(at(r, '1.0rc1', 'PyPI', 'some-pkg'), { affected: false });
  assert.deepEqual(at(r, '1.0.post1', 'PyPI', 'some-pkg'), { affected: true, fixed: '1.2' });
  assert.deepEqual(at(r, '1.2a1', 'PyPI', 'some.pkg'), { affected: true, fixed: '1.2' });
  assert.deepEqual(at(r, '1.2', 'PyPI', 'SOME-PKG'), { affected: false });
});

test('GIT ranges are ignored', () => {
  const r = record([{ introduced: '0' }], { type: 'GIT' });
  assert.deepEqual(at(r, '1.0.0'), { affected: false });
});

test('an installed version outside the ordering only matches "all versions" ranges', () => {
  const all = record([{ introduced: '0' }]);
  assert.deepEqual(at(all, 'github:user/repo#abc123'), { affected: true });
  const bounded = record([{ introduced: '0' }, { fixed: '1.0.0' }]);
  assert.deepEqual(at(bounded, 'github:user/repo#abc123'), { affected: false });
});

test('package identity: npm is case-sensitive, PyPI is PEP 503-normalised, ecosystem suffixes', () => {
  const npm = record([{ introduced: '0' }], { name: 'lodash' });
  assert.equal(at(npm, '1.0.0', 'npm', 'Lodash').affected, false);
  assert.equal(at(npm, '1.0.0', 'npm', 'lodash').affected, true);
  assert.equal(at(npm, '1.0.0', 'NuGet', 'lodash').affected, false);

  const py: OsvRecord = {
    id: 'T',
    affected: [{ package: { ecosystem: 'PyPI', name: 'Django_Rest.framework' }, versions: ['1.0'] }],
  };
  assert.equal(affectedBy(py, 'PyPI', 'django-rest-framework', '1.0').affected, true);

  const drupal = record([{ introduced: '0' }], {
    ecosystem: 'Packagist:https://packages.drupal.org/8',
    name: 'drupal/x',
  });
  assert.equal(at(drupal, '1.0.0', 'Packagist', 'drupal/x').affected, true);

  const alma = record([{ introduced: '0' }], { ecosystem: 'AlmaLinux:9', name: 'openssl' });
  assert.equal(at(alma, '1.0.0', 'AlmaLinux', 'openssl').affected, true);
  assert.equal(at(alma, '1.0.0', 'AlmaLinux:9', 'openssl').affected, true);
  assert.equal(at(alma, '1.0.0', 'AlmaLinux:8', 'openssl').affected, false);
});

test('malformed records never throw', () => {
  const junk = [
    { id: 'X' },
    { id: 'X', affected: 'nope' },
    {
      id: 'X',
      affected: [null, { package: null }, { package: { ecosystem: 'npm', name: 'pkg' }, ranges: 'x' }],
    },
    {
      id: 'X',
      affected: [
        {
          package: { ecosystem: 'npm', name: 'pkg' },
          ranges: [null, { type: 'SEMVER', events: [null, 3, {}] }],
        },
      ],
    },
    { id: 'X', affected: [{ package: { ecosystem: 'npm', name: 'pkg' }, versions: [1, null] }] },
  ] as unknown as OsvRecord[];
  for (const r of junk) assert.deepEqual(at(r, '1.0.0'), { affected: false });
});
