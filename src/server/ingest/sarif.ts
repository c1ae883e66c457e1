import type { Severity } from '../../core/severity.js';
import { IngestError } from './errors.js';
import {
  cap,
  cleanTitle,
  cweList,
  fallbackFingerprint,
  LIMITS,
  normaliseMessage,
  normaliseSnippet,
  severityFromLevel,
  severityFromScore,
  severityFromWord,
  stringsOf,
  toolFingerprint,
  unique,
} from './normalise.js';
import { assertShape } from './schemas.js';
import type { IngestedFinding, IngestedLocation, IngestedPackage, IngestedScan } from './types.js';

/**
 * SARIF 2.1.0 from any tool (CodeQL, Semgrep, Trivy, gitleaks, ESLint, Rampart) → IngestedScan.
 * The shapes below are the subset checked by schemas.ts; everything else is ignored.
 */

interface Message {
  text?: string;
  markdown?: string;
  id?: string;
  arguments?: string[];
}
type PropertyBag = Record<string, unknown> & { tags?: string[]; 'security-severity'?: string | number };
interface Rule {
  id: string;
  name?: string;
  shortDescription?: Message;
  fullDescription?: Message;
  help?: Message;
  helpUri?: string;
  messageStrings?: Record<string, Message>;
  defaultConfiguration?: { level?: string };
  properties?: PropertyBag;
}
interface ToolComponent {
  name: string;
  version?: string;
  semanticVersion?: string;
  rules?: Rule[];
}
interface ArtifactLocation {
  uri?: string;
  uriBaseId?: string;
  index?: number;
}
interface Region {
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
  snippet?: { text?: string };
}
interface Location {
  physicalLocation?: { artifactLocation?: ArtifactLocation; region?: Region };
  logicalLocations?: { name?: string; fullyQualifiedName?: string }[];
}
interface Result {
  ruleId?: string;
  ruleIndex?: number;
  rule?: { id?: string; index?: number; toolComponent?: { index?: number } };
  kind?: string;
  level?: string;
  message: Message;
  locations?: Location[];
  partialFingerprints?: Record<string, string>;
  fingerprints?: Record<string, string>;
  baselineState?: string;
  suppressions?: { kind: string; status?: string }[];
  fixes?: { description?: Message }[];
  properties?: PropertyBag;
}
interface Run {
  tool: { driver: ToolComponent; extensions?: ToolComponent[] };
  results?: Result[] | null;
  artifacts?: { location?: ArtifactLocation }[];
  originalUriBaseIds?: Record<string, { uri?: string; uriBaseId?: string }>;
}
interface Log {
  version: '2.1.0';
  runs: Run[];
}

/** The key under which Rampart's SARIF publishes `Finding.fingerprint` (src/report/sarif.ts). */
const RAMPART_FINGERPRINT_KEY = 'rampart/v1';
const SCANNER_KINDS = new Set(['secret', 'deps', 'misconfig', 'sast', 'image', 'policy', 'dast', 'audit']);

export function readSarif(doc: unknown): IngestedScan {
  assertShape('sarif', doc);
  const log = doc as Log;
  const findings: IngestedFinding[] = [];
  log.runs.forEach((run, i) => {
    for (const [j, result] of (run.results ?? []).entries()) {
      const finding = readResult(run, result, `/runs/${i}/results/${j}`);
      if (finding) findings.push(finding);
    }
  });
  const tools = unique(log.runs.map((r) => toolName(r.tool.driver.name)));
  const first = log.runs[0]?.tool.driver;
  const version = first?.semanticVersion ?? first?.version;
  return {
    format: 'sarif',
    tool: tools.length ? tools.join(', ') : 'unknown',
    ...(tools.length === 1 && version ? { toolVersion: version } : {}),
    tools,
    findings,
  };
}

