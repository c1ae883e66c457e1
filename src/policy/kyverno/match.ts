/**
 * Kyverno `match` / `exclude` (pkg/engine/utils/match.go): `any` (OR), `all` (AND) or the legacy flat
 * `resources` + user-info form. Inside one filter every given attribute must hold (kinds incl.
 * `group/version/Kind` and wildcards, names, namespaces, annotations, selector, namespaceSelector,
 * operations); roles, clusterRoles and subjects are ignored for matching when the request carries
 * no user information (background-style evaluation), as Kyverno does.
 */
import type { KubeObject, RequestContext } from '../engine/types.js';
import { containsWildcard, wildcardMatch } from './wildcard.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export function gvkOf(resource: KubeObject): GroupVersionKind {
  const apiVersion = typeof resource.apiVersion === 'string' ? resource.apiVersion : '';
  const kind = typeof resource.kind === 'string' ? resource.kind : '';
  const slash = apiVersion.indexOf('/');
  return slash >= 0
    ? { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind }
    : { group: '', version: apiVersion, kind };
}

function startsUpper(s: string): boolean {
  return s.length > 0 && s[0] === s[0]!.toUpperCase() && s[0] !== s[0]!.toLowerCase();
}

/** kubeutils.ParseKindSelector: `Kind`, `Kind/sub`, `version/Kind`, `group/version/Kind[/sub]`. */
const kindSelectorCache = new Map<string, { group: string; version: string; kind: string; sub: string }>();

export function parseKindSelector(input: string): {
  group: string;
  version: string;
  kind: string;
  sub: string;
} {
  let hit = kindSelectorCache.get(input);
  if (!hit) {
    hit = parseKindSelectorUncached(input);
    if (kindSelectorCache.size > 4096) kindSelectorCache.clear();
    kindSelectorCache.set(input, hit);
  }
  return hit;
}

function parseKindSelectorUncached(input: string): {
  group: string;
  version: string;
  kind: string;
  sub: string;
} {
  const parts = input.split('/');
  if (parts.length === 1) return { group: '*', version: '*', kind: parts[0]!, sub: '' };
  if (parts.length === 2) {
    if (startsUpper(parts[0]!) || parts[0] === '*')
      return { group: '*', version: '*', kind: parts[0]!, sub: parts[1]! };
    return { group: '*', version: parts[0]!, kind: parts[1]!, sub: '' };
  }
  if (parts.length === 3) {
    if (startsUpper(parts[1]!) || (parts[1] === '*' && !startsUpper(parts[2]!)))
      return { group: '*', version: parts[0]!, kind: parts[1]!, sub: parts[2]! };
    return { group: parts[0]!, version: parts[1]!, kind: parts[2]!, sub: '' };
  }
  return { group: parts[0]!, version: parts[1]!, kind: parts[2]!, sub: parts.slice(3).join('/') };
}

export function kindMatches(kinds: string[], gvk: GroupVersionKind, subresource = ''): boolean {
  for (const k of kinds) {
    const sel = parseKindSelector(k);
    // The kind first: it is what differs between most rules and a resource.
    if (
      wildcardMatch(sel.kind, gvk.kind) &&
      wildcardMatch(sel.group, gvk.group) &&
      wildcardMatch(sel.version, gvk.version) &&
      wildcardMatch(sel.sub, subresource)
    )
      return true;
  }
  return false;
}

/** Bare kind names of selectors (`apps/v1/Deployment` → `Deployment`). */
export function kindNames(kinds: string[]): string[] {
  return kinds.map((k) => parseKindSelector(k).kind);
}

// ---------------------------------------------------------------- label selectors

