/**
 * Admission `matchConstraints` (ValidatingAdmissionPolicy / ValidatingPolicy): resource rules,
 * exclusions, namespace and object label selectors.
 */
import type { KubeObject, RequestContext } from '../engine/types.js';
import type { RequestFacts } from './activation.js';

export interface ResourceRule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  operations: string[];
  resourceNames: string[];
  scope: string;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values: string[];
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
}

export interface MatchConstraints {
  resourceRules: ResourceRule[];
  excludeResourceRules: ResourceRule[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

type Rec = Record<string, unknown>;

function rec(value: unknown): Rec | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Rec) : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function parseResourceRule(value: unknown): ResourceRule {
  const r = rec(value) ?? {};
  return {
    apiGroups: strings(r['apiGroups']),
    apiVersions: strings(r['apiVersions']),
    resources: strings(r['resources']),
    operations: strings(r['operations']),
    resourceNames: strings(r['resourceNames']),
    scope: typeof r['scope'] === 'string' ? r['scope'] : '*',
  };
}

export function parseLabelSelector(value: unknown): LabelSelector | undefined {
  const r = rec(value);
  if (!r) return undefined;
  const matchLabels: Record<string, string> = {};
  for (const [key, label] of Object.entries(rec(r['matchLabels']) ?? {})) matchLabels[key] = String(label);
  const matchExpressions = (Array.isArray(r['matchExpressions']) ? r['matchExpressions'] : []).map((item) => {
    const e = rec(item) ?? {};
    return {
      key: String(e['key'] ?? ''),
      operator: String(e['operator'] ?? ''),
      values: strings(e['values']),
    };
  });
  return { matchLabels, matchExpressions };
}

export function parseMatchConstraints(value: unknown): MatchConstraints {
  const r = rec(value) ?? {};
  const constraints: MatchConstraints = {
    resourceRules: (Array.isArray(r['resourceRules']) ? r['resourceRules'] : []).map(parseResourceRule),
    excludeResourceRules: (Array.isArray(r['excludeResourceRules']) ? r['excludeResourceRules'] : []).map(
      parseResourceRule,
    ),
  };
  const namespaceSelector = parseLabelSelector(r['namespaceSelector']);
  if (namespaceSelector) constraints.namespaceSelector = namespaceSelector;
  const objectSelector = parseLabelSelector(r['objectSelector']);
  if (objectSelector) constraints.objectSelector = objectSelector;
  return constraints;
}

export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, unknown>,
): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (labels[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
    const value = has ? String(labels[requirement.key]) : undefined;
    switch (requirement.operator) {
      case 'In':
        if (value === undefined || !requirement.values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && requirement.values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function listed(list: readonly string[], value: string): boolean {
  return list.includes('*') || list.includes(value);
}

function ruleMatches(rule: ResourceRule, facts: RequestFacts): boolean {
  const { info } = facts;
  if (!listed(rule.apiGroups, info.group) || !listed(rule.apiVersions, info.version)) return false;
  if (!rule.resources.some((r) => r === info.resource || r === '*' || r === '*/*')) return false;
  if (!listed(rule.operations, facts.operation)) return false;
  if (rule.resourceNames.length > 0 && !rule.resourceNames.includes(facts.name)) return false;
  if (rule.scope === 'Cluster' && info.namespaced) return false;
  if (rule.scope === 'Namespaced' && !info.namespaced) return false;
  return true;
}

function labelsOf(object: KubeObject | null): Record<string, unknown> {
  return rec(rec(object?.['metadata'])?.['labels']) ?? {};
}

/** Whether the request falls under these constraints (before `matchConditions`). */
export function constraintsMatch(
  constraints: MatchConstraints,
  facts: RequestFacts,
  ctx: RequestContext,
  namespaceObject: KubeObject | null,
): boolean {
  if (!constraints.resourceRules.some((rule) => ruleMatches(rule, facts))) return false;
  if (constraints.excludeResourceRules.some((rule) => ruleMatches(rule, facts))) return false;
  if (constraints.objectSelector) {
    const selector = constraints.objectSelector;
    const candidates = [facts.object, facts.oldObject].filter((o): o is KubeObject => o !== null);
    if (!candidates.some((object) => selectorMatches(selector, labelsOf(object)))) return false;
  }
  if (constraints.namespaceSelector) {
    const source = facts.object ?? facts.oldObject;
    let labels: Record<string, unknown> | undefined;
    if (facts.info.kind === 'Namespace') labels = labelsOf(source);
    else if (facts.info.namespaced) labels = ctx.namespaceLabels ?? labelsOf(namespaceObject);
    if (labels && !selectorMatches(constraints.namespaceSelector, labels)) return false;
  }
  return true;
}