function readResult(run: Run, result: Result, where: string): IngestedFinding | undefined {
  // Not findings: checks that passed or did not apply, suppressed results, and baseline "absent" entries.
  if (result.kind === 'pass' || result.kind === 'notApplicable') return undefined;
  if (isSuppressed(result) || result.baselineState === 'absent') return undefined;

  const tool = toolName(run.tool.driver.name);
  const rampart = tool === 'rampart';
  const { ruleId, rule } = resolveRule(run, result, where);
  const props = result.properties ?? {};
  const ruleProps = rule?.properties ?? {};
  const message = cap(messageText(result.message, rule) ?? ruleTitle(rule) ?? ruleId, LIMITS.message);
  const physical = result.locations?.find((l) => l.physicalLocation?.artifactLocation)?.physicalLocation;
  const path = physical?.artifactLocation ? artifactPath(physical.artifactLocation, run) : undefined;
  const scanner = scannerOf(tool, ruleId, ruleProps);
  const location: IngestedLocation | undefined = path ? { path, ...regionOf(physical?.region) } : undefined;
  const pkg = rampart
    ? rampartPackage(props.package)
    : /trivy/i.test(tool)
      ? trivyPackage(message)
      : undefined;
  const logical = result.locations?.flatMap((l) => l.logicalLocations ?? [])[0];
  const identityPath = location?.path ?? logical?.fullyQualifiedName ?? logical?.name ?? '';
  const snippet = scanner === 'secret' ? undefined : physical?.region?.snippet?.text;

  const finding: IngestedFinding = {
    tool,
    scanner,
    ruleId,
    title: titleOf(rule, ruleId),
    message,
    severity: severityOf(result, rule, rampart),
    fingerprint: fingerprintOf(tool, ruleId, identityPath, result, rampart, { snippet, pkg, message }),
    cwe: cweList([...stringsOf(ruleProps.cwe), ...stringsOf(ruleProps.tags), ...stringsOf(props.cwe)]),
    references: unique([
      ...(rule?.helpUri ? [rule.helpUri] : []),
      ...stringsOf(ruleProps.references),
      ...stringsOf(props.references),
    ]).map((r) => cap(r, LIMITS.reference)),
  };
  if (location) finding.location = location;
  if (pkg) finding.package = pkg;
  const evidence = rampart && typeof props.evidence === 'string' ? props.evidence : snippet?.trim();
  if (evidence) finding.evidence = cap(evidence, LIMITS.evidence);
  const remediation = result.fixes?.[0]?.description?.text ?? rule?.help?.markdown ?? rule?.help?.text;
  if (remediation?.trim()) finding.remediation = cap(remediation.trim(), LIMITS.remediation);
  return finding;
}

/**
 * A result is suppressed when one of its suppressions is accepted (an absent status means accepted,
 * as in the SARIF SDK) and none is under review or rejected.
 */
export function isSuppressed(result: Pick<Result, 'suppressions'>): boolean {
  const s = result.suppressions ?? [];
  if (s.some((x) => x.status === 'underReview' || x.status === 'rejected')) return false;
  return s.some((x) => x.status === undefined || x.status === 'accepted');
}

/**
 * The rule of a result: `rule.index` / `ruleIndex` into the driver's rules or, with
 * `rule.toolComponent.index`, into that extension's rules (CodeQL puts its queries' rules in
 * `tool.extensions`); else the rule whose id matches `ruleId` / `rule.id`.
 */
function resolveRule(run: Run, result: Result, where: string): { ruleId: string; rule?: Rule } {
  const componentIndex = result.rule?.toolComponent?.index ?? -1;
  let component = run.tool.driver;
  if (componentIndex >= 0) {
    const ext = run.tool.extensions?.[componentIndex];
    if (!ext)
      throw new IngestError(`SARIF ${where}/rule/toolComponent/index: ${componentIndex} names no extension`);
    component = ext;
  }
  const index = (result.rule?.index ?? -1) >= 0 ? result.rule!.index! : (result.ruleIndex ?? -1);
  let rule: Rule | undefined;
  if (index >= 0) {
    rule = component.rules?.[index];
    if (!rule) {
      const field = (result.rule?.index ?? -1) >= 0 ? 'rule/index' : 'ruleIndex';
      throw new IngestError(
        `SARIF ${where}/${field}: ${index} is out of range (${component.name} has ${component.rules?.length ?? 0} rules)`,
      );
    }
  }
  const ruleId = result.ruleId ?? result.rule?.id ?? rule?.id;
  if (!ruleId) throw new IngestError(`SARIF ${where}: has no ruleId, rule.id or rule.index`);
  if (!rule) rule = rulesById(run).get(ruleId);
  return { ruleId, ...(rule ? { rule } : {}) };
}

const RULES_BY_ID = new WeakMap<Run, Map<string, Rule>>();

/** The run's rules by id, the driver's first, then each extension's; the first rule of an id wins. */
function rulesById(run: Run): Map<string, Rule> {
  let byId = RULES_BY_ID.get(run);
  if (!byId) {
    byId = new Map();
    for (const component of [run.tool.driver, ...(run.tool.extensions ?? [])])
      for (const r of component.rules ?? []) if (!byId.has(r.id)) byId.set(r.id, r);
    RULES_BY_ID.set(run, byId);
  }
  return byId;
}

