/** Google Cloud checks beyond the GKE basics: storage, firewall, Compute Engine, Cloud SQL, BigQuery, GKE. */
import {
  attr,
  blocksOf,
  hit,
  hitAt,
  isFalse,
  isTrue,
  OPEN_CIDRS,
  strings,
  subBlock,
  unknown,
  type Resource,
  type TfCheck,
  type TfHit,
} from './helpers.js';
import type { HclValue } from './hcl.js';

const TF_G = 'https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/';
const GKE = 'google_container_cluster';
const VM = ['google_compute_instance', 'google_compute_instance_template'];
const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];

/** Instance metadata value (`metadata = { key = … }`), normalised to a lower-case string. */
function metadata(r: Resource, key: string): string | HclValue | undefined {
  const v = attr(r.block, `metadata.${key}`);
  return typeof v === 'string' ? v.toLowerCase() : typeof v === 'boolean' ? String(v) : v;
}

function publicMembers(r: Resource): TfHit[] {
  const members = [...strings(attr(r.block, 'members')), ...strings(attr(r.block, 'member'))];
  const pub = members.filter((m) => PUBLIC_MEMBERS.includes(m));
  const acl = strings(attr(r.block, 'role_entity')).filter((e) => /:all(?:Authenticated)?Users$/.test(e));
  return [...pub, ...acl].length
    ? [hit(r, undefined, `grants access to ${[...pub, ...acl].join(', ')}`)]
    : [];
}

