import type { Finding, RuleDescriptor } from '../../core/finding.js';
import { fingerprintOf } from '../../core/fingerprint.js';
import type { Severity } from '../../core/severity.js';

/**
 * A misconfiguration check as data: everything a reporter, the docs and the parity scorer need.
 * The detection itself is a small pure function kept beside it (see each file type's checks.ts).
 */
export interface CheckMeta {
  /** Without the `misconfig/` prefix, e.g. `k8s-privileged`. */
  id: string;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  references: string[];
  /** Pod Security Standards level / control, CIS benchmark item… e.g. `PSS baseline: Privileged Containers`. */
  standards?: string[];
  /** Peer tool ids, e.g. `{ trivy: ['KSV017'] }` (legacy ids as Trivy v0.44 reports them). */
  equivalents?: Record<string, string[]>;
  cwe?: string[];
}

/** One place in a file where a check failed, before it becomes a Finding. */
export interface Violation {
  checkId: string;
  message: string;
  startLine: number;
  endLine?: number;
  startColumn?: number;
  /** Identity of the object that failed (resource/container/instruction), stable across line moves. */
  subject: string;
  resource?: { kind: string; name: string; namespace?: string };
}

export const PARSE_ERROR_ID = 'parse-error';

export const parseErrorCheck: CheckMeta = {
  id: PARSE_ERROR_ID,
  title: 'Configuration file could not be parsed',
  severity: 'low',
  description:
    'The file looks like a configuration Rampart checks (Kubernetes manifest, Dockerfile…) but could not be parsed, ' +
    'so it was not checked. A file the scanner cannot read may also be read differently by the real tool.',
  remediation:
    'Fix the syntax error at the reported location (validate with the tool that consumes the file).',
  references: [],
};

export function toFinding(
  meta: CheckMeta,
  v: Violation,
  path: string,
  occurrence: number,
  tags: string[],
): Finding {
  return {
    scanner: 'misconfig',
    ruleId: `misconfig/${meta.id}`,
    title: meta.title,
    message: v.message,
    severity: meta.severity,
    confidence: 'high',
    location: {
      path,
      startLine: v.startLine,
      endLine: v.endLine ?? v.startLine,
      ...(v.startColumn !== undefined ? { startColumn: v.startColumn } : {}),
    },
    ...(v.resource
      ? {
          resource: {
            kind: v.resource.kind,
            name: v.resource.name,
            ...(v.resource.namespace ? { namespace: v.resource.namespace } : {}),
            path,
            line: v.startLine,
          },
        }
      : {}),
    fingerprint: fingerprintOf('misconfig', meta.id, path, v.subject, occurrence),
    remediation: meta.remediation,
    references: meta.references,
    cwe: meta.cwe ?? [],
    ...(meta.equivalents ? { equivalents: cloneEquivalents(meta.equivalents) } : {}),
    tags: ['misconfig', ...tags, ...(meta.standards ?? [])],
  };
}

function cloneEquivalents(e: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, [...v]]));
}

/** Turns violations into findings, numbering repeats of the same (check, subject) for stable fingerprints. */
export function violationsToFindings(
  violations: readonly Violation[],
  metaById: ReadonlyMap<string, CheckMeta>,
  path: string,
  tags: string[],
): Finding[] {
  const seen = new Map<string, number>();
  const out: Finding[] = [];
  for (const v of violations) {
    const meta = metaById.get(v.checkId);
    if (!meta) continue;
    const key = `${v.checkId}\0${v.subject}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    out.push(toFinding(meta, v, path, n, tags));
  }
  return out;
}

export function describeCheck(meta: CheckMeta): RuleDescriptor {
  const trivy = meta.equivalents?.trivy ?? [];
  return {
    id: `misconfig/${meta.id}`,
    scanner: 'misconfig',
    title: meta.title,
    description: meta.description,
    helpMarkdown: [
      `**${meta.title}**`,
      '',
      meta.description,
      '',
      `**Fix:** ${meta.remediation}`,
      ...(meta.standards?.length ? ['', `**Standards:** ${meta.standards.join('; ')}`] : []),
      ...(trivy.length ? ['', `**Trivy equivalent:** ${trivy.join(', ')}`] : []),
      '',
      'To accept a finding, add `rampart:ignore ' +
        `misconfig/${meta.id}` +
        '` in a comment on that line, or an entry in `.rampart-ignore.yaml`.',
      ...(meta.references.length ? ['', '**References**', ...meta.references.map((r) => `- ${r}`)] : []),
    ].join('\n'),
    severity: meta.severity,
    precision: 'high',
    tags: ['security', 'misconfig', ...(meta.cwe ?? []).map((c) => `external/cwe/${c.toLowerCase()}`)],
    cwe: meta.cwe ?? [],
    references: meta.references,
    ...(meta.equivalents ? { equivalents: cloneEquivalents(meta.equivalents) } : {}),
  };
}