/**
 * Rampart's own severity when the log is Rampart's (the rule's `security-severity` is the rule's
 * default, the result can differ); else `security-severity` on the result then on its rule; else the
 * result's `level`; else the rule's default level; else SARIF's default level, warning.
 */
function severityOf(result: Result, rule: Rule | undefined, rampart: boolean): Severity {
  if (rampart) {
    const own = severityFromWord(result.properties?.severity);
    if (own) return own;
  }
  return (
    severityFromScore(result.properties?.['security-severity']) ??
    severityFromScore(rule?.properties?.['security-severity']) ??
    severityFromLevel(result.level) ??
    (result.kind === 'informational' ? 'info' : undefined) ??
    severityFromLevel(rule?.defaultConfiguration?.level) ??
    'medium'
  );
}

function fingerprintOf(
  tool: string,
  ruleId: string,
  path: string,
  result: Result,
  rampart: boolean,
  content: { snippet?: string | undefined; pkg?: IngestedPackage | undefined; message: string },
): string {
  const own = result.fingerprints?.[RAMPART_FINGERPRINT_KEY];
  // Rampart's own fingerprint, so that its SARIF and its JSON report give the same identities.
  if (rampart && own) return own;
  if (result.fingerprints && Object.keys(result.fingerprints).length) {
    return toolFingerprint(tool, ruleId, path, result.fingerprints);
  }
  if (result.partialFingerprints && Object.keys(result.partialFingerprints).length) {
    return toolFingerprint(tool, ruleId, path, result.partialFingerprints);
  }
  const basis = content.snippet?.trim()
    ? `snippet:${normaliseSnippet(content.snippet)}`
    : content.pkg
      ? `package:${content.pkg.ecosystem ?? ''}:${content.pkg.name}`
      : `message:${normaliseMessage(content.message)}`;
  return fallbackFingerprint(tool, ruleId, path, basis);
}

/** `message.text`, else its markdown, else the rule's `messageStrings[id]` with `{0}` arguments filled in. */
function messageText(message: Message, rule: Rule | undefined): string | undefined {
  if (message.text?.trim()) return message.text.trim();
  if (message.markdown?.trim()) return message.markdown.trim();
  const template = message.id ? rule?.messageStrings?.[message.id]?.text : undefined;
  if (!template) return undefined;
  const args = message.arguments ?? [];
  return template.replace(/\{(\d+)\}/g, (whole, n: string) => args[Number(n)] ?? whole).trim();
}

/** A rule's own title, cleaned (null: it has none), worked out once per rule of a log. */
const TITLE_OF_RULE = new WeakMap<Rule, string | null>();

/** The finding's title: its rule's, else the rule id. */
function titleOf(rule: Rule | undefined, ruleId: string): string {
  if (rule) {
    let title = TITLE_OF_RULE.get(rule);
    if (title === undefined) {
      const own = ruleTitle(rule);
      title = own === undefined ? null : cleanTitle(own);
      TITLE_OF_RULE.set(rule, title);
    }
    if (title !== null) return title;
  }
  return cleanTitle(ruleId);
}

/**
 * The rule's short description, unless it only repeats the rule id (Semgrep writes
 * `Semgrep Finding: <id>`): then the first sentence of the full description; else the rule's name.
 */
function ruleTitle(rule: Rule | undefined): string | undefined {
  if (!rule) return undefined;
  const short = rule.shortDescription?.text?.trim();
  const full = rule.fullDescription?.text?.trim();
  if (short && !(full && short.endsWith(rule.id))) return short;
  const firstSentence = full ? (/^.*?[.!?](?=\s|$)/s.exec(full)?.[0] ?? full) : undefined;
  return firstSentence || short || rule.name?.trim() || undefined;
}

function regionOf(region: Region | undefined): Omit<IngestedLocation, 'path'> {
  if (!region) return {};
  const out: Omit<IngestedLocation, 'path'> = {};
  if (region.startLine !== undefined) out.startLine = region.startLine;
  if (region.endLine !== undefined) out.endLine = region.endLine;
  if (region.startColumn !== undefined) out.startColumn = region.startColumn;
  if (region.endColumn !== undefined) out.endColumn = region.endColumn;
  return out;
}

/**
 * The path of an artifact as the repository sees it: the URI (or the run's `artifacts[index]` URI)
 * percent-decoded; a `file:` URI under its `uriBaseId`'s base (e.g. Trivy's ROOTPATH) is made relative.
 */
