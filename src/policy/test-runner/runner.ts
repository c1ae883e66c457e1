/**
 * Runs a Kyverno CLI test suite (`kyverno-test.yaml`) the way `kyverno test` does: loads policies,
 * resources, values and user info through an injected `readFile`, evaluates every resource, and
 * compares each expected result (per resource) with the engine's status. Mutate/generate
 * expectations are reported separately as not supported, not as failures.
 */
import { join } from 'node:path';
import type { KubeObject, LoadedPolicy, RequestContext, RuleResult, RuleStatus } from '../engine/types.js';
import { computeRules } from '../kyverno/autogen.js';
import {
  evaluateValidatingPolicy,
  loadValidatingPolicy,
  type CelExternalData,
  type LoadedValidatingPolicy,
} from '../kyverno/delegates.js';
import { evaluateKyverno, loadKyvernoPolicies } from '../kyverno/engine.js';
import { isKyvernoPolicyDoc } from '../kyverno/load.js';
import {
  parseTest,
  parseUserInfo,
  parseValues,
  type ExpectedResult,
  type TestSpec,
  type UserInfoSpec,
  type ValuesSpec,
} from './parse.js';
import { parseYamlDocs } from './yaml.js';

export type ReadFile = (path: string) => string | Promise<string>;

export interface ResultCheck {
  policy: string;
  rule: string;
  kind: string;
  resource: string;
  expected: string;
  /** Status the engine produced, or `missing` when it produced none for this entry. */
  actual: RuleStatus | 'missing';
  ok: boolean;
  message?: string;
}

export interface UnsupportedCheck {
  policy: string;
  rule: string;
  kind: string;
  resource: string;
  expected: string;
  reason: string;
}

export interface TestReport {
  name: string;
  file: string;
  checks: ResultCheck[];
  notSupported: UnsupportedCheck[];
  /** Problems loading the suite (files, YAML, policies). */
  errors: string[];
  passed: number;
  failed: number;
}

export interface RunOptions {
  /** Test file name inside `dir` (default `kyverno-test.yaml`). */
  fileName?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const VALIDATING_POLICY_KINDS = new Set([
  'ValidatingPolicy',
  'NamespacedValidatingPolicy',
  'ValidatingAdmissionPolicy',
]);

interface LoadedSuite {
  kyverno: LoadedPolicy[];
  validating: { name: string; policy: LoadedValidatingPolicy }[];
  resources: KubeObject[];
  /** CLI `context:` file data for CEL libraries (resource.Get, image.GetMetadata). */
  celData: CelExternalData;
  values?: ValuesSpec;
  userInfo?: UserInfoSpec;
  ruleKinds: Map<string, Map<string, string>>;
  scoredFalse: Set<string>;
}

async function readDocs(readFile: ReadFile, path: string, errors: string[]): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path);
  } catch (e) {
    errors.push(`cannot read ${path}: ${(e as Error).message}`);
    return [];
  }
  const parsed = parseYamlDocs(text);
  for (const e of parsed.errors) errors.push(`${path}: ${e}`);
  return parsed.docs;
}

function metaName(doc: unknown): string {
  const meta = isRecord(doc) && isRecord(doc.metadata) ? doc.metadata : {};
  return typeof meta.name === 'string' ? meta.name : '';
}

function flattenLists(docs: unknown[]): KubeObject[] {
  const out: KubeObject[] = [];
  for (const d of docs) {
    if (!isRecord(d)) continue;
    if (typeof d.kind === 'string' && d.kind.endsWith('List') && Array.isArray(d.items)) {
      for (const item of d.items) if (isRecord(item)) out.push(item);
    } else out.push(d);
  }
  return out;
}

/** The Kyverno CLI puts every resource without a namespace into `default` (cluster-scoped kinds too). */
function withDefaultNamespace(r: KubeObject): KubeObject {
  const meta = isRecord(r.metadata) ? r.metadata : {};
  if (typeof meta.namespace === 'string' && meta.namespace !== '') return r;
  return { ...r, metadata: { ...meta, namespace: 'default' } };
}

function resourceKey(r: KubeObject): string {
  const meta = isRecord(r.metadata) ? r.metadata : {};
  return `${String(r.kind)}/${String(meta.namespace ?? '')}/${String(meta.name ?? '')}`;
}

/** Rule type of each (policy, rule) incl. autogen names, to tell validate from mutate/generate. */
function ruleKindsOf(doc: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const rule of computeRules(doc)) {
    const name = typeof rule.name === 'string' ? rule.name : '';
    const type = rule.validate
      ? 'validate'
      : rule.mutate
        ? 'mutate'
        : rule.generate
          ? 'generate'
          : rule.verifyImages
            ? 'verifyImages'
            : 'unknown';
    out.set(name, type);
  }
  return out;
}

