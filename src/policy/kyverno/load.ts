/**
 * Loading Kyverno `ClusterPolicy` / `Policy` documents: structural checks reported as load errors
 * (policy + rule names), autogen rules computed once, per-policy data kept for evaluation.
 * Documents of other kinds are ignored (other loaders handle them).
 */
import type { FailureAction, LoadedPolicy, PolicyLoadError } from '../engine/types.js';
import { parseAnchor } from './anchors.js';
import { computeRules } from './autogen.js';
import { evaluateOperator } from './conditions.js';

export type Rule = Record<string, unknown>;

export interface PolicyInternal {
  kind: 'ClusterPolicy' | 'Policy';
  name: string;
  namespace?: string;
  spec: Record<string, unknown>;
  annotations: Record<string, string>;
  /** Rules after autogen (original rules first). */
  rules: Rule[];
}

const internals = new WeakMap<LoadedPolicy, PolicyInternal>();
const MAX_PATTERN_DEPTH = 100;
const VALIDATE_BODIES = [
  'pattern',
  'anyPattern',
  'deny',
  'foreach',
  'podSecurity',
  'cel',
  'manifests',
  'assert',
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isKyvernoPolicyDoc(doc: unknown): doc is Record<string, unknown> {
  return (
    isRecord(doc) &&
    (doc.kind === 'ClusterPolicy' || doc.kind === 'Policy') &&
    typeof doc.apiVersion === 'string' &&
    doc.apiVersion.startsWith('kyverno.io/')
  );
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** Anchor and shape checks of a validate pattern; returns the first problem. */
function checkPattern(pattern: unknown, path: string, depth: number): string | undefined {
  if (depth > MAX_PATTERN_DEPTH) return `pattern nested deeper than ${MAX_PATTERN_DEPTH} levels at ${path}`;
  if (Array.isArray(pattern)) {
    for (let i = 0; i < pattern.length; i++) {
      const p = checkPattern(pattern[i], `${path}${i}/`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (!isRecord(pattern)) return undefined;
  for (const [k, v] of Object.entries(pattern)) {
    const a = parseAnchor(k);
    if (a?.type === 'addIfNotPresent')
      return `add-if-not-present anchor ${k} is not allowed in validate patterns (${path})`;
    if (a?.type === 'existence' && !(Array.isArray(v) && v.every(isRecord)))
      return `existence anchor ${k} must have a list of maps as value (${path})`;
    const p = checkPattern(v, `${path}${k}/`, depth + 1);
    if (p) return p;
  }
  return undefined;
}

function conditionList(block: unknown): unknown[] | string {
  if (!present(block)) return [];
  if (Array.isArray(block)) return block;
  if (!isRecord(block)) return 'conditions must be a list or an object with any/all';
  const out: unknown[] = [];
  for (const key of ['any', 'all']) {
    const list = block[key];
    if (!present(list)) continue;
    if (!Array.isArray(list)) return `conditions.${key} must be a list`;
    out.push(...list);
  }
  return out;
}

function checkConditions(block: unknown, where: string): string | undefined {
  const list = conditionList(block);
  if (typeof list === 'string') return `${where}: ${list}`;
  for (const c of list) {
    if (!isRecord(c)) return `${where}: condition must be an object`;
    const op = c.operator;
    if (typeof op !== 'string' || evaluateOperator(op, '', '') === undefined)
      return `${where}: unknown condition operator ${JSON.stringify(op)}`;
  }
  return undefined;
}

function checkFailureAction(v: unknown, where: string): string | undefined {
  if (!present(v)) return undefined;
  if (typeof v !== 'string' || !['audit', 'enforce'].includes(v.toLowerCase()))
    return `${where}: failure action must be Audit or Enforce, got ${JSON.stringify(v)}`;
  return undefined;
}

function checkValidateBody(
  v: Record<string, unknown>,
  where: string,
  inForeach: boolean,
): string | undefined {
  const bodies = VALIDATE_BODIES.filter((b) => present(v[b]));
  if (bodies.length === 0 && !inForeach)
    return `${where}: validate needs one of ${VALIDATE_BODIES.join(', ')}`;
  if (bodies.length > 1) return `${where}: only one of ${bodies.join(', ')} may be given`;
  if (present(v.pattern)) {
    if (!isRecord(v.pattern) && !Array.isArray(v.pattern)) return `${where}: pattern must be an object`;
    const p = checkPattern(v.pattern, '/', 0);
    if (p) return `${where}: invalid pattern: ${p}`;
  }
  if (present(v.anyPattern)) {
    if (!Array.isArray(v.anyPattern) || v.anyPattern.length === 0)
      return `${where}: anyPattern must be a non-empty list`;
    for (let i = 0; i < v.anyPattern.length; i++) {
      const p = checkPattern(v.anyPattern[i], '/', 0);
      if (p) return `${where}: invalid anyPattern[${i}]: ${p}`;
    }
  }
  if (present(v.deny)) {
    if (!isRecord(v.deny)) return `${where}: deny must be an object`;
    const c = checkConditions(v.deny.conditions, `${where}: deny.conditions`);
    if (c) return c;
  }
  if (present(v.foreach)) {
    if (!Array.isArray(v.foreach)) return `${where}: foreach must be a list`;
    for (let i = 0; i < v.foreach.length; i++) {
      const fe = v.foreach[i];
      const w = `${where}: foreach[${i}]`;
      if (!isRecord(fe)) return `${w} must be an object`;
      if (typeof fe.list !== 'string' || fe.list.trim() === '') return `${w}: list is required`;
      const c = checkConditions(fe.preconditions, `${w}.preconditions`);
      if (c) return c;
      const b = checkValidateBody(fe, w, true);
      if (b) return b;
    }
  }
  return undefined;
}

function checkVerifyImages(list: unknown): string | undefined {
  if (!Array.isArray(list) || list.length === 0) return 'verifyImages must be a non-empty list';
  for (let i = 0; i < list.length; i++) {
    const iv: unknown = list[i];
    const where = `verifyImages[${i}]`;
    if (!isRecord(iv)) return `${where} must be an object`;
    const refs = iv.imageReferences ?? iv.image;
    const refList = typeof refs === 'string' ? [refs] : refs;
    if (!Array.isArray(refList) || refList.length === 0 || !refList.every((r) => typeof r === 'string'))
      return `${where}: imageReferences must be a non-empty list of image patterns`;
    const f = checkFailureAction(iv.failureAction, `${where}.failureAction`);
    if (f) return f;
    if (!present(iv.attestations)) continue;
    if (!Array.isArray(iv.attestations)) return `${where}.attestations must be a list`;
    for (let j = 0; j < iv.attestations.length; j++) {
      const a: unknown = iv.attestations[j];
      if (!isRecord(a)) return `${where}.attestations[${j}] must be an object`;
      const blocks = Array.isArray(a.conditions) ? a.conditions : [a.conditions];
      for (const block of blocks) {
        const c = checkConditions(block, `${where}.attestations[${j}].conditions`);
        if (c) return c;
      }
    }
  }
  return undefined;
}

function checkRule(rule: Rule): string | undefined {
  if (!['validate', 'mutate', 'generate', 'verifyImages'].some((k) => present(rule[k])))
    return 'rule needs one of validate, mutate, generate, verifyImages';
  if (!isRecord(rule.match)) return 'rule needs a match block';
  const c = checkConditions(rule.preconditions, 'preconditions');
  if (c) return c;
  if (present(rule.verifyImages) && !present(rule.validate)) return checkVerifyImages(rule.verifyImages);
  if (present(rule.validate)) {
    if (!isRecord(rule.validate)) return 'validate must be an object';
    const f = checkFailureAction(rule.validate.failureAction, 'validate.failureAction');
    if (f) return f;
    return checkValidateBody(rule.validate, 'validate', false);
  }
  return undefined;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function loadOne(doc: Record<string, unknown>): { policy?: LoadedPolicy; errors: PolicyLoadError[] } {
  const meta = isRecord(doc.metadata) ? doc.metadata : {};
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : '';
  const label = name || '<unnamed>';
  if (!name) return { errors: [{ policy: label, message: 'policy has no metadata.name' }] };
  if (!isRecord(doc.spec)) return { errors: [{ policy: name, message: 'policy has no spec' }] };
  const spec = doc.spec;
  const errors: PolicyLoadError[] = [];
  const f = checkFailureAction(spec.validationFailureAction, 'spec.validationFailureAction');
  if (f) errors.push({ policy: name, message: f });
  if (!Array.isArray(spec.rules) || spec.rules.length === 0)
    return { errors: [...errors, { policy: name, message: 'spec.rules must be a non-empty list' }] };
  const seen = new Set<string>();
  spec.rules.forEach((rule, i) => {
    if (!isRecord(rule)) {
      errors.push({ policy: name, message: `spec.rules[${i}] must be an object` });
      return;
    }
    const ruleName = typeof rule.name === 'string' ? rule.name : '';
    if (!ruleName) {
      errors.push({ policy: name, message: `spec.rules[${i}] has no name` });
      return;
    }
    if (seen.has(ruleName)) errors.push({ policy: name, rule: ruleName, message: 'duplicate rule name' });
    seen.add(ruleName);
    const problem = checkRule(rule);
    if (problem) errors.push({ policy: name, rule: ruleName, message: problem });
  });
  if (errors.length) return { errors };
  let rules: Rule[];
  try {
    rules = computeRules(doc);
  } catch (e) {
    return { errors: [{ policy: name, message: `autogen failed: ${(e as Error).message}` }] };
  }
  const kind = doc.kind as 'ClusterPolicy' | 'Policy';
  const namespace =
    kind === 'Policy'
      ? typeof meta.namespace === 'string' && meta.namespace
        ? meta.namespace
        : 'default'
      : undefined;
  const policy: LoadedPolicy = { kind, name, source: doc };
  if (namespace) policy.namespace = namespace;
  internals.set(policy, { kind, name, namespace, spec, annotations: stringMap(meta.annotations), rules });
  return { policy, errors: [] };
}

/** Loads every Kyverno ClusterPolicy/Policy among `docs`; other documents are ignored. Never throws. */
export function loadKyvernoPolicies(docs: unknown[]): {
  policies: LoadedPolicy[];
  errors: PolicyLoadError[];
} {
  const policies: LoadedPolicy[] = [];
  const errors: PolicyLoadError[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    if (!isKyvernoPolicyDoc(doc)) continue;
    try {
      const r = loadOne(doc);
      if (r.policy) policies.push(r.policy);
      errors.push(...r.errors);
    } catch (e) {
      const meta = isRecord(doc.metadata) ? doc.metadata : {};
      errors.push({
        policy: typeof meta.name === 'string' ? meta.name : '<unnamed>',
        message: (e as Error).message,
      });
    }
  }
  return { policies, errors };
}

/** Internal data of a loaded policy (loading it from `source` when it came from elsewhere). */
export function policyInternal(policy: LoadedPolicy): PolicyInternal | undefined {
  const hit = internals.get(policy);
  if (hit) return hit;
  if (!isKyvernoPolicyDoc(policy.source)) return undefined;
  const r = loadOne(policy.source);
  if (!r.policy) return undefined;
  const internal = internals.get(r.policy);
  if (internal) internals.set(policy, internal);
  return internal;
}

export function normalizeFailureAction(v: unknown): FailureAction | undefined {
  if (typeof v !== 'string') return undefined;
  const l = v.toLowerCase();
  return l === 'enforce' ? 'Enforce' : l === 'audit' ? 'Audit' : undefined;
}
