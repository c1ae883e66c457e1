import type { Finding, ScannerKind } from '../core/finding.js';
import type { ScanReport } from '../core/report.js';
import { locationLabel } from './text.js';

/**
 * JUnit XML for CI test tabs: one testsuite per scanner, one failing testcase per finding (a
 * suppressed finding shown with --show-suppressed is a skipped testcase), and one passing testcase
 * in a suite without findings so that "nothing found" is visible as a passed check.
 */
export function renderJunit(report: ScanReport): string {
  const kinds: ScannerKind[] = [...report.scanners];
  for (const f of report.findings) if (!kinds.includes(f.scanner)) kinds.push(f.scanner);
  const seconds = durationSeconds(report.startedAt, report.finishedAt);

  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const kind of kinds) {
    const findings = report.findings.filter((f) => f.scanner === kind);
    const suiteFailures = findings.filter((f) => !f.suppressed).length;
    const suiteSkipped = findings.length - suiteFailures;
    const cases = findings.length
      ? findings.map((f) => testcase(f))
      : [
          `    <testcase classname="${attr(`rampart.${kind}`)}" name="${attr(`no ${kind} findings in ${report.target}`)}" time="0"/>`,
        ];
    const suiteTests = Math.max(1, findings.length);
    tests += suiteTests;
    failures += suiteFailures;
    skipped += suiteSkipped;
    suites.push(
      [
        `  <testsuite name="${attr(`rampart.${kind}`)}" tests="${suiteTests}" failures="${suiteFailures}" errors="0" skipped="${suiteSkipped}" time="${seconds}" timestamp="${attr(report.startedAt)}">`,
        '    <properties>',
        `      <property name="target" value="${attr(report.target)}"/>`,
        `      <property name="mode" value="${attr(report.mode)}"/>`,
        `      <property name="rampart.version" value="${attr(report.tool.version)}"/>`,
        '    </properties>',
        ...cases,
        '  </testsuite>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rampart" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(f: Finding): string {
  const where = locationLabel(f);
  const open = `    <testcase classname="${attr(`rampart.${f.scanner}`)}" name="${attr(`${f.ruleId} at ${where}`)}"${
    f.location ? ` file="${attr(f.location.path)}" line="${f.location.startLine}"` : ''
  } time="0">`;
  const details = [
    `Rule: ${f.ruleId} (${f.title})`,
    `Severity: ${f.severity}, confidence: ${f.confidence}`,
    `Location: ${where}`,
    ...(f.location?.commit
      ? [`Commit: ${f.location.commit.sha}${f.location.commit.date ? ` (${f.location.commit.date})` : ''}`]
      : []),
    ...(f.evidence ? [`Evidence: ${f.evidence}`] : []),
    `Fingerprint: ${f.fingerprint}`,
    ...(f.remediation ? [`Remediation: ${f.remediation}`] : []),
    ...(f.references.length ? [`References: ${f.references.join(' ')}`] : []),
  ].join('\n');
  const body = f.suppressed
    ? `      <skipped message="${attr(`suppressed (${f.suppressed.kind})${f.suppressed.reason ? `: ${f.suppressed.reason}` : ''}`)}"/>`
    : `      <failure message="${attr(f.message)}" type="${attr(f.severity)}">${text(details)}</failure>`;
  return [open, body, '    </testcase>'].join('\n');
}

/** Characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/FFFF) become U+FFFD. */
function xmlSafe(s: string): string {
  return s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
}

export function text(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function attr(s: string): string {
  return text(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function durationSeconds(start: string, end: string): string {
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) && ms > 0 ? (ms / 1000).toFixed(3) : '0';
}
