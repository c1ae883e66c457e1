import type { Finding } from '../../core/finding.js';
import { cap, cleanTitle, cweList, LIMITS, stringsOf, unique } from './normalise.js';
import { assertShape } from './schemas.js';
import type { IngestedFinding, IngestedLocation, IngestedScan } from './types.js';

/** The fields of a Rampart finding that ingestion reads (checked by schemas.ts). */
type ReportFinding = Pick<
  Finding,
  'scanner' | 'ruleId' | 'title' | 'message' | 'severity' | 'fingerprint' | 'evidence' | 'remediation'
> & {
  location?: Partial<Finding['location']> & { path: string };
  package?: {
    ecosystem?: string;
    name: string;
    version?: string;
    purl?: string;
    path?: string;
    line?: number;
  };
  resource?: { path?: string; line?: number };
  references?: string[];
  cwe?: string[];
  suppressed?: object;
};
interface Report {
  tool: { name: 'rampart'; version: string };
  findings: ReportFinding[];
}

/** Rampart's JSON report (`rampart scan --format json`, schema/report.schema.json) → IngestedScan. */
export function readRampartReport(doc: unknown): IngestedScan {
  assertShape('rampart', doc);
  const report = doc as Report;
  return {
    format: 'rampart',
    tool: 'rampart',
    toolVersion: report.tool.version,
    tools: ['rampart'],
    // Suppressed findings appear only with --show-suppressed; like suppressed SARIF results, they are not findings.
    findings: report.findings.filter((f) => !f.suppressed).map(readRampartFinding),
  };
}

/** One Rampart finding (from a report, or built by a scanner in the server) → IngestedFinding. */
export function readRampartFinding(f: ReportFinding): IngestedFinding {
  const out: IngestedFinding = {
    tool: 'rampart',
    scanner: f.scanner,
    ruleId: f.ruleId,
    title: cleanTitle(f.title || f.ruleId),
    message: cap(f.message, LIMITS.message),
    severity: f.severity,
    fingerprint: f.fingerprint,
    cwe: cweList(f.cwe ?? []),
    references: unique(stringsOf(f.references)).map((r) => cap(r, LIMITS.reference)),
  };
  const location = locationOf(f);
  if (location) out.location = location;
  if (f.package) {
    const p = f.package;
    out.package = {
      name: p.name,
      ...(p.ecosystem ? { ecosystem: p.ecosystem } : {}),
      ...(p.version ? { version: p.version } : {}),
      ...(p.purl ? { purl: p.purl } : {}),
    };
  }
  if (f.evidence) out.evidence = cap(f.evidence, LIMITS.evidence);
  if (f.remediation) out.remediation = cap(f.remediation, LIMITS.remediation);
  return out;
}

/** The file region, else the lockfile declaring the package, else the manifest holding the resource. */
function locationOf(f: ReportFinding): IngestedLocation | undefined {
  if (f.location) {
    const { path, startLine, endLine, startColumn, endColumn } = f.location;
    return {
      path,
      ...(startLine !== undefined ? { startLine } : {}),
      ...(endLine !== undefined ? { endLine } : {}),
      ...(startColumn !== undefined ? { startColumn } : {}),
      ...(endColumn !== undefined ? { endColumn } : {}),
    };
  }
  const holder = f.package?.path ? f.package : f.resource?.path ? f.resource : undefined;
  if (!holder?.path) return undefined;
  return { path: holder.path, ...(holder.line !== undefined ? { startLine: holder.line } : {}) };
}