export function artifactPath(
  loc: ArtifactLocation,
  run: Pick<Run, 'artifacts' | 'originalUriBaseIds'>,
): string | undefined {
  const indexed =
    loc.index !== undefined && loc.index >= 0 ? run.artifacts?.[loc.index]?.location : undefined;
  const uri = loc.uri ?? indexed?.uri;
  if (!uri) return undefined;
  const baseId = loc.uriBaseId ?? indexed?.uriBaseId;
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
    if (!/^file:/i.test(uri)) return uri;
    const base = baseId ? baseUri(baseId, run.originalUriBaseIds ?? {}) : undefined;
    if (base && /^file:/i.test(base) && uri.startsWith(base)) return decodePath(uri.slice(base.length));
    return decodePath(uri.replace(/^file:(\/\/[^/]*)?/i, ''));
  }
  return decodePath(uri);
}

/** Follows `originalUriBaseIds` chains (a base may itself be relative to another base), at most 8 deep. */
function baseUri(id: string, bases: NonNullable<Run['originalUriBaseIds']>): string | undefined {
  let uri = '';
  let current: string | undefined = id;
  for (let depth = 0; current && depth < 8; depth++) {
    const entry: { uri?: string; uriBaseId?: string } | undefined = bases[current];
    if (!entry?.uri) return undefined;
    uri = entry.uri + uri;
    current = entry.uriBaseId;
  }
  return current ? undefined : uri.endsWith('/') ? uri : `${uri}/`;
}

function decodePath(uri: string): string {
  if (!uri.includes('%') && !uri.includes('\\')) return uri.replace(/^(\.\/)+/, '');
  const decoded = uri
    .replace(/\\/g, '/')
    .split('/')
    .map((seg) => {
      if (!seg.includes('%')) return seg;
      try {
        return decodeURIComponent(seg);
      } catch {
        return seg;
      }
    })
    .join('/');
  return decoded.replace(/^(\.\/)+/, '');
}

/** Rampart's SARIF driver is "Rampart"; its JSON report says "rampart": one name for both. */
function toolName(driverName: string): string {
  return /^rampart$/i.test(driverName.trim()) ? 'rampart' : driverName.trim();
}

/** Tools whose findings are of one Rampart scanner kind. */
const SCANNER_OF_TOOL: [RegExp, string][] = [
  [/gitleaks|trufflehog|detect-secrets|ggshield|secretlint|talisman/i, 'secret'],
  [/checkov|tfsec|kics|kube-?linter|kube-?score|terrascan|hadolint|conftest|kubesec|polaris/i, 'misconfig'],
  [/grype|osv-scanner|dependency-check|npm audit|pip-audit|dependabot|retire/i, 'deps'],
  [
    /codeql|semgrep|opengrep|eslint|bandit|gosec|brakeman|spotbugs|sonar|pmd|psalm|phpstan|njsscan|horusec|devskim|flawfinder|security code scan/i,
    'sast',
  ],
];

/** Rule tags that say what a multi-purpose tool (Trivy, Snyk…) found. */
const SCANNER_OF_TAG: Record<string, string> = {
  vulnerability: 'deps',
  misconfiguration: 'misconfig',
  secret: 'secret',
};

function scannerOf(tool: string, ruleId: string, ruleProps: PropertyBag): string {
  if (tool === 'rampart') {
    const own = typeof ruleProps.scanner === 'string' ? ruleProps.scanner : ruleId.split('/')[0];
    return own && SCANNER_KINDS.has(own) ? own : 'other';
  }
  for (const [re, kind] of SCANNER_OF_TOOL) if (re.test(tool)) return kind;
  for (const tag of stringsOf(ruleProps.tags)) {
    const kind = SCANNER_OF_TAG[tag.toLowerCase()];
    if (kind) return kind;
  }
  if (/^(CVE|GHSA|OSV|PYSEC|RUSTSEC|GO)-\d{4}-/i.test(ruleId)) return 'deps';
  return 'other';
}

function rampartPackage(value: unknown): IngestedPackage | undefined {
  if (!isRecord(value) || typeof value.name !== 'string' || !value.name) return undefined;
  const pkg: IngestedPackage = { name: value.name };
  if (typeof value.ecosystem === 'string') pkg.ecosystem = value.ecosystem;
  if (typeof value.version === 'string' && value.version) pkg.version = value.version;
  if (typeof value.purl === 'string') pkg.purl = value.purl;
  return pkg;
}

/** Trivy's result message starts `Package: lodash\nInstalled Version: 4.17.20\n…`. */
export function trivyPackage(message: string): IngestedPackage | undefined {
  const name = /^Package: (.+)$/m.exec(message)?.[1]?.trim();
  if (!name) return undefined;
  const version = /^Installed Version: (.+)$/m.exec(message)?.[1]?.trim();
  return { name, ...(version ? { version } : {}) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