/** metav1.LabelSelector with Kyverno's wildcard expansion of matchLabels; undefined on invalid selector. */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean | undefined {
  if (!isRecord(selector)) return undefined;
  const matchLabels = stringMap(selector.matchLabels);
  for (const [rawK, rawV] of Object.entries(matchLabels)) {
    let k = rawK;
    let v = rawV;
    if (containsWildcard(k) || containsWildcard(v)) {
      const hit = Object.entries(labels).find(
        ([lk, lv]) => wildcardMatch(rawK, lk) && wildcardMatch(rawV, lv),
      );
      if (hit) [k, v] = hit;
      else {
        k = k.replace(/[*?]/g, '0');
        v = v.replace(/[*?]/g, '0');
      }
    }
    if (labels[k] !== v) return false;
  }
  const exprs = selector.matchExpressions;
  if (exprs !== undefined && exprs !== null && !Array.isArray(exprs)) return undefined;
  for (const e of Array.isArray(exprs) ? exprs : []) {
    if (!isRecord(e) || typeof e.key !== 'string' || typeof e.operator !== 'string') return undefined;
    const values = strings(e.values);
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In':
        if (!values.length) return undefined;
        if (!has || !values.includes(labels[e.key]!)) return false;
        break;
      case 'NotIn':
        if (!values.length) return undefined;
        if (has && values.includes(labels[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return undefined;
    }
  }
  return true;
}

// ---------------------------------------------------------------- filters

interface UserInfoFilter {
  roles: string[];
  clusterRoles: string[];
  subjects: Record<string, unknown>[];
}

function userInfoOf(f: Record<string, unknown>): UserInfoFilter {
  return {
    roles: strings(f.roles),
    clusterRoles: strings(f.clusterRoles),
    subjects: Array.isArray(f.subjects) ? f.subjects.filter(isRecord) : [],
  };
}

function isEmptyUserInfo(u: UserInfoFilter): boolean {
  return !u.roles.length && !u.clusterRoles.length && !u.subjects.length;
}

function hasRequestUserInfo(ctx: RequestContext): boolean {
  const u = ctx.userInfo;
  return Boolean(
    (u && (u.username || u.uid || (u.groups && u.groups.length))) ||
    (ctx.roles && ctx.roles.length) ||
    (ctx.clusterRoles && ctx.clusterRoles.length),
  );
}

function subjectsMatch(subjects: Record<string, unknown>[], ctx: RequestContext): boolean {
  const username = ctx.userInfo?.username ?? '';
  const groups = ctx.userInfo?.groups ?? [];
  for (const s of subjects) {
    const name = typeof s.name === 'string' ? s.name : '';
    switch (s.kind) {
      case 'ServiceAccount': {
        const ns = typeof s.namespace === 'string' ? s.namespace : '';
        if (wildcardMatch(`system:serviceaccount:${ns}:${name}`, username)) return true;
        break;
      }
      case 'Group':
        if (groups.some((g) => wildcardMatch(name, g))) return true;
        break;
      case 'User':
        if (wildcardMatch(name, username)) return true;
        break;
    }
  }
  return false;
}

export interface MatchInput {
  resource: KubeObject;
  ctx: RequestContext;
  operation: string;
  subresource?: string;
  /** gvkOf(resource), when the caller computed it once for many rules. */
  gvk?: GroupVersionKind;
}

function metaOf(resource: KubeObject): Record<string, unknown> {
  return isRecord(resource.metadata) ? resource.metadata : {};
}

/**
 * A filter's resource description and user info, read once per filter object (policies are immutable
 * once loaded, so the compiled form is cached by identity).
 */
interface CompiledFilter {
  empty: boolean;
  operations: string[];
  kinds: string[];
  name: string | undefined;
  names: string[];
  namespaces: string[];
  annotations: [string, string][];
  selector: unknown;
  namespaceSelector: unknown;
  user: UserInfoFilter;
}

const compiledFilters = new WeakMap<Record<string, unknown>, CompiledFilter>();

function compileFilter(filter: Record<string, unknown>): CompiledFilter {
  const hit = compiledFilters.get(filter);
  if (hit) return hit;
  const description = descriptionOf(filter);
  const user = userInfoOf(filter);
  const compiled: CompiledFilter = {
    empty: isEmptyDescription(description),
    operations: strings(description.operations),
    kinds: strings(description.kinds),
    name: typeof description.name === 'string' && description.name !== '' ? description.name : undefined,
    names: strings(description.names),
    namespaces: strings(description.namespaces),
    annotations: Object.entries(stringMap(description.annotations)),
    selector: description.selector,
    namespaceSelector: description.namespaceSelector,
    user,
  };
  compiledFilters.set(filter, compiled);
  return compiled;
}

const NO_USER: UserInfoFilter = { roles: [], clusterRoles: [], subjects: [] };

/** Reasons why one resource description + user info block does not match (empty = match). */
function conditionBlockErrors(f: CompiledFilter, user: UserInfoFilter, input: MatchInput): string[] {
  const { resource, ctx } = input;
  const meta = metaOf(resource);
  const errs: string[] = [];
  if (f.operations.length && !f.operations.includes(input.operation)) return ['operation does not match'];
  if (f.kinds.length && !kindMatches(f.kinds, input.gvk ?? gvkOf(resource), input.subresource ?? ''))
    errs.push('kind does not match');
  let name = typeof meta.name === 'string' ? meta.name : '';
  if (name === '' && typeof meta.generateName === 'string') name = meta.generateName;
  if (f.name !== undefined && !wildcardMatch(f.name, name)) errs.push('name does not match');
  if (f.names.length && !f.names.some((n) => wildcardMatch(n, name))) errs.push('none of the names match');
  if (f.namespaces.length) {
    const ns =
      resource.kind === 'Namespace' ? name : typeof meta.namespace === 'string' ? meta.namespace : '';
    if (!f.namespaces.some((n) => wildcardMatch(n, ns))) errs.push('namespace does not match');
  }
  if (f.annotations.length) {
    const actual = Object.entries(stringMap(meta.annotations));
    const ok = f.annotations.every(([k, v]) =>
      actual.some(([ak, av]) => wildcardMatch(k, ak) && wildcardMatch(v, av)),
    );
    if (!ok) errs.push('annotations does not match');
  }
  if (f.selector !== undefined && f.selector !== null) {
    const r = labelSelectorMatches(f.selector, stringMap(meta.labels));
    if (r === undefined) errs.push('failed to parse selector');
    else if (!r) errs.push('selector does not match');
  }
  if (f.namespaceSelector !== undefined && f.namespaceSelector !== null) {
    if (resource.kind === 'Namespace')
      errs.push('namespace selector is not applicable for namespace resource');
    else {
      const r = labelSelectorMatches(f.namespaceSelector, ctx.namespaceLabels ?? {});
      if (r === undefined) errs.push('failed to parse namespace selector');
      else if (!r) errs.push('namespace selector does not match labels');
    }
  }
  if (user.roles.length && !user.roles.some((r) => (ctx.roles ?? []).includes(r)))
    errs.push('user info does not match roles');
  if (user.clusterRoles.length && !user.clusterRoles.some((r) => (ctx.clusterRoles ?? []).includes(r)))
    errs.push('user info does not match clusterRoles');
  if (user.subjects.length && !subjectsMatch(user.subjects, ctx))
    errs.push('user info does not match subject');
  return errs;
}

function descriptionOf(filter: Record<string, unknown>): Record<string, unknown> {
  return isRecord(filter.resources) ? filter.resources : {};
}

function isEmptyDescription(d: Record<string, unknown>): boolean {
  return Object.values(d).every(
    (v) =>
      v === undefined ||
      v === null ||
      v === '' ||
      (Array.isArray(v) && v.length === 0) ||
      (isRecord(v) && Object.keys(v).length === 0),
  );
}

function matchFilterErrors(filter: Record<string, unknown>, input: MatchInput): string[] {
  const f = compileFilter(filter);
  const user = hasRequestUserInfo(input.ctx) ? f.user : NO_USER;
  if (f.empty && isEmptyUserInfo(user)) return ['match cannot be empty'];
  return conditionBlockErrors(f, user, input);
}

function excludeFilterMatches(filter: Record<string, unknown>, input: MatchInput): boolean {
  const f = compileFilter(filter);
  if (f.empty && isEmptyUserInfo(f.user)) return false;
  return conditionBlockErrors(f, f.user, input).length === 0;
}

function filters(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

/** Whether a rule's match/exclude selects the resource. */
export function ruleMatches(rule: Record<string, unknown>, input: MatchInput): boolean {
  const match = isRecord(rule.match) ? rule.match : {};
  const anyF = filters(match.any);
  const allF = filters(match.all);
  let matched: boolean;
  if (anyF.length) matched = anyF.some((f) => matchFilterErrors(f, input).length === 0);
  else if (allF.length) matched = allF.every((f) => matchFilterErrors(f, input).length === 0);
  else matched = matchFilterErrors(match, input).length === 0;
  if (!matched) return false;
  const exclude = isRecord(rule.exclude) ? rule.exclude : undefined;
  if (!exclude) return true;
  const exAny = filters(exclude.any);
  const exAll = filters(exclude.all);
  if (exAny.length) return !exAny.some((f) => excludeFilterMatches(f, input));
  if (exAll.length) return !exAll.every((f) => excludeFilterMatches(f, input));
  return !excludeFilterMatches(exclude, input);
}

/** All kinds named in a match/exclude block (resources + any + all). */
export function kindsOfBlock(block: unknown): string[] {
  if (!isRecord(block)) return [];
  const out = strings(descriptionOf(block).kinds);
  for (const f of [...filters(block.any), ...filters(block.all)])
    out.push(...strings(descriptionOf(f).kinds));
  return out;
}