async function loadSuite(
  dir: string,
  test: TestSpec,
  readFile: ReadFile,
  errors: string[],
): Promise<LoadedSuite> {
  const policyDocs: unknown[] = [];
  for (const p of test.policies) policyDocs.push(...(await readDocs(readFile, join(dir, p), errors)));
  const { policies, errors: loadErrors } = loadKyvernoPolicies(policyDocs);
  for (const e of loadErrors)
    errors.push(`policy ${e.policy}${e.rule ? ` rule ${e.rule}` : ''}: ${e.message}`);
  const validating: { name: string; policy: LoadedValidatingPolicy }[] = [];
  const ruleKinds = new Map<string, Map<string, string>>();
  const scoredFalse = new Set<string>();
  for (const doc of policyDocs) {
    if (isKyvernoPolicyDoc(doc)) {
      const meta = isRecord(doc.metadata) ? doc.metadata : {};
      const ns =
        doc.kind === 'Policy'
          ? typeof meta.namespace === 'string' && meta.namespace
            ? meta.namespace
            : 'default'
          : '';
      const key = ns ? `${ns}/${metaName(doc)}` : metaName(doc);
      try {
        ruleKinds.set(key, ruleKindsOf(doc));
      } catch {
        /* reported by the loader */
      }
      const ann = isRecord(meta.annotations) ? meta.annotations : {};
      if (ann['policies.kyverno.io/scored'] === 'false') scoredFalse.add(key);
      continue;
    }
    if (isRecord(doc) && typeof doc.kind === 'string' && VALIDATING_POLICY_KINDS.has(doc.kind)) {
      const r = loadValidatingPolicy(doc);
      for (const e of r.errors)
        errors.push(`policy ${e.policy}${e.rule ? ` rule ${e.rule}` : ''}: ${e.message}`);
      if (r.policy) validating.push({ name: metaName(doc), policy: r.policy });
    }
  }
  const resources: KubeObject[] = [];
  const seen = new Set<string>();
  for (const r of test.resources) {
    for (const raw of flattenLists(await readDocs(readFile, join(dir, r), errors))) {
      const res = withDefaultNamespace(raw);
      const key = resourceKey(res);
      if (seen.has(key)) continue;
      seen.add(key);
      resources.push(res);
    }
  }
  let values = test.values;
  if (test.variables) {
    const docs = await readDocs(readFile, join(dir, test.variables), errors);
    if (docs[0] !== undefined) values = parseValues(docs[0]);
  }
  let userInfo: UserInfoSpec | undefined;
  if (test.userinfo) {
    const docs = await readDocs(readFile, join(dir, test.userinfo), errors);
    if (docs[0] !== undefined) userInfo = parseUserInfo(docs[0]);
  }
  const celData: CelExternalData = {};
  if (test.context) {
    const docs = await readDocs(readFile, join(dir, test.context), errors);
    const spec = isRecord(docs[0]) && isRecord(docs[0].spec) ? docs[0].spec : {};
    if (Array.isArray(spec.resources)) celData.resources = spec.resources.filter(isRecord);
    if (Array.isArray(spec.images)) celData.images = spec.images.filter(isRecord);
    if (Array.isArray(spec.namespaces)) celData.namespaces = spec.namespaces.filter(isRecord);
  }
  if (values?.namespaces.length) celData.namespaces = [...(celData.namespaces ?? []), ...values.namespaces];
  return { kyverno: policies, validating, resources, celData, values, userInfo, ruleKinds, scoredFalse };
}

function resourceValues(
  values: ValuesSpec | undefined,
  policy: string,
  resourceName: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!values) return out;
  Object.assign(out, values.globalValues);
  for (const p of values.policies) {
    if (p.name !== policy) continue;
    for (const r of p.resources) if (r.name === resourceName) Object.assign(out, r.values);
  }
  return out;
}

function requestFor(suite: LoadedSuite, policyName: string, resource: KubeObject): RequestContext {
  const meta = isRecord(resource.metadata) ? resource.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const vars = resourceValues(suite.values, policyName, name);
  const op = vars['request.operation'];
  const operation = op === 'UPDATE' || op === 'DELETE' || op === 'CONNECT' ? op : 'CREATE';
  const ctx: RequestContext = { operation, variables: { ...vars, 'request.operation': operation } };
  if (operation === 'UPDATE' || operation === 'DELETE') ctx.oldObject = resource;
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  const selector = suite.values?.namespaceSelector.find((n) => n.name === ns);
  if (selector) ctx.namespaceLabels = selector.labels;
  else {
    const nsObject = suite.values?.namespaces.find((n) => isRecord(n.metadata) && n.metadata.name === ns);
    const labels = nsObject && isRecord(nsObject.metadata) ? nsObject.metadata.labels : undefined;
    if (isRecord(labels))
      ctx.namespaceLabels = Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
  }
  if (suite.userInfo) {
    ctx.userInfo = { groups: suite.userInfo.groups };
    if (suite.userInfo.username) ctx.userInfo.username = suite.userInfo.username;
    if (suite.userInfo.uid) ctx.userInfo.uid = suite.userInfo.uid;
    ctx.roles = suite.userInfo.roles;
    ctx.clusterRoles = suite.userInfo.clusterRoles;
  }
  return ctx;
}

