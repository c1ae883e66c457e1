/**
 * AWS checks: S3, security groups, EC2/EBS, RDS, ECR, EKS, OpenSearch, IAM, KMS, Lambda, Neptune,
 * load balancers and VPC. Unknown values never produce a finding; a check about a companion
 * resource (public access block, versioning, flow log…) stays silent when some resource of that
 * type points at something unknown.
 */
import { HclExpr, type HclBlock, type HclValue } from './hcl.js';
import {
  anyOf,
  attr,
  blocksOf,
  hit,
  hitAt,
  isFalse,
  isTrue,
  OPEN_CIDRS,
  referencing,
  refersTo,
  strings,
  subBlock,
  unknown,
  type Resource,
  type TfCheck,
  type TfHit,
} from './helpers.js';
import { credentialIn, decodeBase64 } from './secrets.js';

const TF_AWS = 'https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/';
const S3 = 'aws_s3_bucket';
const PAB = 'aws_s3_bucket_public_access_block';
const ES = ['aws_elasticsearch_domain', 'aws_opensearch_domain'];

/** Is the bucket's companion resource missing? (false when it cannot be told) */
function missingCompanion(r: Resource, type: string): boolean {
  const { hits, unsure } = referencing(r, type, 'bucket', attr(r.block, 'bucket'));
  return hits.length === 0 && !unsure;
}

const PAB_FLAGS: readonly [string, string, string][] = [
  ['block_public_acls', 'AVD-AWS-0086', 'PUT requests with public ACLs are not rejected'],
  ['block_public_policy', 'AVD-AWS-0087', 'public bucket policies are not rejected'],
  ['ignore_public_acls', 'AVD-AWS-0091', 'existing public ACLs are not ignored'],
  ['restrict_public_buckets', 'AVD-AWS-0093', 'public policies still grant cross-account/anonymous access'],
];

function pabCheck([flag, trivy, effect]: readonly [string, string, string]): TfCheck {
  return {
    id: `tf-aws-s3-${flag.replace(/_/g, '-')}`,
    title: `S3 public access block does not set ${flag}`,
    severity: 'high',
    description: `With \`${flag}\` false or unset, ${effect}: one mistaken ACL or policy makes data public.`,
    remediation: `Set \`${flag} = true\` in the public access block.`,
    references: [`${TF_AWS}s3_bucket_public_access_block`],
    standards: ['CIS AWS 2.1.5'],
    equivalents: { trivy: [trivy] },
    cwe: ['CWE-284'],
    resources: [PAB, 'aws_s3_account_public_access_block'],
    run: (r) => {
      const v = attr(r.block, flag);
      return isTrue(v) || unknown(v)
        ? []
        : [hit(r, v === undefined ? undefined : flag, `${flag} is not true`)];
    },
  };
}

/** Statements of an IAM policy: JSON text, or the `statement` blocks of aws_iam_policy_document. */
interface Statement {
  effect: string;
  actions: string[];
  resources: string[];
  line: number;
}
function jsonStatements(v: HclValue | undefined, line: number): Statement[] {
  if (typeof v !== 'string' || v.length > 256 * 1024) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(v);
  } catch {
    return [];
  }
  const st = (doc as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(st) ? st : st ? [st] : [];
  const arr = (x: unknown) =>
    (Array.isArray(x) ? x : x === undefined ? [] : [x]).filter((y): y is string => typeof y === 'string');
  return list
    .filter((s): s is Record<string, unknown> => !!s && typeof s === 'object')
    .map((s) => ({
      effect: typeof s.Effect === 'string' ? s.Effect : 'Allow',
      actions: arr(s.Action),
      resources: arr(s.Resource),
      line,
    }));
}
function documentStatements(b: HclBlock): Statement[] {
  return blocksOf(b, 'statement').map((s) => {
    const e = attr(s, 'effect');
    return {
      effect: e === undefined ? 'Allow' : typeof e === 'string' ? e : '?',
      actions: strings(attr(s, 'actions')),
      resources: strings(attr(s, 'resources')),
      line: s.line,
    };
  });
}
const READ_ONLY = /^[\w-]+:(?:Get|List|Describe|Head|View|Search|Query|Lookup|Batch(?:Get|Check))/;

function policyHits(r: Resource, statements: Statement[]): TfHit[] {
  const out: TfHit[] = [];
  for (const s of statements) {
    if (s.effect !== 'Allow') continue;
    const wild = s.actions.filter((a) => a === '*' || /:\*$/.test(a));
    if (wild.length) out.push(hitAt(r, s.line, `allows wildcard action(s) ${wild.join(', ')}`));
    else if (s.resources.includes('*')) {
      const write = s.actions.filter((a) => !READ_ONLY.test(a));
      if (write.length) out.push(hitAt(r, s.line, `allows ${write.join(', ')} on resource "*"`));
    }
  }
  return out;
}

