import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scanTerraform } from './index.js';
import { terraformChecks } from './checks.js';
import { awsChecks } from './aws.js';
import { azureChecks } from './azure.js';
import { gcpChecks } from './gcp.js';

/** The AWS / GCP / other Azure checks have their own cases in cloud.test.ts. */
const cloudIds = new Set([...awsChecks, ...azureChecks, ...gcpChecks].map((c) => c.id));
import { HclExpr, parseHcl } from './hcl.js';

const ids = (text: string) => scanTerraform(text).violations.map((v) => v.checkId);

const AKS_OK = `resource "azurerm_kubernetes_cluster" "ok" {
  name                              = "aks"
  private_cluster_enabled           = false
  role_based_access_control_enabled = true
  local_account_disabled            = true
  api_server_access_profile {
    authorized_ip_ranges = ["203.0.113.0/24"]
  }
  network_profile {
    network_plugin = "azure"
    network_policy = "azure"
  }
  oms_agent {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.main.id
  }
}
`;
const STORAGE_OK = `resource "azurerm_storage_account" "ok" {
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices"]
  }
}
`;
const KV_OK = `resource "azurerm_key_vault" "ok" {
  purge_protection_enabled = true
  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}
resource "azurerm_container_registry" "ok" {
  admin_enabled = false
}
resource "azurerm_mssql_firewall_rule" "azure_services" {
  start_ip_address = "0.0.0.0"
  end_ip_address   = "0.0.0.0"
}
resource "azurerm_mssql_database_extended_auditing_policy" "ok" {
  retention_in_days = 90
}
`;
const GKE_OK = `resource "google_container_cluster" "ok" {
  resource_labels = { team = "shop" }
  node_config {
    service_account = google_service_account.nodes.email
    metadata = {
      disable-legacy-endpoints = "true"
    }
  }
  network_policy {
    enabled = true
  }
  private_cluster_config {
    enable_private_nodes = true
  }
  master_authorized_networks_config {
    cidr_blocks {
      cidr_block = "203.0.113.0/24"
    }
  }
}
`;
const ALL_OK = AKS_OK + STORAGE_OK + KV_OK + GKE_OK;

const positives: Record<string, string> = {
  'tf-aks-api-authorized-ranges': AKS_OK.replace('["203.0.113.0/24"]', '[]'),
  'tf-aks-rbac': AKS_OK.replace(
    'role_based_access_control_enabled = true',
    'role_based_access_control_enabled = false',
  ),
  'tf-aks-network-policy': AKS_OK.replace('    network_policy = "azure"\n', ''),
  'tf-aks-monitoring': AKS_OK.replace(/ {2}oms_agent \{[^}]*\}\n/, ''),
  'tf-aks-local-accounts': AKS_OK.replace(
    'local_account_disabled            = true',
    'local_account_disabled = false',
  ),
  'tf-storage-min-tls': STORAGE_OK.replace('"TLS1_2"', '"TLS1_0"'),
  'tf-storage-https-only': STORAGE_OK.replace(
    'https_traffic_only_enabled      = true',
    'https_traffic_only_enabled = false',
  ),
  'tf-storage-public-blob': STORAGE_OK.replace(
    'allow_nested_items_to_be_public = false',
    'allow_nested_items_to_be_public = true',
  ),
  'tf-storage-network-default-allow': STORAGE_OK.replace('"Deny"', '"Allow"'),
  'tf-storage-bypass-azure-services': STORAGE_OK.replace('["AzureServices"]', '["None"]'),
  'tf-keyvault-network-acl': KV_OK.replace('default_action = "Deny"', 'default_action = "Allow"'),
  'tf-keyvault-purge-protection': KV_OK.replace(
    'purge_protection_enabled = true',
    'purge_protection_enabled = false',
  ),
  'tf-db-firewall-public': KV_OK.replace(
    'end_ip_address   = "0.0.0.0"',
    'end_ip_address = "255.255.255.255"',
  ),
  'tf-sql-audit-retention': KV_OK.replace('retention_in_days = 90', 'retention_in_days = 30'),
  'tf-acr-admin-user': KV_OK.replace('admin_enabled = false', 'admin_enabled = true'),
  'tf-gke-legacy-metadata': GKE_OK.replace('"true"', '"false"'),
  'tf-gke-node-service-account': GKE_OK.replace(
    '    service_account = google_service_account.nodes.email\n',
    '',
  ),
  'tf-gke-labels': GKE_OK.replace('  resource_labels = { team = "shop" }\n', ''),
  'tf-gke-network-policy': GKE_OK.replace('enabled = true', 'enabled = false'),
  'tf-gke-private-nodes': GKE_OK.replace('enable_private_nodes = true', 'enable_private_nodes = false'),
  'tf-gke-master-authorized-networks': GKE_OK.replace(
    / {2}master_authorized_networks_config \{[\s\S]*?\n {2}\}\n/,
    '',
  ),
};

