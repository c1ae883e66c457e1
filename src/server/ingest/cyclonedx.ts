import { severityRank, type Severity } from '../../core/severity.js';
import { IngestError } from './errors.js';
import {
  cap,
  cleanTitle,
  cweList,
  fallbackFingerprint,
  LIMITS,
  severityFromScore,
  severityFromWord,
  unique,
} from './normalise.js';
import { packageFromPurl } from './purl.js';
import { assertShape } from './schemas.js';
import type { IngestedComponent, IngestedFinding, IngestedPackage, IngestedScan } from './types.js';

/** CycloneDX JSON 1.4–1.6 → components (nested ones included) and `vulnerabilities[]` as findings. */

interface Component {
  'bom-ref'?: string;
  name: string;
  group?: string;
  version?: string;
  purl?: string;
  properties?: { name: string; value?: string }[];
  components?: Component[];
}
interface Tool {
  name?: string;
  version?: string;
}
interface Vulnerability {
  id: string;
  source?: { name?: string; url?: string };
  ratings?: { score?: number; severity?: string }[];
  cwes?: number[];
  description?: string;
  detail?: string;
  recommendation?: string;
  advisories?: { url?: string }[];
  references?: { id?: string; source?: { url?: string } }[];
  affects?: { ref: string }[];
  analysis?: { state?: string };
}
interface Bom {
  specVersion: string;
  metadata?: { tools?: Tool[] | { components?: Tool[] }; component?: Component };
  components?: Component[];
  vulnerabilities?: Vulnerability[];
}

/** VEX analysis states that say the component is not (or no longer) affected. */
const NOT_AFFECTED = new Set(['not_affected', 'false_positive', 'resolved', 'resolved_with_pedigree']);

export function readCycloneDx(doc: unknown): IngestedScan {
  assertShape('cyclonedx', doc);
  const bom = doc as Bom;
  const { tool, version } = toolOf(bom);
  const listed = flatten(bom.components ?? []);
  const byRef = new Map<string, Component>();
  for (const c of [...(bom.metadata?.component ? flatten([bom.metadata.component]) : []), ...listed]) {
    if (c['bom-ref']) byRef.set(c['bom-ref'], c);
  }
  const findings: IngestedFinding[] = [];
  (bom.vulnerabilities ?? []).forEach((v, k) => {
    if (v.analysis?.state && NOT_AFFECTED.has(v.analysis.state)) return;
    for (const target of affected(v, k, byRef, bom.metadata?.component)) {
      findings.push(vulnerabilityFinding(tool, v, target));
    }
  });
  return {
    format: 'cyclonedx',
    tool,
    ...(version ? { toolVersion: version } : {}),
    tools: [tool],
    findings,
    components: uniqueComponents(listed.map(componentOf)),
  };
}

/** The first tool named in `metadata.tools` (1.4: an array; 1.5+: `{ components: [...] }`), else 'cyclonedx'. */
function toolOf(bom: Bom): { tool: string; version?: string } {
  const tools = bom.metadata?.tools;
  const list = Array.isArray(tools) ? tools : (tools?.components ?? []);
  const first = list.find((t) => t.name?.trim());
  if (!first?.name) return { tool: 'cyclonedx' };
  const name = /^rampart$/i.test(first.name.trim()) ? 'rampart' : first.name.trim();
  return { tool: name, ...(first.version ? { version: first.version } : {}) };
}

/** Every component, nested ones included, depth first, without recursion. */
function flatten(roots: Component[]): Component[] {
  const out: Component[] = [];
  const stack = [...roots].reverse();
  while (stack.length) {
    const c = stack.pop()!;
    out.push(c);
    if (c.components) for (let i = c.components.length - 1; i >= 0; i--) stack.push(c.components[i]!);
  }
  return out;
}

