import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { account, type ExpectedUpload, type StoredScan } from './verify.js';
import { buildCorpus, uploadCoordinates } from './corpus.js';

const expected: ExpectedUpload[] = [
  { projectId: 'p1', idempotencyKey: 'k1', findings: 3 },
  { projectId: 'p1', idempotencyKey: 'k2', findings: 3 },
  { projectId: 'p2', idempotencyKey: 'k1', findings: 3 },
];
const scan = (
  projectId: string,
  idempotencyKey: string,
  createdFindings: number,
  scanId = 's',
): StoredScan => ({
  projectId,
  idempotencyKey,
  createdFindings,
  scanId,
});

describe('bench/ingest account', () => {
  it('counts nothing lost or doubled when every upload has its scan and findings', () => {
    assert.deepEqual(account(expected, [scan('p1', 'k1', 3), scan('p1', 'k2', 3), scan('p2', 'k1', 3)]), {
      lostScans: 0,
      doubledScans: 0,
      lostFindings: 0,
      extraFindings: 0,
    });
  });

  it('counts a missing scan and its findings as lost (keys are per project)', () => {
    assert.deepEqual(account(expected, [scan('p1', 'k1', 3), scan('p1', 'k2', 3)]), {
      lostScans: 1,
      doubledScans: 0,
      lostFindings: 3,
      extraFindings: 0,
    });
  });

  it('counts a repeated scan, a scan no upload explains and their findings as doubled', () => {
    const stored = [
      scan('p1', 'k1', 3, 'a'),
      scan('p1', 'k1', 3, 'b'),
      scan('p1', 'k2', 3),
      scan('p2', 'k1', 2),
      scan('p2', 'other', 4),
    ];
    assert.deepEqual(account(expected, stored), {
      lostScans: 0,
      doubledScans: 2,
      lostFindings: 1,
      extraFindings: 7,
    });
  });
});

describe('bench/ingest corpus', () => {
  it('spreads consecutive uploads over projects, one branch per upload', () => {
    assert.deepEqual(uploadCoordinates(0, 50), { projectIndex: 0, branch: 'feature/0' });
    assert.deepEqual(uploadCoordinates(51, 50), { projectIndex: 1, branch: 'feature/1' });
    const corpus = buildCorpus({ files: 6, findingsPerFile: 4, projects: 3 });
    const streams = new Set(corpus.map((u) => `${u.projectIndex}/${u.branch}`));
    assert.equal(streams.size, 6);
  });

  it('gives every result of every file its own fingerprint', () => {
    const corpus = buildCorpus({ files: 4, findingsPerFile: 5, projects: 2 });
    const fps = corpus.flatMap((u) => {
      const log = JSON.parse(u.body.toString('utf8')) as {
        runs: { results: { partialFingerprints: Record<string, string> }[] }[];
      };
      return log.runs[0]!.results.map((r) => r.partialFingerprints.primaryLocationLineHash);
    });
    assert.equal(fps.length, 20);
    assert.equal(new Set(fps).size, 20);
  });
});