/** Ingress/egress rules of security groups as (direction, cidrs, line, description?). */
function sgRules(
  r: Resource,
): { dir: 'ingress' | 'egress'; cidrs: string[]; line: number; desc: HclValue | undefined }[] {
  if (r.type === 'aws_security_group')
    return (['ingress', 'egress'] as const).flatMap((dir) =>
      blocksOf(r.block, dir).map((b) => ({
        dir,
        cidrs: [...strings(attr(b, 'cidr_blocks')), ...strings(attr(b, 'ipv6_cidr_blocks'))],
        line: b.line,
        desc: attr(b, 'description'),
      })),
    );
  if (r.type === 'aws_security_group_rule') {
    const t = attr(r.block, 'type');
    if (t !== 'ingress' && t !== 'egress') return [];
    return [
      {
        dir: t,
        cidrs: [...strings(attr(r.block, 'cidr_blocks')), ...strings(attr(r.block, 'ipv6_cidr_blocks'))],
        line: r.block.line,
        desc: attr(r.block, 'description'),
      },
    ];
  }
  return [
    {
      dir: r.type === 'aws_vpc_security_group_ingress_rule' ? 'ingress' : 'egress',
      cidrs: [...strings(attr(r.block, 'cidr_ipv4')), ...strings(attr(r.block, 'cidr_ipv6'))],
      line: r.block.line,
      desc: attr(r.block, 'description'),
    },
  ];
}
const SG_TYPES = [
  'aws_security_group',
  'aws_security_group_rule',
  'aws_vpc_security_group_ingress_rule',
  'aws_vpc_security_group_egress_rule',
];

function openRule(dir: 'ingress' | 'egress'): (r: Resource) => TfHit[] {
  return (r) =>
    sgRules(r)
      .filter((x) => x.dir === dir && x.cidrs.some((c) => OPEN_CIDRS.includes(c)))
      .map((x) =>
        hitAt(
          r,
          x.line,
          `${dir} rule ${dir === 'ingress' ? 'from' : 'to'} ${x.cidrs.filter((c) => OPEN_CIDRS.includes(c)).join(', ')}`,
        ),
      );
}

const isEmptyText = (v: HclValue | undefined) => v === undefined || v === null || v === '';

/** Unencrypted root / EBS block devices of an instance or launch configuration. */
function blockDeviceHits(r: Resource): TfHit[] {
  const byDefault = anyOf(r, 'aws_ebs_encryption_by_default').some((o) => !isFalse(attr(o.block, 'enabled')));
  if (byDefault) return [];
  const out: TfHit[] = [];
  const root = subBlock(r.block, 'root_block_device');
  const enc = root ? attr(root, 'encrypted') : undefined;
  if (!root) out.push(hit(r, undefined, 'root block device is not encrypted (no root_block_device)'));
  else if (!isTrue(enc) && !unknown(enc)) out.push(hitAt(r, root.line, 'root block device is not encrypted'));
  for (const b of blocksOf(r.block, 'ebs_block_device')) {
    const e = attr(b, 'encrypted');
    if (!isTrue(e) && !unknown(e) && attr(b, 'snapshot_id') === undefined)
      out.push(hitAt(r, b.line, 'EBS block device is not encrypted'));
  }
  return out;
}

function userDataHits(r: Resource): TfHit[] {
  const out: TfHit[] = [];
  for (const k of ['user_data', 'user_data_base64']) {
    const v = attr(r.block, k);
    if (typeof v !== 'string') continue;
    const text = k === 'user_data_base64' ? (decodeBase64(v) ?? '') : (decodeBase64(v) ?? v);
    const what = credentialIn(text) ?? (text !== v ? credentialIn(v) : undefined);
    if (what) out.push(hit(r, k, `${k} contains ${what}`));
  }
  return out;
}

const EKS_LOGS = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

