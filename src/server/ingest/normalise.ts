import { fingerprintOf } from '../../core/fingerprint.js';
import type { Severity } from '../../core/severity.js';

/**
 * Small pure helpers shared by the SARIF, Rampart and CycloneDX readers: severities, CWE ids,
 * fingerprints and length caps.
 */

/** CVSS-like score (GitHub's `security-severity`) → severity: ≥9 critical, ≥7 high, ≥4 medium, >0 low, 0 info. */
export function severityFromScore(score: unknown): Severity | undefined {
  const n =
    typeof score === 'number' ? score : typeof score === 'string' && score.trim() ? Number(score) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 10) return undefined;
  if (n >= 9) return 'critical';
  if (n >= 7) return 'high';
  if (n >= 4) return 'medium';
  if (n > 0) return 'low';
  return 'info';
}

/** SARIF `level` → severity (error → high, warning → medium, note → low, none → info). */
export function severityFromLevel(level: unknown): Severity | undefined {
  switch (level) {
    case 'error':
      return 'high';
    case 'warning':
      return 'medium';
    case 'note':
      return 'low';
    case 'none':
      return 'info';
    default:
      return undefined;
  }
}

/** A severity word as tools write it (`HIGH`, `Critical`, `moderate`, `none`…), or undefined. */
export function severityFromWord(word: unknown): Severity | undefined {
  if (typeof word !== 'string') return undefined;
  switch (word.trim().toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'high':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    case 'info':
    case 'informational':
    case 'none':
      return 'info';
    default:
      return undefined;
  }
}

const CWE_PATTERNS = [/^CWE-0*(\d+)\b/i, /^external\/cwe\/cwe-0*(\d+)$/i];

/** `CWE-079`, `external/cwe/cwe-079`, `CWE-89: Improper Neutralization…`, `89` (number) → `CWE-89`. */
export function cweId(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? `CWE-${value}` : undefined;
  if (typeof value !== 'string') return undefined;
  for (const re of CWE_PATTERNS) {
    const m = re.exec(value.trim());
    if (m) return `CWE-${m[1]}`;
  }
  return undefined;
}

export function cweList(values: Iterable<unknown>): string[] {
  const out: string[] = [];
  for (const v of values) {
    const id = cweId(v);
    if (id) out.push(id);
  }
  return unique(out);
}

export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

export function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

/** Code text compared without any whitespace, so re-indentation keeps the identity. */
export function normaliseSnippet(text: string): string {
  return text.replace(/\s+/g, '');
}

/**
 * A message compared without whitespace differences and without numbers: messages often embed line
 * numbers ("defined at line 12") or installed versions that must not change the identity.
 */
export function normaliseMessage(text: string): string {
  return text.replace(/\d+/g, '#').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The fallback identity: sha256 of tool, rule, path and a normalised snippet or message (no line). */
export function fallbackFingerprint(tool: string, ruleId: string, path: string, content: string): string {
  return fingerprintOf('ingest/v1', tool, ruleId, path, content);
}

/**
 * A tool's own fingerprints (SARIF `fingerprints` / `partialFingerprints`), keys sorted so that the
 * order a tool writes them in does not matter, scoped by tool, rule and path (CodeQL's
 * `primaryLocationLineHash` hashes the line text only, so the same line in two files would collide).
 */
export function toolFingerprint(
  tool: string,
  ruleId: string,
  path: string,
  values: Record<string, string>,
): string {
  const pairs = Object.keys(values)
    .sort()
    .map((k) => `${k}=${values[k]}`);
  return fingerprintOf('ingest/v1', tool, ruleId, path, ...pairs);
}

/** Caps a free-text field so that one upload cannot store megabytes per row. */
export function cap(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const LIMITS = {
  title: 300,
  message: 2000,
  evidence: 500,
  remediation: 8000,
  reference: 2000,
} as const;

/** A title is not a sentence: Rampart's SARIF adds a final period to it, which is dropped again. */
export function cleanTitle(text: string): string {
  return cap(
    text
      .trim()
      .replace(/\s+/g, ' ')
      .replace(/(?<!\.)\.$/, ''),
    LIMITS.title,
  );
}
