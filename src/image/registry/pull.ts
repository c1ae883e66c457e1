import { link, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobCache, defaultCacheDir } from './cache.js';
import { type FetchedManifest, RegistryClient, type RegistryClientOptions, sha256Hex } from './client.js';
import { RegistryError } from './errors.js';
import {
  DEFAULT_PLATFORM,
  type Descriptor,
  type ImageManifest,
  type Platform,
  parsePlatform,
  selectPlatform,
} from './manifest.js';
import { type ImageReference, formatReference, manifestReference, parseReference } from './reference.js';

export interface PullOptions extends RegistryClientOptions {
  /** Picked from image indexes; `linux/amd64` by default. */
  platform?: Platform | string;
  /** Cache root (blobs under `<cacheDir>/blobs/sha256/`); default `<user cache>/images`. */
  cacheDir?: string;
  /** Re-hash cached layers instead of trusting their size. */
  verifyCached?: boolean;
  /** Parallel layer downloads; default 3. */
  concurrency?: number;
  /** Reuse a client (tests, or several pulls from one registry). */
  client?: RegistryClient;
}

export interface PulledLayer {
  digest: string;
  mediaType: string;
  size: number;
  /** The verified blob in the cache. */
  path: string;
}

export interface PulledImage {
  reference: ImageReference;
  /** Digest of the image manifest (after platform selection). */
  manifestDigest: string;
  manifestMediaType: string;
  manifestBytes: Uint8Array;
  manifest: ImageManifest;
  /** Digest of the index the manifest was selected from, when the reference named an index. */
  indexDigest?: string;
  configDigest: string;
  configBytes: Uint8Array;
  /** The parsed image config JSON (a JSON object). */
  config: Record<string, unknown>;
  layers: PulledLayer[];
  cacheDir: string;
}

const MAX_INDEX_DEPTH = 2;

async function resolveManifest(
  client: RegistryClient,
  ref: ImageReference,
  platform: Platform,
): Promise<{ fetched: FetchedManifest & { parsed: ImageManifest }; indexDigest?: string }> {
  let fetched = await client.getManifest(ref.repository, manifestReference(ref));
  let indexDigest: string | undefined;
  for (let depth = 0; fetched.parsed.kind === 'index'; depth++) {
    if (depth >= MAX_INDEX_DEPTH) {
      throw new RegistryError(
        'bad-manifest',
        `${formatReference(ref)}: image indexes nested deeper than ${MAX_INDEX_DEPTH}`,
      );
    }
    indexDigest ??= fetched.digest;
    const chosen: Descriptor = selectPlatform(fetched.parsed, platform, formatReference(ref));
    const next = await client.getManifest(ref.repository, chosen.digest);
    if (next.bytes.byteLength !== chosen.size) {
      throw new RegistryError(
        'size-mismatch',
        `${formatReference(ref)}: manifest ${chosen.digest} is ${next.bytes.byteLength} bytes, index declares ${chosen.size}`,
      );
    }
    fetched = next;
  }
  const parsed = fetched.parsed;
  return { fetched: { ...fetched, parsed }, ...(indexDigest !== undefined ? { indexDigest } : {}) };
}

async function pool<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}

/**
 * Pulls an image: manifest (index → platform), config, and every layer into the blob cache, all
 * verified against their digests. The image reader can open the result as an OCI layout
 * ({@link writeOciLayout}) or use the layer paths directly.
 */
export async function pullImage(
  reference: string | ImageReference,
  opts: PullOptions = {},
): Promise<PulledImage> {
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  const platform =
    typeof opts.platform === 'string' ? parsePlatform(opts.platform) : (opts.platform ?? DEFAULT_PLATFORM);
  const client = opts.client ?? (await RegistryClient.create(ref.registry, opts));
  const cache = new BlobCache(opts.cacheDir ?? defaultCacheDir());
  const { fetched, indexDigest } = await resolveManifest(client, ref, platform);
  const manifest = fetched.parsed;
  const name = formatReference(ref);

  const configBytes = await client.getBlobBytes(ref.repository, manifest.config, client.maxManifestBytes);
  let config: unknown;
  try {
    config = JSON.parse(Buffer.from(configBytes).toString('utf8'));
  } catch {
    throw new RegistryError('bad-manifest', `${name}: image config ${manifest.config.digest} is not JSON`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new RegistryError(
      'bad-manifest',
      `${name}: image config ${manifest.config.digest} is not a JSON object`,
    );
  }
  // Manifest and config are blobs too: keeping them makes the cache an OCI blob store.
  await cache.writeBytes(fetched.digest, fetched.bytes, `${name}: manifest`);
  await cache.writeBytes(manifest.config.digest, configBytes, `${name}: config`);

  const unique = [...new Map(manifest.layers.map((l) => [l.digest, l])).values()];
  const paths = new Map<string, string>();
  await pool(unique, opts.concurrency ?? 3, async (d) => {
    const p =
      (await cache.lookup(d.digest, d.size, opts.verifyCached)) ??
      (await client.downloadBlob(ref.repository, d, cache));
    paths.set(d.digest, p);
  });
  const layers = manifest.layers.map((d) => ({
    digest: d.digest,
    mediaType: d.mediaType,
    size: d.size,
    path: paths.get(d.digest) ?? cache.pathFor(d.digest),
  }));
  const pulled: PulledImage = {
    reference: ref,
    manifestDigest: fetched.digest,
    manifestMediaType: fetched.mediaType,
    manifestBytes: fetched.bytes,
    manifest,
    configDigest: manifest.config.digest,
    configBytes,
    config: config as Record<string, unknown>,
    layers,
    cacheDir: cache.dir,
  };
  if (indexDigest !== undefined) pulled.indexDigest = indexDigest;
  return pulled;
}

/**
 * Writes a one-image OCI layout (`oci-layout`, `index.json`, `blobs/sha256/…`) for a pulled image,
 * hard-linking blobs from the cache (copying across file systems), tagged `tag` (default the
 * reference's tag).
 */
export async function writeOciLayout(
  pulled: PulledImage,
  dir: string,
  tag = pulled.reference.tag ?? 'latest',
): Promise<void> {
  const cache = new BlobCache(pulled.cacheDir);
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const digests = [pulled.manifestDigest, pulled.configDigest, ...pulled.layers.map((l) => l.digest)];
  for (const d of new Set(digests)) {
    const src = cache.pathFor(d);
    const dst = join(blobs, d.slice('sha256:'.length));
    await link(src, dst).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST') return;
      await copyFile(src, dst);
    });
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: pulled.manifestMediaType,
        digest: pulled.manifestDigest,
        size: pulled.manifestBytes.byteLength,
        annotations: { 'org.opencontainers.image.ref.name': tag },
      },
    ],
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index, null, 2));
}