export const awsChecks: TfCheck[] = [
  {
    id: 'tf-aws-s3-public-access-block-missing',
    title: 'S3 bucket without a public access block',
    severity: 'medium',
    description:
      'Without an `aws_s3_bucket_public_access_block` (or an account-level one) nothing stops an ACL or bucket policy from making the bucket public.',
    remediation:
      'Add an `aws_s3_bucket_public_access_block` for the bucket with all four settings true, or an `aws_s3_account_public_access_block`.',
    references: [`${TF_AWS}s3_bucket_public_access_block`],
    standards: ['CIS AWS 2.1.5'],
    equivalents: { trivy: ['AVD-AWS-0094', 'AVD-AWS-0086', 'AVD-AWS-0087', 'AVD-AWS-0091', 'AVD-AWS-0093'] },
    cwe: ['CWE-284'],
    resources: [S3],
    run: (r) =>
      anyOf(r, 'aws_s3_account_public_access_block').length || !missingCompanion(r, PAB)
        ? []
        : [hit(r, undefined, 'no aws_s3_bucket_public_access_block for this bucket')],
  },
  ...PAB_FLAGS.map(pabCheck),
  {
    id: 'tf-aws-s3-public-acl',
    title: 'S3 bucket with a public canned ACL',
    severity: 'high',
    description:
      'The canned ACLs public-read, public-read-write and authenticated-read give every (authenticated) AWS user access to the bucket.',
    remediation: 'Use `acl = "private"` (or no ACL with BucketOwnerEnforced object ownership).',
    references: [`${TF_AWS}s3_bucket_acl`],
    equivalents: { trivy: ['AVD-AWS-0092'] },
    cwe: ['CWE-284'],
    resources: [S3, 'aws_s3_bucket_acl'],
    run: (r) => {
      const v = attr(r.block, 'acl');
      return typeof v === 'string' && ['public-read', 'public-read-write', 'authenticated-read'].includes(v)
        ? [hit(r, 'acl', `acl = "${v}"`)]
        : [];
    },
  },
  {
    id: 'tf-aws-s3-encryption',
    title: 'S3 bucket without an explicit default encryption configuration',
    severity: 'low',
    description:
      'No server-side encryption configuration is declared. Since January 2023 S3 encrypts new objects with SSE-S3 anyway, so this mostly matters for buckets that need KMS keys (access control and audit of decryption) or for older buckets.',
    remediation:
      'Add `aws_s3_bucket_server_side_encryption_configuration` (or the inline `server_side_encryption_configuration`), preferably with `aws:kms`.',
    references: [`${TF_AWS}s3_bucket_server_side_encryption_configuration`],
    standards: ['CIS AWS 2.1.1'],
    equivalents: { trivy: ['AVD-AWS-0088'] },
    cwe: ['CWE-311'],
    resources: [S3],
    run: (r) =>
      subBlock(r.block, 'server_side_encryption_configuration') ||
      !missingCompanion(r, 'aws_s3_bucket_server_side_encryption_configuration')
        ? []
        : [hit(r, undefined, 'no server-side encryption configuration')],
  },
  {
    id: 'tf-aws-s3-versioning',
    title: 'S3 bucket versioning not enabled',
    severity: 'medium',
    description:
      'Without versioning an overwritten or deleted object (by mistake, or by ransomware with write access) cannot be recovered.',
    remediation:
      'Add `aws_s3_bucket_versioning` with `status = "Enabled"` (or `versioning { enabled = true }`).',
    references: [`${TF_AWS}s3_bucket_versioning`],
    equivalents: { trivy: ['AVD-AWS-0090'] },
    cwe: ['CWE-693'],
    resources: [S3],
    run: (r) => {
      const inline = attr(r.block, 'versioning.enabled');
      if (isTrue(inline) || unknown(inline)) return [];
      const { hits, unsure } = referencing(r, 'aws_s3_bucket_versioning', 'bucket', attr(r.block, 'bucket'));
      if (unsure) return [];
      const st = hits.map((h) => attr(h.block, 'versioning_configuration.status'));
      if (st.some((s) => s === 'Enabled' || unknown(s))) return [];
      return [hit(r, isFalse(inline) ? 'versioning.enabled' : undefined, 'versioning is not enabled')];
    },
  },
  {
    id: 'tf-aws-s3-logging',
    title: 'S3 bucket access logging not enabled',
    severity: 'medium',
    description: 'Without server access logs there is no record of who read or changed objects.',
    remediation: 'Add `aws_s3_bucket_logging` (or `logging { target_bucket = … }`) pointing at a log bucket.',
    references: [`${TF_AWS}s3_bucket_logging`],
    equivalents: { trivy: ['AVD-AWS-0089'] },
    cwe: ['CWE-778'],
    resources: [S3],
    run: (r) => {
      if (subBlock(r.block, 'logging')) return [];
      // A bucket that receives other buckets' logs is not itself required to log.
      const target = anyOf(r, 'aws_s3_bucket_logging', S3).some((o) => {
        const t = attr(o.block, 'target_bucket') ?? attr(o.block, 'logging.target_bucket');
        return refersTo(t, r);
      });
      if (target || !missingCompanion(r, 'aws_s3_bucket_logging')) return [];
      return [hit(r, undefined, 'access logging is not enabled')];
    },
  },
  {
    id: 'tf-aws-sg-ingress-open',
    title: 'Security group allows ingress from the whole internet',
    severity: 'high',
    description:
      'An ingress rule from 0.0.0.0/0 or ::/0 exposes the port to every address on the internet, including scanners and brute-force bots.',
    remediation:
      'Restrict the source to known CIDRs or security groups; put public services behind a load balancer.',
    references: [
      `${TF_AWS}security_group`,
      'https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html',
    ],
    standards: ['CIS AWS 5.2'],
    equivalents: { trivy: ['AVD-AWS-0107'] },
    cwe: ['CWE-284'],
    resources: SG_TYPES,
    run: openRule('ingress'),
  },
  {
    id: 'tf-aws-sg-egress-open',
    title: 'Security group allows egress to the whole internet',
    severity: 'low',
    description:
      'Unrestricted egress (0.0.0.0/0) lets a compromised workload reach any host, for exfiltration or command and control. Common and often accepted; restrict it for sensitive tiers.',
    remediation: 'Limit egress to the CIDRs, prefix lists or security groups the workload needs.',
    references: [`${TF_AWS}security_group`],
    equivalents: { trivy: ['AVD-AWS-0104'] },
    cwe: ['CWE-284'],
    resources: SG_TYPES,
    run: openRule('egress'),
  },
  {
    id: 'tf-aws-sg-description',
    title: 'Security group without a description',
    severity: 'low',
    description:
      'A description says why the group exists, which makes reviews and clean-ups of access rules possible.',
    remediation: 'Set `description` (Terraform otherwise uses "Managed by Terraform").',
    references: [`${TF_AWS}security_group`],
    equivalents: { trivy: ['AVD-AWS-0099'] },
    resources: ['aws_security_group'],
    run: (r) => {
      const v = attr(r.block, 'description');
      return isEmptyText(v) || v === 'Managed by Terraform'
        ? [hit(r, v === undefined ? undefined : 'description', 'no description')]
        : [];
    },
  },
  {
    id: 'tf-aws-sg-rule-description',
    title: 'Security group rule without a description',
    severity: 'low',
    description:
      'Rules without a description cannot be reviewed: nobody knows whether they are still needed.',
    remediation: 'Set `description` on every ingress/egress rule.',
    references: [`${TF_AWS}security_group_rule`],
    equivalents: { trivy: ['AVD-AWS-0124'] },
    resources: SG_TYPES,
    run: (r) =>
      sgRules(r)
        .filter((x) => isEmptyText(x.desc))
        .map((x) => hitAt(r, x.line, `${x.dir} rule without description`)),
  },
  {
    id: 'tf-aws-rds-public',
    title: 'RDS database publicly accessible',
    severity: 'high',
    description:
      'A publicly accessible instance gets a public DNS name and IP: its port is one security-group mistake away from the internet.',
    remediation: 'Set `publicly_accessible = false` and reach the database from inside the VPC.',
    references: [`${TF_AWS}db_instance#publicly_accessible`],
    standards: ['CIS AWS 2.3.3'],
    equivalents: { trivy: ['AVD-AWS-0082'] },
    cwe: ['CWE-284'],
    resources: ['aws_db_instance', 'aws_rds_cluster_instance'],
    run: (r) =>
      isTrue(attr(r.block, 'publicly_accessible'))
        ? [hit(r, 'publicly_accessible', 'publicly_accessible = true')]
        : [],
  },
  {
    id: 'tf-aws-rds-encryption',
    title: 'RDS storage not encrypted',
    severity: 'high',
    description:
      'Unencrypted database storage, snapshots and replicas expose data to anyone who gets a copy of the volume or snapshot.',
    remediation: 'Set `storage_encrypted = true` (with `kms_key_id` for a customer managed key).',
    references: [`${TF_AWS}db_instance#storage_encrypted`, `${TF_AWS}rds_cluster#storage_encrypted`],
    standards: ['CIS AWS 2.3.1'],
    equivalents: { trivy: ['AVD-AWS-0080', 'AVD-AWS-0079'] },
    cwe: ['CWE-311'],
    resources: ['aws_db_instance', 'aws_rds_cluster'],
    run: (r) => {
      const v = attr(r.block, 'storage_encrypted');
      // Replicas inherit the source's encryption; Aurora Serverless v1 is always encrypted.
      if (isTrue(v) || unknown(v) || attr(r.block, 'replicate_source_db') !== undefined) return [];
      if (r.type === 'aws_rds_cluster' && attr(r.block, 'engine_mode') === 'serverless') return [];
      if (r.type === 'aws_db_instance' && attr(r.block, 'kms_key_id') !== undefined) return [];
      return [hit(r, v === undefined ? undefined : 'storage_encrypted', 'storage is not encrypted')];
    },
  },
  {
    id: 'tf-aws-rds-backup-retention',
    title: 'RDS backups kept one day or less',
    severity: 'medium',
    description:
      'With a backup retention of 0 or 1 day a problem noticed after a weekend can no longer be rolled back.',
    remediation: 'Set `backup_retention_period` to 7 days or more.',
    references: [`${TF_AWS}db_instance#backup_retention_period`],
    equivalents: { trivy: ['AVD-AWS-0077'] },
    cwe: ['CWE-693'],
    resources: ['aws_db_instance', 'aws_rds_cluster'],
    run: (r) => {
      if (attr(r.block, 'replicate_source_db') !== undefined) return [];
      const v = attr(r.block, 'backup_retention_period');
      if (v === undefined) return [hit(r, undefined, 'backup_retention_period not set (1 day by default)')];
      return typeof v === 'number' && v <= 1
        ? [hit(r, 'backup_retention_period', `backups kept ${v} day(s)`)]
        : [];
    },
  },
  {
    id: 'tf-aws-ebs-encryption',
    title: 'EBS volume not encrypted',
    severity: 'high',
    description:
      'Unencrypted volumes and their snapshots expose data to anyone who can copy or share a snapshot.',
    remediation: 'Set `encrypted = true` (or enable `aws_ebs_encryption_by_default`).',
    references: [`${TF_AWS}ebs_volume#encrypted`],
    standards: ['CIS AWS 2.2.1'],
    equivalents: { trivy: ['AVD-AWS-0026'] },
    cwe: ['CWE-311'],
    resources: ['aws_ebs_volume'],
    run: (r) => {
      const v = attr(r.block, 'encrypted');
      if (isTrue(v) || unknown(v) || attr(r.block, 'snapshot_id') !== undefined) return [];
      if (anyOf(r, 'aws_ebs_encryption_by_default').some((o) => !isFalse(attr(o.block, 'enabled'))))
        return [];
      return [hit(r, v === undefined ? undefined : 'encrypted', 'volume is not encrypted')];
    },
  },
  {
    id: 'tf-aws-instance-block-device-encryption',
    title: 'EC2 instance block device not encrypted',
    severity: 'high',
    description:
      'Root and EBS block devices without encryption keep data (and credentials on disk) readable from copied snapshots.',
    remediation:
      'Set `encrypted = true` in `root_block_device` and every `ebs_block_device`, or enable `aws_ebs_encryption_by_default`.',
    references: [`${TF_AWS}instance#root_block_device`],
    standards: ['CIS AWS 2.2.1'],
    equivalents: { trivy: ['AVD-AWS-0131'] },
    cwe: ['CWE-311'],
    resources: ['aws_instance', 'aws_launch_configuration'],
    run: blockDeviceHits,
  },
  {
    id: 'tf-aws-imdsv2',
    title: 'EC2 instance metadata service v1 allowed',
    severity: 'high',
    description:
      'IMDSv1 answers plain GET requests, so any SSRF in the workload can steal the instance role credentials. IMDSv2 requires a session token.',
    remediation: 'Add `metadata_options { http_tokens = "required" }`.',
    references: [
      `${TF_AWS}instance#metadata_options`,
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html',
    ],
    equivalents: { trivy: ['AVD-AWS-0028'] },
    cwe: ['CWE-918'],
    resources: ['aws_instance', 'aws_launch_template', 'aws_launch_configuration'],
    run: (r) => {
      const tokens = attr(r.block, 'metadata_options.http_tokens');
      const endpoint = attr(r.block, 'metadata_options.http_endpoint');
      if (tokens === 'required' || unknown(tokens) || endpoint === 'disabled' || unknown(endpoint)) return [];
      return [
        hit(
          r,
          tokens === undefined ? undefined : 'metadata_options.http_tokens',
          `http_tokens is ${typeof tokens === 'string' ? tokens : 'not set (optional)'}`,
        ),
      ];
    },
  },
  {
    id: 'tf-aws-user-data-secret',
    title: 'Credentials in EC2 user data',
    severity: 'critical',
    description:
      'User data is readable by anyone who can describe the instance and from inside it through the metadata service; keys written there leak.',
    remediation:
      'Give the instance an IAM role, and read other secrets from Secrets Manager or SSM Parameter Store at boot.',
    references: [`${TF_AWS}instance#user_data`],
    equivalents: { trivy: ['AVD-AWS-0029'] },
    cwe: ['CWE-798'],
    resources: ['aws_instance', 'aws_launch_template', 'aws_launch_configuration'],
    run: userDataHits,
  },
  {
    id: 'tf-aws-ecr-scan-on-push',
    title: 'ECR repository does not scan images on push',
    severity: 'medium',
    description: 'Without scanning, images with known vulnerabilities are pushed and deployed unnoticed.',
    remediation:
      'Set `image_scanning_configuration { scan_on_push = true }` (or configure registry-level scanning).',
    references: [`${TF_AWS}ecr_repository#image_scanning_configuration`],
    equivalents: { trivy: ['AVD-AWS-0030'] },
    cwe: ['CWE-1104'],
    resources: ['aws_ecr_repository'],
    run: (r) => {
      const v = attr(r.block, 'image_scanning_configuration.scan_on_push');
      if (isTrue(v) || unknown(v) || anyOf(r, 'aws_ecr_registry_scanning_configuration').length) return [];
      return [
        hit(
          r,
          v === undefined ? undefined : 'image_scanning_configuration.scan_on_push',
          'scan on push is not enabled',
        ),
      ];
    },
  },
  {
    id: 'tf-aws-ecr-mutable-tags',
    title: 'ECR image tags are mutable',
    severity: 'medium',
    description:
      'With mutable tags anyone with push rights can replace the image behind a tag that is already deployed.',
    remediation: 'Set `image_tag_mutability = "IMMUTABLE"` and deploy by digest.',
    references: [`${TF_AWS}ecr_repository#image_tag_mutability`],
    equivalents: { trivy: ['AVD-AWS-0031'] },
    cwe: ['CWE-494'],
    resources: ['aws_ecr_repository'],
    run: (r) => {
      const v = attr(r.block, 'image_tag_mutability');
      if (unknown(v) || (typeof v === 'string' && v.startsWith('IMMUTABLE'))) return [];
      return [hit(r, v === undefined ? undefined : 'image_tag_mutability', 'image tags are mutable')];
    },
  },
  {
    id: 'tf-aws-eks-secrets-encryption',
    title: 'EKS secrets not encrypted with a KMS key',
    severity: 'medium',
    description:
      'Without `encryption_config` for secrets, Kubernetes secrets are only protected by the default encryption of etcd storage, not by a key you control and audit.',
    remediation: 'Add `encryption_config { resources = ["secrets"], provider { key_arn = … } }`.',
    references: [`${TF_AWS}eks_cluster#encryption_config`],
    equivalents: { trivy: ['AVD-AWS-0039'] },
    cwe: ['CWE-311'],
    resources: ['aws_eks_cluster'],
    run: (r) => {
      const e = subBlock(r.block, 'encryption_config');
      const res = e ? attr(e, 'resources') : undefined;
      if (unknown(res) || strings(res).includes('secrets')) return [];
      return [hit(r, e ? 'encryption_config' : undefined, 'secrets are not encrypted with a KMS key')];
    },
  },
  {
    id: 'tf-aws-eks-public-endpoint',
    title: 'EKS API endpoint publicly accessible',
    severity: 'high',
    description:
      'A public API endpoint (the default) is reachable from the internet; credential leaks and API vulnerabilities become directly exploitable.',
    remediation: 'Set `vpc_config { endpoint_public_access = false, endpoint_private_access = true }`.',
    references: [`${TF_AWS}eks_cluster#endpoint_public_access`],
    equivalents: { trivy: ['AVD-AWS-0040'] },
    cwe: ['CWE-284'],
    resources: ['aws_eks_cluster'],
    run: (r) => {
      const v = attr(r.block, 'vpc_config.endpoint_public_access');
      if (isFalse(v) || unknown(v)) return [];
      return [
        hit(
          r,
          v === undefined ? 'vpc_config' : 'vpc_config.endpoint_public_access',
          'public endpoint enabled',
        ),
      ];
    },
  },
  {
    id: 'tf-aws-eks-public-cidrs',
    title: 'EKS public API endpoint open to any address',
    severity: 'high',
    description:
      'With public access on and `public_access_cidrs` unset (0.0.0.0/0) or open, anyone on the internet can reach the API server.',
    remediation:
      'Set `public_access_cidrs` to the addresses that administer the cluster, or disable public access.',
    references: [`${TF_AWS}eks_cluster#public_access_cidrs`],
    equivalents: { trivy: ['AVD-AWS-0041'] },
    cwe: ['CWE-284'],
    resources: ['aws_eks_cluster'],
    run: (r) => {
      const pub = attr(r.block, 'vpc_config.endpoint_public_access');
      const cidrs = attr(r.block, 'vpc_config.public_access_cidrs');
      if (isFalse(pub) || unknown(pub) || unknown(cidrs)) return [];
      if (cidrs !== undefined && !strings(cidrs).some((c) => OPEN_CIDRS.includes(c))) return [];
      return [
        hit(
          r,
          cidrs === undefined ? 'vpc_config' : 'vpc_config.public_access_cidrs',
          'public endpoint open to 0.0.0.0/0',
        ),
      ];
    },
  },
  {
    id: 'tf-aws-eks-control-plane-logging',
    title: 'EKS control plane logging incomplete',
    severity: 'medium',
    description:
      'Without API, audit and authenticator logs there is no trace of who did what in the cluster.',
    remediation: `Set \`enabled_cluster_log_types = ${JSON.stringify(EKS_LOGS)}\`.`,
    references: [`${TF_AWS}eks_cluster#enabled_cluster_log_types`],
    equivalents: { trivy: ['AVD-AWS-0038'] },
    cwe: ['CWE-778'],
    resources: ['aws_eks_cluster'],
    run: (r) => {
      const v = attr(r.block, 'enabled_cluster_log_types');
      if (unknown(v) || (Array.isArray(v) && v.some((x) => x instanceof HclExpr))) return [];
      const missing = EKS_LOGS.filter((l) => !strings(v).includes(l));
      return missing.length
        ? [
            hit(
              r,
              v === undefined ? undefined : 'enabled_cluster_log_types',
              `control plane logs not enabled: ${missing.join(', ')}`,
            ),
          ]
        : [];
    },
  },
  {
    id: 'tf-aws-es-encrypt-at-rest',
    title: 'OpenSearch/Elasticsearch domain not encrypted at rest',
    severity: 'high',
    description: 'Indices, logs and snapshots of the domain are stored unencrypted.',
    remediation: 'Set `encrypt_at_rest { enabled = true }`.',
    references: [`${TF_AWS}opensearch_domain#encrypt_at_rest`],
    equivalents: { trivy: ['AVD-AWS-0048'] },
    cwe: ['CWE-311'],
    resources: ES,
    run: (r) => {
      const v = attr(r.block, 'encrypt_at_rest.enabled');
      return isTrue(v) || unknown(v)
        ? []
        : [
            hit(
              r,
              subBlock(r.block, 'encrypt_at_rest') ? 'encrypt_at_rest' : undefined,
              'encryption at rest is not enabled',
            ),
          ];
    },
  },
  {
    id: 'tf-aws-es-node-to-node-encryption',
    title: 'OpenSearch/Elasticsearch node-to-node traffic not encrypted',
    severity: 'high',
    description: 'Traffic between the nodes of the domain travels in plain text inside the VPC.',
    remediation: 'Set `node_to_node_encryption { enabled = true }`.',
    references: [`${TF_AWS}opensearch_domain#node_to_node_encryption`],
    equivalents: { trivy: ['AVD-AWS-0043'] },
    cwe: ['CWE-319'],
    resources: ES,
    run: (r) => {
      const v = attr(r.block, 'node_to_node_encryption.enabled');
      return isTrue(v) || unknown(v)
        ? []
        : [
            hit(
              r,
              subBlock(r.block, 'node_to_node_encryption') ? 'node_to_node_encryption' : undefined,
              'node-to-node encryption is not enabled',
            ),
          ];
    },
  },
  {
    id: 'tf-aws-es-enforce-https',
    title: 'OpenSearch/Elasticsearch domain accepts plain HTTP',
    severity: 'high',
    description: 'Without `enforce_https` clients may send credentials and data in clear text.',
    remediation: 'Set `domain_endpoint_options { enforce_https = true }`.',
    references: [`${TF_AWS}opensearch_domain#domain_endpoint_options`],
    equivalents: { trivy: ['AVD-AWS-0046'] },
    cwe: ['CWE-319'],
    resources: ES,
    run: (r) => {
      const d = subBlock(r.block, 'domain_endpoint_options');
      const v = d ? attr(d, 'enforce_https') : undefined;
      if (unknown(v) || (d && v === undefined) || isTrue(v)) return [];
      return [hit(r, d ? 'domain_endpoint_options.enforce_https' : undefined, 'HTTPS is not enforced')];
    },
  },
  {
    id: 'tf-aws-es-tls-policy',
    title: 'OpenSearch/Elasticsearch endpoint allows TLS below 1.2',
    severity: 'medium',
    description: 'The default TLS security policy accepts TLS 1.0 and 1.1.',
    remediation:
      'Set `domain_endpoint_options { tls_security_policy = "Policy-Min-TLS-1-2-2019-07" }` (or a newer PFS policy).',
    references: [`${TF_AWS}opensearch_domain#tls_security_policy`],
    equivalents: { trivy: ['AVD-AWS-0126'] },
    cwe: ['CWE-326'],
    resources: ES,
    run: (r) => {
      const v = attr(r.block, 'domain_endpoint_options.tls_security_policy');
      if (unknown(v) || (typeof v === 'string' && /TLS-1-[23]/.test(v))) return [];
      return [
        hit(
          r,
          v === undefined ? undefined : 'domain_endpoint_options.tls_security_policy',
          `TLS policy is ${typeof v === 'string' ? v : 'the default (TLS 1.0)'}`,
        ),
      ];
    },
  },
  {
    id: 'tf-aws-es-audit-logs',
    title: 'OpenSearch/Elasticsearch audit logs not published',
    severity: 'medium',
    description: 'Without audit logs there is no record of who queried or changed indices.',
    remediation:
      'Add `log_publishing_options { log_type = "AUDIT_LOGS", cloudwatch_log_group_arn = … }` (with fine-grained access control).',
    references: [`${TF_AWS}opensearch_domain#log_publishing_options`],
    equivalents: { trivy: ['AVD-AWS-0042'] },
    cwe: ['CWE-778'],
    resources: ES,
    run: (r) => {
      const opts = blocksOf(r.block, 'log_publishing_options');
      const ok = opts.some((o) => {
        const t = attr(o, 'log_type');
        return unknown(t) || (t === 'AUDIT_LOGS' && !isFalse(attr(o, 'enabled')));
      });
      return ok ? [] : [hit(r, undefined, 'audit logs are not published')];
    },
  },
  {
    id: 'tf-aws-iam-policy-wildcard',
    title: 'IAM policy with wildcard permissions',
    severity: 'high',
    description:
      'Allowing `*` or `service:*` actions, or write actions on every resource, grants far more than a workload needs; a leaked credential then reaches everything.',
    remediation: 'List the actions and resource ARNs needed (least privilege).',
    references: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege',
    ],
    standards: ['CIS AWS 1.16'],
    equivalents: { trivy: ['AVD-AWS-0057'] },
    cwe: ['CWE-250'],
    resources: [
      'aws_iam_policy',
      'aws_iam_role_policy',
      'aws_iam_user_policy',
      'aws_iam_group_policy',
      'data.aws_iam_policy_document',
    ],
    run: (r) =>
      policyHits(
        r,
        r.type === 'data.aws_iam_policy_document'
          ? documentStatements(r.block)
          : jsonStatements(attr(r.block, 'policy'), r.block.attributes.policy?.line ?? r.block.line),
      ),
  },
  {
    id: 'tf-aws-kms-key-rotation',
    title: 'KMS key rotation not enabled',
    severity: 'medium',
    description:
      'Without automatic rotation a key stays in use indefinitely, widening the impact of a compromise.',
    remediation: 'Set `enable_key_rotation = true`.',
    references: [`${TF_AWS}kms_key#enable_key_rotation`],
    standards: ['CIS AWS 3.8'],
    equivalents: { trivy: ['AVD-AWS-0065'] },
    cwe: ['CWE-320'],
    resources: ['aws_kms_key'],
    run: (r) => {
      const v = attr(r.block, 'enable_key_rotation');
      const usage = attr(r.block, 'key_usage');
      const spec = attr(r.block, 'customer_master_key_spec');
      // Only symmetric encryption keys can rotate automatically.
      if (isTrue(v) || unknown(v) || (usage !== undefined && usage !== 'ENCRYPT_DECRYPT')) return [];
      if (spec !== undefined && spec !== 'SYMMETRIC_DEFAULT') return [];
      return [hit(r, v === undefined ? undefined : 'enable_key_rotation', 'key rotation is not enabled')];
    },
  },
  {
    id: 'tf-aws-lambda-tracing',
    title: 'Lambda function without X-Ray tracing',
    severity: 'low',
    description:
      'Without active tracing, requests through the function cannot be followed when investigating abuse.',
    remediation: 'Add `tracing_config { mode = "Active" }`.',
    references: [`${TF_AWS}lambda_function#tracing_config`],
    equivalents: { trivy: ['AVD-AWS-0066'] },
    cwe: ['CWE-778'],
    resources: ['aws_lambda_function'],
    run: (r) => {
      const v = attr(r.block, 'tracing_config.mode');
      return v === 'Active' || unknown(v)
        ? []
        : [hit(r, v === undefined ? undefined : 'tracing_config.mode', 'tracing is not active')];
    },
  },
  {
    id: 'tf-aws-neptune-encryption',
    title: 'Neptune cluster storage not encrypted',
    severity: 'high',
    description: 'Graph data, backups and snapshots are stored unencrypted.',
    remediation: 'Set `storage_encrypted = true`.',
    references: [`${TF_AWS}neptune_cluster#storage_encrypted`],
    equivalents: { trivy: ['AVD-AWS-0076'] },
    cwe: ['CWE-311'],
    resources: ['aws_neptune_cluster'],
    run: (r) => {
      const v = attr(r.block, 'storage_encrypted');
      return isTrue(v) || unknown(v)
        ? []
        : [hit(r, v === undefined ? undefined : 'storage_encrypted', 'storage is not encrypted')];
    },
  },
  {
    id: 'tf-aws-neptune-audit-logs',
    title: 'Neptune audit logs not exported',
    severity: 'medium',
    description: 'Without the audit log export there is no record of queries against the cluster.',
    remediation: 'Set `enable_cloudwatch_logs_exports = ["audit"]`.',
    references: [`${TF_AWS}neptune_cluster#enable_cloudwatch_logs_exports`],
    equivalents: { trivy: ['AVD-AWS-0075'] },
    cwe: ['CWE-778'],
    resources: ['aws_neptune_cluster'],
    run: (r) => {
      const v = attr(r.block, 'enable_cloudwatch_logs_exports');
      if (unknown(v) || strings(v).includes('audit') || (Array.isArray(v) && v.some(unknown))) return [];
      return [
        hit(r, v === undefined ? undefined : 'enable_cloudwatch_logs_exports', 'audit logs are not exported'),
      ];
    },
  },
  {
    id: 'tf-aws-lb-internet-facing',
    title: 'Load balancer is internet-facing',
    severity: 'low',
    description:
      'An internet-facing load balancer exposes its listeners to everyone. Expected for public entry points; for anything else use `internal = true`.',
    remediation: 'Set `internal = true` unless the service is meant to be public (then put a WAF in front).',
    references: [`${TF_AWS}lb#internal`],
    equivalents: { trivy: ['AVD-AWS-0053'] },
    cwe: ['CWE-284'],
    resources: ['aws_lb', 'aws_alb', 'aws_elb'],
    run: (r) => {
      const v = attr(r.block, 'internal');
      if (isTrue(v) || unknown(v) || attr(r.block, 'load_balancer_type') === 'gateway') return [];
      return [hit(r, v === undefined ? undefined : 'internal', 'load balancer is internet-facing')];
    },
  },
  {
    id: 'tf-aws-subnet-public-ip',
    title: 'Subnet assigns public IPs by default',
    severity: 'medium',
    description:
      'Every instance launched in the subnet gets a public IP, reachable from the internet unless its security group prevents it.',
    remediation:
      'Set `map_public_ip_on_launch = false`; give public IPs only where needed (or use a load balancer / NAT).',
    references: [`${TF_AWS}subnet#map_public_ip_on_launch`],
    equivalents: { trivy: ['AVD-AWS-0164'] },
    cwe: ['CWE-284'],
    resources: ['aws_subnet', 'aws_default_subnet'],
    run: (r) =>
      isTrue(attr(r.block, 'map_public_ip_on_launch'))
        ? [hit(r, 'map_public_ip_on_launch', 'map_public_ip_on_launch = true')]
        : [],
  },
  {
    id: 'tf-aws-vpc-flow-logs',
    title: 'VPC without flow logs',
    severity: 'medium',
    description:
      'Without flow logs there is no record of the traffic accepted and rejected in the VPC for detection and forensics.',
    remediation: 'Add an `aws_flow_log` with `vpc_id` pointing at the VPC.',
    references: [`${TF_AWS}flow_log`],
    standards: ['CIS AWS 3.9'],
    equivalents: { trivy: ['AVD-AWS-0178'] },
    cwe: ['CWE-778'],
    resources: ['aws_vpc'],
    run: (r) => {
      const { hits, unsure } = referencing(r, 'aws_flow_log', 'vpc_id');
      return hits.length || unsure ? [] : [hit(r, undefined, 'no aws_flow_log for this VPC')];
    },
  },
];
