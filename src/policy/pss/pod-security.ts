/**
 * Public entry points: evaluate the Pod Security Standards on a Pod or a pod controller, and Kyverno's
 * `validate.podSecurity` rule with its message format.
 */
import type { KubeObject, RequestContext } from '../engine/types.js';
import { listContainers } from './containers.js';
import { parseLevel, parseVersion, runChecks, type CheckOutcome, type LevelVersion } from './evaluate.js';
import { applyExclusions } from './exclusions.js';
import { controlNameOf, isKnownControl } from './registry.js';
import type { PodSecurityExclusion, PodView, PssFieldError, PssLevel, PssViolation } from './types.js';
import { asArray, asRecord, asString, dig, sortedUnique } from './values.js';

const TEMPLATE_KINDS = new Set([
  'DaemonSet',
  'Deployment',
  'Job',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
]);

/**
 * The pod metadata and spec of a Pod or pod controller, as Kyverno's `getSpec` extracts them.
 * For a CronJob Kyverno takes the metadata of `spec.jobTemplate` (not of the pod template): kept as is.
 */
export function podViewOf(resource: KubeObject): PodView | { error: string } {
  const kind = resource['kind'];
  let spec: unknown;
  let metadata: unknown;
  if (kind === 'Pod') {
    spec = resource['spec'];
    metadata = resource['metadata'];
  } else if (typeof kind === 'string' && TEMPLATE_KINDS.has(kind)) {
    spec = dig(resource, 'spec', 'template', 'spec');
    metadata = dig(resource, 'spec', 'template', 'metadata');
  } else if (kind === 'CronJob') {
    spec = dig(resource, 'spec', 'jobTemplate', 'spec', 'template', 'spec');
    metadata = dig(resource, 'spec', 'jobTemplate', 'metadata');
  } else {
    return { error: 'Could not find correct resource type' };
  }
  return { spec: asRecord(spec) ?? {}, metadata: asRecord(metadata) ?? {} };
}

export interface PodSecurityOptions {
  level: PssLevel | string;
  /** `latest` (default) or `v1.N`. */
  version?: string;
  exclude?: readonly PodSecurityExclusion[];
}

export interface PodSecurityEvaluation {
  allowed: boolean;
  violations: PssViolation[];
  /** Set when the input could not be evaluated (unknown level/version/kind); violations are then empty. */
  error?: string;
}

function imagesOf(pod: PodView, fields: readonly PssFieldError[]): string[] {
  const byPath = new Map(listContainers(pod.spec).map((ref) => [ref.path, ref.image]));
  const images: string[] = [];
  for (const { field } of fields) {
    const match = /^spec\.(initContainers|containers|ephemeralContainers)\[\d+\]/.exec(field);
    const image = match ? byPath.get(match[0]) : undefined;
    if (image !== undefined && image !== '') images.push(image);
  }
  return sortedUnique(images);
}

function toViolation(pod: PodView, outcome: CheckOutcome): PssViolation {
  return {
    control: controlNameOf(outcome.id),
    checkId: outcome.id,
    reason: outcome.result.forbiddenReason,
    detail: outcome.result.forbiddenDetail,
    fields: outcome.result.errors,
    images: imagesOf(pod, outcome.result.errors),
  };
}

/** Normalizes hostile `exclude` input into well-typed exclusions (unknown entries are dropped). */
export function parseExclusions(value: unknown): { exclusions: PodSecurityExclusion[]; errors: string[] } {
  const exclusions: PodSecurityExclusion[] = [];
  const errors: string[] = [];
  asArray(value).forEach((item, index) => {
    const entry = asRecord(item);
    const controlName = asString(entry?.['controlName']);
    if (!entry || controlName === undefined) {
      errors.push(`exclude[${index}]: controlName is required`);
      return;
    }
    if (!isKnownControl(controlName)) errors.push(`exclude[${index}]: unknown controlName "${controlName}"`);
    const strings = (raw: unknown): string[] =>
      asArray(raw).filter((v): v is string => typeof v === 'string');
    const exclusion: PodSecurityExclusion = { controlName, images: strings(entry['images']) };
    const restrictedField = asString(entry['restrictedField']);
    if (restrictedField !== undefined) exclusion.restrictedField = restrictedField;
    const values = strings(entry['values']);
    if (values.length > 0) exclusion.values = values;
    exclusions.push(exclusion);
  });
  return { exclusions, errors };
}

