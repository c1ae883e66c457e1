import { readFileSync, statSync } from 'node:fs';
import { RampartError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';

/**
 * A baseline is an earlier Rampart report, JSON (`findings[].fingerprint`) or SARIF
 * (`results[].fingerprints['rampart/v1']`). Findings whose fingerprint it contains are suppressed
 * with kind `baseline`: only new findings are reported. The file is untrusted input: size-capped,
 * parsed as JSON, and walked defensively.
 */

export interface Baseline {
  path: string;
  format: 'json' | 'sarif';
  fingerprints: ReadonlySet<string>;
}

export const MAX_BASELINE_BYTES = 512 * 1024 * 1024;
const FINGERPRINT_KEY = 'rampart/v1';

export function loadBaseline(file: string): Baseline {
  const fail = (message: string): never => {
    throw new RampartError('BASELINE_INVALID', `${file}: ${message}`);
  };
  let doc: unknown;
  try {
    const st = statSync(file);
    if (!st.isFile()) fail('not a file');
    if (st.size > MAX_BASELINE_BYTES) fail(`larger than ${MAX_BASELINE_BYTES} bytes`);
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof RampartError) throw err;
    if (err instanceof SyntaxError)
      return fail(`not JSON (${err.message.split('\n')[0]}); expected a Rampart JSON or SARIF report`);
    return fail(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const parsed =
    isRecord(doc) && Array.isArray(doc.runs) && typeof doc.version === 'string'
      ? fromSarif(doc.runs, fail)
      : fromJson(doc, fail);
  return { path: file, ...parsed };
}

function fromJson(doc: unknown, fail: (m: string) => never): Omit<Baseline, 'path'> {
  if (!isRecord(doc) || doc.schemaVersion !== '1' || !Array.isArray(doc.findings)) {
    return fail('not a Rampart report (expected JSON with schemaVersion "1" and findings, or SARIF 2.1.0)');
  }
  const fingerprints = new Set<string>();
  doc.findings.forEach((f, i) => {
    if (!isRecord(f) || typeof f.fingerprint !== 'string' || !f.fingerprint)
      fail(`findings[${i}] has no fingerprint`);
    fingerprints.add((f as { fingerprint: string }).fingerprint);
  });
  return { format: 'json', fingerprints };
}

function fromSarif(runs: unknown[], fail: (m: string) => never): Omit<Baseline, 'path'> {
  const fingerprints = new Set<string>();
  let results = 0;
  for (const run of runs) {
    if (!isRecord(run)) continue;
    for (const r of Array.isArray(run.results) ? run.results : []) {
      results++;
      if (!isRecord(r)) continue;
      const fp =
        (isRecord(r.fingerprints) && r.fingerprints[FINGERPRINT_KEY]) ||
        (isRecord(r.partialFingerprints) && r.partialFingerprints[FINGERPRINT_KEY]);
      if (typeof fp === 'string' && fp) fingerprints.add(fp);
    }
  }
  if (results > 0 && fingerprints.size === 0) {
    fail(
      `SARIF without Rampart fingerprints (fingerprints["${FINGERPRINT_KEY}"]); a baseline must be a report written by rampart`,
    );
  }
  return { format: 'sarif', fingerprints };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Pure: findings already in the baseline are marked suppressed (kind `baseline`); others are unchanged. */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline): Finding[] {
  return findings.map((f) =>
    !f.suppressed && baseline.fingerprints.has(f.fingerprint)
      ? {
          ...f,
          suppressed: { kind: 'baseline' as const, reason: 'present in the baseline', source: baseline.path },
        }
      : f,
  );
}
