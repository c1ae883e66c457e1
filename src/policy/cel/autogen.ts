/**
 * Pod-controller variants of a Pod-only ValidatingPolicy, as Kyverno generates them
 * (pkg/cel/autogen): match constraints retargeted to the controllers, and every CEL text rewritten
 * from `object.spec` / `object.metadata` to the pod template (`oldObject` too).
 */

export type TemplatePath = 'template' | 'cronjob';

export interface AutogenTarget {
  group: string;
  version: string;
  resource: string;
  kind: string;
}

export interface AutogenVariant {
  path: TemplatePath;
  targets: AutogenTarget[];
}

const CONTROLLERS: Record<string, { path: TemplatePath; target: AutogenTarget }> = {
  daemonsets: {
    path: 'template',
    target: { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet' },
  },
  deployments: {
    path: 'template',
    target: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment' },
  },
  replicasets: {
    path: 'template',
    target: { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet' },
  },
  statefulsets: {
    path: 'template',
    target: { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet' },
  },
  jobs: { path: 'template', target: { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job' } },
  cronjobs: {
    path: 'cronjob',
    target: { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob' },
  },
};

const PREFIX: Record<TemplatePath, string> = {
  template: 'spec.template.',
  cronjob: 'spec.jobTemplate.spec.template.',
};

/** `object.metadata.name` / `.namespace` stay on the controller (Kyverno's protected suffixes, applied to every replacement). */
function isProtected(rest: string): boolean {
  return /^\.(name|namespace)(?![A-Za-z0-9_])/.test(rest);
}

function replaceAll(text: string, from: string, to: string): string {
  let out = '';
  let index = text.indexOf(from);
  let last = 0;
  while (index >= 0) {
    out += text.slice(last, index);
    const rest = text.slice(index + from.length);
    out += isProtected(rest) ? from : to;
    last = index + from.length;
    index = text.indexOf(from, last);
  }
  return out + text.slice(last);
}

/** Rewrites one CEL text for a pod controller. Exposed for `validate.cel` autogen in the engine. */
export function rewriteCelForController(text: string, path: TemplatePath): string {
  let out = text;
  for (const field of ['spec', 'metadata'] as const) {
    for (const root of ['object', 'oldObject'] as const) {
      out = replaceAll(out, `${root}.${field}`, `${root}.${PREFIX[path]}${field}`);
    }
  }
  return out;
}

/** Applies the rewrite to every string inside a (policy spec) value. */
export function rewriteStrings(value: unknown, path: TemplatePath, depth = 0): unknown {
  if (depth > 64) return value;
  if (typeof value === 'string') return rewriteCelForController(value, path);
  if (Array.isArray(value)) return value.map((item) => rewriteStrings(item, path, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out[key] = rewriteStrings(item, path, depth + 1);
    }
    return out;
  }
  return value;
}

type Rec = Record<string, unknown>;

function rec(value: unknown): Rec | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Rec) : undefined;
}

function onlyValue(value: unknown, expected: string): boolean {
  return Array.isArray(value) && value.length === 1 && value[0] === expected;
}

function nonEmptySelector(value: unknown): boolean {
  const selector = rec(value);
  if (!selector) return false;
  const labels = rec(selector['matchLabels']);
  const expressions = selector['matchExpressions'];
  return (
    (labels !== undefined && Object.keys(labels).length > 0) ||
    (Array.isArray(expressions) && expressions.length > 0)
  );
}

/** Kyverno's CanAutoGen: a single `pods` rule in core/v1, no selectors, exclusions or names. */
export function canAutogen(matchConstraints: unknown): boolean {
  const match = rec(matchConstraints);
  if (!match) return false;
  if (nonEmptySelector(match['namespaceSelector']) || nonEmptySelector(match['objectSelector'])) return false;
  const excluded = match['excludeResourceRules'];
  if (Array.isArray(excluded) && excluded.length > 0) return false;
  const rules = match['resourceRules'];
  if (!Array.isArray(rules) || rules.length !== 1) return false;
  const rule = rec(rules[0]) ?? {};
  const names = rule['resourceNames'];
  if (Array.isArray(names) && names.length > 0) return false;
  return (
    onlyValue(rule['apiGroups'], '') &&
    onlyValue(rule['apiVersions'], 'v1') &&
    onlyValue(rule['resources'], 'pods')
  );
}

/**
 * The controller variants to generate: `spec.autogen.podControllers.controllers` when set (an empty
 * list disables autogen), otherwise all six controllers.
 */
export function autogenVariants(spec: Rec): AutogenVariant[] {
  if (!canAutogen(spec['matchConstraints'])) return [];
  const configured = rec(rec(spec['autogen'])?.['podControllers'])?.['controllers'];
  const names = Array.isArray(configured) ? configured.map(String) : Object.keys(CONTROLLERS);
  const byPath = new Map<TemplatePath, AutogenTarget[]>();
  for (const name of names) {
    const config = CONTROLLERS[name.toLowerCase()];
    if (!config) continue;
    byPath.set(config.path, [...(byPath.get(config.path) ?? []), config.target]);
  }
  return (['template', 'cronjob'] as const)
    .filter((path) => byPath.has(path))
    .map((path) => ({ path, targets: byPath.get(path) ?? [] }));
}

/** The spec of one variant: retargeted match constraints and rewritten expressions. */
export function autogenSpec(spec: Rec, variant: AutogenVariant): Rec {
  const firstRule = rec((rec(spec['matchConstraints'])?.['resourceRules'] as unknown[] | undefined)?.[0]);
  const operations = Array.isArray(firstRule?.['operations']) ? firstRule['operations'] : [];
  const { matchConstraints: _ignored, ...rest } = spec;
  const rewritten = rewriteStrings(rest, variant.path) as Rec;
  rewritten['matchConstraints'] = {
    resourceRules: variant.targets.map((target) => ({
      apiGroups: [target.group],
      apiVersions: [target.version],
      resources: [target.resource],
      operations,
    })),
  };
  return rewritten;
}
