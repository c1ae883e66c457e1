import { pathToFileURL } from 'node:url';
import type { Finding, RuleDescriptor, Suppression } from '../core/finding.js';
import { lineHash } from '../core/fingerprint.js';
import type { ScanReport } from '../core/report.js';
import { securitySeverityScore, type Severity } from '../core/severity.js';
import { findingLine, findingPath } from './text.js';

/**
 * SARIF 2.1.0 for GitHub code scanning and any SARIF viewer. One run per report. Validated by the
 * tests against schema/sarif-2.1.0.json (the OASIS schema) and, when installed, by the official
 * validator (`sarif-multitool validate`). Field choices are documented in docs/report-format.md.
 */

export const SARIF_VERSION = '2.1.0';
/** The `$id` of the OASIS schema shipped as schema/sarif-2.1.0.json. */
export const SARIF_SCHEMA_URI =
  'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json';
export const RAMPART_INFORMATION_URI = 'https://github.com/rampart-sec/rampart';
/** The uriBaseId every artifact URI is relative to: the scan root (for git modes, the repository root). */
export const SRCROOT = '%SRCROOT%';
/** GitHub code scanning rejects runs with more results than this. */
export const GITHUB_MAX_RESULTS = 25_000;
/** GitHub keeps at most 20 tags per rule. */
const MAX_TAGS = 20;
/** Caps on tool notifications so that a hostile tree cannot inflate the log. */
const MAX_WARNING_NOTIFICATIONS = 1000;
const MAX_SKIP_NOTIFICATIONS = 200;
/** The fingerprint key under which `Finding.fingerprint` is published (read back by --baseline). */
export const RAMPART_FINGERPRINT_KEY = 'rampart/v1';

export interface SarifOptions {
  /** Absolute path of the scan root; becomes `originalUriBaseIds['%SRCROOT%']` (a file: URI). */
  srcRoot?: string;
  /** Results kept in the run (default 25,000, GitHub's limit); the rest is dropped with a notification. */
  maxResults?: number;
}

// The subset of the SARIF object model Rampart writes.
interface SarifMessage {
  text: string;
  markdown?: string;
}
type SarifLevel = 'error' | 'warning' | 'note' | 'none';
interface SarifRegion {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}
interface SarifLogicalLocation {
  name: string;
  fullyQualifiedName?: string;
  kind: string;
}
interface SarifLocation {
  physicalLocation?: {
    artifactLocation: { uri: string; uriBaseId: string };
    region?: SarifRegion;
  };
  logicalLocations?: SarifLogicalLocation[];
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  defaultConfiguration: { level: SarifLevel };
  properties: Record<string, unknown>;
}
interface SarifSuppression {
  kind: 'inSource' | 'external';
  status: 'accepted';
  justification?: string;
  properties?: Record<string, unknown>;
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations?: SarifLocation[];
  partialFingerprints: Record<string, string>;
  fingerprints: Record<string, string>;
  suppressions?: SarifSuppression[];
  properties: Record<string, unknown>;
}
interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  locations?: SarifLocation[];
}
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}
interface SarifRun {
  tool: {
    driver: {
      name: string;
      version: string;
      semanticVersion?: string;
      informationUri: string;
      rules: SarifRule[];
    };
  };
  invocations: {
    executionSuccessful: boolean;
    startTimeUtc: string;
    endTimeUtc: string;
    toolExecutionNotifications: SarifNotification[];
  }[];
  originalUriBaseIds: Record<string, { uri?: string; description?: SarifMessage }>;
  columnKind: 'utf16CodeUnits';
  results: SarifResult[];
  properties: Record<string, unknown>;
}

export function renderSarif(report: ScanReport, options: SarifOptions = {}): string {
  return `${JSON.stringify(toSarif(report, options), null, 2)}\n`;
}

