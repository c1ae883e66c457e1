import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanContext } from '../../../core/scanner.js';
import { createMisconfigScanner } from '../index.js';
import { evaluateTree, localSourceDir } from './collector.js';

function run(files: Record<string, string>, warnings: string[] = []) {
  return evaluateTree(new Map(Object.entries(files)), (m) => warnings.push(m)).flatMap((r) =>
    r.violations.map((v) => ({ path: r.path, id: v.checkId, line: v.startLine, message: v.message })),
  );
}
const has = (out: ReturnType<typeof run>, id: string, path?: string) =>
  out.some((f) => f.id === id && (path === undefined || f.path === path));

/** An AKS cluster whose RBAC and API ranges come from variables; fine apart from those. */
const AKS = `resource "azurerm_kubernetes_cluster" "main" {
  role_based_access_control_enabled = var.rbac
  private_cluster_enabled           = local.private
  dynamic "api_server_access_profile" {
    for_each = var.ranges == null ? [] : ["x"]
    content {
      authorized_ip_ranges = var.ranges
    }
  }
  network_profile {
    network_policy = "azure"
  }
  oms_agent {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.w.id
  }
}
`;
const VARS = `variable "rbac" {
  type    = bool
  default = false
}
variable "ranges" {
  default = null
}
variable "private" {
  default = false
}
locals {
  private = var.private
}
`;

describe('terraform module evaluation', () => {
  it('resolves variables declared in another file of the module, with tfvars taking precedence', () => {
    const base = { 'm/main.tf': AKS, 'm/variables.tf': VARS };
    assert.ok(has(run(base), 'tf-aks-rbac', 'm/main.tf'));
    assert.ok(!has(run({ ...base, 'm/terraform.tfvars': 'rbac = true\n' }), 'tf-aks-rbac'));
    // *.auto.tfvars are applied after terraform.tfvars
    const both = { ...base, 'm/terraform.tfvars': 'rbac = true\n', 'm/z.auto.tfvars': 'rbac = false\n' };
    assert.ok(has(run(both), 'tf-aks-rbac'));
    // tfvars of another directory do not apply
    assert.ok(has(run({ ...base, 'other/terraform.tfvars': 'rbac = true\n' }), 'tf-aks-rbac'));
  });

  it('a variable without default or value stays unknown: no finding', () => {
    const out = run({ 'main.tf': AKS, 'variables.tf': 'variable "rbac" {}\nvariable "ranges" {}\n' });
    assert.ok(!has(out, 'tf-aks-rbac'));
    assert.ok(!has(out, 'tf-aks-api-authorized-ranges'));
  });

  it('expands dynamic blocks: an empty for_each means no block, an unknown one "cannot tell"', () => {
    const base = { 'main.tf': AKS, 'variables.tf': VARS };
    assert.ok(has(run(base), 'tf-aks-api-authorized-ranges'));
    assert.ok(
      !has(
        run({ ...base, 'terraform.tfvars': 'ranges = ["203.0.113.0/24"]\n' }),
        'tf-aks-api-authorized-ranges',
      ),
    );
    const unknownRanges = {
      ...base,
      'variables.tf': VARS.replace('variable "ranges" {\n  default = null\n}', 'variable "ranges" {}'),
    };
    assert.ok(!has(run(unknownRanges), 'tf-aks-api-authorized-ranges'));
  });

  it('evaluates locals and conditionals; a local loop stays unknown instead of hanging', () => {
    const priv = { 'main.tf': AKS, 'variables.tf': VARS, 'terraform.tfvars': 'private = true\n' };
    assert.ok(!has(run(priv), 'tf-aks-api-authorized-ranges'));
    const loop = {
      'main.tf': AKS,
      'variables.tf': VARS.replace(
        'private = var.private',
        'private = local.a\n  a = local.b\n  b = local.private',
      ),
    };
    assert.ok(!has(run(loop), 'tf-aks-api-authorized-ranges'));
  });

  it('skips resources with count = 0 and checks each for_each instance', () => {
    const t = `variable "create" {
  default = false
}
resource "azurerm_container_registry" "r" {
  count         = var.create ? 1 : 0
  admin_enabled = true
}
resource "azurerm_container_registry" "each" {
  for_each      = { a = true, b = false }
  admin_enabled = each.value
}
`;
    const out = run({ 'main.tf': t });
    assert.deepEqual(
      out.filter((f) => f.id === 'tf-acr-admin-user').map((f) => f.message),
      ['azurerm_container_registry.each: admin user enabled'],
    );
  });

  it('evaluates local module calls with their arguments; findings stay on the module file, once', () => {
    const files = {
      'modules/aks/main.tf': AKS,
      'modules/aks/variables.tf': VARS.replace(
        'default = false\n}\nvariable "ranges"',
        '}\nvariable "ranges"',
      ),
      'envs/dev/main.tf': 'module "aks" {\n  source = "../../modules/aks"\n  rbac   = false\n}\n',
      'envs/test/main.tf': 'module "aks" {\n  source = "../../modules/aks"\n  rbac   = false\n}\n',
      'envs/prod/main.tf': 'module "aks" {\n  source = "../../modules/aks"\n  rbac   = true\n}\n',
    };
    const out = run(files).filter((f) => f.id === 'tf-aks-rbac');
    // rbac has no default: the module on its own cannot tell; dev and test call it with false.
    assert.equal(out.length, 1);
    assert.equal(out[0]!.path, 'modules/aks/main.tf');
    assert.equal(out[0]!.line, 2);
    assert.match(out[0]!.message, /via module\.aks at envs\/dev\/main\.tf:1/);
  });

  it('does not fetch registry or git modules, nor follow sources outside the scanned tree', () => {
    assert.equal(localSourceDir('envs/dev', '../../modules/aks'), 'modules/aks');
    assert.equal(localSourceDir('envs/dev', './x'), 'envs/dev/x');
    assert.equal(localSourceDir('a', '../../b'), undefined);
    assert.equal(localSourceDir('a', 'Azure/aks/azurerm'), undefined);
    assert.equal(localSourceDir('a', 'git::https://example.com/m.git'), undefined);
    const out = run({
      'main.tf': 'module "m" {\n  source = "terraform-aws-modules/s3-bucket/aws"\n  acl = "public-read"\n}\n',
    });
    assert.deepEqual(out, []);
  });

  it('terminates on modules that call each other', () => {
    const files = {
      'a/main.tf':
        'module "b" {\n  source = "../b"\n}\nresource "azurerm_container_registry" "r" {\n  admin_enabled = true\n}\n',
      'b/main.tf': 'module "a" {\n  source = "../a"\n}\n',
    };
    assert.equal(run(files).filter((f) => f.id === 'tf-acr-admin-user').length, 1);
  });

  it('refuses values that double at every local (exponential blow-up) quickly', () => {
    const locals = Array.from({ length: 60 }, (_, i) => `  l${i} = [local.l${i + 1}, local.l${i + 1}]`).join(
      '\n',
    );
    const t = `locals {\n${locals}\n  l60 = "x"\n}\nresource "aws_iam_policy" "p" {\n  policy = jsonencode(local.l0)\n  name = length(flatten(local.l0))\n}\n`;
    const t0 = Date.now();
    assert.deepEqual(run({ 'main.tf': t }), []);
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  });

  it('a file that does not parse is a parse-error finding; the rest of the module is checked', () => {
    const out = run({
      'bad.tf': 'resource "x" "y" {\n  a = "unterminated\n}\n',
      'good.tf': 'resource "azurerm_container_registry" "r" {\n  admin_enabled = true\n}\n',
    });
    assert.ok(has(out, 'parse-error', 'bad.tf'));
    assert.ok(has(out, 'tf-acr-admin-user', 'good.tf'));
  });
});

