/** Azure checks beyond AKS/storage/Key Vault basics: network security rules, VMs, databases, App Service, Key Vault objects, Defender. */
import type { HclBlock, HclValue } from './hcl.js';
import {
  attr,
  blocksOf,
  hit,
  hitAt,
  isFalse,
  strings,
  unknown,
  type Resource,
  type TfCheck,
  type TfHit,
} from './helpers.js';
import { credentialIn, decodeBase64 } from './secrets.js';

const TF_AZ = 'https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/';
const ANY_SOURCE = ['*', '0.0.0.0', '0.0.0.0/0', '::/0', 'internet', 'any'];
const DB_SERVERS = ['azurerm_postgresql_server', 'azurerm_mysql_server', 'azurerm_mariadb_server'];

interface NsgRule {
  line: number;
  direction: HclValue | undefined;
  access: HclValue | undefined;
  sources: string[];
  destinations: string[];
  ports: string[];
}

/** Security rules of a network security group (inline) or of an azurerm_network_security_rule. */
function nsgRules(r: Resource): NsgRule[] {
  const blocks: HclBlock[] =
    r.type === 'azurerm_network_security_group' ? blocksOf(r.block, 'security_rule') : [r.block];
  return blocks.map((b) => {
    const list = (one: string, many: string) => [...strings(attr(b, one)), ...strings(attr(b, many))];
    return {
      line: b.line,
      direction: attr(b, 'direction'),
      access: attr(b, 'access'),
      sources: list('source_address_prefix', 'source_address_prefixes'),
      destinations: list('destination_address_prefix', 'destination_address_prefixes'),
      ports: list('destination_port_range', 'destination_port_ranges'),
    };
  });
}

const isAny = (p: string) => ANY_SOURCE.includes(p.toLowerCase());

function coversPort(ranges: string[], port: number): boolean {
  return ranges.some((r) => {
    if (r === '*') return true;
    const m = /^(\d+)(?:-(\d+))?$/.exec(r.trim());
    if (!m) return false;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return port >= lo && port <= hi;
  });
}

function openRules(direction: 'Inbound' | 'Outbound', port?: number): (r: Resource) => TfHit[] {
  return (r) =>
    nsgRules(r)
      .filter(
        (x) =>
          x.direction === direction &&
          x.access === 'Allow' &&
          (direction === 'Inbound' ? x.sources : x.destinations).some(isAny) &&
          (port === undefined || coversPort(x.ports, port)),
      )
      .map((x) =>
        hitAt(
          r,
          x.line,
          port === undefined
            ? `${direction.toLowerCase()} rule allows ${direction === 'Inbound' ? 'from' : 'to'} any address`
            : `port ${port} open to any address`,
        ),
      );
}
const NSG = ['azurerm_network_security_group', 'azurerm_network_security_rule'];

function customDataHits(r: Resource): TfHit[] {
  const v = attr(r.block, 'custom_data');
  if (typeof v !== 'string') return [];
  const what = credentialIn(decodeBase64(v) ?? v);
  return what ? [hit(r, 'custom_data', `custom_data contains ${what}`)] : [];
}