export const gcpChecks: TfCheck[] = [
  {
    id: 'tf-gcp-bucket-public',
    title: 'Cloud Storage bucket readable by anyone',
    severity: 'high',
    description:
      'Granting a bucket role to allUsers or allAuthenticatedUsers makes its objects readable from the internet.',
    remediation:
      'Grant roles to specific users, groups or service accounts; enable public access prevention.',
    references: [`${TF_G}storage_bucket_iam`],
    standards: ['CIS GCP 5.1'],
    equivalents: { trivy: ['AVD-GCP-0001'] },
    cwe: ['CWE-284'],
    resources: [
      'google_storage_bucket_iam_binding',
      'google_storage_bucket_iam_member',
      'google_storage_bucket_acl',
    ],
    run: publicMembers,
  },
  {
    id: 'tf-gcp-bucket-uniform-access',
    title: 'Cloud Storage bucket without uniform bucket-level access',
    severity: 'medium',
    description:
      'With fine-grained ACLs, object-level ACLs can silently grant access that bucket IAM does not show.',
    remediation: 'Set `uniform_bucket_level_access = true`.',
    references: [`${TF_G}storage_bucket#uniform_bucket_level_access`],
    standards: ['CIS GCP 5.2'],
    equivalents: { trivy: ['AVD-GCP-0002'] },
    cwe: ['CWE-284'],
    resources: ['google_storage_bucket'],
    run: (r) => {
      const v = attr(r.block, 'uniform_bucket_level_access');
      return isTrue(v) || unknown(v)
        ? []
        : [
            hit(
              r,
              v === undefined ? undefined : 'uniform_bucket_level_access',
              'uniform bucket-level access is off',
            ),
          ];
    },
  },
  {
    id: 'tf-gcp-firewall-open-ingress',
    title: 'Firewall rule allows ingress from the whole internet',
    severity: 'high',
    description:
      'An allow rule with source 0.0.0.0/0 exposes the ports of every targeted instance to the internet.',
    remediation: 'Restrict `source_ranges` to known networks, or use IAP / a load balancer.',
    references: [`${TF_G}compute_firewall`],
    standards: ['CIS GCP 3.6', 'CIS GCP 3.7'],
    equivalents: { trivy: ['AVD-GCP-0027'] },
    cwe: ['CWE-284'],
    resources: ['google_compute_firewall'],
    run: (r) => {
      const dir = attr(r.block, 'direction');
      if ((dir !== undefined && dir !== 'INGRESS') || !blocksOf(r.block, 'allow').length) return [];
      if (isTrue(attr(r.block, 'disabled'))) return [];
      const open = strings(attr(r.block, 'source_ranges')).filter((c) => OPEN_CIDRS.includes(c));
      return open.length ? [hit(r, 'source_ranges', `allows ingress from ${open.join(', ')}`)] : [];
    },
  },
  {
    id: 'tf-gcp-instance-public-ip',
    title: 'Compute instance with a public IP',
    severity: 'medium',
    description:
      'An `access_config` gives the instance an external IP, reachable from the internet unless firewall rules prevent it.',
    remediation: 'Remove `access_config`; use Cloud NAT for egress and IAP or a load balancer for ingress.',
    references: [`${TF_G}compute_instance#access_config`],
    standards: ['CIS GCP 4.9'],
    equivalents: { trivy: ['AVD-GCP-0031'] },
    cwe: ['CWE-284'],
    resources: VM,
    run: (r) =>
      blocksOf(r.block, 'network_interface').flatMap((n) =>
        blocksOf(n, 'access_config').map((a) =>
          hitAt(r, a.line, 'network interface has an external IP (access_config)'),
        ),
      ),
  },
  {
    id: 'tf-gcp-instance-default-service-account',
    title: 'Compute instance uses the default service account',
    severity: 'high',
    description:
      'The Compute Engine default service account has the Editor role on the project by default: any code on the instance gets it.',
    remediation:
      'Set `service_account { email = <dedicated account> }` with only the roles the workload needs.',
    references: [`${TF_G}compute_instance#service_account`],
    standards: ['CIS GCP 4.1'],
    equivalents: { trivy: ['AVD-GCP-0044'] },
    cwe: ['CWE-250'],
    resources: VM,
    run: (r) => {
      const sa = subBlock(r.block, 'service_account');
      if (!sa) return [];
      const email = attr(sa, 'email');
      if (unknown(email)) return [];
      if (
        email === undefined ||
        email === null ||
        email === '' ||
        (typeof email === 'string' && /-compute@developer\.gserviceaccount\.com$/.test(email))
      )
        return [hitAt(r, sa.line, 'uses the default compute service account')];
      return [];
    },
  },
  {
    id: 'tf-gcp-instance-project-ssh-keys',
    title: 'Compute instance accepts project-wide SSH keys',
    severity: 'medium',
    description: 'Project-wide SSH keys let every holder log in to every instance of the project.',
    remediation: 'Set `metadata = { block-project-ssh-keys = true }` (or use OS Login).',
    references: [`${TF_G}compute_instance#metadata`],
    standards: ['CIS GCP 4.3'],
    equivalents: { trivy: ['AVD-GCP-0030'] },
    cwe: ['CWE-284'],
    resources: VM,
    run: (r) => {
      const v = metadata(r, 'block-project-ssh-keys');
      const meta = attr(r.block, 'metadata');
      if (v === 'true' || unknown(v) || unknown(meta)) return [];
      return [hit(r, meta === undefined ? undefined : 'metadata', 'block-project-ssh-keys is not true')];
    },
  },
  {
    id: 'tf-gcp-instance-serial-port',
    title: 'Compute instance serial port enabled',
    severity: 'medium',
    description:
      'The interactive serial console accepts connections from any IP address that holds the right key.',
    remediation: 'Remove `serial-port-enable` from metadata or set it to false.',
    references: [`${TF_G}compute_instance#metadata`],
    standards: ['CIS GCP 4.5'],
    equivalents: { trivy: ['AVD-GCP-0032'] },
    cwe: ['CWE-284'],
    resources: VM,
    run: (r) =>
      metadata(r, 'serial-port-enable') === 'true' ? [hit(r, 'metadata', 'serial-port-enable is true')] : [],
  },
  {
    id: 'tf-gcp-instance-os-login-disabled',
    title: 'Compute instance overrides OS Login',
    severity: 'medium',
    description: 'Setting enable-oslogin to false on an instance opts it out of IAM-managed SSH access.',
    remediation: 'Remove `enable-oslogin = false` from the instance metadata.',
    references: [`${TF_G}compute_instance#metadata`],
    standards: ['CIS GCP 4.4'],
    equivalents: { trivy: ['AVD-GCP-0036'] },
    cwe: ['CWE-284'],
    resources: VM,
    run: (r) =>
      metadata(r, 'enable-oslogin') === 'false' ? [hit(r, 'metadata', 'enable-oslogin is false')] : [],
  },
  {
    id: 'tf-gcp-instance-ip-forwarding',
    title: 'Compute instance with IP forwarding',
    severity: 'medium',
    description:
      'IP forwarding lets the instance route packets for other addresses, bypassing network controls (unless it is meant to be a router).',
    remediation: 'Set `can_ip_forward = false` unless the instance is a NAT or router appliance.',
    references: [`${TF_G}compute_instance#can_ip_forward`],
    standards: ['CIS GCP 4.6'],
    equivalents: { trivy: ['AVD-GCP-0043'] },
    cwe: ['CWE-284'],
    resources: VM,
    run: (r) =>
      isTrue(attr(r.block, 'can_ip_forward')) ? [hit(r, 'can_ip_forward', 'can_ip_forward = true')] : [],
  },
  {
    id: 'tf-gcp-shielded-vm-vtpm',
    title: 'Shielded VM vTPM disabled',
    severity: 'medium',
    description:
      'Without the virtual TPM, measured boot and the protection of secrets sealed to the VM are lost.',
    remediation: 'Remove `enable_vtpm = false` from `shielded_instance_config`.',
    references: [`${TF_G}compute_instance#shielded_instance_config`],
    equivalents: { trivy: ['AVD-GCP-0041'] },
    cwe: ['CWE-693'],
    resources: VM,
    run: (r) =>
      isFalse(attr(r.block, 'shielded_instance_config.enable_vtpm'))
        ? [hit(r, 'shielded_instance_config.enable_vtpm', 'vTPM is disabled')]
        : [],
  },
  {
    id: 'tf-gcp-shielded-vm-integrity',
    title: 'Shielded VM integrity monitoring disabled',
    severity: 'medium',
    description:
      'Integrity monitoring reports boot-time changes (rootkits, bootkits); disabling it hides them.',
    remediation: 'Remove `enable_integrity_monitoring = false` from `shielded_instance_config`.',
    references: [`${TF_G}compute_instance#shielded_instance_config`],
    equivalents: { trivy: ['AVD-GCP-0045'] },
    cwe: ['CWE-693'],
    resources: VM,
    run: (r) =>
      isFalse(attr(r.block, 'shielded_instance_config.enable_integrity_monitoring'))
        ? [hit(r, 'shielded_instance_config.enable_integrity_monitoring', 'integrity monitoring is disabled')]
        : [],
  },
  {
    id: 'tf-gcp-disk-plaintext-key',
    title: 'Disk encryption key written in plain text',
    severity: 'critical',
    description:
      'A customer-supplied encryption key in the configuration is stored in the state and in version control: anyone with either can decrypt the disk.',
    remediation:
      'Use `kms_key_self_link` (Cloud KMS) instead of `raw_key`, or pass the key from a secret store.',
    references: [`${TF_G}compute_disk#disk_encryption_key`],
    equivalents: { trivy: ['AVD-GCP-0037'] },
    cwe: ['CWE-321'],
    resources: ['google_compute_disk', 'google_compute_instance'],
    run: (r) => {
      const paths = [
        'disk_encryption_key.raw_key',
        'disk_encryption_key.rsa_encrypted_key',
        'boot_disk.disk_encryption_key_raw',
      ];
      const p = paths.find((x) => typeof attr(r.block, x) === 'string' && attr(r.block, x) !== '');
      return p ? [hit(r, p, `${p.split('.').pop()} is set in plain text`)] : [];
    },
  },
  {
    id: 'tf-gcp-sql-public',
    title: 'Cloud SQL instance open to the whole internet',
    severity: 'high',
    description: "An authorized network of 0.0.0.0/0 lets any address connect to the database's public IP.",
    remediation: 'Remove the 0.0.0.0/0 authorized network; use private IP or the Cloud SQL Auth Proxy.',
    references: [`${TF_G}sql_database_instance#authorized_networks`],
    standards: ['CIS GCP 6.5'],
    equivalents: { trivy: ['AVD-GCP-0017'] },
    cwe: ['CWE-284'],
    resources: ['google_sql_database_instance'],
    run: (r) => {
      const ip = subBlock(r.block, 'settings.ip_configuration');
      return (ip ? blocksOf(ip, 'authorized_networks') : [])
        .filter((n) => OPEN_CIDRS.includes(attr(n, 'value') as string))
        .map((n) => hitAt(r, n.line, 'authorized network 0.0.0.0/0'));
    },
  },
  {
    id: 'tf-gcp-sql-require-ssl',
    title: 'Cloud SQL instance accepts unencrypted connections',
    severity: 'medium',
    description: 'Without enforced SSL, clients may connect in plain text and expose credentials and data.',
    remediation:
      'Set `settings { ip_configuration { ssl_mode = "ENCRYPTED_ONLY" } }` (`require_ssl = true` in older providers).',
    references: [`${TF_G}sql_database_instance#ssl_mode`],
    standards: ['CIS GCP 6.4'],
    equivalents: { trivy: ['AVD-GCP-0015'] },
    cwe: ['CWE-319'],
    resources: ['google_sql_database_instance'],
    run: (r) => {
      const req = attr(r.block, 'settings.ip_configuration.require_ssl');
      const mode = attr(r.block, 'settings.ip_configuration.ssl_mode');
      if (isTrue(req) || unknown(req) || unknown(mode)) return [];
      if (mode === 'ENCRYPTED_ONLY' || mode === 'TRUSTED_CLIENT_CERTIFICATE_REQUIRED') return [];
      return [
        hit(
          r,
          subBlock(r.block, 'settings.ip_configuration') ? 'settings.ip_configuration' : undefined,
          'SSL is not required',
        ),
      ];
    },
  },
  {
    id: 'tf-gcp-sql-backups',
    title: 'Cloud SQL automated backups disabled',
    severity: 'medium',
    description: 'Without automated backups, data lost to a mistake or an attack cannot be restored.',
    remediation: 'Set `settings { backup_configuration { enabled = true } }`.',
    references: [`${TF_G}sql_database_instance#backup_configuration`],
    standards: ['CIS GCP 6.7'],
    equivalents: { trivy: ['AVD-GCP-0024'] },
    cwe: ['CWE-693'],
    resources: ['google_sql_database_instance'],
    run: (r) => {
      if (attr(r.block, 'master_instance_name') !== undefined) return [];
      const v = attr(r.block, 'settings.backup_configuration.enabled');
      return isTrue(v) || unknown(v) ? [] : [hit(r, undefined, 'automated backups are not enabled')];
    },
  },
  {
    id: 'tf-gcp-bigquery-public',
    title: 'BigQuery dataset shared with all authenticated users',
    severity: 'high',
    description:
      'Granting a dataset to allAuthenticatedUsers (any Google account) or allUsers makes its tables readable outside the organisation.',
    remediation: 'Grant dataset access to specific groups or service accounts.',
    references: [`${TF_G}bigquery_dataset#access`],
    standards: ['CIS GCP 7.1'],
    equivalents: { trivy: ['AVD-GCP-0046'] },
    cwe: ['CWE-284'],
    resources: [
      'google_bigquery_dataset',
      'google_bigquery_dataset_access',
      'google_bigquery_dataset_iam_member',
      'google_bigquery_dataset_iam_binding',
    ],
    run: (r) => {
      const blocks = r.type === 'google_bigquery_dataset' ? blocksOf(r.block, 'access') : [r.block];
      const out = blocks
        .filter(
          (b) =>
            PUBLIC_MEMBERS.includes(attr(b, 'special_group') as string) ||
            PUBLIC_MEMBERS.includes(attr(b, 'iam_member') as string),
        )
        .map((b) => hitAt(r, b.line, 'dataset shared with all (authenticated) users'));
      return out.length ? out : r.type.includes('_iam_') ? publicMembers(r) : [];
    },
  },
  {
    id: 'tf-gke-legacy-abac',
    title: 'GKE legacy ABAC enabled',
    severity: 'high',
    description: 'Legacy ABAC grants broad, static permissions that bypass Kubernetes RBAC.',
    remediation: 'Set `enable_legacy_abac = false` (the default) and use RBAC.',
    references: [`${TF_G}container_cluster#enable_legacy_abac`],
    equivalents: { trivy: ['AVD-GCP-0062'] },
    cwe: ['CWE-285'],
    resources: [GKE],
    run: (r) =>
      isTrue(attr(r.block, 'enable_legacy_abac'))
        ? [hit(r, 'enable_legacy_abac', 'legacy ABAC is enabled')]
        : [],
  },
  {
    id: 'tf-gke-legacy-client-auth',
    title: 'GKE legacy client authentication enabled',
    severity: 'high',
    description:
      'Basic authentication and client certificates are long-lived credentials that cannot be revoked individually.',
    remediation:
      'Remove `master_auth` username/password and set `client_certificate_config { issue_client_certificate = false }`.',
    references: [`${TF_G}container_cluster#master_auth`],
    standards: ['CIS GKE 5.8.1', 'CIS GKE 5.8.2'],
    equivalents: { trivy: ['AVD-GCP-0064'] },
    cwe: ['CWE-287'],
    resources: [GKE],
    run: (r) => {
      const out: TfHit[] = [];
      if (isTrue(attr(r.block, 'master_auth.client_certificate_config.issue_client_certificate')))
        out.push(hit(r, 'master_auth', 'issues client certificates'));
      const user = attr(r.block, 'master_auth.username');
      if (
        (typeof user === 'string' && user !== '') ||
        (typeof attr(r.block, 'master_auth.password') === 'string' &&
          attr(r.block, 'master_auth.password') !== '')
      )
        out.push(hit(r, 'master_auth', 'basic authentication is configured'));
      return out;
    },
  },
  {
    id: 'tf-gke-shielded-nodes',
    title: 'GKE shielded nodes disabled',
    severity: 'medium',
    description:
      'Shielded nodes give verifiable node identity and integrity; without them a compromised node can impersonate others.',
    remediation: 'Remove `enable_shielded_nodes = false` (true is the default).',
    references: [`${TF_G}container_cluster#enable_shielded_nodes`],
    standards: ['CIS GKE 5.5.5'],
    equivalents: { trivy: ['AVD-GCP-0055'] },
    cwe: ['CWE-693'],
    resources: [GKE],
    run: (r) =>
      isFalse(attr(r.block, 'enable_shielded_nodes'))
        ? [hit(r, 'enable_shielded_nodes', 'shielded nodes are disabled')]
        : [],
  },
  {
    id: 'tf-gke-metadata-exposed',
    title: 'GKE node metadata exposed to pods',
    severity: 'high',
    description:
      'With node metadata exposed, every pod can read node credentials and the kubelet bootstrap token from the metadata server.',
    remediation: 'Use `workload_metadata_config { mode = "GKE_METADATA" }` (Workload Identity).',
    references: [`${TF_G}container_cluster#workload_metadata_config`],
    equivalents: { trivy: ['AVD-GCP-0057'] },
    cwe: ['CWE-200'],
    resources: [GKE, 'google_container_node_pool'],
    run: (r) => {
      const w = subBlock(r.block, 'node_config.workload_metadata_config');
      if (!w) return [];
      const v = attr(w, 'node_metadata') ?? attr(w, 'mode');
      return v === 'EXPOSE' || v === 'GCE_METADATA' ? [hitAt(r, w.line, `node metadata is ${v}`)] : [];
    },
  },
  {
    id: 'tf-gke-public-control-plane',
    title: 'GKE control plane authorized for 0.0.0.0/0',
    severity: 'high',
    description:
      'An authorized network of 0.0.0.0/0 makes the master authorized networks setting meaningless.',
    remediation: 'Authorize only the CIDRs that administer the cluster, or enable the private endpoint.',
    references: [`${TF_G}container_cluster#master_authorized_networks_config`],
    standards: ['CIS GKE 5.6.3'],
    equivalents: { trivy: ['AVD-GCP-0053'] },
    cwe: ['CWE-284'],
    resources: [GKE],
    run: (r) => {
      const m = subBlock(r.block, 'master_authorized_networks_config');
      return (m ? blocksOf(m, 'cidr_blocks') : [])
        .filter((b) => OPEN_CIDRS.includes(attr(b, 'cidr_block') as string))
        .map((b) => hitAt(r, b.line, 'control plane open to 0.0.0.0/0'));
    },
  },
  {
    id: 'tf-gke-node-auto-repair',
    title: 'GKE node auto-repair disabled',
    severity: 'low',
    description: 'Without auto-repair, unhealthy nodes keep running workloads until someone notices.',
    remediation: 'Set `management { auto_repair = true }`.',
    references: [`${TF_G}container_node_pool#management`],
    standards: ['CIS GKE 5.5.2'],
    equivalents: { trivy: ['AVD-GCP-0063'] },
    resources: ['google_container_node_pool'],
    run: (r) =>
      isFalse(attr(r.block, 'management.auto_repair'))
        ? [hit(r, 'management.auto_repair', 'auto-repair is disabled')]
        : [],
  },
  {
    id: 'tf-gke-node-auto-upgrade',
    title: 'GKE node auto-upgrade disabled',
    severity: 'low',
    description: 'Without auto-upgrade, nodes miss Kubernetes and OS security patches.',
    remediation: 'Set `management { auto_upgrade = true }`.',
    references: [`${TF_G}container_node_pool#management`],
    standards: ['CIS GKE 5.5.3'],
    equivalents: { trivy: ['AVD-GCP-0058'] },
    resources: ['google_container_node_pool'],
    run: (r) =>
      isFalse(attr(r.block, 'management.auto_upgrade'))
        ? [hit(r, 'management.auto_upgrade', 'auto-upgrade is disabled')]
        : [],
  },
  {
    id: 'tf-gcp-subnet-flow-logs',
    title: 'VPC subnetwork without flow logs',
    severity: 'low',
    description:
      'Without flow logs there is no record of the traffic in the subnetwork for detection and forensics.',
    remediation: 'Add a `log_config { … }` block.',
    references: [`${TF_G}compute_subnetwork#log_config`],
    standards: ['CIS GCP 3.8'],
    equivalents: { trivy: ['AVD-GCP-0029'] },
    cwe: ['CWE-778'],
    resources: ['google_compute_subnetwork'],
    run: (r) => {
      const purpose = attr(r.block, 'purpose');
      // Proxy-only subnets cannot have flow logs.
      if (typeof purpose === 'string' && /PROXY|LOAD_BALANCER/.test(purpose)) return [];
      return subBlock(r.block, 'log_config') ? [] : [hit(r, undefined, 'no log_config')];
    },
  },
];