export interface BlobToPush {
  bytes: Uint8Array;
  /** Checked against the bytes when given. */
  digest?: string;
}

export interface PushImageInput {
  /** Config, layers and any other blob the manifest references. */
  blobs: BlobToPush[];
  manifestBytes: Uint8Array;
  manifestMediaType: string;
}

export interface PushResult {
  reference: ImageReference;
  digest: string;
  uploaded: number;
  skipped: number;
}

/** Pushes blobs (skipping those the registry has), then the manifest under the reference's tag. */
export async function pushImage(
  reference: string | ImageReference,
  input: PushImageInput,
  opts: RegistryClientOptions & { client?: RegistryClient } = {},
): Promise<PushResult> {
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  const client = opts.client ?? (await RegistryClient.create(ref.registry, opts));
  let uploaded = 0;
  let skipped = 0;
  for (const blob of input.blobs) {
    const digest = blob.digest ?? sha256Hex(blob.bytes);
    if (await client.pushBlob(ref.repository, digest, blob.bytes)) uploaded++;
    else skipped++;
  }
  const target = ref.tag ?? ref.digest ?? 'latest';
  const digest = await client.putManifest(
    ref.repository,
    target,
    input.manifestBytes,
    input.manifestMediaType,
  );
  if (ref.digest !== undefined && ref.digest !== digest) {
    throw new RegistryError(
      'digest-mismatch',
      `${formatReference(ref)}: pushed manifest has digest ${digest}`,
    );
  }
  return { reference: ref, digest, uploaded, skipped };
}

/** Shape of a signing artifact (image/sign's `ArtifactToPush`): blobs, manifest and its tag. */
export interface ArtifactLike {
  tag: string;
  config: { descriptor: { digest: string; mediaType: string }; bytes: Uint8Array };
  layers: { descriptor: { digest: string; mediaType: string }; bytes: Uint8Array }[];
  manifest: { mediaType: string };
  manifestBytes: Uint8Array;
  manifestDigest: string;
}

/** Pushes a cosign signature/attestation artifact into the image's repository under its tag. */
export async function pushArtifact(
  repository: string | ImageReference,
  artifact: ArtifactLike,
  opts: RegistryClientOptions & { client?: RegistryClient } = {},
): Promise<PushResult> {
  const base = typeof repository === 'string' ? parseReference(repository) : repository;
  const ref: ImageReference = { registry: base.registry, repository: base.repository, tag: artifact.tag };
  const result = await pushImage(
    ref,
    {
      blobs: [artifact.config, ...artifact.layers].map((b) => ({
        bytes: b.bytes,
        digest: b.descriptor.digest,
      })),
      manifestBytes: artifact.manifestBytes,
      manifestMediaType: artifact.manifest.mediaType,
    },
    opts,
  );
  if (result.digest !== artifact.manifestDigest) {
    throw new RegistryError(
      'digest-mismatch',
      `${formatReference(ref)}: pushed manifest digest ${result.digest} differs from the artifact's`,
    );
  }
  return result;
}

/**
 * Fetches a small artifact (e.g. `sha256-<hex>.sig`) by tag: the manifest bytes and every layer
 * blob (verified, each capped at 4 MiB), in image/sign's `FetchedArtifact` shape. Undefined on 404.
 */
export async function fetchArtifact(
  repository: string | ImageReference,
  tag: string,
  opts: RegistryClientOptions & { client?: RegistryClient } = {},
): Promise<{ manifest: Uint8Array; digest: string; blobs: Map<string, Uint8Array> } | undefined> {
  const base = typeof repository === 'string' ? parseReference(repository) : repository;
  const client = opts.client ?? (await RegistryClient.create(base.registry, opts));
  let fetched: FetchedManifest;
  try {
    fetched = await client.getManifest(base.repository, tag);
  } catch (e) {
    if (e instanceof RegistryError && e.code === 'not-found') return undefined;
    throw e;
  }
  if (fetched.parsed.kind !== 'manifest') {
    throw new RegistryError(
      'bad-manifest',
      `${base.registry}/${base.repository}:${tag}: is an index, not an artifact manifest`,
    );
  }
  const blobs = new Map<string, Uint8Array>();
  for (const d of fetched.parsed.layers) blobs.set(d.digest, await client.getBlobBytes(base.repository, d));
  return { manifest: fetched.bytes, digest: fetched.digest, blobs };
}
