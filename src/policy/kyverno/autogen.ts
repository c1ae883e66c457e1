/**
 * Automatic rule generation for Pod controllers, as Kyverno's pkg/autogen/v1:
 * - policy-wide eligibility (no generate rules, no JSON6902 mutations, no names/selector/annotations
 *   in match/exclude, no Pod mixed with other kinds) and at least one Pod(-controller) kind;
 * - controllers from `pod-policies.kyverno.io/autogen-controllers` (comma list or `none`), default all;
 * - `autogen-<rule>` for DaemonSet, Deployment, Job, StatefulSet, ReplicaSet, ReplicationController with
 *   patterns moved under `spec.template`; `autogen-cronjob-<rule>` under `spec.jobTemplate.spec.template`;
 * - a textual rewrite of `request.object.spec|metadata` (and `request.oldObject…`) in the whole rule.
 */
import { kindsOfBlock, parseKindSelector } from './match.js';

export const AUTOGEN_ANNOTATION = 'pod-policies.kyverno.io/autogen-controllers';
const POD_CONTROLLERS = [
  'DaemonSet',
  'Deployment',
  'Job',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
  'CronJob',
];
const NON_CRON_CONTROLLERS = [
  'DaemonSet',
  'Deployment',
  'Job',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
];

type Rule = Record<string, unknown>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function containsKind(kinds: string[], kind: string): boolean {
  return kinds.some((k) => parseKindSelector(k).kind === kind);
}

function descriptions(block: unknown): Record<string, unknown>[] {
  if (!isRecord(block)) return [];
  const out: Record<string, unknown>[] = [];
  out.push(isRecord(block.resources) ? block.resources : {});
  for (const key of ['any', 'all']) {
    const list = block[key];
    if (Array.isArray(list))
      for (const f of list) out.push(isRecord(f) && isRecord(f.resources) ? f.resources : {});
  }
  return out;
}

function supportsAutogen(d: Record<string, unknown>, needed: { value: boolean }): boolean {
  const kinds = strings(d.kinds);
  if ((typeof d.name === 'string' && d.name !== '') || strings(d.names).length > 0) return false;
  if (d.selector !== undefined && d.selector !== null) return false;
  if (d.annotations !== undefined && d.annotations !== null) return false;
  if (kinds.length > 1 && containsKind(kinds, 'Pod')) return false;
  if (kinds.some((k) => k === 'Pod' || POD_CONTROLLERS.includes(k))) needed.value = true;
  return true;
}

/** Controllers Kyverno would generate rules for, or undefined when autogen does not apply. */
export function autogenControllers(policy: Record<string, unknown>): string[] | undefined {
  const spec = isRecord(policy.spec) ? policy.spec : {};
  const rules = Array.isArray(spec.rules) ? spec.rules.filter(isRecord) : [];
  const needed = { value: false };
  for (const rule of rules) {
    if (rule.generate !== undefined && rule.generate !== null) return undefined;
    const mutate = rule.mutate;
    if (isRecord(mutate)) {
      if (typeof mutate.patchesJson6902 === 'string' && mutate.patchesJson6902 !== '') return undefined;
      if (
        Array.isArray(mutate.foreach) &&
        mutate.foreach.some(
          (f) => isRecord(f) && typeof f.patchesJson6902 === 'string' && f.patchesJson6902 !== '',
        )
      )
        return undefined;
    }
    for (const d of [...descriptions(rule.match), ...descriptions(rule.exclude)]) {
      if (!supportsAutogen(d, needed)) return undefined;
    }
  }
  if (!needed.value) return undefined;
  const meta = isRecord(policy.metadata) ? policy.metadata : {};
  const annotations = isRecord(meta.annotations) ? meta.annotations : {};
  const requested = annotations[AUTOGEN_ANNOTATION];
  if (typeof requested === 'string') {
    const list = requested.split(',');
    return list.length === 1 && list[0] === 'none' ? undefined : list;
  }
  return [...POD_CONTROLLERS];
}

function autogenName(prefix: string, name: string): string {
  const n = `${prefix}-${name}`;
  return n.length > 63 ? n.slice(0, 63) : n;
}

type FilterRewrite = (filters: unknown[], kinds: string[]) => unknown[];

