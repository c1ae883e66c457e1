/**
 * Kyverno's `images` built-in variable: image references of a Pod (or pod template of a controller,
 * CronJob job template) split into registry / path / name / tag / digest, keyed by container name
 * under `containers`, `initContainers`, `ephemeralContainers` (pkg/utils/image).
 */

export interface ImageInfo {
  registry?: string;
  name: string;
  path: string;
  tag?: string;
  digest?: string;
  reference?: string;
  referenceWithTag?: string;
}

const DEFAULT_REGISTRY = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const DOMAIN =
  /^(?:localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d+)?$/;

function addDefaultRegistry(image: string): string {
  const i = image.indexOf('/');
  if (i === -1) return `${DEFAULT_REGISTRY}/${image}`;
  const first = image.slice(0, i);
  if (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)
    return `${DEFAULT_REGISTRY}/${image}`;
  return image;
}

/** Parses an image reference the way Kyverno's GetImageInfo does; undefined when invalid. */
export function parseImageReference(image: string): ImageInfo | undefined {
  if (typeof image !== 'string' || image.length === 0 || image.length > 4096) return undefined;
  const full = addDefaultRegistry(image);
  let rest = full;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const registry = rest.slice(0, slash);
  const path = rest.slice(slash + 1);
  if (!DOMAIN.test(registry)) return undefined;
  if (!path.split('/').every((c) => COMPONENT.test(c))) return undefined;
  if (!digest && !tag) tag = 'latest';
  const name = path.slice(path.lastIndexOf('/') + 1);
  const base = `${registry}/${path}`;
  const info: ImageInfo = { registry, name, path };
  if (tag) info.tag = tag;
  if (digest) info.digest = digest;
  info.reference = digest ? `${base}@${digest}` : `${base}:${tag}`;
  info.referenceWithTag = `${base}:${tag ?? ''}`;
  if (!tag) delete info.referenceWithTag;
  return info;
}

/** `image_normalize`: full reference with default registry and tag. */
export function normalizeImage(image: string): string | undefined {
  const info = parseImageReference(image);
  if (!info) return undefined;
  const path =
    info.registry === DEFAULT_REGISTRY && !info.path.includes('/') ? `library/${info.path}` : info.path;
  const base = `${info.registry}/${path}`;
  if (info.digest) return info.tag ? `${base}:${info.tag}@${info.digest}` : `${base}@${info.digest}`;
  return `${base}:${info.tag}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function podSpecOf(resource: Record<string, unknown>): Record<string, unknown> | undefined {
  const kind = resource.kind;
  const spec = resource.spec;
  if (!isRecord(spec)) return undefined;
  if (kind === 'Pod') return spec;
  if (kind === 'CronJob') {
    const jt = spec.jobTemplate;
    const tpl = isRecord(jt) && isRecord(jt.spec) ? jt.spec.template : undefined;
    return isRecord(tpl) && isRecord(tpl.spec) ? tpl.spec : undefined;
  }
  const tpl = spec.template;
  return isRecord(tpl) && isRecord(tpl.spec) ? tpl.spec : undefined;
}

/** The `images` variable for a resource, or undefined when it has no container images. */
export function imagesVariable(resource: unknown): Record<string, Record<string, ImageInfo>> | undefined {
  if (!isRecord(resource)) return undefined;
  const spec = podSpecOf(resource);
  if (!spec) return undefined;
  const out: Record<string, Record<string, ImageInfo>> = {};
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isRecord(c) || typeof c.name !== 'string' || typeof c.image !== 'string') continue;
      const info = parseImageReference(c.image);
      if (!info) continue;
      (out[field] ??= {})[c.name] = info;
    }
  }
  return Object.keys(out).length ? out : undefined;
}
