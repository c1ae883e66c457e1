import type { Finding, RuleDescriptor } from '../../core/finding.js';
import { fingerprintOf } from '../../core/fingerprint.js';
import type { ImageConfig } from '../read/index.js';

export const RUNS_AS_ROOT = 'image/runs-as-root';
export const NO_HEALTHCHECK = 'image/no-healthcheck';

export const configRules: RuleDescriptor[] = [
  {
    id: RUNS_AS_ROOT,
    scanner: 'image',
    title: 'Image runs as root',
    description:
      'The image config sets no USER, or USER root / 0, so containers run as root unless the pod overrides it.',
    helpMarkdown:
      'A process running as root inside a container is one kernel bug away from root on the node.\n\n**Fix:** add `USER <non-root uid>` to the Dockerfile (distroless images ship `nonroot`, 65532) and set `runAsNonRoot: true` in the pod spec.',
    severity: 'medium',
    precision: 'very-high',
    tags: ['security', 'container', 'misconfiguration'],
    cwe: ['CWE-250'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
    equivalents: { trivy: ['DS002'] },
  },
  {
    id: NO_HEALTHCHECK,
    scanner: 'image',
    title: 'Image has no HEALTHCHECK',
    description: 'The image config declares no HEALTHCHECK.',
    helpMarkdown:
      'Without a health check the runtime cannot tell a hung process from a healthy one.\n\n**Fix:** add `HEALTHCHECK` to the Dockerfile, or define liveness/readiness probes in Kubernetes.',
    severity: 'low',
    precision: 'high',
    tags: ['security', 'container', 'misconfiguration'],
    cwe: [],
    references: ['https://docs.docker.com/reference/dockerfile/#healthcheck'],
    equivalents: { trivy: ['DS026'] },
  },
];

function finding(rule: RuleDescriptor, message: string, image: string): Finding {
  return {
    scanner: 'image',
    ruleId: rule.id,
    title: rule.title,
    message,
    severity: rule.severity,
    confidence: 'high',
    resource: { kind: 'Image', name: image },
    fingerprint: fingerprintOf('image-config', rule.id, image),
    references: rule.references,
    cwe: rule.cwe,
    ...(rule.equivalents ? { equivalents: rule.equivalents } : {}),
    tags: rule.tags,
  };
}

/** Checks of the image config itself (the Dockerfile's result), pure. */
export function checkImageConfig(config: ImageConfig, image: string): Finding[] {
  const out: Finding[] = [];
  const user = (config.user ?? '').trim();
  const name = user.split(':')[0] ?? '';
  if (!user || name === 'root' || name === '0')
    out.push(
      finding(
        configRules[0]!,
        user ? `the image runs as USER ${user}` : 'the image sets no USER: it runs as root',
        image,
      ),
    );
  const hc = config.healthcheck;
  const disabled = hc && Array.isArray(hc.test) && hc.test[0] === 'NONE';
  if (!hc || disabled)
    out.push(
      finding(
        configRules[1]!,
        disabled ? 'HEALTHCHECK is disabled (NONE)' : 'no HEALTHCHECK in the image config',
        image,
      ),
    );
  return out;
}
