import type { Rec } from './values.js';

export type PssLevel = 'privileged' | 'baseline' | 'restricted';

/**
 * One field error of a failed check, as Kyverno's fork of pod-security-admission reports it
 * (`policy.WithFieldErrors()`): a Forbidden field with the offending value, or a Required field.
 */
export interface PssFieldError {
  type: 'Forbidden' | 'Required';
  /** Pod-relative path, e.g. `spec.containers[0].securityContext.privileged`. */
  field: string;
  /** The offending value; undefined when the check reports none (Go `nil`). */
  badValue?: string | number | boolean | string[];
}

export interface PssCheckResult {
  allowed: boolean;
  forbiddenReason: string;
  forbiddenDetail: string;
  errors: PssFieldError[];
}

export interface PodView {
  metadata: Rec;
  spec: Rec;
}

export type CheckFn = (pod: PodView) => PssCheckResult;

export interface VersionedCheck {
  /** Minor version of Kubernetes 1.x from which this implementation applies. */
  minimumMinor: number;
  check: CheckFn;
}

export interface PssCheck {
  /** Check ID used by Pod Security Admission (e.g. `hostNamespaces`, `capabilities_restricted`). */
  id: string;
  level: 'baseline' | 'restricted';
  versions: VersionedCheck[];
}

/** A failed check after exclusions, with the control name Kyverno / PSS use. */
export interface PssViolation {
  /** Control name from the Pod Security Standards page (e.g. `Host Namespaces`). */
  control: string;
  checkId: string;
  reason: string;
  detail: string;
  fields: PssFieldError[];
  /** Images of the containers the field errors point at (empty for pod-level violations). */
  images: string[];
}

/** One `validate.podSecurity.exclude[]` entry. */
export interface PodSecurityExclusion {
  controlName: string;
  images?: string[];
  restrictedField?: string;
  values?: string[];
}

export const ALLOWED: PssCheckResult = Object.freeze({
  allowed: true,
  forbiddenReason: '',
  forbiddenDetail: '',
  errors: [],
}) as PssCheckResult;

export function forbiddenResult(reason: string, detail: string, errors: PssFieldError[]): PssCheckResult {
  return { allowed: false, forbiddenReason: reason, forbiddenDetail: detail, errors };
}

export function forbidden(field: string, badValue?: PssFieldError['badValue']): PssFieldError {
  return badValue === undefined ? { type: 'Forbidden', field } : { type: 'Forbidden', field, badValue };
}

export function required(field: string): PssFieldError {
  return { type: 'Required', field };
}