function rewriteFilters(
  block: Record<string, unknown>,
  kinds: string[],
  grf: FilterRewrite,
  isExclude: boolean,
): void {
  if (Array.isArray(block.any) && block.any.length) block.any = grf(block.any, kinds);
  else if (Array.isArray(block.all) && block.all.length) block.all = grf(block.all, kinds);
  else {
    const res = isRecord(block.resources)
      ? block.resources
      : ((block.resources = {}) as Record<string, unknown>);
    if (!isExclude || strings(res.kinds).length) res.kinds = kinds;
  }
}

function wrap(tplKey: string, target: unknown): Record<string, unknown> {
  return { spec: { [tplKey]: target } };
}

function carryValidate(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['message', 'failureAction', 'failureActionOverrides', 'allowExistingViolations']) {
    if (v[k] !== undefined) out[k] = v[k];
  }
  return out;
}

function generateRule(
  name: string,
  source: Rule | undefined,
  tplKey: string,
  kinds: string[],
  grf: FilterRewrite,
): Rule | undefined {
  if (!source) return undefined;
  const rule = clone(source);
  rule.name = name;
  const match = isRecord(rule.match) ? rule.match : ((rule.match = {}) as Record<string, unknown>);
  rewriteFilters(match, kinds, grf, false);
  if (isRecord(rule.exclude)) rewriteFilters(rule.exclude, kinds, grf, true);
  if (isRecord(rule.mutate)) {
    const m = rule.mutate;
    if (m.patchStrategicMerge !== undefined && m.patchStrategicMerge !== null) {
      rule.mutate = { patchStrategicMerge: wrap(tplKey, m.patchStrategicMerge) };
      return rule;
    }
    if (Array.isArray(m.foreach) && m.foreach.length) {
      rule.mutate = {
        foreach: m.foreach.filter(isRecord).map((f) => ({
          list: f.list,
          context: f.context,
          preconditions: f.preconditions,
          patchStrategicMerge: wrap(tplKey, f.patchStrategicMerge),
        })),
      };
      return rule;
    }
  }
  if (isRecord(rule.validate)) {
    const v = rule.validate;
    if (v.pattern !== undefined && v.pattern !== null) {
      rule.validate = { ...carryValidate(v), pattern: wrap(tplKey, v.pattern) };
      return rule;
    }
    if (v.deny !== undefined && v.deny !== null) {
      rule.validate = { ...carryValidate(v), deny: v.deny };
      return rule;
    }
    if (v.podSecurity !== undefined && v.podSecurity !== null) {
      rule.validate = { ...carryValidate(v), podSecurity: v.podSecurity };
      return rule;
    }
    if (Array.isArray(v.anyPattern)) {
      rule.validate = { ...carryValidate(v), anyPattern: v.anyPattern.map((p) => wrap(tplKey, p)) };
      return rule;
    }
    if (Array.isArray(v.foreach) && v.foreach.length) {
      rule.validate = { ...carryValidate(v), foreach: v.foreach };
      return rule;
    }
    if (v.cel !== undefined && v.cel !== null) return rule;
    if (v.assert !== undefined && v.assert !== null) return rule;
  }
  if (Array.isArray(rule.verifyImages)) return rule;
  return undefined;
}

function ruleForControllers(rule: Rule, controllers: string): Rule | undefined {
  const name = typeof rule.name === 'string' ? rule.name : '';
  if (name.startsWith('autogen-') || controllers === '') return undefined;
  const matchKinds = kindsOfBlock(rule.match);
  const excludeKinds = kindsOfBlock(rule.exclude);
  if (!containsKind(matchKinds, 'Pod') || (excludeKinds.length && !containsKind(excludeKinds, 'Pod')))
    return undefined;
  let list: string[];
  if (controllers === 'all') list = [...NON_CRON_CONTROLLERS];
  else {
    const valid = controllers.split(',').filter((c) => NON_CRON_CONTROLLERS.includes(c));
    list = valid.length ? valid : controllers.split(',');
  }
  list.sort();
  return generateRule(autogenName('autogen', name), rule, 'template', list, (filters, kinds) =>
    filters.map((f) => {
      if (!isRecord(f) || !isRecord(f.resources) || !containsKind(strings(f.resources.kinds), 'Pod'))
        return f;
      return { ...f, resources: { ...f.resources, kinds } };
    }),
  );
}

