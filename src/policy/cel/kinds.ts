/**
 * Kind ↔ resource mapping for matching admission rules (`resources: [pods]`) without a live
 * discovery API. Unknown kinds fall back to the usual lower-case plural.
 */

export interface KindInfo {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
}

type Row = [kind: string, group: string, version: string, resource: string, namespaced: boolean];

const ROWS: Row[] = [
  ['Pod', '', 'v1', 'pods', true],
  ['Service', '', 'v1', 'services', true],
  ['ConfigMap', '', 'v1', 'configmaps', true],
  ['Secret', '', 'v1', 'secrets', true],
  ['ServiceAccount', '', 'v1', 'serviceaccounts', true],
  ['PersistentVolumeClaim', '', 'v1', 'persistentvolumeclaims', true],
  ['ReplicationController', '', 'v1', 'replicationcontrollers', true],
  ['Endpoints', '', 'v1', 'endpoints', true],
  ['Event', '', 'v1', 'events', true],
  ['LimitRange', '', 'v1', 'limitranges', true],
  ['ResourceQuota', '', 'v1', 'resourcequotas', true],
  ['PodTemplate', '', 'v1', 'podtemplates', true],
  ['Namespace', '', 'v1', 'namespaces', false],
  ['Node', '', 'v1', 'nodes', false],
  ['PersistentVolume', '', 'v1', 'persistentvolumes', false],
  ['Deployment', 'apps', 'v1', 'deployments', true],
  ['DaemonSet', 'apps', 'v1', 'daemonsets', true],
  ['StatefulSet', 'apps', 'v1', 'statefulsets', true],
  ['ReplicaSet', 'apps', 'v1', 'replicasets', true],
  ['ControllerRevision', 'apps', 'v1', 'controllerrevisions', true],
  ['Job', 'batch', 'v1', 'jobs', true],
  ['CronJob', 'batch', 'v1', 'cronjobs', true],
  ['Ingress', 'networking.k8s.io', 'v1', 'ingresses', true],
  ['NetworkPolicy', 'networking.k8s.io', 'v1', 'networkpolicies', true],
  ['IngressClass', 'networking.k8s.io', 'v1', 'ingressclasses', false],
  ['Role', 'rbac.authorization.k8s.io', 'v1', 'roles', true],
  ['RoleBinding', 'rbac.authorization.k8s.io', 'v1', 'rolebindings', true],
  ['ClusterRole', 'rbac.authorization.k8s.io', 'v1', 'clusterroles', false],
  ['ClusterRoleBinding', 'rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', false],
  ['PodDisruptionBudget', 'policy', 'v1', 'poddisruptionbudgets', true],
  ['HorizontalPodAutoscaler', 'autoscaling', 'v2', 'horizontalpodautoscalers', true],
  ['StorageClass', 'storage.k8s.io', 'v1', 'storageclasses', false],
  ['CSIDriver', 'storage.k8s.io', 'v1', 'csidrivers', false],
  ['VolumeAttachment', 'storage.k8s.io', 'v1', 'volumeattachments', false],
  ['PriorityClass', 'scheduling.k8s.io', 'v1', 'priorityclasses', false],
  ['RuntimeClass', 'node.k8s.io', 'v1', 'runtimeclasses', false],
  ['Lease', 'coordination.k8s.io', 'v1', 'leases', true],
  ['EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices', true],
  ['CertificateSigningRequest', 'certificates.k8s.io', 'v1', 'certificatesigningrequests', false],
  ['CustomResourceDefinition', 'apiextensions.k8s.io', 'v1', 'customresourcedefinitions', false],
  [
    'ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io',
    'v1',
    'validatingwebhookconfigurations',
    false,
  ],
  [
    'MutatingWebhookConfiguration',
    'admissionregistration.k8s.io',
    'v1',
    'mutatingwebhookconfigurations',
    false,
  ],
  ['ValidatingAdmissionPolicy', 'admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies', false],
  [
    'ValidatingAdmissionPolicyBinding',
    'admissionregistration.k8s.io',
    'v1',
    'validatingadmissionpolicybindings',
    false,
  ],
  ['APIService', 'apiregistration.k8s.io', 'v1', 'apiservices', false],
];

const BY_KIND = new Map(
  ROWS.map(([kind, group, version, resource, namespaced]) => [
    kind,
    { group, version, kind, resource, namespaced },
  ]),
);

function pluralize(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** Splits `group/version` (or `v1`) into its parts. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Group/version/resource/scope of an object of this kind and apiVersion. */
export function kindInfo(kind: string, apiVersion: string): KindInfo {
  const { group, version } = splitApiVersion(apiVersion);
  const known = BY_KIND.get(kind);
  if (known && known.group === group) return { ...known, version: version || known.version };
  return { group, version, kind, resource: pluralize(kind), namespaced: true };
}
