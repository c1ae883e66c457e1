import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutputFormat } from '../config/types.js';
import { RampartError } from '../core/errors.js';
import { sampleReport } from './__fixtures__/report.js';
import { OUTPUT_FORMATS, renderReport } from './index.js';

test('renderReport dispatches to every format', () => {
  const report = sampleReport();
  assert.match(renderReport(report, 'table', { color: false }), /^src\/config\/settings\.py \(1\)\n/);
  assert.equal(JSON.parse(renderReport(report, 'json', { color: true })).schemaVersion, '1');
  const sarif = JSON.parse(renderReport(report, 'sarif', { color: false, srcRoot: '/srv/app' }));
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs[0].originalUriBaseIds['%SRCROOT%'].uri, 'file:///srv/app/');
  assert.match(
    renderReport(report, 'junit', { color: false }),
    /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /,
  );
  assert.deepEqual([...OUTPUT_FORMATS], ['table', 'json', 'sarif', 'junit']);
});

test('an unknown format is a usage error, not a crash', () => {
  assert.throws(
    () => renderReport(sampleReport(), 'xml' as OutputFormat, { color: false }),
    (e: unknown) => e instanceof RampartError && e.code === 'USAGE' && /unknown format "xml"/.test(e.message),
  );
});
