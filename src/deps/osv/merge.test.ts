import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeMatches } from './merge.js';
import type { OsvRecord } from './record.js';

const rec = (id: string, extra: Partial<OsvRecord> = {}): OsvRecord => ({ id, ...extra });

test('records aliasing each other become one finding; GHSA is primary over PYSEC and CVE', () => {
  const out = mergeMatches(
    [
      {
        record: rec('PYSEC-2021-1', {
          aliases: ['CVE-2021-1', 'GHSA-aaaa-bbbb-cccc'],
          summary: 'from pysec',
        }),
        fixed: '2.0',
      },
      { record: rec('GHSA-aaaa-bbbb-cccc', { aliases: ['CVE-2021-1'], summary: 'from ghsa' }), fixed: '1.5' },
      { record: rec('PYSEC-2021-9', { aliases: ['CVE-2021-9'] }) },
    ],
    'PyPI',
  );
  assert.equal(out.length, 2);
  const ghsa = out.find((m) => m.id === 'GHSA-aaaa-bbbb-cccc');
  assert.ok(ghsa);
  assert.deepEqual(ghsa.aliases, ['CVE-2021-1', 'PYSEC-2021-1']);
  assert.equal(ghsa.summary, 'from ghsa');
  assert.equal(ghsa.fixed, '1.5');
  assert.ok(out.some((m) => m.id === 'PYSEC-2021-9' && m.aliases.join() === 'CVE-2021-9'));
});

test("aliasing is transitive; the ecosystem's own id beats CVE", () => {
  const out = mergeMatches(
    [
      { record: rec('CVE-2022-5', { aliases: [] }) },
      { record: rec('GO-2022-0001', { aliases: ['CVE-2022-5'] }) },
      { record: rec('OSV-2022-7', { aliases: ['GO-2022-0001'] }) },
    ],
    'Go',
  );
  assert.equal(out.length, 1);
  assert.equal(out[0]?.id, 'GO-2022-0001');
  assert.deepEqual(out[0]?.aliases, ['CVE-2022-5', 'OSV-2022-7']);
});

test('a malicious-package record is primary and the finding is critical and malicious', () => {
  const out = mergeMatches(
    [
      { record: rec('GHSA-w9w7-mw3f-22qx', { database_specific: { severity: 'LOW' } }) },
      { record: rec('MAL-2022-1085', { aliases: ['GHSA-w9w7-mw3f-22qx'] }) },
    ],
    'npm',
  );
  assert.equal(out.length, 1);
  assert.equal(out[0]?.id, 'MAL-2022-1085');
  assert.equal(out[0]?.malicious, true);
  assert.equal(out[0]?.severity, 'critical');
});

test('severity is the highest, references are a union, dates span the group (placeholder dates ignored)', () => {
  const out = mergeMatches(
    [
      {
        record: rec('GHSA-1', {
          aliases: ['CVE-1'],
          database_specific: { severity: 'MODERATE' },
          references: [
            { type: 'WEB', url: 'https://a' },
            { type: 'WEB', url: 'https://b' },
          ],
          published: '2021-05-01T00:00:00Z',
          modified: '2022-01-01T00:00:00Z',
        }),
        fixed: '1.10.0',
      },
      {
        record: rec('GO-1', {
          aliases: ['CVE-1'],
          severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
          references: [
            { type: 'WEB', url: 'https://b' },
            { type: 'FIX', url: 'https://c' },
          ],
          published: '0001-01-01T00:00:00Z',
          modified: '2023-03-01T10:00:00Z',
        }),
        fixed: '1.9.0',
      },
    ],
    'Go',
  );
  assert.equal(out.length, 1);
  const m = out[0]!;
  assert.equal(m.id, 'GHSA-1');
  assert.equal(m.severity, 'high');
  assert.equal(m.score, 7.5);
  assert.deepEqual(m.references, ['https://a', 'https://b', 'https://c']);
  assert.equal(m.published, '2021-05-01T00:00:00Z');
  assert.equal(m.modified, '2023-03-01T10:00:00Z');
  assert.equal(m.fixed, '1.9.0'); // SemVer order, not text order ("1.10.0" < "1.9.0" as text)
});

test('aliases with stray whitespace still link records', () => {
  const out = mergeMatches(
    [
      { record: rec('DRUPAL-CORE-2020-006', { aliases: ['CVE-2020-13665 '] }) },
      { record: rec('CVE-2020-13665') },
    ],
    'Packagist',
  );
  assert.equal(out.length, 1);
  assert.equal(out[0]?.id, 'DRUPAL-CORE-2020-006');
  assert.deepEqual(out[0]?.aliases, ['CVE-2020-13665']);
});
