import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchComponent, type AdvisoryLookup } from './match.js';
import type { OsvRecord } from './record.js';

function lookupOf(records: OsvRecord[]): AdvisoryLookup {
  return {
    lookup: (ecosystem, name) =>
      records.filter((r) =>
        r.affected?.some((a) => a.package?.name === name && a.package.ecosystem.startsWith(ecosystem)),
      ),
  };
}

const lodash = (id: string, extra: Partial<OsvRecord>, fixed: string): OsvRecord => ({
  id,
  ...extra,
  affected: [
    {
      package: { ecosystem: 'npm', name: 'lodash' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }],
    },
  ],
});

test('matchComponent merges aliases, skips withdrawn records and unaffected versions', () => {
  const db = lookupOf([
    lodash(
      'GHSA-p6mc-m468-83gw',
      {
        aliases: ['CVE-2020-8203'],
        database_specific: { severity: 'HIGH' },
        summary: 'Prototype Pollution in lodash',
      },
      '4.17.19',
    ),
    lodash('OSV-2020-1', { aliases: ['CVE-2020-8203'] }, '4.17.20'),
    lodash('GHSA-withdrawn', { withdrawn: '2021-01-01T00:00:00Z' }, '9.0.0'),
    lodash('GHSA-old', {}, '4.0.0'),
  ]);
  const out = matchComponent(db, { ecosystem: 'npm', name: 'lodash', version: '4.17.15' });
  assert.equal(out.length, 1);
  assert.equal(out[0]?.id, 'GHSA-p6mc-m468-83gw');
  assert.deepEqual(out[0]?.aliases, ['CVE-2020-8203', 'OSV-2020-1']);
  assert.equal(out[0]?.fixed, '4.17.19');
  assert.equal(out[0]?.severity, 'high');
  assert.equal(out[0]?.summary, 'Prototype Pollution in lodash');
  assert.equal(out[0]?.malicious, false);
  assert.deepEqual(matchComponent(db, { ecosystem: 'npm', name: 'lodash', version: '4.17.21' }), []);
  assert.deepEqual(matchComponent(db, { ecosystem: 'npm', name: 'underscore', version: '1.0.0' }), []);
});

test('a malicious package matches every version and is critical', () => {
  const mal: OsvRecord = {
    id: 'MAL-2022-1085',
    summary: 'Malicious code in argo-hosting-api (npm)',
    affected: [
      {
        package: { ecosystem: 'npm', name: 'argo-hosting-api' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
      },
    ],
  };
  const out = matchComponent(lookupOf([mal]), {
    ecosystem: 'npm',
    name: 'argo-hosting-api',
    version: '1.0.0',
  });
  assert.equal(out.length, 1);
  assert.equal(out[0]?.malicious, true);
  assert.equal(out[0]?.severity, 'critical');
  assert.equal(out[0]?.fixed, undefined);
});
