import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newAjv } from '../config/ajv.js';
import { loadSchemaFile } from '../config/schema-file.js';
import type { ScanReport } from '../core/report.js';
import { sampleReport } from './__fixtures__/report.js';
import { formatAjvErrors } from './__fixtures__/sarif-validate.js';
import { renderJson } from './json.js';

// strict mode: the schema itself must be clean draft 2020-12 (no unknown keywords or formats).
const validate = newAjv({ strict: true }).compile(loadSchemaFile('report.schema.json'));

test('JSON output is the report, 2-space indented, and round-trips', () => {
  const report = sampleReport();
  const text = renderJson(report);
  assert.ok(text.startsWith('{\n  "schemaVersion": "1",\n  "tool": {\n    "name": "rampart"'));
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(JSON.parse(text), report);
});

test('JSON output validates against schema/report.schema.json', () => {
  const empty: ScanReport = {
    ...sampleReport(),
    findings: [],
    rules: [],
    skipped: [],
    warnings: [],
    stats: { filesScanned: 0, bytesScanned: 0, filesSkipped: {}, warnings: 0, suppressed: 0 },
  };
  const history: ScanReport = {
    ...sampleReport(),
    mode: 'history',
    target: 'git:history --all',
    stats: { ...sampleReport().stats, commitsScanned: 5000 },
  };
  for (const report of [sampleReport(), empty, history]) {
    const doc: unknown = JSON.parse(renderJson(report));
    assert.equal(validate(doc), true, formatAjvErrors(validate.errors));
  }
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutating parsed JSON in place
type Json = Record<string, any>;

test('the report schema rejects drift: unknown keys, wrong enums, bad positions', () => {
  const cases: [string, (r: Json) => void, RegExp][] = [
    ['extra top-level key', (r) => (r.secret = 'x'), /additionalProperty":"secret"/],
    ['upper-case severity', (r) => (r.findings[0].severity = 'CRITICAL'), /\/findings\/0\/severity/],
    ['line 0', (r) => (r.findings[0].location.startLine = 0), /\/findings\/0\/location\/startLine/],
    ['unknown skip reason', (r) => (r.stats.filesSkipped.huge = 1), /filesSkipped/],
    [
      'suppression kind',
      (r) => (r.findings[1].suppressed.kind = 'comment'),
      /\/findings\/1\/suppressed\/kind/,
    ],
    ['missing fingerprint', (r) => delete r.findings[2].fingerprint, /missingProperty":"fingerprint"/],
  ];
  for (const [name, mutate, expected] of cases) {
    const doc = JSON.parse(renderJson(sampleReport()));
    mutate(doc);
    assert.equal(validate(doc), false, name);
    assert.match(formatAjvErrors(validate.errors), expected, name);
  }
});
