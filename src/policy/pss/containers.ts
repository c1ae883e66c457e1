import { asArray, asRecord, asString, type Rec } from './values.js';

export type ContainerListName = 'initContainers' | 'containers' | 'ephemeralContainers';

export interface ContainerRef {
  container: Rec;
  name: string;
  image: string;
  /** `spec.containers[0]` — the prefix of this container's field paths. */
  path: string;
  list: ContainerListName;
  index: number;
}

/** Visit order of pod-security-admission's visitContainers: init, regular, then ephemeral. */
export const CONTAINER_LISTS: readonly ContainerListName[] = [
  'initContainers',
  'containers',
  'ephemeralContainers',
];

const listed = new WeakMap<Rec, ContainerRef[]>();

/** Containers of a pod spec in visit order (memoized per spec object; callers must not mutate). */
export function listContainers(spec: Rec): ContainerRef[] {
  const hit = listed.get(spec);
  if (hit) return hit;
  const refs: ContainerRef[] = [];
  for (const list of CONTAINER_LISTS) {
    asArray(spec[list]).forEach((item, index) => {
      const container = asRecord(item);
      if (!container) return;
      refs.push({
        container,
        name: asString(container['name']) ?? '',
        image: asString(container['image']) ?? '',
        path: `spec.${list}[${index}]`,
        list,
        index,
      });
    });
  }
  listed.set(spec, refs);
  return refs;
}

export function securityContextOf(container: Rec): Rec | undefined {
  return asRecord(container['securityContext']);
}

export function podSecurityContextOf(spec: Rec): Rec | undefined {
  return asRecord(spec['securityContext']);
}
