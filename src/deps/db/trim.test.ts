import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LODASH } from './__fixtures__/archives.js';
import { packageNamesOf, trimRecord } from './trim.js';

test('trimRecord keeps what matching and reporting need, for one ecosystem', () => {
  const t = trimRecord(
    {
      ...LODASH,
      credits: [{ name: 'someone' }],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }, { type: 'bad' }],
      affected: [
        ...(LODASH.affected ?? []),
        {
          package: { ecosystem: 'npm', name: 'lodash-es' },
          ranges: [
            { type: 'GIT', repo: 'https://x', events: [{ introduced: 'abc' }] },
            {
              type: 'SEMVER',
              events: [{ introduced: '0', fixed: '1.0.0' }, null, { limit: 7 }],
              database_specific: { x: 1 },
            },
          ],
          ecosystem_specific: { severity: 'HIGH', affects: { functions: ['x'] } },
        },
      ],
    },
    'npm',
  );
  assert.deepEqual(t, {
    id: LODASH.id,
    aliases: ['CVE-2099-0001'],
    summary: 'Prototype pollution in lodash',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    database_specific: { severity: 'HIGH' },
    affected: [
      {
        package: { ecosystem: 'npm', name: 'lodash' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
      },
      {
        package: { ecosystem: 'npm', name: 'lodash-es' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }],
        ecosystem_specific: { severity: 'HIGH' },
      },
    ],
    references: [{ type: 'ADVISORY', url: 'https://example.org/GHSA-test-lodash-0001' }],
    published: '2024-01-01T00:00:00Z',
    modified: '2024-02-01T00:00:00Z',
  });
  assert.deepEqual(packageNamesOf(t), ['lodash', 'lodash-es']);
});

test('ecosystem suffixes count as the ecosystem; foreign or broken records are rejected', () => {
  const alma = trimRecord(
    { id: 'ALSA-1', affected: [{ package: { ecosystem: 'AlmaLinux:9', name: 'openssl' } }] },
    'AlmaLinux',
  );
  assert.deepEqual(alma?.affected, [{ package: { ecosystem: 'AlmaLinux:9', name: 'openssl' } }]);
  assert.equal(trimRecord(LODASH, 'PyPI'), undefined);
  for (const junk of [
    null,
    3,
    'x',
    [],
    {},
    { id: '' },
    { id: 'X' },
    { id: 'X', affected: 'no' },
    { id: 5, affected: [] },
  ])
    assert.equal(trimRecord(junk, 'npm'), undefined);
});
