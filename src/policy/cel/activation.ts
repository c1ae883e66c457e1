/**
 * The variables an expression sees: `object`, `oldObject`, `request`, `params`, `namespaceObject`,
 * lazily evaluated `variables`, and the Kyverno library objects.
 */
import type { KubeObject, RequestContext } from '../engine/types.js';
import { describeError, type CompileResult } from './environment.js';
import { kindInfo, type KindInfo } from './kinds.js';
import { libraryBindings, type CelExternalData } from './library.js';
import { toCel } from './values.js';

export interface NamedCompiled {
  name: string;
  compiled: CompileResult;
}

/** Who/what/where of one admission request, derived from the object and the request context. */
export interface RequestFacts {
  object: KubeObject | null;
  oldObject: KubeObject | null;
  info: KindInfo;
  name: string;
  /** Namespace of the object; `default` for a namespaced object that names none (API-server defaulting). */
  namespace: string;
  operation: string;
}

function metadataOf(object: KubeObject | null): Record<string, unknown> {
  const metadata = object?.['metadata'];
  return metadata && typeof metadata === 'object' && !Array.isArray(metadata)
    ? (metadata as Record<string, unknown>)
    : {};
}

const defaulted = new WeakMap<KubeObject, KubeObject>();

/**
 * The object as the API server would send it: a namespaced object that names no namespace gets
 * the request's namespace (`default` offline). Copies are cached per input object.
 */
function withNamespace(object: KubeObject | null, namespace: string): KubeObject | null {
  if (!object || namespace === '') return object;
  const metadata = metadataOf(object);
  if (typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '') return object;
  const hit = defaulted.get(object);
  if (hit) return hit;
  const copy: KubeObject = { ...object, metadata: { ...metadata, namespace } };
  defaulted.set(object, copy);
  return copy;
}

export function requestFacts(resource: KubeObject | null | undefined, ctx: RequestContext): RequestFacts {
  const given = resource && Object.keys(resource).length > 0 ? resource : null;
  const source = given ?? ctx.oldObject ?? null;
  const info = kindInfo(String(source?.['kind'] ?? ''), String(source?.['apiVersion'] ?? ''));
  const metadata = metadataOf(source);
  const declared = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : '';
  const namespace = info.kind === 'Namespace' || !info.namespaced ? '' : declared || 'default';
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  const operation = ctx.operation ?? (given ? 'CREATE' : 'DELETE');
  const object = withNamespace(given, namespace);
  const oldObject = withNamespace(ctx.oldObject ?? null, namespace);
  return { object, oldObject, info, name, namespace, operation };
}

export function buildRequest(facts: RequestFacts, ctx: RequestContext): Record<string, unknown> {
  const gvk = { group: facts.info.group, version: facts.info.version, kind: facts.info.kind };
  const gvr = { group: facts.info.group, version: facts.info.version, resource: facts.info.resource };
  const userInfo: Record<string, unknown> = {
    username: ctx.userInfo?.username ?? '',
    uid: ctx.userInfo?.uid ?? '',
    groups: ctx.userInfo?.groups ?? [],
  };
  return {
    uid: '',
    kind: gvk,
    resource: gvr,
    requestKind: gvk,
    requestResource: gvr,
    subResource: '',
    name: facts.name,
    namespace: facts.namespace,
    operation: facts.operation,
    userInfo,
    dryRun: ctx.dryRun ?? false,
  };
}

/** `namespaceObject`: an explicit one from the context, a known Namespace, or a stub with the labels. */
export function namespaceObjectFor(
  facts: RequestFacts,
  ctx: RequestContext,
  data: CelExternalData,
): KubeObject | null {
  if (facts.namespace === '') return null;
  const explicit = ctx.variables?.['namespaceObject'];
  if (explicit && typeof explicit === 'object' && !Array.isArray(explicit)) return explicit as KubeObject;
  const known = (data.namespaces ?? []).find((ns) => metadataOf(ns)['name'] === facts.namespace);
  if (known) return known;
  const metadata: Record<string, unknown> = { name: facts.namespace };
  if (ctx.namespaceLabels) metadata['labels'] = ctx.namespaceLabels;
  return { apiVersion: 'v1', kind: 'Namespace', metadata };
}

export class VariableError extends Error {}

/**
 * Builds the activation. `variables.<name>` evaluates on first access and is memoized (errors too),
 * so unused variables cost nothing, as in Kubernetes.
 */
export function createActivation(
  base: {
    object: KubeObject | null;
    oldObject: KubeObject | null;
    request: Record<string, unknown> | null;
    namespaceObject: KubeObject | null;
    params?: unknown;
  },
  variables: readonly NamedCompiled[],
  data: CelExternalData,
): Record<string, unknown> {
  const lazy: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const activation: Record<string, unknown> = {
    object: toCel(base.object),
    oldObject: toCel(base.oldObject),
    request: toCel(base.request),
    params: toCel(base.params ?? null),
    namespaceObject: toCel(base.namespaceObject),
    authorizer: null,
    variables: lazy,
    ...libraryBindings(data),
  };
  for (const variable of variables) {
    if (Object.prototype.hasOwnProperty.call(lazy, variable.name)) continue;
    let state: 'new' | 'running' | 'done' | 'failed' = 'new';
    let value: unknown;
    let failure = '';
    Object.defineProperty(lazy, variable.name, {
      enumerable: true,
      get() {
        if (state === 'done') return value;
        if (state === 'failed' || state === 'running') {
          throw new VariableError(
            state === 'running'
              ? `composited variable "${variable.name}" refers to itself`
              : `composited variable "${variable.name}" fails to evaluate: ${failure}`,
          );
        }
        state = 'running';
        try {
          if (!variable.compiled.ok) throw new Error(variable.compiled.error);
          value = variable.compiled.expression.program(activation);
          state = 'done';
          return value;
        } catch (error) {
          state = 'failed';
          failure = describeError(error);
          throw new VariableError(`composited variable "${variable.name}" fails to evaluate: ${failure}`);
        }
      },
    });
  }
  return activation;
}