describe('terraform checks', () => {
  it('well-configured resources raise nothing (negative case of every check)', () => {
    assert.deepEqual(ids(ALL_OK), []);
  });
  it('every check has a positive case', () => {
    assert.deepEqual(
      terraformChecks.map((c) => c.id).filter((id) => !cloudIds.has(id) && !positives[id]),
      [],
    );
  });
  for (const [id, text] of Object.entries(positives)) {
    it(`${id}: fires on its positive case`, () => {
      assert.notEqual(text, ALL_OK);
      assert.ok(ids(text).includes(id), `${id} not reported; got ${ids(text).join(', ')}`);
    });
  }
  it('resolves var/local literals declared in the same file; leaves other references unknown', () => {
    const withVar =
      AKS_OK.replace(
        'role_based_access_control_enabled = true',
        'role_based_access_control_enabled = var.rbac',
      ) + 'variable "rbac" {\n  default = false\n}\n';
    assert.ok(ids(withVar).includes('tf-aks-rbac'));
    const unresolved = AKS_OK.replace(
      'role_based_access_control_enabled = true',
      'role_based_access_control_enabled = var.rbac',
    );
    assert.ok(!ids(unresolved).includes('tf-aks-rbac'));
  });
  it('an HCL syntax error is a parse-error finding at its line', () => {
    const v = scanTerraform('resource "a" "b" {\n  x = 1\n  y = "unterminated\n}\n').violations;
    assert.deepEqual(
      v.map((x) => [x.checkId, x.startLine]),
      [['parse-error', 3]],
    );
  });
});

describe('hcl parser', () => {
  it('reads blocks, labels, literals, lists, objects, heredocs and comments; keeps expressions raw', () => {
    const [b] = parseHcl(`# c
resource "t" "n" { // c
  a = 1
  b = "s"
  c = [1, "x", true]
  d = { k = "v", "q" : null }
  e = var.x ? 1 : 2
  f = <<-EOT
    hello
  EOT
  /* multi
     line */
  g = "\${var.y}-z"
  inner "l" {
    h = false
  }
}
`);
    assert.equal(b!.type, 'resource');
    assert.deepEqual(b!.labels, ['t', 'n']);
    assert.equal(b!.attributes.a!.value, 1);
    assert.equal(b!.attributes.b!.value, 's');
    assert.deepEqual(b!.attributes.c!.value, [1, 'x', true]);
    assert.deepEqual(b!.attributes.d!.value, { k: 'v', q: null });
    assert.ok(b!.attributes.e!.value instanceof HclExpr);
    assert.equal(b!.attributes.f!.value, 'hello');
    assert.ok(b!.attributes.g!.value instanceof HclExpr);
    assert.equal(b!.attributes.g!.line, 13);
    assert.deepEqual(
      [b!.blocks[0]!.type, b!.blocks[0]!.labels, b!.blocks[0]!.attributes.h!.value],
      ['inner', ['l'], false],
    );
  });
  it('bounds nesting depth instead of overflowing the stack', () => {
    assert.throws(() => parseHcl('a = ' + '['.repeat(10_000)), /too deep/);
  });
});