function levelVersionOf(options: PodSecurityOptions): LevelVersion | { error: string } {
  const level = parseLevel(options.level);
  if (!level) return { error: `invalid pod security level "${String(options.level)}"` };
  const version = parseVersion(options.version);
  if ('error' in version) return version;
  return { level, minor: version.minor };
}

/** Evaluates the Pod Security Standards on a Pod or a pod controller (its pod template). */
export function evaluatePodSecurity(
  podSpecHolder: KubeObject,
  options: PodSecurityOptions,
): PodSecurityEvaluation {
  try {
    const pod = podViewOf(podSpecHolder);
    if ('error' in pod) return { allowed: false, violations: [], error: pod.error };
    const levelVersion = levelVersionOf(options);
    if ('error' in levelVersion) return { allowed: false, violations: [], error: levelVersion.error };
    const outcomes = applyExclusions(levelVersion, options.exclude ?? [], runChecks(levelVersion, pod), pod);
    return {
      allowed: outcomes.length === 0,
      violations: outcomes.map((outcome) => toViolation(pod, outcome)),
    };
  } catch (error) {
    return { allowed: false, violations: [], error: `pod security evaluation failed: ${String(error)}` };
  }
}

/** Go `%+v` of a field error's bad value. */
function formatBadValue(value: PssFieldError['badValue']): string {
  if (value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.join(' ')}]`;
  return String(value);
}

function formatFieldError(error: PssFieldError): string {
  if (error.type === 'Required') return `${error.field}: Required value`;
  if (error.badValue === '') return `${error.field}: Forbidden`;
  return `${error.field} is forbidden, forbidden values found: ${formatBadValue(error.badValue)}`;
}

/** Kyverno's `FormatChecksPrint`. */
export function formatViolations(violations: readonly PssViolation[]): string {
  return violations
    .map(
      (v) =>
        `(Forbidden reason: ${v.reason}, field error list: [${v.fields.map(formatFieldError).join(', ')}])`,
    )
    .join('');
}

export interface PodSecurityRuleResult {
  status: 'pass' | 'fail' | 'error';
  message: string;
  violations: PssViolation[];
}

/**
 * Kyverno's `validate.podSecurity` for one rule and resource. The resource may be a Pod or a pod
 * controller; on DELETE (no object) the old object is evaluated, as Kyverno does.
 */
export function evaluatePodSecurityRule(
  rule: KubeObject,
  resource: KubeObject | null | undefined,
  ctx: RequestContext = {},
): PodSecurityRuleResult {
  if (!asRecord(rule)) return { status: 'error', message: 'rule must be an object', violations: [] };
  const name = asString(rule['name']) ?? '';
  const podSecurity = asRecord(dig(rule, 'validate', 'podSecurity'));
  if (!podSecurity)
    return { status: 'error', message: `rule ${name} has no validate.podSecurity`, violations: [] };
  const given = asRecord(resource);
  const target = given && Object.keys(given).length > 0 ? given : asRecord(ctx.oldObject);
  if (!target)
    return { status: 'error', message: 'Error while getting new resource: no object', violations: [] };

  const level = asString(podSecurity['level']) ?? '';
  const version = asString(podSecurity['version']) ?? '';
  const { exclusions } = parseExclusions(podSecurity['exclude']);
  const evaluation = evaluatePodSecurity(target, { level, version, exclude: exclusions });
  if (evaluation.error !== undefined) {
    const prefix = evaluation.error.startsWith('Could not find') ? 'Error while getting new resource: ' : '';
    return { status: 'error', message: prefix + evaluation.error, violations: [] };
  }
  if (evaluation.allowed) {
    return { status: 'pass', message: `Validation rule '${name}' passed.`, violations: [] };
  }
  return {
    status: 'fail',
    message: `Validation rule '${name}' failed. It violates PodSecurity "${level}:${version}": ${formatViolations(evaluation.violations)}`,
    violations: evaluation.violations,
  };
}