export function toSarif(report: ScanReport, options: SarifOptions = {}): SarifLog {
  const maxResults = options.maxResults ?? GITHUB_MAX_RESULTS;
  const kept = report.findings.slice(0, maxResults);

  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const addRule = (r: RuleDescriptor) => {
    if (ruleIndex.has(r.id)) return;
    ruleIndex.set(r.id, rules.length);
    rules.push(sarifRule(r));
  };
  for (const r of report.rules) addRule(r);
  // A finding whose rule the report does not describe still needs a rule entry (ruleIndex must resolve).
  for (const f of kept) if (!ruleIndex.has(f.ruleId)) addRule(descriptorFromFinding(f));

  const results = kept.map((f) => sarifResult(f, ruleIndex.get(f.ruleId)!, rules[ruleIndex.get(f.ruleId)!]!));

  const notifications: SarifNotification[] = [];
  if (report.findings.length > kept.length) {
    notifications.push({
      level: 'warning',
      message: {
        text: `SARIF output truncated: ${report.findings.length - kept.length} of ${report.findings.length} results omitted (GitHub code scanning accepts at most ${maxResults} results per run); use --format json for the full list.`,
      },
    });
  }
  for (const w of report.warnings.slice(0, MAX_WARNING_NOTIFICATIONS)) {
    notifications.push({ level: 'warning', message: { text: sentence(w) } });
  }
  if (report.warnings.length > MAX_WARNING_NOTIFICATIONS) {
    notifications.push({
      level: 'warning',
      message: { text: `${report.warnings.length - MAX_WARNING_NOTIFICATIONS} more warnings not listed.` },
    });
  }
  for (const s of report.skipped.slice(0, MAX_SKIP_NOTIFICATIONS)) {
    notifications.push({
      level: 'note',
      message: { text: `File not scanned (${s.reason}${s.detail ? `: ${s.detail}` : ''}).` },
      locations: [
        { physicalLocation: { artifactLocation: { uri: relativeUri(s.path), uriBaseId: SRCROOT } } },
      ],
    });
  }
  const skippedTotal = Object.values(report.stats.filesSkipped).reduce((a, b) => a + (b ?? 0), 0);
  if (skippedTotal > 0) {
    const parts = Object.entries(report.stats.filesSkipped)
      .filter(([, n]) => (n ?? 0) > 0)
      .map(([reason, n]) => `${reason} ${n}`);
    notifications.push({
      level: 'note',
      message: { text: `${skippedTotal} files skipped (${parts.join(', ')}).` },
    });
  }

  const run: SarifRun = {
    tool: {
      driver: {
        name: 'Rampart',
        version: report.tool.version,
        ...(isSemver(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
        informationUri: RAMPART_INFORMATION_URI,
        rules,
      },
    },
    invocations: [
      {
        executionSuccessful: true,
        startTimeUtc: report.startedAt,
        endTimeUtc: report.finishedAt,
        toolExecutionNotifications: notifications,
      },
    ],
    originalUriBaseIds: {
      [SRCROOT]: options.srcRoot
        ? { uri: directoryUri(options.srcRoot) }
        : { description: { text: 'The root of the scan (for git modes, the repository root).' } },
    },
    columnKind: 'utf16CodeUnits',
    results,
    properties: {
      target: report.target,
      mode: report.mode,
      scanners: report.scanners,
      stats: report.stats,
    },
  };
  return { $schema: SARIF_SCHEMA_URI, version: SARIF_VERSION, runs: [run] };
}

/** GitHub's mapping: errors block, warnings and notes inform. */
export function sarifLevel(s: Severity): SarifLevel {
  switch (s) {
    case 'critical':
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    case 'low':
    case 'info':
      return 'note';
  }
}

function sarifRule(r: RuleDescriptor): SarifRule {
  const cweTags = r.cwe.map(cweTag).filter((t): t is string => t !== undefined);
  const tags = unique(['security', r.scanner, ...r.tags, ...cweTags]).slice(0, MAX_TAGS);
  const properties: Record<string, unknown> = {
    tags,
    precision: r.precision,
    'security-severity': securitySeverityScore(r.severity),
    scanner: r.scanner,
    severity: r.severity,
    ...(r.cwe.length ? { cwe: r.cwe } : {}),
    ...(r.references.length ? { references: r.references } : {}),
    ...equivalentProperties(r.equivalents),
  };
  return {
    id: r.id,
    name: ruleName(r.id),
    shortDescription: { text: sentence(r.title) },
    fullDescription: { text: sentence(r.description || r.title) },
    help: {
      text: markdownToText(r.helpMarkdown || r.description || r.title),
      markdown: r.helpMarkdown || r.description || r.title,
    },
    defaultConfiguration: { level: sarifLevel(r.severity) },
    properties,
  };
}

/**
 * Peer equivalents, in two shapes: the object `{ trivy: [...], gitleaks: [...] }` and one flat list
 * per tool (`trivy-ids`, `gitleaks-ids`), which is what parity scorers grep for.
 */
function equivalentProperties(eq: Record<string, string[]> | undefined): Record<string, unknown> {
  if (!eq) return {};
  const out: Record<string, unknown> = {};
  const object: Record<string, string[]> = {};
  for (const [tool, ids] of Object.entries(eq)) {
    if (!ids.length) continue;
    object[tool] = [...ids];
    out[`${tool}-ids`] = [...ids];
  }
  return Object.keys(object).length ? { equivalents: object, ...out } : {};
}

function sarifResult(f: Finding, index: number, rule: SarifRule): SarifResult {
  const path = findingPath(f);
  const result: SarifResult = {
    ruleId: f.ruleId,
    ruleIndex: index,
    level: sarifLevel(f.severity),
    message: { text: sentence(f.message) },
    partialFingerprints: {
      // Never derived from the secret or the line text (which holds the secret): a hash of the rule,
      // the path and Rampart's own fingerprint, which already survives line shifts.
      primaryLocationLineHash: lineHash(`${f.ruleId}\0${path ?? ''}\0${f.fingerprint}`),
    },
    fingerprints: { [RAMPART_FINGERPRINT_KEY]: f.fingerprint },
    properties: resultProperties(f, rule),
  };
  if (path !== undefined) {
    const region = sarifRegion(f);
    result.locations = [
      {
        physicalLocation: {
          artifactLocation: { uri: relativeUri(path), uriBaseId: SRCROOT },
          ...(region ? { region } : {}),
        },
      },
    ];
  } else {
    // No file (a cluster resource, a package seen in an image…): GitHub still requires a location.
    result.locations = [{ logicalLocations: [logicalLocation(f)] }];
  }
  if (f.suppressed) result.suppressions = [sarifSuppression(f.suppressed)];
  return result;
}

function resultProperties(f: Finding, rule: SarifRule): Record<string, unknown> {
  const p: Record<string, unknown> = { severity: f.severity, confidence: f.confidence };
  if (f.evidence) p.evidence = f.evidence;
  const commit = f.location?.commit;
  // Only identity and time of the commit: a commit message is free text and may itself hold a secret.
  if (commit) {
    p.commit = {
      sha: commit.sha,
      ...(commit.author ? { author: commit.author } : {}),
      ...(commit.date ? { date: commit.date } : {}),
    };
  }
  if (f.location?.layer) p.layer = f.location.layer;
  if (f.package) p.package = { ...f.package };
  if (f.resource) p.resource = { ...f.resource };
  if (f.properties) p.scannerProperties = f.properties;
  if (f.equivalents && JSON.stringify(f.equivalents) !== JSON.stringify(rule.properties.equivalents)) {
    Object.assign(p, equivalentProperties(f.equivalents));
  }
  return p;
}

function logicalLocation(f: Finding): SarifLogicalLocation {
  if (f.resource) {
    const ns = f.resource.namespace ? `${f.resource.namespace}/` : '';
    return {
      name: f.resource.name,
      fullyQualifiedName: `${ns}${f.resource.kind}/${f.resource.name}`,
      kind: 'resource',
    };
  }
  if (f.package) {
    return {
      name: `${f.package.name}@${f.package.version}`,
      fullyQualifiedName: f.package.purl ?? `${f.package.ecosystem}:${f.package.name}@${f.package.version}`,
      kind: 'package',
    };
  }
  return { name: f.scanner, kind: 'module' };
}

function sarifRegion(f: Finding): SarifRegion | undefined {
  const loc = f.location;
  if (!loc) {
    const line = findingLine(f);
    return line !== undefined && line >= 1 ? { startLine: line } : undefined;
  }
  const startLine = Math.max(1, loc.startLine);
  const endLine = Math.max(startLine, loc.endLine);
  const region: SarifRegion = { startLine };
  if (loc.startColumn !== undefined && loc.startColumn >= 1) region.startColumn = loc.startColumn;
  region.endLine = endLine;
  if (loc.endColumn !== undefined && loc.endColumn >= 1) {
    // An empty or inverted range on one line would be inconsistent (SARIF1007): leave the end open.
    const sameLine = endLine === startLine;
    if (!sameLine || loc.endColumn > (region.startColumn ?? 1)) region.endColumn = loc.endColumn;
  }
  return region;
}

function sarifSuppression(s: Suppression): SarifSuppression {
  return {
    kind: s.kind === 'inline' ? 'inSource' : 'external',
    status: 'accepted',
    ...(s.reason ? { justification: s.reason } : {}),
    properties: { rampartKind: s.kind, ...(s.source ? { source: s.source } : {}) },
  };
}

function descriptorFromFinding(f: Finding): RuleDescriptor {
  return {
    id: f.ruleId,
    scanner: f.scanner,
    title: f.title,
    description: f.title,
    helpMarkdown: [f.title, ...(f.remediation ? ['', f.remediation] : [])].join('\n'),
    severity: f.severity,
    precision: f.confidence,
    tags: f.tags ?? [],
    cwe: f.cwe,
    references: f.references,
    ...(f.equivalents ? { equivalents: f.equivalents } : {}),
  };
}

/** `CWE-798` → `external/cwe/cwe-798` (GitHub's convention). */
export function cweTag(cwe: string): string | undefined {
  const m = /^CWE-(\d+)$/i.exec(cwe.trim());
  return m ? `external/cwe/cwe-${m[1]}` : undefined;
}

/** A readable identifier that differs from the id (SARIF1001): `secret/github-pat` → `SecretGithubPat`. */
export function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase())
    .join('');
}

/** A repo-relative path as a relative URI reference: each segment percent-encoded. */
export function relativeUri(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function directoryUri(abs: string): string {
  const href = pathToFileURL(abs).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** SARIF messages are sentences (validator rule SARIF2001). */
function sentence(text: string): string {
  const t = text.trim();
  if (!t) return '.';
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Plain-text rendering of help markdown for `help.text`: drops emphasis and code markers. */
export function markdownToText(md: string): string {
  return md
    .replace(/\*\*([^*\n]{0,500})\*\*/g, '$1')
    .replace(/`([^`\n]{0,500})`/g, '$1')
    .replace(/\[([^\]\n]{0,500})\]\(([^)\s]{0,2000})\)/g, '$1 ($2)');
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))];
}

function isSemver(v: string): boolean {
  return /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(v);
}
