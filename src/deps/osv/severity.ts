import cvss from 'ae-cvss-calculator';
import { severityRank, type Severity } from '../../core/severity.js';
import { ecosystemMatches, packageNamesMatch } from './ecosystem.js';
import type { OsvAffected, OsvRecord, OsvSeverity } from './record.js';

export interface SeverityInfo {
  severity: Severity;
  /** CVSS score (0–10) when the severity comes from a vector. */
  score?: number;
  vector?: string;
  /** Where the severity came from: `CVSS:4.0`, `CVSS:3.1`, `CVSS:3.0`, `CVSS:2.0`, `Ubuntu`,
   * `database_specific`, `affected.ecosystem_specific`, `affected.database_specific`, `malicious`, `default`. */
  source: string;
}

/** CVSS v3 qualitative rating scale (https://www.first.org/cvss/v3.1/specification-document#Qualitative-Severity-Rating-Scale). */
export function severityFromScore(score: number): Severity {
  if (score >= 9.0) return 'critical';
  if (score >= 7.0) return 'high';
  if (score >= 4.0) return 'medium';
  if (score >= 0.1) return 'low';
  return 'info';
}

const MANDATORY: Record<string, readonly string[]> = {
  '4.0': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
  '3.1': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '3.0': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '2.0': ['AV', 'AC', 'Au', 'C', 'I', 'A'],
};

const VERSION_RANK: Record<string, number> = { '4.0': 4, '3.1': 3, '3.0': 2, '2.0': 1 };

interface Scored {
  score: number;
  vector: string;
  version: string;
}

/**
 * Scores one CVSS vector, or undefined when it is not a complete base vector (the calculator gives
 * an incomplete vector a meaningless 0) or cannot be parsed.
 */
export function scoreVector(raw: string): Scored | undefined {
  if (typeof raw !== 'string' || raw.length > 512) return undefined;
  let vector = raw.trim();
  if (vector.startsWith('(') && vector.endsWith(')')) vector = vector.slice(1, -1);
  let version = '2.0';
  let body = vector;
  const m = /^CVSS:(\d\.\d)\//.exec(vector);
  if (m) {
    version = m[1] ?? '';
    body = vector.slice(m[0].length);
    if (version === '2.0') vector = body;
  }
  const mandatory = MANDATORY[version];
  if (!mandatory) return undefined;
  const metrics = new Map<string, string>();
  for (const part of body.split('/')) {
    const i = part.indexOf(':');
    if (i <= 0 || i === part.length - 1) return undefined;
    metrics.set(part.slice(0, i), part.slice(i + 1));
  }
  if (!mandatory.every((k) => metrics.has(k))) return undefined;
  try {
    const calc =
      version === '4.0'
        ? new cvss.Cvss4P0(vector)
        : version === '3.1'
          ? new cvss.Cvss3P1(vector)
          : version === '3.0'
            ? new cvss.Cvss3P0(vector)
            : new cvss.Cvss2(vector);
    const score = calc.calculateScores().overall;
    if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10) return undefined;
    return { score, vector, version };
  } catch {
    return undefined;
  }
}

/** GHSA (`CRITICAL`/`HIGH`/`MODERATE`/`LOW`), Bitnami (`Medium`…), Ubuntu (`negligible`…) words. */
export function severityFromWord(word: unknown): Severity | undefined {
  if (typeof word === 'number' && Number.isFinite(word) && word >= 0 && word <= 10)
    return severityFromScore(word);
  if (typeof word !== 'string') return undefined;
  switch (word.trim().toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'important':
      return 'high';
    case 'moderate':
    case 'medium':
      return 'medium';
    case 'low':
      return 'low';
    case 'none':
    case 'negligible':
      return 'info';
    default:
      return undefined;
  }
}

function highestWord(words: unknown[]): Severity | undefined {
  let best: Severity | undefined;
  for (const w of words) {
    const s = severityFromWord(w);
    if (s && (!best || severityRank(s) > severityRank(best))) best = s;
  }
  return best;
}

function severityList(value: unknown): OsvSeverity[] {
  return Array.isArray(value)
    ? value.filter(
        (s): s is OsvSeverity => typeof s === 'object' && s !== null && typeof s.score === 'string',
      )
    : [];
}

function fieldSeverity(obj: unknown): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>).severity : undefined;
}

/**
 * The severity of a record: the highest-scoring complete CVSS vector (v4.0, v3.1, v3.0, v2.0; on
 * equal scores the newer version) among the record's and its affected entries' `severity`; else an
 * Ubuntu priority; else `database_specific.severity` (GHSA words); else an affected entry's
 * `ecosystem_specific` / `database_specific` severity; else `medium` (source `default`). Malicious
 * package records (`MAL-…`) are always critical. With `pkg`, only that package's affected entries count.
 */
export function severityOf(record: OsvRecord, pkg?: { ecosystem: string; name: string }): SeverityInfo {
  const entries: OsvAffected[] = (Array.isArray(record.affected) ? record.affected : []).filter(
    (a) =>
      !pkg ||
      (typeof a?.package?.ecosystem === 'string' &&
        typeof a.package.name === 'string' &&
        ecosystemMatches(a.package.ecosystem, pkg.ecosystem) &&
        packageNamesMatch(pkg.ecosystem, a.package.name, pkg.name)),
  );
  const all = [...severityList(record.severity), ...entries.flatMap((a) => severityList(a.severity))];

  let best: Scored | undefined;
  for (const s of all) {
    if (s.type === 'Ubuntu') continue;
    const scored = scoreVector(s.score);
    if (!scored) continue;
    if (
      !best ||
      scored.score > best.score ||
      (scored.score === best.score && (VERSION_RANK[scored.version] ?? 0) > (VERSION_RANK[best.version] ?? 0))
    )
      best = scored;
  }

  let info: SeverityInfo;
  const ubuntu = highestWord(all.filter((s) => s.type === 'Ubuntu').map((s) => s.score));
  const dbWord = severityFromWord(fieldSeverity(record.database_specific));
  const ecoWord = highestWord(entries.map((a) => fieldSeverity(a.ecosystem_specific)));
  const affDbWord = highestWord(entries.map((a) => fieldSeverity(a.database_specific)));
  if (best)
    info = {
      severity: severityFromScore(best.score),
      score: best.score,
      vector: best.vector,
      source: `CVSS:${best.version}`,
    };
  else if (ubuntu) info = { severity: ubuntu, source: 'Ubuntu' };
  else if (dbWord) info = { severity: dbWord, source: 'database_specific' };
  else if (ecoWord) info = { severity: ecoWord, source: 'affected.ecosystem_specific' };
  else if (affDbWord) info = { severity: affDbWord, source: 'affected.database_specific' };
  else info = { severity: 'medium', source: 'default' };

  if (typeof record.id === 'string' && record.id.startsWith('MAL-'))
    return { ...info, severity: 'critical', source: 'malicious' };
  return info;
}
