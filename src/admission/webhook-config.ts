/**
 * The `ValidatingWebhookConfiguration` that points the API server at the webhook. Pure: builds the
 * object and its YAML text.
 */
import { stringify } from 'yaml';
import type { FailurePolicy } from './types.js';

export interface WebhookRule {
  apiGroups: string[];
  apiVersions: string[];
  operations: string[];
  resources: string[];
  scope: '*' | 'Cluster' | 'Namespaced';
}

/** What the built-in packs look at: Pods, their controllers, and Services (external IPs). */
export const DEFAULT_WEBHOOK_RULES: WebhookRule[] = [
  {
    apiGroups: [''],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers', 'services'],
    scope: 'Namespaced',
  },
  {
    apiGroups: ['apps'],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['deployments', 'daemonsets', 'statefulsets', 'replicasets'],
    scope: 'Namespaced',
  },
  {
    apiGroups: ['batch'],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['jobs', 'cronjobs'],
    scope: 'Namespaced',
  },
];

export interface WebhookConfigOptions {
  /** PEM of the CA that signed the serving certificate (base64-encoded into caBundle). */
  caPem: string;
  service?: string;
  namespace?: string;
  /** Out-of-cluster alternative to service/namespace: `https://host:port/validate`. */
  url?: string;
  /** metadata.name of the configuration (default rampart-admission). */
  name?: string;
  failurePolicy?: FailurePolicy;
  /** API-server side timeout, 1–30 s (default 10). */
  timeoutSeconds?: number;
  /** Namespaces never sent to the webhook; kube-system and the webhook's own namespace are always added. */
  excludeNamespaces?: string[];
  rules?: WebhookRule[];
}

export function buildWebhookConfiguration(options: WebhookConfigOptions): Record<string, unknown> {
  const name = options.name ?? 'rampart-admission';
  const timeoutSeconds = Math.min(30, Math.max(1, Math.round(options.timeoutSeconds ?? 10)));
  const excluded = [
    ...new Set([
      'kube-system',
      ...(options.namespace ? [options.namespace] : []),
      ...(options.excludeNamespaces ?? []),
    ]),
  ];
  const caBundle = Buffer.from(options.caPem, 'utf8').toString('base64');
  let clientConfig: Record<string, unknown>;
  if (options.url) clientConfig = { url: options.url, caBundle };
  else {
    if (!options.service || !options.namespace)
      throw new Error('service and namespace (or url) are required');
    clientConfig = {
      service: { name: options.service, namespace: options.namespace, path: '/validate', port: 443 },
      caBundle,
    };
  }
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name, labels: { 'app.kubernetes.io/name': 'rampart-admission' } },
    webhooks: [
      {
        name: 'validate.rampart.dev',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: options.failurePolicy ?? 'Ignore',
        matchPolicy: 'Equivalent',
        timeoutSeconds,
        clientConfig,
        namespaceSelector: {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excluded }],
        },
        rules: options.rules ?? DEFAULT_WEBHOOK_RULES,
      },
    ],
  };
}

export function webhookConfigurationYaml(options: WebhookConfigOptions): string {
  return stringify(buildWebhookConfiguration(options), { lineWidth: 0 });
}
