/**
 * Base-image drift: the base an image was built from (OCI annotations
 * `org.opencontainers.image.base.name` / `.base.digest`, or a record written at scan time) compared
 * with the digest the base tag resolves to now.
 */
import {
  DEFAULT_PLATFORM,
  RegistryClient,
  manifestReference,
  parseReference,
  selectPlatform,
  type RegistryClientOptions,
} from '../registry/index.js';

export const BASE_NAME = 'org.opencontainers.image.base.name';
export const BASE_DIGEST = 'org.opencontainers.image.base.digest';
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** What is recorded in a listen report (and read back by `drift --report`). */
export interface BaseRecord {
  name: string;
  digest?: string;
  /** `annotation`: from the image; `resolved`: the base tag's digest when the image was scanned. */
  source: 'annotation' | 'resolved';
}

/** The base named by an image's annotations, if any (digest only when it is a sha256 digest). */
export function baseFromAnnotations(annotations: Record<string, string> | undefined): BaseRecord | undefined {
  const name = annotations?.[BASE_NAME];
  if (!name) return undefined;
  const digest = annotations[BASE_DIGEST];
  return { name, ...(digest && DIGEST.test(digest) ? { digest } : {}), source: 'annotation' };
}

export type DriftResult =
  | { state: 'up-to-date'; base: string; digest: string }
  | { state: 'moved'; base: string; old: string; new: string }
  | { state: 'unknown'; base?: string; reason: string };

export interface DriftDeps {
  /** Annotations of the image manifest (an index's selected platform manifest, or the index's own). */
  annotations(ref: string): Promise<Record<string, string> | undefined>;
  /** Digest the reference's tag resolves to now (HEAD), undefined when the tag is gone. */
  resolve(ref: string): Promise<string | undefined>;
}

/**
 * `base`: overrides the annotated base name; `recorded`: overrides the annotated digest (e.g. from a
 * listen report). Pure over {@link DriftDeps}.
 */
export async function checkDrift(
  image: string,
  deps: DriftDeps,
  opts: { base?: string; recorded?: string } = {},
): Promise<DriftResult> {
  const annotated =
    opts.base !== undefined && opts.recorded !== undefined
      ? undefined
      : baseFromAnnotations(await deps.annotations(image));
  const base = opts.base ?? annotated?.name;
  if (!base)
    return {
      state: 'unknown',
      reason: `${image} names no base image (annotation ${BASE_NAME}); pass --base`,
    };
  const old = opts.recorded ?? annotated?.digest;
  if (!old)
    return {
      state: 'unknown',
      base,
      reason: `no recorded digest for base ${base} (annotation ${BASE_DIGEST} or --report)`,
    };
  const now = await deps.resolve(base);
  if (!now) return { state: 'unknown', base, reason: `base ${base} no longer resolves` };
  return now === old ? { state: 'up-to-date', base, digest: now } : { state: 'moved', base, old, new: now };
}

/** {@link DriftDeps} over real registries. The base reference's tag is what is resolved (a pinned `@digest` is dropped). */
export function registryDriftDeps(opts: RegistryClientOptions = {}): DriftDeps {
  const clients = new Map<string, Promise<RegistryClient>>();
  const client = (registry: string) => {
    let c = clients.get(registry);
    if (!c) clients.set(registry, (c = RegistryClient.create(registry, opts)));
    return c;
  };
  return {
    async annotations(ref) {
      const r = parseReference(ref);
      const c = await client(r.registry);
      const top = await c.getManifest(r.repository, manifestReference(r));
      if (top.parsed.kind === 'manifest') return top.parsed.annotations;
      const chosen = selectPlatform(top.parsed, DEFAULT_PLATFORM, ref);
      const m = await c.getManifest(r.repository, chosen.digest);
      return m.parsed.kind === 'manifest' ? m.parsed.annotations : undefined;
    },
    async resolve(ref) {
      const r = parseReference(ref);
      const c = await client(r.registry);
      return (await c.headManifest(r.repository, r.tag ?? 'latest'))?.digest;
    },
  };
}
