import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hitsByLabelPath,
  parseOfficialOutput,
  precision,
  recall,
  scoreCases,
  type CaseLabel,
} from './secrets-score.js';

const root = '/corpus/data/secrets/files';
const exists = (p: string) => p.startsWith(root);

function sarifWith(...results: { uri: string; line: number; base?: string }[]) {
  return {
    runs: [
      {
        originalUriBaseIds: { SRCROOT: { uri: `file://${root}/` } },
        results: results.map((r) => ({
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: r.uri, ...(r.base ? { uriBaseId: r.base } : {}) },
                region: { startLine: r.line },
              },
            },
          ],
        })),
      },
    ],
  };
}

test('result URIs resolve to label paths: relative, uriBaseId, file:// and percent-encoded', () => {
  const hits = hitsByLabelPath(
    sarifWith(
      { uri: 'aws/gl-1.env', line: 3 },
      { uri: 'aws/gl-2.env', line: 4, base: 'SRCROOT' },
      { uri: `file://${root}/my%20kind/th-3.txt`, line: 5 },
    ),
    root,
    exists,
  );
  assert.deepEqual(Object.fromEntries(hits), {
    'files/aws/gl-1.env': [3],
    'files/aws/gl-2.env': [4],
    'files/my kind/th-3.txt': [5],
  });
});

test('a case counts when a result starts inside its line range; breakdowns add up', () => {
  const labels: Record<string, CaseLabel> = {
    'files/a/gl-1.env': { id: 'gl-1', kind: 'a', label: 'secret', range: [2, 3] },
    'files/a/gl-2.env': { id: 'gl-2', kind: 'a', label: 'secret', range: [2, 2] },
    'files/b/th-3.env': { id: 'th-3', kind: 'b', label: 'not-secret', range: [1, 1], neg_type: 'near-miss' },
    'files/b/th-4.env': {
      id: 'th-4',
      kind: 'b',
      label: 'not-secret',
      range: [5, 6],
      neg_type: 'placeholder',
    },
  };
  const hits = new Map([
    ['files/a/gl-1.env', [3]], // inside → TP
    ['files/a/gl-2.env', [1]], // outside (filler line) → FN
    ['files/b/th-3.env', [1]], // inside a negative → FP
  ]);
  const b = scoreCases(labels, hits);
  assert.deepEqual(b.overall, { tp: 1, fn: 1, fp: 1, tn: 1 });
  assert.deepEqual(b.bySource.get('gl'), { tp: 1, fn: 1, fp: 0, tn: 0 });
  assert.deepEqual(b.byNegType.get('near-miss'), { tp: 0, fn: 0, fp: 1, tn: 0 });
  assert.deepEqual(b.byNegType.get('placeholder'), { tp: 0, fn: 0, fp: 0, tn: 1 });
  assert.deepEqual(b.byKind.get('b'), { tp: 0, fn: 0, fp: 1, tn: 1 });
  assert.deepEqual(b.missed, ['gl-2']);
  assert.deepEqual(b.falsePositives, ['th-3']);
  assert.equal(recall(b.overall), 0.5);
  assert.equal(precision(b.overall), 0.5);
  assert.equal(precision({ tp: 0, fn: 3, fp: 0, tn: 2 }), undefined);
});

test('the official scorer output is parsed, NaN source lines included', () => {
  const out = [
    'gl: recall=0.939 precision=0.931 (tp=326 fn=21 fp=24 tn=291)',
    'rw: recall=nan precision=0.000 (tp=0 fn=0 fp=1 tn=416)',
    'recall=0.887 precision=0.919 tp=1905 fn=243 fp=167 tn=1416',
    '',
  ].join('\n');
  const parsed = parseOfficialOutput(out);
  assert.ok(parsed);
  assert.deepEqual(parsed.overall, { tp: 1905, fn: 243, fp: 167, tn: 1416 });
  assert.equal(parsed.recall, 0.887);
  assert.deepEqual(parsed.bySource.get('rw'), { tp: 0, fn: 0, fp: 1, tn: 416 });
  assert.equal(parseOfficialOutput('Traceback (most recent call last):'), undefined);
});
