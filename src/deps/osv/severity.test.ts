import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OsvRecord } from './record.js';
import { scoreVector, severityFromScore, severityOf } from './severity.js';

// Expected scores: FIRST CVSS v3.1 specification / examples (CVE-2014-6271 Shellshock-style all-high
// network vector 9.8, CVE-2014-0160 Heartbleed 7.5, CVE-2013-1937 phpMyAdmin XSS 6.1), the FIRST
// CVSS v4.0 calculator (https://www.first.org/cvss/calculator/4-0) and the CVSS v2 guide's example
// CVE-2002-0392 (AV:N/AC:L/Au:N/C:N/I:N/A:C = 7.8).
const V31_CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const V31_HEARTBLEED = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
const V31_XSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N';
const V40_CRITICAL = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
const V40_HIGH = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
const V2_APACHE = 'AV:N/AC:L/Au:N/C:N/I:N/A:C';

test('CVSS vectors score as the FIRST calculators do', () => {
  assert.equal(scoreVector(V31_CRITICAL)?.score, 9.8);
  assert.equal(scoreVector(V31_CRITICAL.replace('3.1', '3.0'))?.score, 9.8);
  assert.equal(scoreVector(V31_HEARTBLEED)?.score, 7.5);
  assert.equal(scoreVector(V31_XSS)?.score, 6.1);
  assert.equal(scoreVector(V40_CRITICAL)?.score, 9.3);
  assert.equal(scoreVector(V40_HIGH)?.score, 8.7);
  assert.equal(scoreVector(V2_APACHE)?.score, 7.8);
});

test('incomplete or garbage vectors are not scored', () => {
  assert.equal(scoreVector('CVSS:4.0/AV:N'), undefined);
  assert.equal(scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H'), undefined);
  assert.equal(scoreVector('garbage'), undefined);
  assert.equal(scoreVector('CVSS:9.9/AV:N'), undefined);
  assert.equal(scoreVector(''), undefined);
});

test('score bands follow the CVSS v3 qualitative scale', () => {
  assert.equal(severityFromScore(10), 'critical');
  assert.equal(severityFromScore(9.0), 'critical');
  assert.equal(severityFromScore(8.9), 'high');
  assert.equal(severityFromScore(7.0), 'high');
  assert.equal(severityFromScore(6.9), 'medium');
  assert.equal(severityFromScore(4.0), 'medium');
  assert.equal(severityFromScore(3.9), 'low');
  assert.equal(severityFromScore(0.1), 'low');
  assert.equal(severityFromScore(0), 'info');
});

test('severity from a CVSS v3.1 vector', () => {
  const r: OsvRecord = {
    id: 'GHSA-1',
    severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }],
    database_specific: { severity: 'LOW' },
  };
  assert.deepEqual(severityOf(r), {
    severity: 'critical',
    score: 9.8,
    vector: V31_CRITICAL,
    source: 'CVSS:3.1',
  });
});

test('severity from a CVSS v4.0 vector; the highest score wins across versions and affected entries', () => {
  const v4: OsvRecord = { id: 'GHSA-2', severity: [{ type: 'CVSS_V4', score: V40_HIGH }] };
  assert.deepEqual(severityOf(v4), { severity: 'high', score: 8.7, vector: V40_HIGH, source: 'CVSS:4.0' });
  const both: OsvRecord = {
    id: 'RUSTSEC-1',
    severity: [{ type: 'CVSS_V3', score: V31_HEARTBLEED }],
    affected: [
      {
        package: { ecosystem: 'crates.io', name: 'x' },
        severity: [{ type: 'CVSS_V4', score: V40_CRITICAL }],
      },
    ],
  };
  assert.equal(severityOf(both).score, 9.3);
  assert.equal(severityOf(both, { ecosystem: 'crates.io', name: 'other' }).score, 7.5);
});

test('severity falls back to GHSA words, then affected-entry words, then medium', () => {
  assert.deepEqual(severityOf({ id: 'GHSA-3', database_specific: { severity: 'MODERATE' } }), {
    severity: 'medium',
    source: 'database_specific',
  });
  assert.equal(severityOf({ id: 'GHSA-4', database_specific: { severity: 'LOW' } }).severity, 'low');
  assert.equal(
    severityOf({
      id: 'GHSA-5',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }],
      database_specific: { severity: 'HIGH' },
    }).severity,
    'high',
  );
  assert.deepEqual(
    severityOf({
      id: 'X-1',
      affected: [{ package: { ecosystem: 'npm', name: 'a' }, ecosystem_specific: { severity: 'HIGH' } }],
    }),
    { severity: 'high', source: 'affected.ecosystem_specific' },
  );
  assert.deepEqual(
    severityOf({
      id: 'X-2',
      affected: [{ package: { ecosystem: 'npm', name: 'a' }, database_specific: { severity: 'Critical' } }],
    }),
    { severity: 'critical', source: 'affected.database_specific' },
  );
  assert.deepEqual(severityOf({ id: 'X-3' }), { severity: 'medium', source: 'default' });
  assert.deepEqual(severityOf({ id: 'USN-1', severity: [{ type: 'Ubuntu', score: 'low' }] }), {
    severity: 'low',
    source: 'Ubuntu',
  });
});

test('malicious package records are always critical', () => {
  assert.equal(severityOf({ id: 'MAL-2022-1085' }).severity, 'critical');
  assert.equal(severityOf({ id: 'MAL-2022-1', database_specific: { severity: 'LOW' } }).source, 'malicious');
});
