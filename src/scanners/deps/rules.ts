import type { RuleDescriptor } from '../../core/finding.js';
import type { Severity } from '../../core/severity.js';

export const LICENSE_DENIED = 'deps/license-denied';
export const LICENSE_NOT_ALLOWED = 'deps/license-not-allowed';

/** Static rules of the dependency scanner; one rule per advisory is added as advisories match. */
export const licenseRules: RuleDescriptor[] = [
  {
    id: LICENSE_DENIED,
    scanner: 'deps',
    title: 'Dependency under a denied licence',
    description:
      'A dependency is only available under licences that the licence policy (deps.license-deny) denies.',
    helpMarkdown:
      "The component's declared licence uses an SPDX id listed in `deps.license-deny` and no alternative (`OR`) avoids it.\n\n" +
      '**Fix:** replace the dependency, obtain it under another licence, or record an exception in `.rampart-ignore.yaml` with a reason.',
    severity: 'high',
    precision: 'high',
    tags: ['security', 'license', 'compliance'],
    cwe: [],
    references: ['https://spdx.org/licenses/'],
  },
  {
    id: LICENSE_NOT_ALLOWED,
    scanner: 'deps',
    title: 'Dependency under a licence outside the allow list',
    description:
      "A dependency declares a licence that is not in the licence policy's allow list (deps.license-allow).",
    helpMarkdown:
      "An allow list is configured (`deps.license-allow`) and none of the component's licence alternatives stays inside it.\n\n" +
      '**Fix:** have the licence reviewed and add it to the allow list, or replace the dependency.',
    severity: 'medium',
    precision: 'high',
    tags: ['security', 'license', 'compliance'],
    cwe: [],
    references: ['https://spdx.org/licenses/'],
  },
];

/** Rule descriptor of one advisory (SARIF rules, docs). */
export function advisoryRule(
  ruleId: string,
  advisory: {
    id: string;
    aliases: readonly string[];
    summary?: string;
    malicious: boolean;
    references: readonly string[];
  },
  severity: Severity,
): RuleDescriptor {
  const title = advisory.malicious
    ? `Known malicious package (${advisory.id})`
    : advisory.summary || `Vulnerable dependency (${advisory.id})`;
  const aka = advisory.aliases.length ? ` Also known as ${advisory.aliases.join(', ')}.` : '';
  return {
    id: ruleId,
    scanner: 'deps',
    title,
    description: advisory.malicious
      ? `This package version is known malware (${advisory.id}).${aka}`
      : `${advisory.summary || 'A published advisory'} (${advisory.id}).${aka}`,
    helpMarkdown: advisory.malicious
      ? `**This package version is known malware.** Remove it, rotate every credential the machines that installed it could reach, and review what it ran.\n\nAdvisory: ${advisory.id}${aka}`
      : `${advisory.summary || advisory.id}\n\n**Fix:** upgrade to the fixed version shown in the finding, or record a VEX statement (\`--vex\`) when the vulnerable code is not reachable.${aka}\n\n${advisory.references
          .slice(0, 5)
          .map((r) => `- ${r}`)
          .join('\n')}`,
    severity,
    precision: 'very-high',
    tags: advisory.malicious
      ? ['security', 'malware', 'supply-chain']
      : ['security', 'vulnerability', 'dependency'],
    cwe: [],
    references: [...advisory.references],
  };
}
