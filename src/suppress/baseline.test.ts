import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { RampartError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { renderJson } from '../report/json.js';
import { renderSarif } from '../report/sarif.js';
import { sampleReport } from '../report/__fixtures__/report.js';
import { applyBaseline, loadBaseline } from './baseline.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-baseline-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

// The previous run found the first two findings of the sample; the new run finds those (one of them
// on another line now) plus a new one.
const previous = { ...sampleReport(), findings: sampleReport().findings.slice(0, 2) };
const old0 = previous.findings[0]!;
const moved: Finding = { ...old0, location: { ...old0.location!, startLine: 40, endLine: 40 } };
const fresh: Finding = {
  ...old0,
  fingerprint: 'f'.repeat(32),
  location: { ...old0.location!, path: 'src/new.py' },
};
const current: Finding[] = [moved, { ...previous.findings[1]!, suppressed: undefined }, fresh];

for (const [format, render] of [
  ['json', renderJson],
  ['sarif', (r: typeof previous) => renderSarif(r)],
] as const) {
  test(`baseline from a previous ${format} report: only new findings stay open`, () => {
    const baseline = loadBaseline(write(`previous.${format}`, render(previous)));
    assert.equal(baseline.format, format);
    assert.deepEqual([...baseline.fingerprints].sort(), previous.findings.map((f) => f.fingerprint).sort());
    const out = applyBaseline(current, baseline);
    assert.deepEqual(out[0]!.suppressed, {
      kind: 'baseline',
      reason: 'present in the baseline',
      source: baseline.path,
    });
    assert.equal(out[1]!.suppressed?.kind, 'baseline');
    assert.equal(out[2]!.suppressed, undefined);
    assert.equal(current[0]!.suppressed, undefined, 'inputs are not mutated');
  });
}

test('an existing suppression is kept', () => {
  const baseline = { path: 'b.json', format: 'json' as const, fingerprints: new Set([old0.fingerprint]) };
  const inline: Finding = { ...old0, suppressed: { kind: 'inline', source: 'x:1' } };
  assert.deepEqual(applyBaseline([inline], baseline)[0]!.suppressed, { kind: 'inline', source: 'x:1' });
});

test('an empty earlier report is a valid baseline', () => {
  assert.equal(
    loadBaseline(write('empty.json', renderJson({ ...sampleReport(), findings: [] }))).fingerprints.size,
    0,
  );
  assert.equal(
    loadBaseline(write('empty.sarif', renderSarif({ ...sampleReport(), findings: [], rules: [] })))
      .fingerprints.size,
    0,
  );
});

test('bad baselines: BASELINE_INVALID, one line', () => {
  const cases: [string, string, RegExp][] = [
    ['a.json', '{"findings": [', /a\.json: not JSON \(.*\); expected a Rampart JSON or SARIF report$/],
    ['b.json', '{"results": []}', /b\.json: not a Rampart report/],
    [
      'c.json',
      JSON.stringify({ schemaVersion: '1', findings: [{ ruleId: 'x' }] }),
      /c\.json: findings\[0\] has no fingerprint$/,
    ],
    [
      'd.sarif',
      JSON.stringify({
        version: '2.1.0',
        runs: [{ results: [{ ruleId: 'other-tool', message: { text: 'x' } }] }],
      }),
      /d\.sarif: SARIF without Rampart fingerprints/,
    ],
    ['e.json', '[1, 2]', /e\.json: not a Rampart report/],
  ];
  for (const [name, text, expected] of cases) {
    assert.throws(
      () => loadBaseline(write(name, text)),
      (e: unknown) =>
        e instanceof RampartError &&
        e.code === 'BASELINE_INVALID' &&
        expected.test(e.message) &&
        !e.message.includes('\n'),
      name,
    );
  }
  assert.throws(() => loadBaseline(path.join(dir, 'nope.json')), /nope\.json: cannot read: ENOENT/);
});
