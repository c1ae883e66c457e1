import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScanReport } from '../core/report.js';
import { sampleReport } from './__fixtures__/report.js';
import { humanBytes, renderTable, summaryLine } from './table.js';

const ANSI = /\u001b\[[0-9;]*m/;

test('plain table: grouped by file, one row per finding, summary with counts', () => {
  const out = renderTable(sampleReport(), { color: false });
  assert.doesNotMatch(out, ANSI);
  const lines = out.split('\n');
  assert.deepEqual(lines.slice(0, 3), [
    'src/config/settings.py (1)',
    '  SEVERITY  RULE               LOCATION             MESSAGE',
    '  CRITICAL  secret/github-pat  12:15 @0123456789ab  GitHub personal access token: ghp_…(40)',
  ]);
  assert.ok(lines.includes('package-lock.json (1)'));
  assert.ok(
    lines.some((l) => /^ {2}HIGH {6}deps\/GHSA-xxxx-yyyy-zzzz {2}lodash@4\.17\.15 \(line 240\)/.test(l)),
  );
  assert.ok(lines.includes('Deployment prod/web (1)'));
  assert.ok(lines.some((l) => l.includes('[suppressed: inline, test fixture, not a real key]')));
  assert.ok(
    lines.includes(
      '3 findings: 1 critical, 1 high, 1 low · 42 files scanned (121 KB) · 13 skipped (binary 2, too-large 1, ignored 10) · 1 warning · 1 suppressed',
    ),
  );
  assert.ok(
    lines.includes(
      'warning: vendor/min.js: secret scan stopped at the per-file time budget; results may be partial',
    ),
  );
});

test('hostile names cannot drive the terminal: escapes and bidi controls are shown, not sent', () => {
  const report = sampleReport();
  report.findings[0]!.location!.path = 'a\u202eexe.txt\r\nfake line';
  report.findings[0]!.message = 'token \u001b]0;pwned\u0007 found';
  const out = renderTable(report, { color: false });
  assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
  assert.ok(out.includes('a\\u202eexe.txt\\u000d\\u000afake line (1)'));
  assert.ok(out.includes('token \\u001b]0;pwned\\u0007 found'));
  assert.ok(out.includes('weird dir/<a>&"b\'\\u001b[31m/données ключ#1?.env'));
});

test('colours only when asked', () => {
  const out = renderTable(sampleReport(), { color: true });
  assert.match(out, ANSI);
  assert.ok(out.includes('\u001b[31mHIGH'));
});

test('no findings, history stats, warnings overflow', () => {
  const report: ScanReport = {
    ...sampleReport(),
    mode: 'history',
    findings: [],
    warnings: Array.from({ length: 25 }, (_, i) => `w${i}`),
    stats: {
      filesScanned: 3,
      bytesScanned: 5 * 1024 * 1024,
      filesSkipped: {},
      warnings: 25,
      suppressed: 0,
      commitsScanned: 12,
    },
  };
  const out = renderTable(report, { color: false });
  assert.ok(out.startsWith('No findings.\n'));
  assert.ok(
    out.includes(
      '0 findings · 12 commits, 3 files scanned (5.0 MB) · 0 skipped · 25 warnings · 0 suppressed',
    ),
  );
  assert.ok(out.includes('warning: w19\n'));
  assert.ok(!out.includes('warning: w20\n'));
  assert.ok(out.includes('… 5 more warnings'));
  assert.equal(
    summaryLine({ ...report, stats: { ...report.stats, warnings: 1 } }).includes('· 1 warning ·'),
    true,
  );
  assert.deepEqual([0, 1023, 1024, 1536, 10 * 1024 * 1024, 3 * 1024 ** 3].map(humanBytes), [
    '0 B',
    '1023 B',
    '1.0 KB',
    '1.5 KB',
    '10 MB',
    '3.0 GB',
  ]);
});
