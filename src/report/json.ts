import type { ScanReport } from '../core/report.js';

/**
 * The ScanReport as JSON (2-space indent), documented by schema/report.schema.json. Findings carry
 * masked evidence only; nothing is added or dropped here, so this is also the input --baseline reads.
 */
export function renderJson(report: ScanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
