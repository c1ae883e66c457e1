/**
 * `kyverno-test.yaml` (cli.kyverno.io/v1alpha1 `Test`, and the older un-typed shape with `name`,
 * `resource`, `status`) and the values file (`kind: Values`: globalValues, per-policy rule and
 * resource values, namespaceSelector, subresources).
 */

export interface ExpectedResult {
  policy: string;
  rule: string;
  /** Resource names (`name` or `namespace/name`). */
  resources: string[];
  kind: string;
  namespace?: string;
  result: string;
  patchedResources?: string;
  generatedResource?: string;
  cloneSourceResource?: string;
  isValidatingPolicy: boolean;
  isValidatingAdmissionPolicy: boolean;
}

export interface TestSpec {
  name: string;
  policies: string[];
  resources: string[];
  /** Path of a values file (`variables:` in the Test). */
  variables?: string;
  /** Inline values (`values:` in the Test). */
  values?: ValuesSpec;
  userinfo?: string;
  context?: string;
  exceptions: string[];
  results: ExpectedResult[];
}

export interface ValuesSpec {
  globalValues: Record<string, unknown>;
  policies: {
    name: string;
    rules: { name: string; values: Record<string, unknown>; foreachValues: Record<string, unknown[]> }[];
    resources: { name: string; values: Record<string, unknown> }[];
  }[];
  namespaceSelector: { name: string; labels: Record<string, string> }[];
  /** Namespace objects (for `namespaceObject` in CEL policies). */
  namespaces: Record<string, unknown>[];
  subresources: {
    subresource: { name: string; kind: string; group: string; version: string };
    parentResource: { name: string; kind: string; group: string; version: string };
  }[];
}

export interface UserInfoSpec {
  roles: string[];
  clusterRoles: string[];
  username?: string;
  uid?: string;
  groups: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(str).filter((s): s is string => s !== undefined) : [];
}

function record(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(record(v))) {
    const s = str(val);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

function parseResult(r: Record<string, unknown>): ExpectedResult {
  const resources = strings(r.resources);
  const single = str(r.resource);
  if (!resources.length && single) resources.push(single);
  const out: ExpectedResult = {
    policy: str(r.policy) ?? '',
    rule: str(r.rule) ?? '',
    resources,
    kind: str(r.kind) ?? '',
    result: (str(r.result) ?? str(r.status) ?? '').trim(),
    isValidatingPolicy: r.isValidatingPolicy === true,
    isValidatingAdmissionPolicy: r.isValidatingAdmissionPolicy === true,
  };
  const ns = str(r.namespace);
  if (ns) out.namespace = ns;
  const patched = str(r.patchedResources) ?? str(r.patchedResource);
  if (patched) out.patchedResources = patched;
  const generated = str(r.generatedResource);
  if (generated) out.generatedResource = generated;
  const clone = str(r.cloneSourceResource);
  if (clone) out.cloneSourceResource = clone;
  return out;
}

export function parseValues(doc: unknown): ValuesSpec {
  const d = record(doc);
  const spec: ValuesSpec = {
    globalValues: record(d.globalValues),
    policies: [],
    namespaceSelector: [],
    namespaces: (Array.isArray(d.namespaces) ? d.namespaces : []).filter(isRecord),
    subresources: [],
  };
  for (const p of Array.isArray(d.policies) ? d.policies : []) {
    if (!isRecord(p)) continue;
    spec.policies.push({
      name: str(p.name) ?? '',
      rules: (Array.isArray(p.rules) ? p.rules : []).filter(isRecord).map((r) => {
        const foreachValues: Record<string, unknown[]> = {};
        for (const [k, v] of Object.entries(record(r.foreachValues)))
          if (Array.isArray(v)) foreachValues[k] = v;
        return { name: str(r.name) ?? '', values: record(r.values), foreachValues };
      }),
      resources: (Array.isArray(p.resources) ? p.resources : [])
        .filter(isRecord)
        .map((r) => ({ name: str(r.name) ?? '', values: record(r.values) })),
    });
  }
  for (const n of Array.isArray(d.namespaceSelector) ? d.namespaceSelector : []) {
    if (isRecord(n)) spec.namespaceSelector.push({ name: str(n.name) ?? '', labels: stringRecord(n.labels) });
  }
  const gvk = (v: unknown) => {
    const r = record(v);
    return {
      name: str(r.name) ?? '',
      kind: str(r.kind) ?? '',
      group: str(r.group) ?? '',
      version: str(r.version) ?? '',
    };
  };
  for (const s of Array.isArray(d.subresources) ? d.subresources : []) {
    if (isRecord(s))
      spec.subresources.push({ subresource: gvk(s.subresource), parentResource: gvk(s.parentResource) });
  }
  return spec;
}

export function parseUserInfo(doc: unknown): UserInfoSpec {
  const d = record(doc);
  const user = record(d.userInfo);
  const out: UserInfoSpec = {
    roles: strings(d.roles),
    clusterRoles: strings(d.clusterRoles),
    groups: strings(user.groups),
  };
  const username = str(user.username);
  if (username) out.username = username;
  const uid = str(user.uid);
  if (uid) out.uid = uid;
  return out;
}

/** Parses a test document; undefined when it is not a test. */
export function parseTest(doc: unknown): TestSpec | undefined {
  if (!isRecord(doc)) return undefined;
  if (doc.kind !== undefined && doc.kind !== 'Test') return undefined;
  const meta = record(doc.metadata);
  const spec: TestSpec = {
    name: str(meta.name) ?? str(doc.name) ?? '',
    policies: strings(doc.policies),
    resources: strings(doc.resources),
    exceptions: strings(doc.exceptions),
    results: (Array.isArray(doc.results) ? doc.results : []).filter(isRecord).map(parseResult),
  };
  const variables = str(doc.variables);
  if (variables) spec.variables = variables;
  if (isRecord(doc.values)) spec.values = parseValues(doc.values);
  const userinfo = str(doc.userinfo);
  if (userinfo) spec.userinfo = userinfo;
  const context = str(doc.context);
  if (context) spec.context = context;
  return spec;
}
