import type { Finding, RuleDescriptor, ScannerKind } from './finding.js';
import type { Skipped } from '../walk/types.js';

/**
 * The result of one `rampart scan`: what the JSON reporter writes (schema/report.schema.json) and
 * what every other reporter renders.
 */
export interface ScanReport {
  schemaVersion: '1';
  tool: { name: 'rampart'; version: string };
  /** What was scanned: a path, or `git:staged`, `git:history`, `git:diff <base>`. */
  target: string;
  mode: 'path' | 'staged' | 'history' | 'diff';
  scanners: ScannerKind[];
  startedAt: string;
  finishedAt: string;
  /** Findings to report (after filters); suppressed ones only with --show-suppressed. */
  findings: Finding[];
  /** Descriptors of the rules that appear in `findings` (all rules with --format sarif). */
  rules: RuleDescriptor[];
  stats: {
    filesScanned: number;
    bytesScanned: number;
    filesSkipped: Partial<Record<Skipped['reason'], number>>;
    warnings: number;
    suppressed: number;
    commitsScanned?: number;
  };
  /** Skipped files (not 'ignored' ones), at most the first 1000. */
  skipped: Skipped[];
  warnings: string[];
}
