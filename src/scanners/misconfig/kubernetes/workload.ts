import { asArray, asString, get, isRecord, type Json, type Path } from './parse.js';

/** A Kubernetes object found in a document (a `kind: List` is expanded into its items). */
export interface K8sObject {
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  value: { [k: string]: Json };
  /** Path of this object inside its YAML document. */
  path: Path;
}

export interface ContainerRef {
  container: { [k: string]: Json };
  name: string;
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  group: string;
  path: Path;
}

/** The pod template of a workload, whatever the workload kind. */
export interface PodTemplate {
  object: K8sObject;
  spec: { [k: string]: Json };
  specPath: Path;
  /** Annotations of the object and of its pod template (seccomp/AppArmor annotations live there). */
  annotations: Record<string, string>;
  containers: ContainerRef[];
}

const MAX_LIST_DEPTH = 4;

/** Objects of a document: the document itself, or the items of a `*List` (nested lists are bounded). */
export function objectsOf(value: Json, path: Path = [], depth = 0): K8sObject[] {
  if (!isRecord(value)) return [];
  const kind = asString(value.kind);
  const apiVersion = asString(value.apiVersion);
  if (!kind || !apiVersion) return [];
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
    if (depth >= MAX_LIST_DEPTH) return [];
    return asArray(value.items).flatMap((item, i) => objectsOf(item, [...path, 'items', i], depth + 1));
  }
  const namespace = asString(get(value, 'metadata', 'namespace'));
  return [
    {
      kind,
      apiVersion,
      name:
        asString(get(value, 'metadata', 'name')) ?? asString(get(value, 'metadata', 'generateName')) ?? '',
      ...(namespace !== undefined ? { namespace } : {}),
      value,
      path,
    },
  ];
}

/** Where the pod spec lives, per workload kind (lower-case). Unknown kinds and CRDs have none. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  pod: ['spec'],
  deployment: ['spec', 'template'],
  replicaset: ['spec', 'template'],
  replicationcontroller: ['spec', 'template'],
  statefulset: ['spec', 'template'],
  daemonset: ['spec', 'template'],
  job: ['spec', 'template'],
  deploymentconfig: ['spec', 'template'],
  cronjob: ['spec', 'jobTemplate', 'spec', 'template'],
  podtemplate: ['template'],
};

export const CONTAINER_GROUPS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

export function podTemplateOf(obj: K8sObject): PodTemplate | undefined {
  const kind = obj.kind.toLowerCase();
  const where = POD_SPEC_PATHS[kind];
  if (!where) return undefined;
  // A Pod's spec is `spec`; the others hold a template { metadata, spec }.
  const templatePath = kind === 'pod' ? [] : where;
  const template = kind === 'pod' ? obj.value : get(obj.value, ...where);
  const spec = get(template, 'spec');
  if (!isRecord(spec)) return undefined;
  const specPath = [...obj.path, ...templatePath, 'spec'];
  const annotations: Record<string, string> = {};
  for (const src of [
    get(obj.value, 'metadata', 'annotations'),
    kind === 'pod' ? undefined : get(template, 'metadata', 'annotations'),
  ]) {
    if (!isRecord(src)) continue;
    for (const [k, v] of Object.entries(src)) {
      const s = asString(v);
      if (s !== undefined) annotations[k] = s;
    }
  }
  const containers: ContainerRef[] = [];
  for (const group of CONTAINER_GROUPS) {
    asArray(spec[group]).forEach((c, i) => {
      if (isRecord(c))
        containers.push({
          container: c,
          name: asString(c.name) ?? `${group}[${i}]`,
          group,
          path: [...specPath, group, i],
        });
    });
  }
  return { object: obj, spec, specPath, annotations, containers };
}