function ruleValuesLookup(values: ValuesSpec | undefined) {
  return (policy: string, rule: string): Record<string, unknown> | undefined => {
    if (!values) return undefined;
    for (const p of values.policies) {
      if (p.name !== policy) continue;
      for (const r of p.rules) {
        const named = rule === r.name || rule === `autogen-${r.name}` || rule === `autogen-cronjob-${r.name}`;
        if (named && Object.keys(r.values).length) return r.values;
      }
    }
    return undefined;
  };
}

function evaluateSuite(suite: LoadedSuite): RuleResult[] {
  const results: RuleResult[] = [];
  const ruleVariables = ruleValuesLookup(suite.values);
  for (const resource of suite.resources) {
    for (const policy of suite.kyverno) {
      const ctx = requestFor(suite, policy.name, resource);
      results.push(...evaluateKyverno([policy], resource, ctx, { ruleVariables }));
    }
    for (const vp of suite.validating) {
      const ctx = requestFor(suite, vp.name, resource);
      results.push(...evaluateValidatingPolicy(vp.policy, resource, ctx, suite.celData));
    }
  }
  return results;
}

function policyKey(r: RuleResult): string {
  return r.policyNamespace ? `${r.policyNamespace}/${r.policy}` : r.policy;
}

function reportStatus(r: RuleResult, suite: LoadedSuite): RuleStatus {
  if (r.status === 'fail' && suite.scoredFalse.has(policyKey(r))) return 'warn';
  return r.status;
}

function unsupportedReason(exp: ExpectedResult, suite: LoadedSuite): string | undefined {
  if (exp.patchedResources) return 'mutate (patchedResources) is not supported';
  if (exp.generatedResource) return 'generate (generatedResource) is not supported';
  const rules = suite.ruleKinds.get(exp.policy);
  const type = rules?.get(exp.rule);
  if (type === 'mutate' || type === 'generate' || type === 'verifyImages')
    return `${type} rules are not supported`;
  return undefined;
}

function lookup(results: RuleResult[], exp: ExpectedResult, resourceName: string): RuleResult[] {
  return results.filter((r) => {
    if (policyKey(r) !== exp.policy) return false;
    if (r.resource.kind !== exp.kind) return false;
    const full = r.resource.namespace ? `${r.resource.namespace}/${r.resource.name}` : r.resource.name;
    if (full !== resourceName && r.resource.name !== resourceName) return false;
    if (exp.isValidatingAdmissionPolicy || exp.rule === '') return true;
    return (
      r.rule === exp.rule || r.rule === `autogen-${exp.rule}` || r.rule === `autogen-cronjob-${exp.rule}`
    );
  });
}

/** Runs the suite in `dir` (the folder holding kyverno-test.yaml). Never throws. */
export async function runKyvernoTest(
  dir: string,
  readFile: ReadFile,
  options: RunOptions = {},
): Promise<TestReport> {
  const file = join(dir, options.fileName ?? 'kyverno-test.yaml');
  const report: TestReport = {
    name: '',
    file,
    checks: [],
    notSupported: [],
    errors: [],
    passed: 0,
    failed: 0,
  };
  try {
    const docs = await readDocs(readFile, file, report.errors);
    const test = parseTest(docs[0]);
    if (!test) {
      report.errors.push(`${file}: not a kyverno test`);
      return report;
    }
    report.name = test.name;
    if (test.exceptions.length) report.errors.push('policy exceptions are not supported; they are ignored');
    const suite = await loadSuite(dir, test, readFile, report.errors);
    const results = evaluateSuite(suite);
    for (const exp of test.results) {
      const reason = unsupportedReason(exp, suite);
      for (const resource of exp.resources) {
        if (reason) {
          report.notSupported.push({
            policy: exp.policy,
            rule: exp.rule,
            kind: exp.kind,
            resource,
            expected: exp.result,
            reason,
          });
          continue;
        }
        const found = lookup(results, exp, resource);
        const statuses = found.map((r) => reportStatus(r, suite));
        const actual: RuleStatus | 'missing' = statuses[0] ?? 'missing';
        const ok = statuses.length > 0 && statuses.every((s) => s === exp.result);
        const check: ResultCheck = {
          policy: exp.policy,
          rule: exp.rule,
          kind: exp.kind,
          resource,
          expected: exp.result,
          actual,
          ok,
        };
        const mismatch = found.find((r, i) => statuses[i] !== exp.result) ?? found[0];
        if (mismatch?.message) check.message = mismatch.message;
        report.checks.push(check);
        if (ok) report.passed++;
        else report.failed++;
      }
    }
  } catch (e) {
    report.errors.push(`test run failed: ${(e as Error).message}`);
  }
  return report;
}
