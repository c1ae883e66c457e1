import type { OutputFormat } from '../config/types.js';
import type { ScanReport } from '../core/report.js';
import { RampartError } from '../core/errors.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export interface RenderOptions {
  /** ANSI colours (table only): pass true only for a TTY without NO_COLOR. */
  color: boolean;
  /**
   * Absolute path of the scan root (a directory; for a single-file scan its directory, for git modes
   * the repository root). SARIF publishes it as `originalUriBaseIds['%SRCROOT%']`.
   */
  srcRoot?: string;
}

/** Renders a scan report in one of the output formats. Pure: returns the text, writes nothing. */
export function renderReport(report: ScanReport, format: OutputFormat, opts: RenderOptions): string {
  switch (format) {
    case 'table':
      return renderTable(report, { color: opts.color });
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, opts.srcRoot ? { srcRoot: opts.srcRoot } : {});
    case 'junit':
      return renderJunit(report);
    default:
      throw new RampartError(
        'USAGE',
        `unknown format "${String(format)}" (expected table, json, sarif or junit)`,
      );
  }
}

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'sarif', 'junit'];