/**
 * The components a vulnerability affects (`affects[].ref` → `bom-ref`), each once. A ref into another
 * BOM (`urn:cdx:` BOM-Link) is skipped; any other unresolved ref is an error. No `affects` at all:
 * the BOM's subject (`metadata.component`), or nothing.
 */
function affected(
  v: Vulnerability,
  k: number,
  byRef: Map<string, Component>,
  subject: Component | undefined,
): (Component | undefined)[] {
  if (!v.affects?.length) return [subject];
  const out = new Set<Component>();
  v.affects.forEach((a, i) => {
    const c = byRef.get(a.ref);
    if (c) out.add(c);
    else if (!a.ref.startsWith('urn:cdx:')) {
      throw new IngestError(
        `CycloneDX /vulnerabilities/${k}/affects/${i}/ref: "${cap(a.ref, 200)}" names no component`,
      );
    }
  });
  return [...out];
}

function vulnerabilityFinding(
  tool: string,
  v: Vulnerability,
  target: Component | undefined,
): IngestedFinding {
  const pkg = target ? packageOf(target) : undefined;
  const subject = pkg ? `${pkg.name}${pkg.version ? ` ${pkg.version}` : ''}` : undefined;
  const summary = v.description?.trim() || v.detail?.trim();
  const finding: IngestedFinding = {
    tool,
    scanner: 'deps',
    ruleId: v.id,
    title: cleanTitle(summary ? (summary.split('\n')[0] ?? v.id) : `${v.id}${pkg ? ` in ${pkg.name}` : ''}`),
    message: cap(`${subject ? `${subject}: ` : ''}${v.id}${summary ? ` — ${summary}` : ''}`, LIMITS.message),
    severity: severityOf(v),
    // Not the version: the same advisory on the same package after an upgrade that did not fix it is the same finding.
    fingerprint: fallbackFingerprint(tool, v.id, '', pkg ? `package:${pkg.ecosystem ?? ''}:${pkg.name}` : ''),
    cwe: cweList(v.cwes ?? []),
    references: unique(
      [
        v.source?.url,
        ...(v.advisories ?? []).map((a) => a.url),
        ...(v.references ?? []).map((r) => r.source?.url),
      ]
        .filter((u): u is string => typeof u === 'string' && u !== '')
        .map((u) => cap(u, LIMITS.reference)),
    ),
  };
  if (pkg) finding.package = pkg;
  if (v.recommendation?.trim()) finding.remediation = cap(v.recommendation.trim(), LIMITS.remediation);
  return finding;
}

/** The highest rating: its severity word, else its score; no usable rating → medium (as for OSV data). */
function severityOf(v: Vulnerability): Severity {
  let best: Severity | undefined;
  for (const r of v.ratings ?? []) {
    const s = severityFromWord(r.severity) ?? severityFromScore(r.score);
    if (s && (!best || severityRank(s) > severityRank(best))) best = s;
  }
  return best ?? 'medium';
}

function packageOf(c: Component): IngestedPackage {
  const fromPurl = c.purl ? packageFromPurl(c.purl) : undefined;
  const ecosystem = c.properties?.find((p) => p.name === 'rampart:ecosystem')?.value ?? fromPurl?.ecosystem;
  const name =
    fromPurl?.name ?? (c.group ? `${c.group}${ecosystem === 'Maven' ? ':' : '/'}${c.name}` : c.name);
  return {
    name,
    ...(ecosystem ? { ecosystem } : {}),
    ...(c.version ? { version: c.version } : fromPurl?.version ? { version: fromPurl.version } : {}),
    ...(c.purl ? { purl: c.purl } : {}),
  };
}

function componentOf(c: Component): IngestedComponent {
  return packageOf(c);
}

function uniqueComponents(list: IngestedComponent[]): IngestedComponent[] {
  const seen = new Map<string, IngestedComponent>();
  for (const c of list) {
    const key = c.purl ?? `${c.ecosystem ?? ''}\0${c.name}\0${c.version ?? ''}`;
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()];
}
