/**
 * Checks across files: facts gathered from every manifest (workloads, NetworkPolicies,
 * PodDisruptionBudgets) are judged together once the scan is over.
 */
import type { CheckMeta, Violation } from '../check.js';
import { asArray, asString, get, isRecord, type ParsedDocument } from './parse.js';
import { objectsOf, podTemplateOf } from './workload.js';

export interface WorkloadFact {
  path: string;
  line: number;
  kind: string;
  name: string;
  /** '' when the manifest does not say (set at deploy time). */
  namespace: string;
  labels: Record<string, string>;
  replicas: number;
}
export interface PolicyFact {
  namespace: string;
  /** An empty podSelector that restricts Ingress: the namespace's default deny. */
  defaultDenyIngress: boolean;
}
export interface PdbFact {
  namespace: string;
  matchLabels: Record<string, string>;
}
export interface ClusterFacts {
  workloads: WorkloadFact[];
  policies: PolicyFact[];
  pdbs: PdbFact[];
}

export const emptyFacts = (): ClusterFacts => ({ workloads: [], policies: [], pdbs: [] });

const REPLICATED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'DeploymentConfig']);

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** Facts of one parsed document (path is the file the document came from). */
export function factsOf(doc: ParsedDocument, path: string, into: ClusterFacts): void {
  for (const o of objectsOf(doc.value)) {
    const namespace = o.namespace ?? '';
    if (o.kind === 'NetworkPolicy') {
      const spec = get(o.value, 'spec');
      const selector = get(spec, 'podSelector');
      const emptySelector =
        !isRecord(selector) ||
        Object.values(selector).every((v) =>
          isRecord(v) ? Object.keys(v).length === 0 : asArray(v).length === 0,
        );
      const types = asArray(get(spec, 'policyTypes')).map((t) => asString(t));
      const restrictsIngress = types.length ? types.includes('Ingress') : true;
      into.policies.push({ namespace, defaultDenyIngress: emptySelector && restrictsIngress });
      continue;
    }
    if (o.kind === 'PodDisruptionBudget') {
      into.pdbs.push({ namespace, matchLabels: stringMap(get(o.value, 'spec', 'selector', 'matchLabels')) });
      continue;
    }
    const pod = podTemplateOf(o);
    if (!pod) continue;
    const labels =
      o.kind === 'Pod'
        ? stringMap(get(o.value, 'metadata', 'labels'))
        : stringMap(get(o.value, ...pod.specPath.slice(o.path.length, -1), 'metadata', 'labels'));
    const replicas = get(o.value, 'spec', 'replicas');
    into.workloads.push({
      path,
      line: doc.pos(o.path).line,
      kind: o.kind,
      name: o.name,
      namespace,
      labels,
      replicas: typeof replicas === 'number' ? replicas : REPLICATED.has(o.kind) ? 1 : 0,
    });
  }
}

export const clusterChecks: CheckMeta[] = [
  {
    id: 'k8s-namespace-no-default-deny',
    title: 'Namespace without a default-deny NetworkPolicy',
    severity: 'medium',
    description:
      'Without a NetworkPolicy that selects every pod (`podSelector: {}`) and restricts Ingress, any pod in the cluster can reach the workloads of this namespace; a compromised pod moves laterally at will.',
    remediation:
      'Add a default-deny NetworkPolicy (`podSelector: {}`, `policyTypes: [Ingress, Egress]`) to the namespace and allow the needed flows explicitly.',
    references: [
      'https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic',
    ],
    standards: ['CIS Kubernetes 5.3.2'],
    cwe: ['CWE-923'],
  },
  {
    id: 'k8s-pdb-missing',
    title: 'Replicated workload without a PodDisruptionBudget',
    severity: 'low',
    description: 'Without a PodDisruptionBudget, node drains and upgrades can evict every replica at once.',
    remediation:
      'Add a PodDisruptionBudget whose selector matches the pods (`minAvailable` or `maxUnavailable`).',
    references: ['https://kubernetes.io/docs/tasks/run-application/configure-pdb/'],
  },
];

/** Judges the facts of the whole scan; returns violations with the file they belong to. */
export function clusterViolations(facts: ClusterFacts): { path: string; violation: Violation }[] {
  const out: { path: string; violation: Violation }[] = [];
  const denied = new Set(facts.policies.filter((p) => p.defaultDenyIngress).map((p) => p.namespace));
  const reported = new Set<string>();
  for (const w of facts.workloads) {
    if (denied.has(w.namespace) || reported.has(w.namespace)) continue;
    reported.add(w.namespace);
    const ns = w.namespace || '(unspecified)';
    out.push({
      path: w.path,
      violation: {
        checkId: 'k8s-namespace-no-default-deny',
        message: `namespace ${ns} has workloads (first: ${w.kind} "${w.name}") but no default-deny ingress NetworkPolicy in the scanned files`,
        startLine: w.line,
        subject: `namespace/${ns}`,
        resource: { kind: 'Namespace', name: ns },
      },
    });
  }
  for (const w of facts.workloads) {
    if (w.replicas < 2) continue;
    const covered = facts.pdbs.some(
      (p) =>
        p.namespace === w.namespace &&
        Object.keys(p.matchLabels).length > 0 &&
        Object.entries(p.matchLabels).every(([k, v]) => w.labels[k] === v),
    );
    if (covered) continue;
    out.push({
      path: w.path,
      violation: {
        checkId: 'k8s-pdb-missing',
        message: `${w.kind} "${w.name}" runs ${w.replicas} replicas without a matching PodDisruptionBudget`,
        startLine: w.line,
        subject: `${w.kind}/${w.namespace}/${w.name}`,
        resource: { kind: w.kind, name: w.name, ...(w.namespace ? { namespace: w.namespace } : {}) },
      },
    });
  }
  return out;
}