export const azureChecks: TfCheck[] = [
  {
    id: 'tf-az-nsg-inbound-open',
    title: 'Network security rule allows inbound traffic from any address',
    severity: 'high',
    description:
      'An inbound Allow rule from `*`, `Internet` or 0.0.0.0/0 exposes the destination ports to the whole internet.',
    remediation:
      'Restrict `source_address_prefix(es)` to known ranges or service tags; use Bastion or a VPN for administration.',
    references: [`${TF_AZ}network_security_rule`],
    equivalents: { trivy: ['AVD-AZU-0047'] },
    cwe: ['CWE-284'],
    resources: NSG,
    run: openRules('Inbound'),
  },
  {
    id: 'tf-az-nsg-ssh-open',
    title: 'SSH (22) open to the internet',
    severity: 'critical',
    description:
      'SSH reachable from any address invites brute-force attacks and exploitation of SSH vulnerabilities.',
    remediation: 'Allow port 22 only from administration ranges, or use Azure Bastion / just-in-time access.',
    references: [`${TF_AZ}network_security_rule`],
    standards: ['CIS Azure 6.2'],
    equivalents: { trivy: ['AVD-AZU-0050'] },
    cwe: ['CWE-284'],
    resources: NSG,
    run: openRules('Inbound', 22),
  },
  {
    id: 'tf-az-nsg-rdp-open',
    title: 'RDP (3389) open to the internet',
    severity: 'critical',
    description: 'RDP reachable from any address is a leading ransomware entry point.',
    remediation:
      'Allow port 3389 only from administration ranges, or use Azure Bastion / just-in-time access.',
    references: [`${TF_AZ}network_security_rule`],
    standards: ['CIS Azure 6.1'],
    equivalents: { trivy: ['AVD-AZU-0048'] },
    cwe: ['CWE-284'],
    resources: NSG,
    run: openRules('Inbound', 3389),
  },
  {
    id: 'tf-az-nsg-outbound-open',
    title: 'Network security rule allows outbound traffic to any address',
    severity: 'low',
    description:
      'Unrestricted egress lets a compromised workload reach any host for exfiltration or command and control. Common; restrict it for sensitive tiers.',
    remediation: 'Limit `destination_address_prefix(es)` to the services the workload needs.',
    references: [`${TF_AZ}network_security_rule`],
    equivalents: { trivy: ['AVD-AZU-0051'] },
    cwe: ['CWE-284'],
    resources: NSG,
    run: openRules('Outbound'),
  },
  {
    id: 'tf-az-vm-password-auth',
    title: 'Linux VM allows password authentication',
    severity: 'high',
    description: 'Password logins can be brute-forced; SSH keys cannot.',
    remediation: 'Set `disable_password_authentication = true` and configure `admin_ssh_key`.',
    references: [`${TF_AZ}linux_virtual_machine#disable_password_authentication`],
    equivalents: { trivy: ['AVD-AZU-0039'] },
    cwe: ['CWE-307'],
    resources: [
      'azurerm_linux_virtual_machine',
      'azurerm_linux_virtual_machine_scale_set',
      'azurerm_virtual_machine',
    ],
    run: (r) => {
      const path =
        r.type === 'azurerm_virtual_machine'
          ? 'os_profile_linux_config.disable_password_authentication'
          : 'disable_password_authentication';
      return isFalse(attr(r.block, path)) ? [hit(r, path, 'password authentication is enabled')] : [];
    },
  },
  {
    id: 'tf-az-vm-custom-data-secret',
    title: 'Credentials in VM custom data',
    severity: 'high',
    description:
      'Custom data is readable from inside the VM and by anyone who can read the VM model; keys written there leak.',
    remediation: 'Use a managed identity and Key Vault instead of embedding credentials.',
    references: [`${TF_AZ}linux_virtual_machine#custom_data`],
    equivalents: { trivy: ['AVD-AZU-0037'] },
    cwe: ['CWE-798'],
    resources: [
      'azurerm_linux_virtual_machine',
      'azurerm_windows_virtual_machine',
      'azurerm_linux_virtual_machine_scale_set',
      'azurerm_windows_virtual_machine_scale_set',
      'azurerm_virtual_machine',
    ],
    run: (r) =>
      customDataHits(
        r.type === 'azurerm_virtual_machine'
          ? { ...r, block: blocksOf(r.block, 'os_profile')[0] ?? r.block }
          : r,
      ),
  },
  {
    id: 'tf-az-managed-disk-encryption',
    title: 'Managed disk encryption settings disabled',
    severity: 'high',
    description:
      'Explicitly disabling the disk encryption settings turns off Azure Disk Encryption for the disk.',
    remediation: 'Remove `encryption_settings { enabled = false }` or set it to true with a Key Vault key.',
    references: [`${TF_AZ}managed_disk#encryption_settings`],
    equivalents: { trivy: ['AVD-AZU-0038'] },
    cwe: ['CWE-311'],
    resources: ['azurerm_managed_disk'],
    run: (r) =>
      isFalse(attr(r.block, 'encryption_settings.enabled'))
        ? [hit(r, 'encryption_settings.enabled', 'disk encryption is disabled')]
        : [],
  },
  {
    id: 'tf-az-db-public-network-access',
    title: 'Database server reachable over the public network',
    severity: 'medium',
    description:
      'Public network access (the default) lets firewall rules open the server to internet addresses instead of only private endpoints.',
    remediation: 'Set `public_network_access_enabled = false` and use private endpoints.',
    references: [`${TF_AZ}mssql_server#public_network_access_enabled`],
    equivalents: { trivy: ['AVD-AZU-0022'] },
    cwe: ['CWE-284'],
    resources: [...DB_SERVERS, 'azurerm_mssql_server', 'azurerm_sql_server'],
    run: (r) => {
      const v = attr(r.block, 'public_network_access_enabled');
      return isFalse(v) || unknown(v)
        ? []
        : [
            hit(
              r,
              v === undefined ? undefined : 'public_network_access_enabled',
              'public network access is enabled',
            ),
          ];
    },
  },
  {
    id: 'tf-az-db-ssl-enforcement',
    title: 'Database server does not enforce SSL',
    severity: 'medium',
    description: 'Without SSL enforcement clients may connect in plain text.',
    remediation: 'Set `ssl_enforcement_enabled = true`.',
    references: [`${TF_AZ}postgresql_server#ssl_enforcement_enabled`],
    standards: ['CIS Azure 4.3.1'],
    equivalents: { trivy: ['AVD-AZU-0020'] },
    cwe: ['CWE-319'],
    resources: DB_SERVERS,
    run: (r) =>
      isFalse(attr(r.block, 'ssl_enforcement_enabled'))
        ? [hit(r, 'ssl_enforcement_enabled', 'SSL is not enforced')]
        : [],
  },
  {
    id: 'tf-az-db-min-tls',
    title: 'Database server accepts TLS below 1.2',
    severity: 'medium',
    description: 'TLS 1.0 and 1.1 have known weaknesses.',
    remediation:
      'Set `minimum_tls_version = "1.2"` (SQL) or `ssl_minimal_tls_version_enforced = "TLS1_2"` (MySQL/PostgreSQL).',
    references: [`${TF_AZ}mssql_server#minimum_tls_version`],
    equivalents: { trivy: ['AVD-AZU-0026'] },
    cwe: ['CWE-326'],
    resources: [...DB_SERVERS, 'azurerm_mssql_server'],
    run: (r) => {
      const key =
        r.type === 'azurerm_mssql_server' ? 'minimum_tls_version' : 'ssl_minimal_tls_version_enforced';
      const v = attr(r.block, key);
      return typeof v === 'string' &&
        ['1.0', '1.1', 'TLS1_0', 'TLS1_1', 'TLSEnforcementDisabled', 'Disabled'].includes(v)
        ? [hit(r, key, `${key} = "${v}"`)]
        : [];
    },
  },
  {
    id: 'tf-az-app-service-min-tls',
    title: 'App Service accepts TLS below 1.2',
    severity: 'high',
    description: 'TLS 1.0 and 1.1 have known weaknesses and are rejected by modern compliance baselines.',
    remediation:
      'Set `site_config { minimum_tls_version = "1.2" }` (`min_tls_version` for azurerm_app_service).',
    references: [`${TF_AZ}linux_web_app#minimum_tls_version`],
    standards: ['CIS Azure 9.3'],
    equivalents: { trivy: ['AVD-AZU-0006'] },
    cwe: ['CWE-326'],
    resources: [
      'azurerm_app_service',
      'azurerm_linux_web_app',
      'azurerm_windows_web_app',
      'azurerm_function_app',
      'azurerm_linux_function_app',
      'azurerm_windows_function_app',
    ],
    run: (r) => {
      for (const k of ['site_config.min_tls_version', 'site_config.minimum_tls_version']) {
        const v = attr(r.block, k);
        if (v === '1.0' || v === '1.1') return [hit(r, k, `TLS ${v} accepted`)];
      }
      return [];
    },
  },
  {
    id: 'tf-az-keyvault-key-expiry',
    title: 'Key Vault key without an expiration date',
    severity: 'medium',
    description: 'Keys without an expiration date are never forced through rotation.',
    remediation: 'Set `expiration_date` (and a rotation policy).',
    references: [`${TF_AZ}key_vault_key#expiration_date`],
    standards: ['CIS Azure 8.1'],
    equivalents: { trivy: ['AVD-AZU-0014'] },
    cwe: ['CWE-324'],
    resources: ['azurerm_key_vault_key'],
    run: (r) =>
      attr(r.block, 'expiration_date') === undefined ? [hit(r, undefined, 'no expiration_date')] : [],
  },
  {
    id: 'tf-az-keyvault-secret-expiry',
    title: 'Key Vault secret without an expiration date',
    severity: 'low',
    description: 'Secrets without an expiration date tend to live forever, so a leaked one stays valid.',
    remediation: 'Set `expiration_date` and rotate the secret before it.',
    references: [`${TF_AZ}key_vault_secret#expiration_date`],
    standards: ['CIS Azure 8.3'],
    equivalents: { trivy: ['AVD-AZU-0017'] },
    cwe: ['CWE-324'],
    resources: ['azurerm_key_vault_secret'],
    run: (r) =>
      attr(r.block, 'expiration_date') === undefined ? [hit(r, undefined, 'no expiration_date')] : [],
  },
  {
    id: 'tf-az-custom-role-wildcard',
    title: 'Custom role allows all actions',
    severity: 'medium',
    description:
      'A custom role with `actions = ["*"]` is an Owner-equivalent role that is easy to overlook in reviews.',
    remediation: 'List the actions the role needs.',
    references: [`${TF_AZ}role_definition#actions`],
    standards: ['CIS Azure 1.23'],
    equivalents: { trivy: ['AVD-AZU-0030'] },
    cwe: ['CWE-250'],
    resources: ['azurerm_role_definition'],
    run: (r) =>
      blocksOf(r.block, 'permissions')
        .filter((p) => strings(attr(p, 'actions')).includes('*'))
        .map((p) => hitAt(r, p.line, 'permissions.actions contains "*"')),
  },
  {
    id: 'tf-az-defender-free-tier',
    title: 'Microsoft Defender for Cloud plan on the free tier',
    severity: 'low',
    description: 'The free tier gives no threat detection for the resource type.',
    remediation: 'Set `tier = "Standard"` for the resource types you run.',
    references: [`${TF_AZ}security_center_subscription_pricing`],
    equivalents: { trivy: ['AVD-AZU-0045'] },
    resources: ['azurerm_security_center_subscription_pricing'],
    run: (r) => (attr(r.block, 'tier') === 'Free' ? [hit(r, 'tier', 'tier = "Free"')] : []),
  },
  {
    id: 'tf-az-security-contact-alerts',
    title: 'Security alert notifications disabled',
    severity: 'medium',
    description: 'Without alert e-mails high-severity Defender alerts can go unnoticed.',
    remediation: 'Set `alert_notifications = true` on the security center contact.',
    references: [`${TF_AZ}security_center_contact`],
    equivalents: { trivy: ['AVD-AZU-0044'] },
    cwe: ['CWE-778'],
    resources: ['azurerm_security_center_contact'],
    run: (r) =>
      isFalse(attr(r.block, 'alert_notifications'))
        ? [hit(r, 'alert_notifications', 'alert notifications are disabled')]
        : [],
  },
  {
    id: 'tf-az-flow-log-retention',
    title: 'NSG flow logs kept less than 90 days',
    severity: 'low',
    description: 'Flow logs deleted before 90 days are often gone when an incident is investigated.',
    remediation: 'Set `retention_policy { enabled = true, days = 90 }` or more.',
    references: [`${TF_AZ}network_watcher_flow_log#retention_policy`],
    standards: ['CIS Azure 6.4'],
    equivalents: { trivy: ['AVD-AZU-0049'] },
    cwe: ['CWE-778'],
    resources: ['azurerm_network_watcher_flow_log'],
    run: (r) => {
      const on = attr(r.block, 'retention_policy.enabled');
      const days = attr(r.block, 'retention_policy.days');
      if (isFalse(on)) return [hit(r, 'retention_policy.enabled', 'retention policy is disabled')];
      return typeof days === 'number' && days > 0 && days < 90
        ? [hit(r, 'retention_policy.days', `retention is ${days} days`)]
        : [];
    },
  },
];
