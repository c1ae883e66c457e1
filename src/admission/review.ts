/**
 * Reading an `admission.k8s.io/v1` AdmissionReview: shape checks with a one-line reason for the 400
 * answer, the RequestContext the engine sees, and which object is evaluated. Pure; never throws.
 */
import type { KubeObject, Operation, RequestContext } from '../policy/engine/types.js';
import type { AdmissionRequest } from './types.js';

export type ReviewParseResult = { ok: true; request: AdmissionRequest } | { ok: false; reason: string };

const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
/** Kubernetes UIDs are 36 characters; anything far longer is not from an API server. */
const MAX_UID_LENGTH = 128;
const MAX_NAME_LENGTH = 253;
const MAX_GROUPS = 1000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(v: unknown): v is string | undefined {
  return v === undefined || typeof v === 'string';
}

/** Validates a parsed body as an AdmissionReview v1 request. */
export function parseAdmissionReview(body: unknown): ReviewParseResult {
  if (!isRecord(body)) return fail('body is not a JSON object');
  if (body.apiVersion !== 'admission.k8s.io/v1') {
    const got = typeof body.apiVersion === 'string' ? JSON.stringify(body.apiVersion.slice(0, 60)) : 'none';
    return fail(`apiVersion must be admission.k8s.io/v1 (got ${got})`);
  }
  if (body.kind !== 'AdmissionReview') return fail('kind must be AdmissionReview');
  const req = body.request;
  if (!isRecord(req)) return fail('request is missing or not an object');
  if (typeof req.uid !== 'string' || req.uid.length === 0) return fail('request.uid is missing');
  if (req.uid.length > MAX_UID_LENGTH) return fail(`request.uid is longer than ${MAX_UID_LENGTH} characters`);
  const kind = req.kind;
  if (!isRecord(kind) || typeof kind.kind !== 'string' || !kind.kind)
    return fail('request.kind.kind is missing');
  if (!optionalString(kind.group) || !optionalString(kind.version))
    return fail('request.kind.group/version must be strings');
  if (typeof req.operation !== 'string' || !OPERATIONS.includes(req.operation as Operation))
    return fail('request.operation must be one of CREATE, UPDATE, DELETE, CONNECT');
  const operation = req.operation as Operation;
  for (const field of ['name', 'namespace', 'subResource'] as const) {
    const v = req[field];
    if (!optionalString(v)) return fail(`request.${field} must be a string`);
    if (v !== undefined && v.length > MAX_NAME_LENGTH) return fail(`request.${field} is too long`);
  }
  if (req.dryRun !== undefined && req.dryRun !== null && typeof req.dryRun !== 'boolean')
    return fail('request.dryRun must be a boolean');
  for (const field of ['object', 'oldObject'] as const) {
    const v = req[field];
    if (v !== undefined && v !== null && !isRecord(v))
      return fail(`request.${field} must be an object or null`);
  }
  if ((operation === 'CREATE' || operation === 'UPDATE') && !isRecord(req.object))
    return fail(`request.object is required for ${operation}`);
  const userInfo = parseUserInfo(req.userInfo);
  if (typeof userInfo === 'string') return fail(userInfo);
  let resource: AdmissionRequest['resource'];
  if (req.resource !== undefined && req.resource !== null) {
    const r = req.resource;
    if (!isRecord(r) || !optionalString(r.group) || !optionalString(r.version) || !optionalString(r.resource))
      return fail('request.resource must hold group, version and resource strings');
    resource = { group: r.group ?? '', version: r.version ?? '', resource: r.resource ?? '' };
  }
  const request: AdmissionRequest = {
    uid: req.uid,
    kind: {
      group: (kind.group as string | undefined) ?? '',
      version: (kind.version as string | undefined) ?? '',
      kind: kind.kind,
    },
    operation,
    ...(resource ? { resource } : {}),
    ...(typeof req.subResource === 'string' && req.subResource ? { subResource: req.subResource } : {}),
    ...(typeof req.name === 'string' ? { name: req.name } : {}),
    ...(typeof req.namespace === 'string' ? { namespace: req.namespace } : {}),
    ...(userInfo ? { userInfo } : {}),
    object: isRecord(req.object) ? (req.object as KubeObject) : null,
    oldObject: isRecord(req.oldObject) ? (req.oldObject as KubeObject) : null,
    dryRun: req.dryRun === true,
  };
  return { ok: true, request };
}

function parseUserInfo(v: unknown): AdmissionRequest['userInfo'] | string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) return 'request.userInfo must be an object';
  if (!optionalString(v.username) || !optionalString(v.uid))
    return 'request.userInfo.username/uid must be strings';
  let groups: string[] | undefined;
  if (v.groups !== undefined && v.groups !== null) {
    if (
      !Array.isArray(v.groups) ||
      v.groups.length > MAX_GROUPS ||
      !v.groups.every((g) => typeof g === 'string')
    )
      return 'request.userInfo.groups must be a list of strings';
    groups = v.groups as string[];
  }
  return {
    ...(v.username !== undefined ? { username: v.username } : {}),
    ...(v.uid !== undefined ? { uid: v.uid } : {}),
    ...(groups ? { groups } : {}),
  };
}

function fail(reason: string): ReviewParseResult {
  return { ok: false, reason };
}

/** The object the policies look at: `request.object`, or `request.oldObject` for DELETE. */
export function subjectOf(request: AdmissionRequest): KubeObject | null {
  if (request.operation === 'DELETE') return request.oldObject ?? null;
  return request.object ?? null;
}

/** The engine's view of the request beyond the object itself. */
export function buildRequestContext(request: AdmissionRequest): RequestContext {
  const variables: Record<string, unknown> = {
    'request.uid': request.uid,
    'request.kind': request.kind,
    'request.namespace': request.namespace ?? '',
    'request.name': request.name ?? '',
  };
  if (request.resource) variables['request.resource'] = request.resource;
  if (request.subResource) variables['request.subResource'] = request.subResource;
  return {
    operation: request.operation,
    ...(request.userInfo ? { userInfo: request.userInfo } : {}),
    oldObject: request.oldObject ?? null,
    dryRun: request.dryRun === true,
    variables,
  };
}

/** `Kind/namespace/name` as Kyverno prints it (the name falls back to the object's metadata). */
export function describeResource(request: AdmissionRequest, subject: KubeObject | null): string {
  const meta = subject && isRecord(subject.metadata) ? subject.metadata : {};
  const name =
    request.name ||
    (typeof meta.name === 'string' ? meta.name : '') ||
    (typeof meta.generateName === 'string' ? `${meta.generateName}*` : '');
  const namespace = request.namespace || (typeof meta.namespace === 'string' ? meta.namespace : '');
  return `${request.kind.kind}/${namespace}/${name}`;
}