describe('terraform in the misconfiguration scanner', () => {
  const ctx = (warnings: string[]): ScanContext => ({
    warn: (m) => warnings.push(m),
    deadline: Date.now() + 60_000,
  });
  const FILES: Record<string, string> = {
    'infra/main.tf': AKS,
    'infra/variables.tf': VARS,
    'infra/terraform.tfvars': 'private = false\n',
  };

  it('collects .tf and .tfvars files during the scan and reports in finalize', async () => {
    const s = await createMisconfigScanner();
    for (const [path, text] of Object.entries(FILES)) {
      assert.ok(s.required(path), path);
      assert.deepEqual(s.scan({ path, content: Buffer.from(text) }, ctx([])), []);
    }
    assert.ok(s.required('x/prod.auto.tfvars'));
    assert.ok(!s.required('x/prod.tfvars.example'));
    const f = s.finalize!(ctx([]));
    assert.ok(f.some((x) => x.ruleId === 'misconfig/tf-aks-rbac' && x.location?.path === 'infra/main.tf'));
  });

  it('applies inline rampart:ignore comments to findings made in finalize', async () => {
    const s = await createMisconfigScanner();
    const main = FILES['infra/main.tf']!.replace(
      '= var.rbac',
      '= var.rbac # rampart:ignore misconfig/tf-aks-rbac -- dev cluster',
    );
    s.scan({ path: 'infra/main.tf', content: Buffer.from(main) }, ctx([]));
    s.scan({ path: 'infra/variables.tf', content: Buffer.from(FILES['infra/variables.tf']!) }, ctx([]));
    const f = s.finalize!(ctx([])).find((x) => x.ruleId === 'misconfig/tf-aks-rbac');
    assert.equal(f?.suppressed?.reason, 'dev cluster');
  });

  it('hands collected files from a worker instance to the main instance', async () => {
    const worker = (await createMisconfigScanner()) as unknown as {
      scan: (t: { path: string; content: Buffer }, c: ScanContext) => unknown;
      drainState(): unknown;
    };
    const main = (await createMisconfigScanner()) as unknown as {
      scan: (t: { path: string; content: Buffer }, c: ScanContext) => unknown;
      absorbState(s: unknown): void;
      finalize(c: ScanContext): { ruleId: string }[];
    };
    // the module's files are split between the two instances
    worker.scan({ path: 'infra/main.tf', content: Buffer.from(FILES['infra/main.tf']!) }, ctx([]));
    main.scan({ path: 'infra/variables.tf', content: Buffer.from(FILES['infra/variables.tf']!) }, ctx([]));
    main.absorbState(structuredClone(worker.drainState()));
    assert.ok(main.finalize(ctx([])).some((f) => f.ruleId === 'misconfig/tf-aks-rbac'));
  });
});
