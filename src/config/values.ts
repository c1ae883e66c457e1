import type { ScannerKind } from '../core/finding.js';
import { parseSeverityList, type Severity } from '../core/severity.js';
import type { OutputFormat, RampartConfig } from './types.js';

/**
 * Pure parsers for option values as they arrive from YAML (already typed), environment variables
 * and flags (strings). Each throws ValueProblem with a sentence about the value; the loader adds
 * where it came from (`rampart.yaml:7`, `RAMPART_MAX_FILE_SIZE`, `--max-file-size`).
 */
export class ValueProblem extends Error {}

export const SCANNER_KINDS: readonly ScannerKind[] = [
  'secret',
  'deps',
  'misconfig',
  'sast',
  'image',
  'policy',
  'dast',
  'audit',
];
export const FORMATS: readonly OutputFormat[] = ['table', 'json', 'sarif', 'junit'];
export const PROGRESS_MODES: readonly RampartConfig['progress'][] = ['auto', 'always', 'never'];

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `10MB`, `512KB`, `1.5GiB`, `4096` (bytes). Units are binary (1 KB = 1024 bytes), case-insensitive. */
export function parseSize(raw: unknown): number {
  if (typeof raw === 'number') {
    if (Number.isSafeInteger(raw) && raw >= 1) return raw;
    throw new ValueProblem(`must be a positive number of bytes, got ${raw}`);
  }
  const m = /^\s*(\d{1,15}(?:\.\d{1,6})?)\s*([a-z]{0,3})\s*$/i.exec(String(raw));
  const factor = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || factor === undefined)
    throw new ValueProblem(`must be a size like 10MB, 512KB or a number of bytes, got "${clip(raw)}"`);
  const bytes = Math.floor(Number(m[1]) * factor);
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new ValueProblem(`is out of range: "${clip(raw)}"`);
  return bytes;
}

const DURATION_UNITS: Record<string, number> = { '': 1, ms: 1, s: 1000, m: 60_000 };
const MAX_DURATION_MS = 24 * 3600 * 1000;

/** `5s`, `500ms`, `2m`, `1500` (milliseconds). */
export function parseDuration(raw: unknown): number {
  let ms: number | undefined;
  if (typeof raw === 'number') ms = raw;
  else {
    const m = /^\s*(\d{1,12}(?:\.\d{1,6})?)\s*(ms|s|m|)\s*$/i.exec(String(raw));
    if (m) ms = Math.round(Number(m[1]) * DURATION_UNITS[m[2]!.toLowerCase()]!);
  }
  if (ms === undefined)
    throw new ValueProblem(
      `must be a duration like 10s, 500ms, 2m or a number of milliseconds, got "${clip(raw)}"`,
    );
  if (!Number.isFinite(ms) || ms < 1 || ms > MAX_DURATION_MS)
    throw new ValueProblem(`must be between 1ms and 24h, got "${clip(raw)}"`);
  return Math.round(ms);
}

export function parseExitCode(raw: unknown): number {
  const n = typeof raw === 'number' ? raw : /^\s*\d{1,3}\s*$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 255)
    throw new ValueProblem(`must be an integer from 0 to 255, got "${clip(raw)}"`);
  return n;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function parseBoolean(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  const s = String(raw).trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new ValueProblem(`must be true or false, got "${clip(raw)}"`);
}

/** A list given as a YAML list or a comma-separated string; blanks dropped. */
export function parseList(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
  return items.map((s) => s.trim()).filter(Boolean);
}

export function parseScanners(raw: unknown): ScannerKind[] {
  const out: ScannerKind[] = [];
  for (const s of parseList(raw).map((x) => x.toLowerCase())) {
    if (!(SCANNER_KINDS as readonly string[]).includes(s)) {
      throw new ValueProblem(`has an unknown scanner "${clip(s)}" (expected ${SCANNER_KINDS.join(', ')})`);
    }
    if (!out.includes(s as ScannerKind)) out.push(s as ScannerKind);
  }
  if (!out.length) throw new ValueProblem('must name at least one scanner');
  return out;
}

/** `HIGH,CRITICAL` or a list; `UNKNOWN` (Trivy's word) means info. */
export function parseSeverities(raw: unknown): Severity[] {
  let list: Severity[];
  try {
    list = parseSeverityList(parseList(raw).join(','));
  } catch (err) {
    throw new ValueProblem(`has an ${(err as Error).message}`);
  }
  const unique = [...new Set(list)];
  if (!unique.length) throw new ValueProblem('must name at least one severity');
  return unique;
}

export function parseFormat(raw: unknown): OutputFormat {
  const s = String(raw).trim().toLowerCase();
  if (!(FORMATS as readonly string[]).includes(s))
    throw new ValueProblem(`must be one of ${FORMATS.join(', ')}, got "${clip(raw)}"`);
  return s as OutputFormat;
}

/** auto | always | never; booleans too (true = auto, false = never). */
export function parseProgress(raw: unknown): RampartConfig['progress'] {
  const s = String(raw).trim().toLowerCase();
  if ((PROGRESS_MODES as readonly string[]).includes(s)) return s as RampartConfig['progress'];
  if (TRUE.has(s)) return 'auto';
  if (FALSE.has(s)) return 'never';
  throw new ValueProblem(`must be auto, always or never, got "${clip(raw)}"`);
}

export function parseString(raw: unknown): string {
  const s = String(raw);
  if (!s.trim()) throw new ValueProblem('must not be empty');
  return s;
}

/** Secret rule ids, accepted with or without the `secret/` prefix; stored without it. */
export function parseRuleIds(raw: unknown): string[] {
  return parseList(raw).map((id) => id.replace(/^(secret|misconfig)\//i, ''));
}

/** Values are echoed in one-line errors: shortened, with control characters escaped. */
function clip(raw: unknown): string {
  const s = JSON.stringify(String(raw)).slice(1, -1);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A whole number of days (0–3650). */
export function parseDays(raw: unknown): number {
  const s = String(raw).trim();
  if (!/^\d+$/.test(s) || Number(s) > 3650)
    throw new ValueProblem(`must be a number of days from 0 to 3650, got "${clip(raw)}"`);
  return Number(s);
}
