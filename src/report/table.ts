import pc from 'picocolors';
import type { Finding } from '../core/finding.js';
import type { ScanReport } from '../core/report.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import { groupLabel, printable } from './text.js';

export interface TableOptions {
  color: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

/**
 * The human report: findings grouped by file (or package file / resource), one row per finding with
 * severity, rule, location and message, then a summary line. Colours only when asked (a TTY);
 * every value from the scanned tree is made printable first.
 */
export function renderTable(report: ScanReport, options: TableOptions): string {
  const c = pc.createColors(options.color);
  const out: string[] = [];

  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const key = groupLabel(f);
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }

  for (const [group, findings] of groups) {
    const open = findings.filter((f) => !f.suppressed).length;
    const note = open === findings.length ? `${open}` : `${open} + ${findings.length - open} suppressed`;
    out.push(c.bold(c.underline(printable(group))) + c.dim(` (${note})`));
    const rows = findings.map((f) => [
      f.severity.toUpperCase(),
      printable(f.ruleId),
      printable(rowLocation(f)),
      printable(f.message) +
        (f.suppressed
          ? ` [suppressed: ${f.suppressed.kind}${f.suppressed.reason ? `, ${printable(f.suppressed.reason)}` : ''}]`
          : ''),
    ]);
    const header = ['SEVERITY', 'RULE', 'LOCATION', 'MESSAGE'];
    const widths = [0, 1, 2].map((i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[], style: (i: number, s: string) => string) =>
      '  ' +
      cells
        .map((cell, i) => style(i, i < 3 ? cell.padEnd(widths[i]!) : cell))
        .join('  ')
        .trimEnd();
    out.push(line(header, (_i, s) => c.dim(s)));
    rows.forEach((r, n) => {
      const f = findings[n]!;
      out.push(
        line(r, (i, s) => {
          if (f.suppressed) return c.dim(s);
          if (i === 0) return severityColor(c, f.severity)(s);
          if (i === 1) return c.cyan(s);
          return s;
        }),
      );
    });
    out.push('');
  }

  if (report.findings.length === 0) out.push(c.green('No findings.'), '');
  out.push(summaryLine(report, c));
  for (const w of report.warnings.slice(0, 20)) out.push(c.yellow(`warning: ${printable(w)}`));
  if (report.warnings.length > 20)
    out.push(c.yellow(`… ${report.warnings.length - 20} more warnings (use --format json to see all)`));
  return `${out.join('\n')}\n`;
}

function rowLocation(f: Finding): string {
  const loc = f.location;
  if (loc) {
    const where = `${loc.startLine}${loc.startColumn !== undefined ? `:${loc.startColumn}` : ''}`;
    return loc.commit ? `${where} @${loc.commit.sha.slice(0, 12)}` : where;
  }
  if (f.package)
    return `${f.package.name}@${f.package.version}${f.package.line ? ` (line ${f.package.line})` : ''}`;
  if (f.resource)
    return `${f.resource.kind}/${f.resource.name}${f.resource.line ? ` (line ${f.resource.line})` : ''}`;
  return '-';
}

/** `3 findings: 1 critical, 2 high · 12 files scanned (40 KB) · 2 skipped (binary 2) · 0 warnings · 1 suppressed` */
export function summaryLine(report: ScanReport, c: Colors = pc.createColors(false)): string {
  const open = report.findings.filter((f) => !f.suppressed);
  const counts = new Map<Severity, number>();
  for (const f of open) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const bySeverity = SEVERITIES.filter((s) => counts.get(s)).map((s) =>
    severityColor(c, s)(`${counts.get(s)} ${s}`),
  );
  const total = `${open.length} finding${open.length === 1 ? '' : 's'}`;
  const head = open.length ? `${c.bold(total)}: ${bySeverity.join(', ')}` : c.bold(total);

  const skippedEntries = Object.entries(report.stats.filesSkipped).filter(([, n]) => (n ?? 0) > 0);
  const skippedTotal = skippedEntries.reduce((a, [, n]) => a + (n ?? 0), 0);
  const skipped = skippedTotal
    ? `${skippedTotal} skipped (${skippedEntries.map(([r, n]) => `${r} ${n}`).join(', ')})`
    : '0 skipped';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const files = `${plural(report.stats.filesScanned, 'file')} scanned (${humanBytes(report.stats.bytesScanned)})`;
  const scanned =
    report.stats.commitsScanned !== undefined
      ? `${plural(report.stats.commitsScanned, 'commit')}, ${files}`
      : files;
  const warnings = plural(report.stats.warnings, 'warning');
  const parts = [
    head,
    scanned,
    skipped,
    report.stats.warnings ? c.yellow(warnings) : warnings,
    `${report.stats.suppressed} suppressed`,
  ];
  return parts.join(c.dim(' · '));
}

function severityColor(c: Colors, s: Severity): (text: string) => string {
  switch (s) {
    case 'critical':
      return (t) => c.bold(c.red(t));
    case 'high':
      return c.red;
    case 'medium':
      return c.yellow;
    case 'low':
      return c.blue;
    case 'info':
      return c.dim;
  }
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
