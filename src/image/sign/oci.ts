import { createHash } from 'node:crypto';

/**
 * The small part of the OCI image spec (https://github.com/opencontainers/image-spec) that signature
 * and attestation artifacts need: descriptors, an image manifest and cosign's tag scheme. Pure: every
 * function works on bytes; pushing the blobs is the registry client's job.
 */

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';

/** Caps on what is parsed from a registry: signature manifests and payloads are small. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_LAYERS = 256;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface OciManifest {
  schemaVersion: 2;
  mediaType: typeof OCI_MANIFEST_MEDIA_TYPE;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** A blob to push: its descriptor and its exact bytes. */
export interface Blob {
  descriptor: Descriptor;
  bytes: Uint8Array;
}

/** An artifact ready to push: blobs first (config and layers), then the manifest under `tag`. */
export interface ArtifactToPush {
  /** Tag in the image's repository, e.g. `sha256-<hex>.sig`. */
  tag: string;
  config: Blob;
  layers: Blob[];
  manifest: OciManifest;
  /** The manifest serialised as pushed (its digest is the artifact's digest). */
  manifestBytes: Uint8Array;
  manifestDigest: string;
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function isSha256Digest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function descriptorOf(
  mediaType: string,
  bytes: Uint8Array,
  annotations?: Record<string, string>,
): Descriptor {
  const d: Descriptor = { mediaType, digest: sha256Digest(bytes), size: bytes.byteLength };
  if (annotations) d.annotations = annotations;
  return d;
}

/** cosign's tag for an image digest: `sha256:abc…` → `sha256-abc….sig` (or `.att`, `.sbom`). */
export function cosignTag(imageDigest: string, suffix: 'sig' | 'att' | 'sbom'): string {
  if (!isSha256Digest(imageDigest))
    throw new Error(`not a sha256 digest: ${String(imageDigest).slice(0, 80)}`);
  return `${imageDigest.replace(':', '-')}.${suffix}`;
}

/**
 * The config blob cosign writes for a signature/attestation image (go-containerregistry's empty image
 * with the layers appended): not read by verifiers, kept close to cosign so the artifacts look alike.
 */
export function artifactConfig(layers: Descriptor[]): Uint8Array {
  const config = {
    architecture: '',
    created: '0001-01-01T00:00:00Z',
    history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
    os: '',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    config: {},
  };
  return new TextEncoder().encode(JSON.stringify(config));
}

/** Builds the manifest, config and blobs of a signature or attestation artifact. */
export function buildArtifact(tag: string, layers: Blob[]): ArtifactToPush {
  const configBytes = artifactConfig(layers.map((l) => l.descriptor));
  const config: Blob = { descriptor: descriptorOf(OCI_CONFIG_MEDIA_TYPE, configBytes), bytes: configBytes };
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  return { tag, config, layers, manifest, manifestBytes, manifestDigest: sha256Digest(manifestBytes) };
}

/** What a verifier receives from the registry: the manifest and the layer blobs it names. */
export interface FetchedArtifact {
  manifest: Uint8Array | string | OciManifest;
  /** Layer blobs by digest. Blobs whose bytes do not hash to the key are treated as missing. */
  blobs: ReadonlyMap<string, Uint8Array>;
}

export type ParsedManifest = { ok: true; manifest: { layers: Descriptor[] } } | { ok: false; error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Parses a manifest leniently (only what verification needs); never throws. */
export function parseManifest(input: FetchedArtifact['manifest']): ParsedManifest {
  let value: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
    if (size > MAX_MANIFEST_BYTES)
      return { ok: false, error: `manifest larger than ${MAX_MANIFEST_BYTES} bytes` };
    try {
      value = JSON.parse(typeof input === 'string' ? input : Buffer.from(input).toString('utf8'));
    } catch {
      return { ok: false, error: 'manifest is not JSON' };
    }
  }
  if (!isRecord(value) || !Array.isArray(value.layers))
    return { ok: false, error: 'manifest has no layers array' };
  if (value.layers.length > MAX_LAYERS)
    return { ok: false, error: `manifest has more than ${MAX_LAYERS} layers` };
  const layers: Descriptor[] = [];
  for (const l of value.layers) {
    if (!isRecord(l) || typeof l.mediaType !== 'string' || typeof l.digest !== 'string') continue;
    const d: Descriptor = {
      mediaType: l.mediaType,
      digest: l.digest,
      size: typeof l.size === 'number' ? l.size : -1,
    };
    const annotations = stringMap(l.annotations);
    if (annotations) d.annotations = annotations;
    layers.push(d);
  }
  return { ok: true, manifest: { layers } };
}

/** The blob a descriptor names, checked against the descriptor's digest and size; never throws. */
export function blobFor(
  d: Descriptor,
  blobs: ReadonlyMap<string, Uint8Array>,
): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  const bytes = blobs.get(d.digest);
  if (!bytes) return { ok: false, error: `blob ${d.digest} was not supplied` };
  if (d.size >= 0 && bytes.byteLength !== d.size) {
    return { ok: false, error: `blob ${d.digest} is ${bytes.byteLength} bytes, the manifest says ${d.size}` };
  }
  const actual = sha256Digest(bytes);
  if (actual !== d.digest) return { ok: false, error: `blob content hashes to ${actual}, not ${d.digest}` };
  return { ok: true, bytes };
}
