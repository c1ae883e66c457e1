import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOpenVex, vexStatementFor, VexError } from './vex.js';

// Shape from the OpenVEX specification examples (v0.2.0).
const doc = JSON.stringify({
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': 'https://example.com/vex/1',
  author: 'Security team',
  timestamp: '2026-11-01T00:00:00Z',
  version: 1,
  statements: [
    {
      vulnerability: { name: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'] },
      products: [{ '@id': 'pkg:npm/lodash@4.17.15' }],
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
    },
    { vulnerability: 'GHSA-xvch-5gv4-984h', products: ['pkg:npm/minimist'], status: 'fixed' },
    {
      vulnerability: { name: 'CVE-2020-0001' },
      products: [{ '@id': 'pkg:oci/app', subcomponents: [{ '@id': 'pkg:pypi/django@3.2.0' }] }],
      status: 'under_investigation',
    },
  ],
});

test('parses v0.2 statements with aliases, string products and subcomponents', () => {
  const st = parseOpenVex(doc, 'vex.json');
  assert.equal(st.length, 3);
  assert.deepEqual(st[0]!.vulnerabilities, ['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm']);
  assert.equal(st[0]!.justification, 'vulnerable_code_not_in_execute_path');
  assert.deepEqual(st[2]!.products, ['pkg:oci/app', 'pkg:pypi/django@3.2.0']);
});

test('matches by any id of the finding and by purl (version optional, qualifiers ignored)', () => {
  const st = parseOpenVex(doc, 'vex.json');
  assert.equal(
    vexStatementFor(st, ['GHSA-35jh-r3h4-6jhm', 'CVE-2021-23337'], 'pkg:npm/lodash@4.17.15')?.status,
    'not_affected',
  );
  assert.equal(
    vexStatementFor(st, ['GHSA-35jh-r3h4-6jhm'], 'pkg:npm/lodash@4.17.20'),
    undefined,
    'other version',
  );
  assert.equal(
    vexStatementFor(st, ['ghsa-xvch-5gv4-984h'], 'pkg:npm/minimist@1.2.5?foo=bar')?.status,
    'fixed',
  );
  assert.equal(
    vexStatementFor(st, ['CVE-2020-0001'], 'pkg:pypi/django@3.2.0')?.status,
    'under_investigation',
  );
  assert.equal(vexStatementFor(st, ['CVE-1999-0001'], 'pkg:npm/lodash@4.17.15'), undefined);
});

test('bad documents fail with one line naming the file', () => {
  assert.throws(
    () => parseOpenVex('{', 'a.json'),
    (e: unknown) => e instanceof VexError && /a\.json: not JSON/.test(e.message),
  );
  assert.throws(
    () => parseOpenVex('{"statements":[{"vulnerability":"X","status":"maybe"}]}', 'b.json'),
    /b\.json statement 1: status/,
  );
});
