import { awsChecks } from './aws.js';
import { azureChecks } from './azure.js';
import { gcpChecks } from './gcp.js';
import { attr, hit, isFalse, isTrue, nonEmptyList, subBlock, unknown, type TfCheck } from './helpers.js';

export type { Resource, TfCheck, TfHit } from './helpers.js';
export { attr, subBlock } from './helpers.js';

const AKS = 'azurerm_kubernetes_cluster';
const STORAGE = 'azurerm_storage_account';
const AKS_DOC = 'https://learn.microsoft.com/azure/aks/';
const TF_AZ = 'https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/';
const TF_GCP =
  'https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/container_cluster';

function isPrivateIp(ip: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

const baseChecks: TfCheck[] = [
  {
    id: 'tf-aks-api-authorized-ranges',
    title: 'AKS API server reachable from any IP',
    severity: 'critical',
    description:
      'A public AKS API server without authorized IP ranges accepts connections from the whole internet; credential leaks and API CVEs are then directly exploitable.',
    remediation:
      'Set `api_server_access_profile { authorized_ip_ranges = [...] }`, or make the cluster private (`private_cluster_enabled = true`).',
    references: [`${AKS_DOC}api-server-authorized-ip-ranges`, `${TF_AZ}kubernetes_cluster`],
    standards: ['CIS AKS 5.4.1'],
    equivalents: { trivy: ['AVD-AZU-0041'] },
    cwe: ['CWE-284'],
    resources: [AKS],
    run: (r) => {
      if (
        isTrue(attr(r.block, 'private_cluster_enabled')) ||
        unknown(attr(r.block, 'private_cluster_enabled'))
      )
        return [];
      const ranges =
        attr(r.block, 'api_server_access_profile.authorized_ip_ranges') ??
        attr(r.block, 'api_server_authorized_ip_ranges');
      if (nonEmptyList(ranges) || unknown(ranges)) return [];
      return [hit(r, undefined, 'public API server without authorized IP ranges')];
    },
  },
  {
    id: 'tf-aks-rbac',
    title: 'AKS RBAC not explicitly enabled',
    severity: 'high',
    description:
      'Without Kubernetes RBAC every authenticated identity is effectively cluster-admin. Older azurerm versions defaulted to RBAC disabled, so it must be enabled explicitly (ideally with Entra ID integration).',
    remediation:
      'Set `role_based_access_control_enabled = true` and configure `azure_active_directory_role_based_access_control`.',
    references: [`${AKS_DOC}manage-azure-rbac`, `${TF_AZ}kubernetes_cluster`],
    standards: ['CIS AKS 4.1'],
    equivalents: { trivy: ['AVD-AZU-0042'] },
    cwe: ['CWE-285'],
    resources: [AKS],
    run: (r) => {
      const v =
        attr(r.block, 'role_based_access_control_enabled') ??
        attr(r.block, 'role_based_access_control.enabled');
      if (isTrue(v) || unknown(v)) return [];
      return [
        hit(
          r,
          v === undefined ? undefined : 'role_based_access_control_enabled',
          isFalse(v) ? 'RBAC is disabled' : 'RBAC is not explicitly enabled',
        ),
      ];
    },
  },
  {
    id: 'tf-aks-network-policy',
    title: 'AKS cluster without a network policy engine',
    severity: 'high',
    description:
      'Without a network policy engine (Azure, Calico or Cilium), NetworkPolicy objects are ignored and every pod can reach every other pod.',
    remediation: 'Set `network_profile { network_policy = "azure" | "calico" | "cilium" }`.',
    references: [`${AKS_DOC}use-network-policies`, `${TF_AZ}kubernetes_cluster`],
    standards: ['CIS AKS 5.4.4'],
    equivalents: { trivy: ['AVD-AZU-0043'] },
    cwe: ['CWE-923'],
    resources: [AKS],
    run: (r) => {
      const v = attr(r.block, 'network_profile.network_policy');
      if ((typeof v === 'string' && v !== '') || unknown(v)) return [];
      return [
        hit(
          r,
          subBlock(r.block, 'network_profile') ? 'network_profile' : undefined,
          'no network_profile.network_policy',
        ),
      ];
    },
  },
  {
    id: 'tf-aks-monitoring',
    title: 'AKS cluster without Azure Monitor logging',
    severity: 'medium',
    description:
      'Without the monitoring add-on (OMS agent / Container Insights) there is no record of cluster and workload activity for detection or forensics.',
    remediation: 'Add `oms_agent { log_analytics_workspace_id = … }` (or enable Container Insights).',
    references: [`${AKS_DOC}monitor-aks`, `${TF_AZ}kubernetes_cluster`],
    equivalents: { trivy: ['AVD-AZU-0040'] },
    cwe: ['CWE-778'],
    resources: [AKS],
    run: (r) => {
      const v =
        attr(r.block, 'oms_agent.log_analytics_workspace_id') ??
        attr(r.block, 'addon_profile.oms_agent.log_analytics_workspace_id');
      const enabled = attr(r.block, 'addon_profile.oms_agent.enabled');
      if ((v !== undefined && !isFalse(enabled)) || subBlock(r.block, 'oms_agent')?.blocks.length) return [];
      if (v !== undefined || unknown(v)) return [];
      return [hit(r, undefined, 'no oms_agent configured')];
    },
  },
  {
    id: 'tf-aks-local-accounts',
    title: 'AKS local accounts not disabled',
    severity: 'medium',
    description:
      'The local cluster-admin account bypasses Entra ID, cannot be audited per user and its credential never expires.',
    remediation: 'Set `local_account_disabled = true` together with Entra ID integration.',
    references: [`${AKS_DOC}manage-local-accounts-managed-azure-ad`],
    resources: [AKS],
    run: (r) =>
      isFalse(attr(r.block, 'local_account_disabled'))
        ? [hit(r, 'local_account_disabled', 'local accounts are enabled')]
        : [],
  },
  {
    id: 'tf-storage-min-tls',
    title: 'Storage account accepts TLS below 1.2',
    severity: 'high',
    description:
      'TLS 1.0 and 1.1 have known weaknesses. Older azurerm versions defaulted `min_tls_version` to TLS1_0, so it must be set.',
    remediation: 'Set `min_tls_version = "TLS1_2"`.',
    references: [
      `${TF_AZ}storage_account#min_tls_version`,
      'https://learn.microsoft.com/azure/storage/common/transport-layer-security-configure-minimum-version',
    ],
    standards: ['CIS Azure 3.15'],
    equivalents: { trivy: ['AVD-AZU-0011'] },
    cwe: ['CWE-326'],
    resources: [STORAGE],
    run: (r) => {
      const v = attr(r.block, 'min_tls_version');
      if (v === 'TLS1_2' || v === 'TLS1_3' || unknown(v)) return [];
      return [
        hit(
          r,
          v === undefined ? undefined : 'min_tls_version',
          `min_tls_version is ${typeof v === 'string' ? v : 'not set'}`,
        ),
      ];
    },
  },
  {
    id: 'tf-storage-https-only',
    title: 'Storage account accepts plain HTTP',
    severity: 'high',
    description: 'Transfers over HTTP expose data and shared keys on the network.',
    remediation: 'Set `https_traffic_only_enabled = true` (`enable_https_traffic_only` in older providers).',
    references: [`${TF_AZ}storage_account`],
    standards: ['CIS Azure 3.1'],
    equivalents: { trivy: ['AVD-AZU-0008'] },
    cwe: ['CWE-319'],
    resources: [STORAGE],
    run: (r) => {
      for (const k of ['enable_https_traffic_only', 'https_traffic_only_enabled'])
        if (isFalse(attr(r.block, k))) return [hit(r, k, `${k} = false`)];
      return [];
    },
  },
  {
    id: 'tf-storage-public-blob',
    title: 'Storage account allows public blob access',
    severity: 'high',
    description: 'Nested public access lets containers be made anonymously readable.',
    remediation:
      'Set `allow_nested_items_to_be_public = false` (`allow_blob_public_access` in older providers).',
    references: [`${TF_AZ}storage_account`],
    standards: ['CIS Azure 3.7'],
    cwe: ['CWE-284'],
    resources: [STORAGE],
    run: (r) => {
      for (const k of ['allow_blob_public_access', 'allow_nested_items_to_be_public'])
        if (isTrue(attr(r.block, k))) return [hit(r, k, `${k} = true`)];
      return [];
    },
  },
  {
    id: 'tf-storage-network-default-allow',
    title: 'Storage network rules allow access by default',
    severity: 'critical',
    description: 'With `default_action = "Allow"` the storage account is reachable from any network.',
    remediation: 'Set `default_action = "Deny"` and allow specific networks or private endpoints.',
    references: [`${TF_AZ}storage_account_network_rules`],
    standards: ['CIS Azure 3.8'],
    equivalents: { trivy: ['AVD-AZU-0012'] },
    cwe: ['CWE-284'],
    resources: [STORAGE, 'azurerm_storage_account_network_rules'],
    run: (r) => {
      const path = r.type === STORAGE ? 'network_rules.default_action' : 'default_action';
      return attr(r.block, path) === 'Allow' ? [hit(r, path, 'default_action is Allow')] : [];
    },
  },
  {
    id: 'tf-storage-bypass-azure-services',
    title: 'Storage network rules do not let trusted Azure services bypass',
    severity: 'medium',
    description:
      'Without the AzureServices bypass, trusted Microsoft services (backup, monitoring, Defender) cannot reach a locked-down account, which pushes teams to open it up instead.',
    remediation: 'Include "AzureServices" in `bypass`.',
    references: [`${TF_AZ}storage_account_network_rules`],
    equivalents: { trivy: ['AVD-AZU-0010'] },
    cwe: ['CWE-284'],
    resources: [STORAGE, 'azurerm_storage_account_network_rules'],
    run: (r) => {
      const base = r.type === STORAGE ? subBlock(r.block, 'network_rules') : r.block;
      if (!base) return [];
      const v = attr(base, 'bypass');
      if (unknown(v) || (Array.isArray(v) && v.includes('AzureServices'))) return [];
      return [
        hit(r, r.type === STORAGE ? 'network_rules' : undefined, 'bypass does not include AzureServices'),
      ];
    },
  },
  {
    id: 'tf-keyvault-network-acl',
    title: 'Key Vault network ACL does not deny by default',
    severity: 'critical',
    description:
      'Without `network_acls { default_action = "Deny" }` the vault is reachable from any network.',
    remediation:
      'Add `network_acls { default_action = "Deny", bypass = "AzureServices" }` and allow specific networks or private endpoints.',
    references: [
      `${TF_AZ}key_vault#network_acls`,
      'https://learn.microsoft.com/azure/key-vault/general/network-security',
    ],
    equivalents: { trivy: ['AVD-AZU-0013'] },
    cwe: ['CWE-284'],
    resources: ['azurerm_key_vault'],
    run: (r) => {
      const v = attr(r.block, 'network_acls.default_action');
      if (v === 'Deny' || unknown(v)) return [];
      return [
        hit(
          r,
          v === undefined ? undefined : 'network_acls.default_action',
          v === undefined ? 'no network_acls' : `network_acls.default_action is ${String(v)}`,
        ),
      ];
    },
  },
  {
    id: 'tf-keyvault-purge-protection',
    title: 'Key Vault without purge protection',
    severity: 'medium',
    description:
      'Without purge protection a deleted vault (and its keys) can be purged immediately, by mistake or by an attacker.',
    remediation: 'Set `purge_protection_enabled = true`.',
    references: [`${TF_AZ}key_vault#purge_protection_enabled`],
    equivalents: { trivy: ['AVD-AZU-0016'] },
    cwe: ['CWE-693'],
    resources: ['azurerm_key_vault'],
    run: (r) => {
      const v = attr(r.block, 'purge_protection_enabled');
      return isTrue(v) || unknown(v)
        ? []
        : [
            hit(
              r,
              v === undefined ? undefined : 'purge_protection_enabled',
              'purge protection is not enabled',
            ),
          ];
    },
  },
  {
    id: 'tf-db-firewall-public',
    title: 'Database firewall rule open to public addresses',
    severity: 'high',
    description:
      'A firewall rule spanning public IP addresses (0.0.0.0–255.255.255.255 at worst) exposes the database server to the internet.',
    remediation:
      'Allow only specific addresses or use private endpoints; 0.0.0.0–0.0.0.0 (Azure services) is the only special case.',
    references: ['https://learn.microsoft.com/azure/azure-sql/database/firewall-configure'],
    standards: ['CIS Azure 4.1.2'],
    equivalents: { trivy: ['AVD-AZU-0029'] },
    cwe: ['CWE-284'],
    resources: [
      'azurerm_sql_firewall_rule',
      'azurerm_mssql_firewall_rule',
      'azurerm_mysql_firewall_rule',
      'azurerm_mysql_flexible_server_firewall_rule',
      'azurerm_postgresql_firewall_rule',
      'azurerm_postgresql_flexible_server_firewall_rule',
      'azurerm_mariadb_firewall_rule',
    ],
    run: (r) => {
      const s = attr(r.block, 'start_ip_address');
      const e = attr(r.block, 'end_ip_address');
      if (typeof s !== 'string' || typeof e !== 'string') return [];
      if (s === e || (s === '0.0.0.0' && e === '0.0.0.0') || (isPrivateIp(s) && isPrivateIp(e))) return [];
      return [hit(r, 'end_ip_address', `allows ${s}–${e}`)];
    },
  },
  {
    id: 'tf-sql-audit-retention',
    title: 'Database auditing retention under 90 days',
    severity: 'medium',
    description: 'Audit logs kept less than 90 days are often gone before an incident is investigated.',
    remediation: 'Set `retention_in_days` to 90 or more (0 keeps logs forever).',
    references: [`${TF_AZ}mssql_database_extended_auditing_policy`],
    standards: ['CIS Azure 4.1.3'],
    equivalents: { trivy: ['AVD-AZU-0025'] },
    cwe: ['CWE-778'],
    resources: [
      'azurerm_mssql_database_extended_auditing_policy',
      'azurerm_mssql_server_extended_auditing_policy',
    ],
    run: (r) => {
      const v = attr(r.block, 'retention_in_days');
      return typeof v === 'number' && v > 0 && v < 90
        ? [hit(r, 'retention_in_days', `retention is ${v} days`)]
        : [];
    },
  },
  {
    id: 'tf-acr-admin-user',
    title: 'Container Registry admin user enabled',
    severity: 'high',
    description:
      'The ACR admin user is a shared, long-lived credential with push rights; use Entra identities and scoped tokens instead.',
    remediation: 'Set `admin_enabled = false`.',
    references: [
      `${TF_AZ}container_registry`,
      'https://learn.microsoft.com/azure/container-registry/container-registry-authentication',
    ],
    cwe: ['CWE-798'],
    resources: ['azurerm_container_registry'],
    run: (r) =>
      isTrue(attr(r.block, 'admin_enabled')) ? [hit(r, 'admin_enabled', 'admin user enabled')] : [],
  },
  // ----- GKE -----
  {
    id: 'tf-gke-legacy-metadata',
    title: 'GKE legacy metadata endpoints enabled',
    severity: 'high',
    description:
      'Legacy (v0.1/v1beta1) metadata endpoints do not require the Metadata-Flavor header, easing SSRF theft of node credentials.',
    remediation: 'Set `node_config { metadata = { disable-legacy-endpoints = "true" } }`.',
    references: [TF_GCP],
    equivalents: { trivy: ['AVD-GCP-0048'] },
    cwe: ['CWE-918'],
    resources: ['google_container_cluster'],
    run: (r) => {
      const v = attr(r.block, 'node_config.metadata.disable-legacy-endpoints');
      return isTrue(v) || unknown(v) || isTrue(attr(r.block, 'enable_autopilot'))
        ? []
        : [hit(r, undefined, 'legacy metadata endpoints are not disabled')];
    },
  },
  {
    id: 'tf-gke-node-service-account',
    title: 'GKE nodes use the default service account',
    severity: 'medium',
    description:
      'The Compute Engine default service account has broad project permissions; nodes should use a dedicated least-privilege account.',
    remediation: 'Set `node_config { service_account = <dedicated account> }`.',
    references: [TF_GCP],
    equivalents: { trivy: ['AVD-GCP-0050'] },
    cwe: ['CWE-250'],
    resources: ['google_container_cluster'],
    run: (r) =>
      attr(r.block, 'node_config.service_account') === undefined &&
      attr(r.block, 'cluster_autoscaling.auto_provisioning_defaults.service_account') === undefined
        ? [hit(r, undefined, 'no node service account')]
        : [],
  },
  {
    id: 'tf-gke-labels',
    title: 'GKE cluster without resource labels',
    severity: 'info',
    description: 'Labels identify owners and environments for cost and incident response.',
    remediation: 'Set `resource_labels`.',
    references: [TF_GCP],
    equivalents: { trivy: ['AVD-GCP-0051'] },
    resources: ['google_container_cluster'],
    run: (r) =>
      attr(r.block, 'resource_labels') === undefined ? [hit(r, undefined, 'no resource_labels')] : [],
  },
  {
    id: 'tf-gke-network-policy',
    title: 'GKE network policy not enabled',
    severity: 'medium',
    description: 'Without network policy enforcement every pod can reach every other pod.',
    remediation:
      'Set `network_policy { enabled = true }` or use `datapath_provider = "ADVANCED_DATAPATH"` (Dataplane V2).',
    references: [TF_GCP],
    equivalents: { trivy: ['AVD-GCP-0056'] },
    cwe: ['CWE-923'],
    resources: ['google_container_cluster'],
    run: (r) =>
      isTrue(attr(r.block, 'network_policy.enabled')) ||
      attr(r.block, 'datapath_provider') === 'ADVANCED_DATAPATH' ||
      isTrue(attr(r.block, 'enable_autopilot'))
        ? []
        : [hit(r, undefined, 'network policy is not enabled')],
  },
  {
    id: 'tf-gke-private-nodes',
    title: 'GKE nodes are not private',
    severity: 'medium',
    description: 'Nodes with public IPs are directly reachable from the internet.',
    remediation: 'Set `private_cluster_config { enable_private_nodes = true }`.',
    references: [TF_GCP],
    equivalents: { trivy: ['AVD-GCP-0059'] },
    cwe: ['CWE-284'],
    resources: ['google_container_cluster'],
    run: (r) =>
      isTrue(attr(r.block, 'private_cluster_config.enable_private_nodes'))
        ? []
        : [hit(r, undefined, 'nodes are not private')],
  },
  {
    id: 'tf-gke-master-authorized-networks',
    title: 'GKE control plane without authorized networks',
    severity: 'high',
    description:
      'Without master authorized networks the control plane endpoint accepts connections from any address.',
    remediation: 'Add `master_authorized_networks_config { cidr_blocks { … } }`.',
    references: [TF_GCP],
    equivalents: { trivy: ['AVD-GCP-0061'] },
    cwe: ['CWE-284'],
    resources: ['google_container_cluster'],
    run: (r) =>
      subBlock(r.block, 'master_authorized_networks_config')
        ? []
        : [hit(r, undefined, 'no master_authorized_networks_config')],
  },
];

/** Every Terraform check: Azure and GKE basics above, then the AWS, GCP and other Azure checks. */
export const terraformChecks: TfCheck[] = [...baseChecks, ...azureChecks, ...gcpChecks, ...awsChecks];