function cronJobRule(rule: Rule, controllers: string): Rule | undefined {
  if (!controllers.includes('CronJob') && !controllers.includes('all')) return undefined;
  const name = typeof rule.name === 'string' ? rule.name : '';
  return generateRule(
    autogenName('autogen-cronjob', name),
    ruleForControllers(rule, controllers),
    'jobTemplate',
    ['CronJob'],
    (filters, kinds) =>
      filters.map((f) =>
        isRecord(f) ? { ...f, resources: { ...(isRecord(f.resources) ? f.resources : {}), kinds } } : f,
      ),
  );
}

const POD_REWRITES: [string, string][] = [
  ['request.object.spec', 'request.object.spec.template.spec'],
  ['request.oldObject.spec', 'request.oldObject.spec.template.spec'],
  ['request.object.metadata', 'request.object.spec.template.metadata'],
  ['request.oldObject.metadata', 'request.oldObject.spec.template.metadata'],
];
const CRON_REWRITES: [string, string][] = [
  ['request.object.spec', 'request.object.spec.jobTemplate.spec.template.spec'],
  ['request.oldObject.spec', 'request.oldObject.spec.jobTemplate.spec.template.spec'],
  ['request.object.metadata', 'request.object.spec.jobTemplate.spec.template.metadata'],
  ['request.oldObject.metadata', 'request.oldObject.spec.jobTemplate.spec.template.metadata'],
];
const POD_CEL_REWRITES: [string, string][] = [
  ['object.spec', 'object.spec.template.spec'],
  ['oldObject.spec', 'oldObject.spec.template.spec'],
  ['object.metadata', 'object.spec.template.metadata'],
  ['oldObject.metadata', 'oldObject.spec.template.metadata'],
];
const CRON_CEL_REWRITES: [string, string][] = [
  ['object.spec', 'object.spec.jobTemplate.spec.template.spec'],
  ['oldObject.spec', 'oldObject.spec.jobTemplate.spec.template.spec'],
  ['object.metadata', 'object.spec.jobTemplate.spec.template.metadata'],
  ['oldObject.metadata', 'oldObject.spec.jobTemplate.spec.template.metadata'],
];

/** convertRule: keeps Kyverno's rule fields and rewrites request paths textually in the JSON. */
function convertRule(rule: Rule, target: 'Pod' | 'Cronjob'): Rule {
  const kept: Rule = { name: rule.name };
  for (const k of [
    'match',
    'exclude',
    'celPreconditions',
    'context',
    'preconditions',
    'mutate',
    'validate',
    'verifyImages',
    'skipBackgroundRequests',
  ]) {
    if (rule[k] !== undefined) kept[k] = rule[k];
  }
  const cel = isRecord(rule.validate) && rule.validate.cel !== undefined && rule.validate.cel !== null;
  const rewrites =
    target === 'Pod' ? (cel ? POD_CEL_REWRITES : POD_REWRITES) : cel ? CRON_CEL_REWRITES : CRON_REWRITES;
  let json = JSON.stringify(kept);
  for (const [from, to] of rewrites) json = json.split(from).join(to);
  return JSON.parse(json) as Rule;
}

/** autogen.ComputeRules(policy, ""): the policy's rules followed by the generated controller rules. */
export function computeRules(policy: Record<string, unknown>): Rule[] {
  const spec = isRecord(policy.spec) ? policy.spec : {};
  const rules = Array.isArray(spec.rules) ? spec.rules.filter(isRecord) : [];
  const controllers = autogenControllers(policy);
  if (!controllers) return rules;
  const joined = controllers.join(',');
  const generated: Rule[] = [];
  for (const rule of rules) {
    const forControllers = ruleForControllers(
      rule,
      joined
        .split(',')
        .filter((c) => c !== 'CronJob')
        .join(','),
    );
    if (forControllers) generated.push(convertRule(forControllers, 'Pod'));
    const cron = cronJobRule(rule, joined);
    if (cron) generated.push(convertRule(cron, 'Cronjob'));
  }
  if (!generated.length) return rules;
  return [
    ...rules.filter((r) => !(typeof r.name === 'string' && r.name.startsWith('autogen-'))),
    ...generated,
  ];
}
