import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scanTerraform } from './index.js';
import { awsChecks } from './aws.js';
import { azureChecks } from './azure.js';
import { gcpChecks } from './gcp.js';

const ids = (text: string) => scanTerraform(text).violations.map((v) => v.checkId);

/** Hand-written cases: [positive (must fire), negative (must not fire)] for every check. */
const CASES: Record<string, [string, string]> = {
  // ----- AWS: S3 -----
  'tf-aws-s3-public-access-block-missing': [
    'resource "aws_s3_bucket" "b" {\n  bucket = "data"\n}\n',
    `resource "aws_s3_bucket" "b" {
  bucket = "data"
}
resource "aws_s3_bucket_public_access_block" "b" {
  bucket = aws_s3_bucket.b.id
}
`,
  ],
  'tf-aws-s3-block-public-acls': [
    'resource "aws_s3_bucket_public_access_block" "p" {\n  bucket = "x"\n  block_public_acls = false\n}\n',
    'resource "aws_s3_bucket_public_access_block" "p" {\n  bucket = "x"\n  block_public_acls = true\n}\n',
  ],
  'tf-aws-s3-block-public-policy': [
    'resource "aws_s3_bucket_public_access_block" "p" {\n  bucket = "x"\n}\n',
    'resource "aws_s3_bucket_public_access_block" "p" {\n  block_public_policy = true\n}\n',
  ],
  'tf-aws-s3-ignore-public-acls': [
    'resource "aws_s3_account_public_access_block" "p" {\n  ignore_public_acls = false\n}\n',
    'resource "aws_s3_account_public_access_block" "p" {\n  ignore_public_acls = true\n}\n',
  ],
  'tf-aws-s3-restrict-public-buckets': [
    'resource "aws_s3_bucket_public_access_block" "p" {\n  restrict_public_buckets = "false"\n}\n',
    'resource "aws_s3_bucket_public_access_block" "p" {\n  restrict_public_buckets = var.r\n}\n',
  ],
  'tf-aws-s3-public-acl': [
    'resource "aws_s3_bucket" "b" {\n  acl = "public-read"\n}\n',
    'resource "aws_s3_bucket_acl" "b" {\n  bucket = aws_s3_bucket.b.id\n  acl = "private"\n}\n',
  ],
  'tf-aws-s3-encryption': [
    'resource "aws_s3_bucket" "b" {\n  bucket = "data"\n}\n',
    `resource "aws_s3_bucket" "b" {
  bucket = "data"
}
resource "aws_s3_bucket_server_side_encryption_configuration" "e" {
  bucket = "data"
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
`,
  ],
  'tf-aws-s3-versioning': [
    'resource "aws_s3_bucket" "b" {\n  versioning {\n    enabled = false\n  }\n}\n',
    `resource "aws_s3_bucket" "b" {
}
resource "aws_s3_bucket_versioning" "v" {
  bucket = aws_s3_bucket.b.id
  versioning_configuration {
    status = "Enabled"
  }
}
`,
  ],
  'tf-aws-s3-logging': [
    'resource "aws_s3_bucket" "b" {\n  bucket = "data"\n}\n',
    'resource "aws_s3_bucket" "b" {\n  logging {\n    target_bucket = aws_s3_bucket.logs.id\n  }\n}\n',
  ],
  // ----- AWS: network -----
  'tf-aws-sg-ingress-open': [
    `resource "aws_security_group" "sg" {
  description = "web"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
    `resource "aws_security_group" "sg" {
  description = "web"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`,
  ],
  'tf-aws-sg-egress-open': [
    'resource "aws_vpc_security_group_egress_rule" "e" {\n  description = "all"\n  cidr_ipv4 = "0.0.0.0/0"\n}\n',
    'resource "aws_vpc_security_group_egress_rule" "e" {\n  description = "dns"\n  cidr_ipv4 = "10.0.0.2/32"\n}\n',
  ],
  'tf-aws-sg-description': [
    'resource "aws_security_group" "sg" {\n  name = "x"\n}\n',
    'resource "aws_security_group" "sg" {\n  description = "Web tier"\n}\n',
  ],
  'tf-aws-sg-rule-description': [
    'resource "aws_security_group_rule" "r" {\n  type = "ingress"\n  cidr_blocks = ["10.0.0.0/8"]\n}\n',
    'resource "aws_security_group_rule" "r" {\n  type = "ingress"\n  description = "from VPC"\n  cidr_blocks = ["10.0.0.0/8"]\n}\n',
  ],
  'tf-aws-subnet-public-ip': [
    'resource "aws_subnet" "s" {\n  map_public_ip_on_launch = true\n}\n',
    'resource "aws_subnet" "s" {\n  map_public_ip_on_launch = false\n}\n',
  ],
  'tf-aws-vpc-flow-logs': [
    'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n',
    'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\nresource "aws_flow_log" "f" {\n  vpc_id = aws_vpc.v.id\n}\n',
  ],
  'tf-aws-lb-internet-facing': [
    'resource "aws_lb" "l" {\n  internal = false\n}\n',
    'resource "aws_lb" "l" {\n  internal = true\n}\n',
  ],
  // ----- AWS: compute and data stores -----
  'tf-aws-rds-public': [
    'resource "aws_db_instance" "d" {\n  publicly_accessible = true\n}\n',
    'resource "aws_db_instance" "d" {\n  publicly_accessible = false\n}\n',
  ],
  'tf-aws-rds-encryption': [
    'resource "aws_rds_cluster" "c" {\n  engine = "aurora-postgresql"\n}\n',
    'resource "aws_rds_cluster" "c" {\n  storage_encrypted = true\n}\n',
  ],
  'tf-aws-rds-backup-retention': [
    'resource "aws_db_instance" "d" {\n  backup_retention_period = 1\n}\n',
    'resource "aws_db_instance" "d" {\n  backup_retention_period = 7\n}\n',
  ],
  'tf-aws-ebs-encryption': [
    'resource "aws_ebs_volume" "v" {\n  size = 10\n}\n',
    'resource "aws_ebs_volume" "v" {\n  size = 10\n  encrypted = true\n}\n',
  ],
  'tf-aws-instance-block-device-encryption': [
    'resource "aws_instance" "i" {\n  root_block_device {\n    encrypted = false\n  }\n}\n',
    'resource "aws_instance" "i" {\n  root_block_device {\n    encrypted = true\n  }\n}\n',
  ],
  'tf-aws-imdsv2': [
    'resource "aws_instance" "i" {\n  ami = "ami-1"\n}\n',
    'resource "aws_launch_template" "t" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n',
  ],
  'tf-aws-user-data-secret': [
    'resource "aws_instance" "i" {\n  user_data = <<EOF\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nEOF\n}\n',
    'resource "aws_instance" "i" {\n  user_data = "#!/bin/sh\\necho hello\\n"\n}\n',
  ],
  'tf-aws-ecr-scan-on-push': [
    'resource "aws_ecr_repository" "r" {\n  image_tag_mutability = "IMMUTABLE"\n}\n',
    'resource "aws_ecr_repository" "r" {\n  image_scanning_configuration {\n    scan_on_push = true\n  }\n}\n',
  ],
  'tf-aws-ecr-mutable-tags': [
    'resource "aws_ecr_repository" "r" {\n  image_tag_mutability = "MUTABLE"\n}\n',
    'resource "aws_ecr_repository" "r" {\n  image_tag_mutability = "IMMUTABLE"\n}\n',
  ],
  'tf-aws-eks-secrets-encryption': [
    'resource "aws_eks_cluster" "c" {\n  name = "c"\n}\n',
    'resource "aws_eks_cluster" "c" {\n  encryption_config {\n    resources = ["secrets"]\n  }\n}\n',
  ],
  'tf-aws-eks-public-endpoint': [
    'resource "aws_eks_cluster" "c" {\n  vpc_config {\n    subnet_ids = var.subnets\n  }\n}\n',
    'resource "aws_eks_cluster" "c" {\n  vpc_config {\n    endpoint_public_access = false\n  }\n}\n',
  ],
  'tf-aws-eks-public-cidrs': [
    'resource "aws_eks_cluster" "c" {\n  vpc_config {\n    public_access_cidrs = ["0.0.0.0/0"]\n  }\n}\n',
    'resource "aws_eks_cluster" "c" {\n  vpc_config {\n    public_access_cidrs = ["203.0.113.0/24"]\n  }\n}\n',
  ],
  'tf-aws-eks-control-plane-logging': [
    'resource "aws_eks_cluster" "c" {\n  enabled_cluster_log_types = ["api"]\n}\n',
    'resource "aws_eks_cluster" "c" {\n  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]\n}\n',
  ],
  'tf-aws-es-encrypt-at-rest': [
    'resource "aws_opensearch_domain" "d" {\n  encrypt_at_rest {\n    enabled = false\n  }\n}\n',
    'resource "aws_opensearch_domain" "d" {\n  encrypt_at_rest {\n    enabled = true\n  }\n}\n',
  ],
  'tf-aws-es-node-to-node-encryption': [
    'resource "aws_elasticsearch_domain" "d" {\n  domain_name = "x"\n}\n',
    'resource "aws_elasticsearch_domain" "d" {\n  node_to_node_encryption {\n    enabled = true\n  }\n}\n',
  ],
  'tf-aws-es-enforce-https': [
    'resource "aws_opensearch_domain" "d" {\n  domain_endpoint_options {\n    enforce_https = false\n  }\n}\n',
    'resource "aws_opensearch_domain" "d" {\n  domain_endpoint_options {\n    enforce_https = true\n  }\n}\n',
  ],
  'tf-aws-es-tls-policy': [
    'resource "aws_opensearch_domain" "d" {\n  domain_endpoint_options {\n    tls_security_policy = "Policy-Min-TLS-1-0-2019-07"\n  }\n}\n',
    'resource "aws_opensearch_domain" "d" {\n  domain_endpoint_options {\n    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"\n  }\n}\n',
  ],
  'tf-aws-es-audit-logs': [
    'resource "aws_opensearch_domain" "d" {\n  log_publishing_options {\n    log_type = "INDEX_SLOW_LOGS"\n  }\n}\n',
    'resource "aws_opensearch_domain" "d" {\n  log_publishing_options {\n    log_type = "AUDIT_LOGS"\n  }\n}\n',
  ],
  'tf-aws-iam-policy-wildcard': [
    `resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::data/*" }]
  })
}
`,
    `resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::data/*" }]
  })
}
`,
  ],
  'tf-aws-kms-key-rotation': [
    'resource "aws_kms_key" "k" {\n  description = "k"\n}\n',
    'resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n}\n',
  ],
  'tf-aws-lambda-tracing': [
    'resource "aws_lambda_function" "f" {\n  tracing_config {\n    mode = "PassThrough"\n  }\n}\n',
    'resource "aws_lambda_function" "f" {\n  tracing_config {\n    mode = "Active"\n  }\n}\n',
  ],
  'tf-aws-neptune-encryption': [
    'resource "aws_neptune_cluster" "n" {\n  storage_encrypted = false\n}\n',
    'resource "aws_neptune_cluster" "n" {\n  storage_encrypted = true\n}\n',
  ],
  'tf-aws-neptune-audit-logs': [
    'resource "aws_neptune_cluster" "n" {\n  enable_cloudwatch_logs_exports = []\n}\n',
    'resource "aws_neptune_cluster" "n" {\n  enable_cloudwatch_logs_exports = ["audit"]\n}\n',
  ],
  // ----- GCP -----
  'tf-gcp-bucket-public': [
    'resource "google_storage_bucket_iam_member" "m" {\n  role = "roles/storage.objectViewer"\n  member = "allUsers"\n}\n',
    'resource "google_storage_bucket_iam_member" "m" {\n  role = "roles/storage.objectViewer"\n  member = "group:data@example.com"\n}\n',
  ],
  'tf-gcp-bucket-uniform-access': [
    'resource "google_storage_bucket" "b" {\n  name = "b"\n}\n',
    'resource "google_storage_bucket" "b" {\n  uniform_bucket_level_access = true\n}\n',
  ],
  'tf-gcp-firewall-open-ingress': [
    'resource "google_compute_firewall" "f" {\n  allow {\n    protocol = "tcp"\n    ports = ["22"]\n  }\n  source_ranges = ["0.0.0.0/0"]\n}\n',
    'resource "google_compute_firewall" "f" {\n  allow {\n    protocol = "tcp"\n  }\n  source_ranges = ["35.235.240.0/20"]\n}\n',
  ],
  'tf-gcp-instance-public-ip': [
    'resource "google_compute_instance" "i" {\n  network_interface {\n    network = "default"\n    access_config {\n    }\n  }\n}\n',
    'resource "google_compute_instance" "i" {\n  network_interface {\n    network = "default"\n  }\n}\n',
  ],
  'tf-gcp-instance-default-service-account': [
    'resource "google_compute_instance" "i" {\n  service_account {\n    email = "123-compute@developer.gserviceaccount.com"\n    scopes = ["cloud-platform"]\n  }\n}\n',
    'resource "google_compute_instance" "i" {\n  service_account {\n    email = google_service_account.vm.email\n  }\n}\n',
  ],
  'tf-gcp-instance-project-ssh-keys': [
    'resource "google_compute_instance" "i" {\n  metadata = {\n    foo = "bar"\n  }\n}\n',
    'resource "google_compute_instance" "i" {\n  metadata = {\n    block-project-ssh-keys = true\n  }\n}\n',
  ],
  'tf-gcp-instance-serial-port': [
    'resource "google_compute_instance" "i" {\n  metadata = {\n    serial-port-enable = "TRUE"\n  }\n}\n',
    'resource "google_compute_instance" "i" {\n  metadata = {\n    serial-port-enable = false\n  }\n}\n',
  ],
  'tf-gcp-instance-os-login-disabled': [
    'resource "google_compute_instance" "i" {\n  metadata = {\n    enable-oslogin = "false"\n  }\n}\n',
    'resource "google_compute_instance" "i" {\n  metadata = {\n    enable-oslogin = "true"\n  }\n}\n',
  ],
  'tf-gcp-instance-ip-forwarding': [
    'resource "google_compute_instance" "i" {\n  can_ip_forward = true\n}\n',
    'resource "google_compute_instance" "i" {\n  can_ip_forward = false\n}\n',
  ],
  'tf-gcp-shielded-vm-vtpm': [
    'resource "google_compute_instance" "i" {\n  shielded_instance_config {\n    enable_vtpm = false\n  }\n}\n',
    'resource "google_compute_instance" "i" {\n  shielded_instance_config {\n    enable_vtpm = true\n  }\n}\n',
  ],
  'tf-gcp-shielded-vm-integrity': [
    'resource "google_compute_instance" "i" {\n  shielded_instance_config {\n    enable_integrity_monitoring = false\n  }\n}\n',
    'resource "google_compute_instance" "i" {\n  shielded_instance_config {\n    enable_secure_boot = true\n  }\n}\n',
  ],
  'tf-gcp-disk-plaintext-key': [
    'resource "google_compute_disk" "d" {\n  disk_encryption_key {\n    raw_key = "acXTX3rxrKAFTF0tYVLvydU1riRZTvUNC4g5I11NY+c="\n  }\n}\n',
    'resource "google_compute_disk" "d" {\n  disk_encryption_key {\n    kms_key_self_link = google_kms_crypto_key.k.id\n  }\n}\n',
  ],
  'tf-gcp-sql-public': [
    'resource "google_sql_database_instance" "d" {\n  settings {\n    ip_configuration {\n      authorized_networks {\n        value = "0.0.0.0/0"\n      }\n    }\n  }\n}\n',
    'resource "google_sql_database_instance" "d" {\n  settings {\n    ip_configuration {\n      authorized_networks {\n        value = "203.0.113.7/32"\n      }\n    }\n  }\n}\n',
  ],
  'tf-gcp-sql-require-ssl': [
    'resource "google_sql_database_instance" "d" {\n  settings {\n    ip_configuration {\n      require_ssl = false\n    }\n  }\n}\n',
    'resource "google_sql_database_instance" "d" {\n  settings {\n    ip_configuration {\n      ssl_mode = "ENCRYPTED_ONLY"\n    }\n  }\n}\n',
  ],
  'tf-gcp-sql-backups': [
    'resource "google_sql_database_instance" "d" {\n  settings {\n    tier = "db-f1-micro"\n  }\n}\n',
    'resource "google_sql_database_instance" "d" {\n  settings {\n    backup_configuration {\n      enabled = true\n    }\n  }\n}\n',
  ],
  'tf-gcp-bigquery-public': [
    'resource "google_bigquery_dataset" "d" {\n  access {\n    role = "READER"\n    special_group = "allAuthenticatedUsers"\n  }\n}\n',
    'resource "google_bigquery_dataset" "d" {\n  access {\n    role = "READER"\n    special_group = "projectReaders"\n  }\n}\n',
  ],
  'tf-gke-legacy-abac': [
    'resource "google_container_cluster" "c" {\n  enable_legacy_abac = true\n}\n',
    'resource "google_container_cluster" "c" {\n  enable_legacy_abac = false\n}\n',
  ],
  'tf-gke-legacy-client-auth': [
    'resource "google_container_cluster" "c" {\n  master_auth {\n    client_certificate_config {\n      issue_client_certificate = true\n    }\n  }\n}\n',
    'resource "google_container_cluster" "c" {\n  master_auth {\n    client_certificate_config {\n      issue_client_certificate = false\n    }\n  }\n}\n',
  ],
  'tf-gke-shielded-nodes': [
    'resource "google_container_cluster" "c" {\n  enable_shielded_nodes = false\n}\n',
    'resource "google_container_cluster" "c" {\n  enable_shielded_nodes = true\n}\n',
  ],
  'tf-gke-metadata-exposed': [
    'resource "google_container_node_pool" "p" {\n  node_config {\n    workload_metadata_config {\n      node_metadata = "EXPOSE"\n    }\n  }\n}\n',
    'resource "google_container_node_pool" "p" {\n  node_config {\n    workload_metadata_config {\n      mode = "GKE_METADATA"\n    }\n  }\n}\n',
  ],
  'tf-gke-public-control-plane': [
    'resource "google_container_cluster" "c" {\n  master_authorized_networks_config {\n    cidr_blocks {\n      cidr_block = "0.0.0.0/0"\n    }\n  }\n}\n',
    'resource "google_container_cluster" "c" {\n  master_authorized_networks_config {\n    cidr_blocks {\n      cidr_block = "10.0.0.0/8"\n    }\n  }\n}\n',
  ],
  'tf-gke-node-auto-repair': [
    'resource "google_container_node_pool" "p" {\n  management {\n    auto_repair = false\n  }\n}\n',
    'resource "google_container_node_pool" "p" {\n  management {\n    auto_repair = true\n  }\n}\n',
  ],
  'tf-gke-node-auto-upgrade': [
    'resource "google_container_node_pool" "p" {\n  management {\n    auto_upgrade = false\n  }\n}\n',
    'resource "google_container_node_pool" "p" {\n  management {\n    auto_upgrade = true\n  }\n}\n',
  ],
  'tf-gcp-subnet-flow-logs': [
    'resource "google_compute_subnetwork" "s" {\n  ip_cidr_range = "10.2.0.0/16"\n}\n',
    'resource "google_compute_subnetwork" "s" {\n  log_config {\n    aggregation_interval = "INTERVAL_10_MIN"\n  }\n}\n',
  ],
  // ----- Azure -----
  'tf-az-nsg-inbound-open': [
    `resource "azurerm_network_security_rule" "r" {
  direction                  = "Inbound"
  access                     = "Allow"
  source_address_prefix      = "Internet"
  destination_port_range     = "443"
}
`,
    `resource "azurerm_network_security_rule" "r" {
  direction                  = "Inbound"
  access                     = "Allow"
  source_address_prefix      = "10.0.0.0/8"
  destination_port_range     = "443"
}
`,
  ],
  'tf-az-nsg-ssh-open': [
    `resource "azurerm_network_security_group" "g" {
  security_rule {
    direction              = "Inbound"
    access                 = "Allow"
    source_address_prefix  = "*"
    destination_port_range = "20-25"
  }
}
`,
    `resource "azurerm_network_security_group" "g" {
  security_rule {
    direction              = "Inbound"
    access                 = "Allow"
    source_address_prefix  = "*"
    destination_port_range = "443"
  }
}
`,
  ],
  'tf-az-nsg-rdp-open': [
    'resource "azurerm_network_security_rule" "r" {\n  direction = "Inbound"\n  access = "Allow"\n  source_address_prefixes = ["0.0.0.0/0"]\n  destination_port_ranges = ["3389"]\n}\n',
    'resource "azurerm_network_security_rule" "r" {\n  direction = "Inbound"\n  access = "Deny"\n  source_address_prefixes = ["0.0.0.0/0"]\n  destination_port_ranges = ["3389"]\n}\n',
  ],
  'tf-az-nsg-outbound-open': [
    'resource "azurerm_network_security_rule" "r" {\n  direction = "Outbound"\n  access = "Allow"\n  destination_address_prefix = "*"\n}\n',
    'resource "azurerm_network_security_rule" "r" {\n  direction = "Outbound"\n  access = "Allow"\n  destination_address_prefix = "VirtualNetwork"\n}\n',
  ],
  'tf-az-vm-password-auth': [
    'resource "azurerm_linux_virtual_machine" "v" {\n  disable_password_authentication = false\n}\n',
    'resource "azurerm_linux_virtual_machine" "v" {\n  disable_password_authentication = true\n}\n',
  ],
  'tf-az-vm-custom-data-secret': [
    'resource "azurerm_linux_virtual_machine" "v" {\n  custom_data = base64encode("x")\n  admin_password = "x"\n}\nresource "azurerm_windows_virtual_machine" "w" {\n  custom_data = "ZXhwb3J0IEFXU19BQ0NFU1NfS0VZX0lEPUFLSUFJT1NGT0ROTjdFWEFNUExF"\n}\n',
    'resource "azurerm_windows_virtual_machine" "w" {\n  custom_data = "ZWNobyBoZWxsbw=="\n}\n',
  ],
  'tf-az-managed-disk-encryption': [
    'resource "azurerm_managed_disk" "d" {\n  encryption_settings {\n    enabled = false\n  }\n}\n',
    'resource "azurerm_managed_disk" "d" {\n  encryption_settings {\n    enabled = true\n  }\n}\n',
  ],
  'tf-az-db-public-network-access': [
    'resource "azurerm_postgresql_server" "s" {\n  ssl_enforcement_enabled = true\n}\n',
    'resource "azurerm_postgresql_server" "s" {\n  public_network_access_enabled = false\n}\n',
  ],
  'tf-az-db-ssl-enforcement': [
    'resource "azurerm_mysql_server" "s" {\n  ssl_enforcement_enabled = false\n}\n',
    'resource "azurerm_mysql_server" "s" {\n  ssl_enforcement_enabled = true\n}\n',
  ],
  'tf-az-db-min-tls': [
    'resource "azurerm_mssql_server" "s" {\n  minimum_tls_version = "1.0"\n}\n',
    'resource "azurerm_mssql_server" "s" {\n  minimum_tls_version = "1.2"\n}\n',
  ],
  'tf-az-app-service-min-tls': [
    'resource "azurerm_app_service" "a" {\n  site_config {\n    min_tls_version = "1.0"\n  }\n}\n',
    'resource "azurerm_linux_web_app" "a" {\n  site_config {\n    minimum_tls_version = "1.2"\n  }\n}\n',
  ],
  'tf-az-keyvault-key-expiry': [
    'resource "azurerm_key_vault_key" "k" {\n  key_type = "RSA"\n}\n',
    'resource "azurerm_key_vault_key" "k" {\n  expiration_date = "2030-01-01T00:00:00Z"\n}\n',
  ],
  'tf-az-keyvault-secret-expiry': [
    'resource "azurerm_key_vault_secret" "s" {\n  name = "s"\n}\n',
    'resource "azurerm_key_vault_secret" "s" {\n  expiration_date = "2030-01-01T00:00:00Z"\n}\n',
  ],
  'tf-az-custom-role-wildcard': [
    'resource "azurerm_role_definition" "r" {\n  permissions {\n    actions = ["*"]\n  }\n}\n',
    'resource "azurerm_role_definition" "r" {\n  permissions {\n    actions = ["Microsoft.Resources/subscriptions/resourceGroups/read"]\n  }\n}\n',
  ],
  'tf-az-defender-free-tier': [
    'resource "azurerm_security_center_subscription_pricing" "p" {\n  tier = "Free"\n}\n',
    'resource "azurerm_security_center_subscription_pricing" "p" {\n  tier = "Standard"\n}\n',
  ],
  'tf-az-security-contact-alerts': [
    'resource "azurerm_security_center_contact" "c" {\n  alert_notifications = false\n}\n',
    'resource "azurerm_security_center_contact" "c" {\n  alert_notifications = true\n}\n',
  ],
  'tf-az-flow-log-retention': [
    'resource "azurerm_network_watcher_flow_log" "f" {\n  retention_policy {\n    enabled = true\n    days = 30\n  }\n}\n',
    'resource "azurerm_network_watcher_flow_log" "f" {\n  retention_policy {\n    enabled = true\n    days = 90\n  }\n}\n',
  ],
};

describe('AWS, GCP and Azure terraform checks', () => {
  it('every check has a positive and a negative case', () => {
    assert.deepEqual(
      [...awsChecks, ...gcpChecks, ...azureChecks].map((c) => c.id).filter((id) => !CASES[id]),
      [],
    );
  });
  for (const [id, [pos, neg]] of Object.entries(CASES)) {
    it(`${id}: fires on its positive case, not on its negative case`, () => {
      assert.ok(ids(pos).includes(id), `${id} not reported; got ${ids(pos).join(', ')}`);
      assert.ok(!ids(neg).includes(id), `${id} reported on the negative case`);
    });
  }
  it('every check names its Trivy equivalent', () => {
    for (const c of [...awsChecks, ...gcpChecks, ...azureChecks])
      assert.match(c.equivalents?.trivy?.[0] ?? '', /^AVD-(AWS|GCP|AZU)-\d{4}$/, c.id);
  });
});

describe('checks across resources', () => {
  const bucket = 'resource "aws_s3_bucket" "b" {\n  bucket = "data"\n}\n';
  const pab = (ref: string) => `resource "aws_s3_bucket_public_access_block" "p" {\n  bucket = ${ref}\n}\n`;
  const missing = (t: string) => ids(t).includes('tf-aws-s3-public-access-block-missing');
  it('links a companion resource by reference or by bucket name', () => {
    assert.ok(!missing(bucket + pab('aws_s3_bucket.b.id')));
    assert.ok(!missing(bucket + pab('"${aws_s3_bucket.b.bucket}"')));
    assert.ok(!missing(bucket + pab('"data"')));
    // count-indexed, as reusable modules write it
    const counted = 'resource "aws_s3_bucket" "this" {\n  count = 1\n}\n';
    assert.ok(!missing(counted + pab('aws_s3_bucket.this[0].id')));
    assert.ok(missing(counted));
  });
  it('another bucket\'s companion does not count; an unknown target means "cannot tell"', () => {
    assert.ok(missing(bucket + pab('aws_s3_bucket.other.id')));
    assert.ok(missing(bucket + pab('"other-name"')));
    assert.ok(!missing(bucket + pab('var.bucket_id')));
    assert.ok(!missing(bucket + 'resource "aws_s3_account_public_access_block" "a" {\n}\n'));
  });
  it('reads IAM policies from heredoc JSON and from aws_iam_policy_document', () => {
    const heredoc = `resource "aws_iam_role_policy" "p" {
  policy = <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
EOF
}
`;
    assert.ok(ids(heredoc).includes('tf-aws-iam-policy-wildcard'));
    const doc = `data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:PutObject"]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d.json
}
`;
    const v = scanTerraform(doc).violations.filter((x) => x.checkId === 'tf-aws-iam-policy-wildcard');
    assert.deepEqual(
      v.map((x) => [x.subject, x.startLine]),
      [['data.aws_iam_policy_document.d', 2]],
    );
    assert.ok(!ids(doc.replace('s3:PutObject', 's3:GetObject')).includes('tf-aws-iam-policy-wildcard'));
  });
  it('an account-wide EBS default encryption covers volumes and instances', () => {
    const t =
      'resource "aws_ebs_encryption_by_default" "e" {\n  enabled = true\n}\n' +
      'resource "aws_ebs_volume" "v" {\n}\nresource "aws_instance" "i" {\n}\n';
    assert.ok(
      !ids(t).some((x) => x === 'tf-aws-ebs-encryption' || x === 'tf-aws-instance-block-device-encryption'),
    );
  });
});
