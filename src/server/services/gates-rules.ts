/**
 * Deployment gates as policy: each protection rule becomes a Kyverno `deny.conditions` block
 * (`{ key, operator, value }` with JMESPath `{{ }}` variables), evaluated by Rampart's policy engine
 * over the facts document the server assembled about the artifact. A gate passes when its deny
 * conditions do not hold; a condition that cannot be evaluated fails the gate (fail closed).
 *
 * Pure: no I/O. The reason of every result is one sentence built from the same facts.
 */
import { ConditionError, evaluateConditions } from '../../policy/kyverno/conditions.js';
import { EvalContext } from '../../policy/kyverno/variables.js';
import type { Protection } from './gates-protection.js';

export interface EvidenceFact {
  predicateType: string | null;
  verified: boolean;
  recordedAt: string;
}

/** What the server knows about the artifact and its stream when a deployment is requested. */
export interface GateFacts {
  artifact: {
    name: string;
    digest: string;
    registered: boolean;
    signature: { verified: boolean; recordedAt: string | null };
    sbom: { present: boolean; uploadedAt: string | null; components: number };
    attestations: EvidenceFact[];
  };
  /** The source branch whose findings and scans count (see gates-facts.ts). */
  stream: { branch: string | null };
  scan: { latestAt: string | null; ageHours: number | null };
  findings: {
    open: { critical: number; high: number };
    /** Open findings first seen more than `olderThanDays` days ago; null when the rule is off. */
    openOlderThan: { critical: number | null; high: number | null };
    olderThanDays: { critical: number | null; high: number | null };
  };
  dast: { present: boolean; passed: boolean; openCriticalHigh: number };
}

export interface GateResult {
  name: string;
  passed: boolean;
  reason: string;
}

/** One gate: a deny-conditions block and the sentence that explains its outcome. */
export interface GateRule {
  name: string;
  deny: { any: { key: string; operator: string; value: unknown; message?: string }[] };
  explain(facts: GateFacts, passed: boolean): string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function hours(h: number): string {
  return h < 1 ? `${Math.round(h * 60)} minutes` : plural(Math.floor(h), 'hour');
}

function findingAgeRule(severity: 'critical' | 'high', days: number): GateRule {
  return {
    name: `no-${severity}-findings-older-than-${days}d`,
    deny: {
      any: [
        {
          key: `{{ findings.openOlderThan.${severity} }}`,
          operator: 'GreaterThan',
          value: 0,
          message: `${severity} findings open for more than ${days} days`,
        },
      ],
    },
    explain(f, passed) {
      const old = f.findings.openOlderThan[severity] ?? 0;
      const span = days === 0 ? '' : ` for more than ${plural(days, 'day')}`;
      if (!passed) return `${plural(old, `${severity} finding`)} open${span}`;
      const open = f.findings.open[severity];
      return `no ${severity} finding open${span}${open ? ` (${open} newer)` : ''}`;
    },
  };
}

/** The gates an environment's protection asks for, in a stable order. */
export function gateRules(p: Protection): GateRule[] {
  const rules: GateRule[] = [];
  if (p.requireSignature)
    rules.push({
      name: 'signature-verified',
      deny: {
        any: [{ key: '{{ artifact.signature.verified }}', operator: 'NotEquals', value: true }],
      },
      explain: (f, passed) =>
        passed
          ? `signature verified (recorded ${f.artifact.signature.recordedAt})`
          : f.artifact.signature.recordedAt
            ? `the latest signature verification failed (recorded ${f.artifact.signature.recordedAt})`
            : 'no verified signature recorded for the artifact (run `rampart verify` in the pipeline)',
    });
  if (p.requireSbom)
    rules.push({
      name: 'sbom-present',
      deny: { any: [{ key: '{{ artifact.sbom.present }}', operator: 'NotEquals', value: true }] },
      explain: (f, passed) =>
        passed
          ? `SBOM uploaded ${f.artifact.sbom.uploadedAt} (${plural(f.artifact.sbom.components, 'component')})`
          : 'no SBOM uploaded for the artifact',
    });
  const ages = p.maxOpenAgeDays ?? {};
  if (ages.critical !== undefined) rules.push(findingAgeRule('critical', ages.critical));
  if (ages.high !== undefined) rules.push(findingAgeRule('high', ages.high));
  if (p.maxScanAgeHours !== undefined) {
    const limit = p.maxScanAgeHours;
    rules.push({
      name: 'scan-fresh',
      deny: {
        any: [
          { key: '{{ scan.ageHours == `null` }}', operator: 'Equals', value: true },
          { key: '{{ scan.ageHours }}', operator: 'GreaterThan', value: limit },
        ],
      },
      explain: (f, passed) => {
        const where = f.stream.branch ? ` of branch ${f.stream.branch}` : '';
        if (f.scan.ageHours === null)
          return `no scan recorded${f.stream.branch ? ` for branch ${f.stream.branch}` : ''}`;
        return `latest scan${where} is ${hours(f.scan.ageHours)} old (limit ${hours(limit)})${passed ? '' : ': scan again'}`;
      },
    });
  }
  if (p.requireDast)
    rules.push({
      name: 'dast-passed',
      deny: {
        any: [
          { key: '{{ dast.present }}', operator: 'NotEquals', value: true },
          { key: '{{ dast.passed }}', operator: 'NotEquals', value: true },
        ],
      },
      explain: (f, passed) => {
        if (passed) return 'DAST results present with no open critical or high finding';
        if (!f.dast.present)
          return `no DAST results${f.stream.branch ? ` for branch ${f.stream.branch}` : ''}`;
        return `DAST found ${plural(f.dast.openCriticalHigh, 'open critical/high finding')}`;
      },
    });
  return rules;
}

/** The artifact must be known to the project: the pipeline registers it with its SBOM and signature. */
export function registrationResult(f: GateFacts, projectName: string): GateResult {
  const ref = `${f.artifact.name}@${f.artifact.digest}`;
  return f.artifact.registered
    ? { name: 'artifact-registered', passed: true, reason: `${ref} is registered in project ${projectName}` }
    : {
        name: 'artifact-registered',
        passed: false,
        reason: `${ref} is not registered in project ${projectName}: the pipeline must register it (with its SBOM and signature) before deploying`,
      };
}

export function evaluateGate(rule: GateRule, facts: GateFacts): GateResult {
  try {
    const denied = evaluateConditions(
      rule.deny,
      new EvalContext(facts as unknown as Record<string, unknown>),
    );
    const passed = !denied.result;
    return { name: rule.name, passed, reason: rule.explain(facts, passed) };
  } catch (err) {
    if (!(err instanceof ConditionError)) throw err;
    return { name: rule.name, passed: false, reason: `gate could not be evaluated: ${err.message}` };
  }
}

/** Every gate of the protection over the facts; registration first (nothing else counts without it). */
export function evaluateGates(p: Protection, facts: GateFacts, projectName: string): GateResult[] {
  const registered = registrationResult(facts, projectName);
  if (!registered.passed) return [registered];
  return [registered, ...gateRules(p).map((rule) => evaluateGate(rule, facts))];
}
