/**
 * `validate.podSecurity.exclude[]` as Kyverno applies it (pkg/pss/evaluate.go `ApplyPodSecurityExclusion`):
 * the checks are re-run on a reduced pod (pod-level fields only, or only the containers whose image
 * matches), and every field error found there for the excluded control — optionally narrowed by
 * `restrictedField` and `values` — cancels the same field error in the full result.
 */
import type { ContainerListName } from './containers.js';
import { runChecks, type CheckOutcome, type LevelVersion } from './evaluate.js';
import { CONTROL_TO_CHECK_IDS } from './registry.js';
import type { PodSecurityExclusion, PodView, PssFieldError } from './types.js';
import { asArray, asRecord, asString, type Rec } from './values.js';
import { matchesAnyWildcard } from './wildcard.js';

const CONTAINER_LIST_NAMES = new Set<string>(['containers', 'initContainers', 'ephemeralContainers']);

interface ParsedField {
  /** The field with every run of digits replaced by `*` (Kyverno's `regexIndex`). */
  normalized: string;
  index: number | undefined;
  list: ContainerListName | undefined;
}

function normalizeField(field: string): string {
  return field.replace(/\d+/g, '*');
}

function parseField(field: string, containerAware: boolean): ParsedField {
  const normalized = normalizeField(field);
  if (!containerAware) return { normalized, index: undefined, list: undefined };
  const words = field.match(/[a-zA-Z]+/g) ?? [];
  const second = words[1];
  const digits = /\d+/.exec(field);
  const list =
    second !== undefined && CONTAINER_LIST_NAMES.has(second) ? (second as ContainerListName) : undefined;
  return { normalized, index: digits ? Number(digits[0]) : undefined, list };
}

function containerName(pod: PodView, list: ContainerListName | undefined, index: number | undefined): string {
  if (list === undefined || index === undefined) return '';
  return asString(asRecord(asArray(pod.spec[list])[index])?.['name']) ?? '';
}

/** Go's extractBadValues: the values an exclusion's `values` patterns are compared with. */
function badValuesOf(error: PssFieldError): string[] {
  const value = error.badValue;
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (typeof value === 'boolean' || typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.map(String);
  return [];
}

/** The reduced pod an exclusion is evaluated on. */
function reducedPod(
  exclusion: PodSecurityExclusion,
  pod: PodView,
): { pod: PodView; containerLevel: boolean } {
  const images = exclusion.images ?? [];
  if (images.length === 0) {
    const spec: Rec = { ...pod.spec, containers: [{ name: 'fake' }] };
    delete spec['initContainers'];
    delete spec['ephemeralContainers'];
    return { pod: { metadata: pod.metadata, spec }, containerLevel: false };
  }
  const metadata: Rec = {};
  if (pod.metadata['name'] !== undefined) metadata['name'] = pod.metadata['name'];
  if (pod.metadata['namespace'] !== undefined) metadata['namespace'] = pod.metadata['namespace'];
  const spec: Rec = {};
  for (const list of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    const kept = asArray(pod.spec[list]).filter((item) =>
      matchesAnyWildcard(images, asString(asRecord(item)?.['image']) ?? ''),
    );
    if (kept.length > 0) spec[list] = kept;
  }
  return { pod: { metadata, spec }, containerLevel: true };
}

function exempt(
  current: CheckOutcome[],
  excluded: CheckOutcome[],
  exclusion: PodSecurityExclusion,
  pod: PodView,
  reduced: PodView,
  containerLevel: boolean,
): CheckOutcome[] {
  // Kyverno keys results by check ID (the last duplicate wins) and mutates their error lists.
  const byId = new Map<string, CheckOutcome>();
  for (const outcome of current) {
    byId.set(outcome.id, {
      id: outcome.id,
      result: { ...outcome.result, errors: [...outcome.result.errors] },
    });
  }
  const controlIds = CONTROL_TO_CHECK_IDS[exclusion.controlName] ?? [];
  const restrictedField = exclusion.restrictedField ?? '';
  const values = exclusion.values ?? [];
  for (const excludedOutcome of excluded) {
    if (!controlIds.includes(excludedOutcome.id)) continue;
    for (const excludedError of excludedOutcome.result.errors) {
      const parsed = parseField(excludedError.field, containerLevel);
      if (restrictedField !== '' && parsed.normalized !== restrictedField) continue;
      if (
        values.length > 0 &&
        !badValuesOf(excludedError).every((value) => matchesAnyWildcard(values, value))
      ) {
        continue;
      }
      const target = byId.get(excludedOutcome.id);
      if (!target) continue;
      const excludedName = containerName(reduced, parsed.list, parsed.index);
      const errors = target.result.errors;
      for (let i = 0; i < errors.length; i++) {
        const candidate = parseField(errors[i]?.field ?? '', containerLevel);
        const sameField = candidate.normalized === parsed.normalized;
        const sameContainer =
          candidate.list === undefined ||
          containerName(pod, candidate.list, candidate.index) === excludedName;
        if (sameField && sameContainer) {
          errors[i] = errors[errors.length - 1] as PssFieldError;
          errors.pop();
          break;
        }
      }
      if (errors.length === 0) byId.delete(excludedOutcome.id);
    }
  }
  return current.map((outcome) => byId.get(outcome.id)).filter(uniqueOutcome());
}

function uniqueOutcome(): (outcome: CheckOutcome | undefined) => outcome is CheckOutcome {
  const seen = new Set<CheckOutcome>();
  return (outcome): outcome is CheckOutcome => {
    if (!outcome || seen.has(outcome)) return false;
    seen.add(outcome);
    return true;
  };
}

export function applyExclusions(
  levelVersion: LevelVersion,
  exclusions: readonly PodSecurityExclusion[],
  outcomes: CheckOutcome[],
  pod: PodView,
): CheckOutcome[] {
  let current = outcomes;
  for (const exclusion of exclusions) {
    const reduced = reducedPod(exclusion, pod);
    const excluded = runChecks(levelVersion, reduced.pod);
    current = exempt(current, excluded, exclusion, pod, reduced.pod, reduced.containerLevel);
  }
  return current;
}
