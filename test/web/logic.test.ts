import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  activeFilters,
  DEFAULT_FILTERS,
  detailsText,
  formatDate,
  groupFindings,
  protectionFrom,
  safeHref,
  shortArtifact,
  triageBody,
  trendSummary,
  whereOf,
  yScale,
} from '../../web/src/logic.js';
import type { FindingRow } from '../../web/src/types.js';

function row(
  id: string,
  ruleId: string,
  location: FindingRow['location'],
  pkg: FindingRow['package'] = null,
): FindingRow {
  return {
    id,
    branch: 'main',
    tool: 'CodeQL',
    scanner: 'sast',
    ruleId,
    severity: 'high',
    title: ruleId,
    state: 'open',
    location,
    package: pkg,
    firstSeenAt: '2026-11-01T00:00:00Z',
    lastSeenAt: '2026-11-01T00:00:00Z',
    slaDueAt: null,
  };
}

describe('dashboard logic', () => {
  it('groups findings by rule or by file, keeping the server’s order', () => {
    const rows = [
      row('1', 'js/xss', { path: 'a.js', startLine: 3 }),
      row('2', 'js/sqli', { path: 'b.js' }),
      row('3', 'js/xss', { path: 'b.js', startLine: 9 }),
      row('4', 'npm/lodash', null, {
        ecosystem: 'npm',
        name: 'lodash',
        version: '4.17.20',
        path: 'package-lock.json',
      }),
      row('5', 'x/none', null),
    ];
    assert.deepEqual(
      groupFindings(rows, 'rule').map((g) => [g.key, g.rows.map((r) => r.id)]),
      [
        ['js/xss', ['1', '3']],
        ['js/sqli', ['2']],
        ['npm/lodash', ['4']],
        ['x/none', ['5']],
      ],
    );
    assert.deepEqual(
      groupFindings(rows, 'file').map((g) => [g.key, g.rows.map((r) => r.id)]),
      [
        ['a.js', ['1']],
        ['b.js', ['2', '3']],
        ['package-lock.json', ['4']],
        ['(no file)', ['5']],
      ],
    );
    assert.deepEqual(groupFindings(rows, 'none'), [{ key: '', rows }]);
    assert.deepEqual(rows.map(whereOf), ['a.js:3', 'b.js', 'b.js:9', 'lodash@4.17.20', '—']);
  });

  it('counts the filters that differ from the default view', () => {
    assert.equal(activeFilters(DEFAULT_FILTERS), 0);
    assert.equal(activeFilters({ ...DEFAULT_FILTERS, state: ['open', 'new'] }), 0);
    assert.equal(
      activeFilters({ ...DEFAULT_FILTERS, state: ['dismissed'], severity: ['critical'], q: 'sql' }),
      3,
    );
    assert.equal(activeFilters({ ...DEFAULT_FILTERS, sort: 'sla' }), 0);
  });

  it('builds triage bodies and says what is missing', () => {
    const none = { reason: '', until: '', comment: '' };
    assert.equal(triageBody('dismiss', none), 'Choose why the finding is dismissed.');
    assert.deepEqual(triageBody('dismiss', { ...none, reason: 'false-positive', comment: '  ' }), {
      action: 'dismiss',
      reason: 'false-positive',
    });
    assert.equal(
      triageBody('accept-risk', { ...none, comment: 'why' }),
      'Choose until when the risk is accepted.',
    );
    assert.equal(
      triageBody('accept-risk', { ...none, until: '2027-01-31' }),
      'Say why the risk is accepted.',
    );
    assert.deepEqual(
      triageBody('accept-risk', { ...none, until: '2027-01-31', comment: ' vendor fix due ' }),
      {
        action: 'accept-risk',
        until: '2027-01-31T23:59:59.000Z',
        comment: 'vendor fix due',
      },
    );
    assert.deepEqual(triageBody('reopen', none), { action: 'reopen' });
    assert.equal(triageBody('comment', none), 'Write a comment.');
  });

  it('turns the environment form into a protection document, leaving out what is blank', () => {
    const blank = {
      critical: '',
      high: '',
      requireSignature: false,
      requireSbom: false,
      maxScanAgeHours: '',
      requireDast: false,
      approvals: '0',
      roles: ['admin' as const],
    };
    assert.deepEqual(protectionFrom(blank), {});
    assert.deepEqual(
      protectionFrom({
        ...blank,
        critical: '0',
        requireSignature: true,
        maxScanAgeHours: '24',
        approvals: '2',
        roles: ['admin', 'operator'],
      }),
      {
        maxOpenAgeDays: { critical: 0 },
        requireSignature: true,
        maxScanAgeHours: 24,
        approvals: { count: 2, roles: ['admin', 'operator'] },
      },
    );
  });

  it('picks round chart scales and describes the trend in words', () => {
    assert.deepEqual(yScale(0), { top: 1, ticks: [0, 1] });
    assert.deepEqual(yScale(7), { top: 8, ticks: [0, 2, 4, 6, 8] });
    assert.deepEqual(yScale(1234), { top: 1500, ticks: [0, 500, 1000, 1500] });
    assert.equal(
      trendSummary([
        { day: '2026-11-01', open: 10, fixed: 0 },
        { day: '2026-11-02', open: 7, fixed: 3 },
      ]),
      'From 2026-11-01 to 2026-11-02: open findings went from 10 to 7; fixed per day went from 0 to 3.',
    );
    assert.equal(trendSummary([]), 'No data yet.');
  });

  it('formats for display and links only http(s) references', () => {
    assert.equal(formatDate('2026-11-30T09:05:59.123Z'), '2026-11-30 09:05 UTC');
    assert.equal(formatDate(null), '—');
    assert.equal(
      shortArtifact(`reg.example/app:1@sha256:${'ab'.repeat(32)}`),
      'reg.example/app:1@sha256:abababababab…',
    );
    assert.equal(
      safeHref('https://cwe.mitre.org/data/definitions/89.html'),
      'https://cwe.mitre.org/data/definitions/89.html',
    );
    assert.equal(safeHref('javascript:alert(1)'), undefined);
    assert.equal(safeHref('CVE-2024-0001'), undefined);
    assert.equal(detailsText({ from: 'new', to: 'dismissed', n: 2 }), 'from: new · to: dismissed · n: 2');
    assert.equal(detailsText({ long: 'x'.repeat(300) }, 20), `long: ${'x'.repeat(14)}…`);
  });
});
