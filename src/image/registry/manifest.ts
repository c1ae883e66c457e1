import { RegistryError, quote } from './errors.js';
import { isSha256Digest } from './reference.js';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** The Accept header for manifest requests: schema2 and OCI manifests and indexes, never schema1. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.dockerManifest,
].join(', ');

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_DESCRIPTORS = 1000;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export type ParsedManifest = ImageManifest | ImageIndex;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(v)) if (typeof s === 'string') out[k] = s;
  return out;
}

function bad(what: string, why: string): RegistryError {
  return new RegistryError('bad-manifest', `${what}: ${why}`);
}

export function parseDescriptor(v: unknown, what: string, defaultMediaType?: string): Descriptor {
  if (!isRecord(v)) throw bad(what, 'descriptor is not an object');
  const mediaType = typeof v.mediaType === 'string' ? v.mediaType : defaultMediaType;
  if (mediaType === undefined) throw bad(what, 'descriptor has no mediaType');
  if (!isSha256Digest(v.digest)) throw bad(what, `descriptor digest ${quote(v.digest)} is not sha256:<hex>`);
  const size = v.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw bad(what, 'descriptor size is not a non-negative integer');
  }
  const d: Descriptor = { mediaType, digest: v.digest, size };
  const p = v.platform;
  if (isRecord(p) && typeof p.os === 'string' && typeof p.architecture === 'string') {
    d.platform = { os: p.os, architecture: p.architecture };
    if (typeof p.variant === 'string') d.platform.variant = p.variant;
  }
  const annotations = strings(v.annotations);
  if (annotations) d.annotations = annotations;
  return d;
}

function isSchema1(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.dockerSchema1 || mediaType === MEDIA_TYPES.dockerSchema1Signed;
}

function schema1Error(what: string): RegistryError {
  return new RegistryError(
    'unsupported-manifest',
    `${what}: Docker schema1 manifests are not supported (deprecated; re-push the image with a current client)`,
  );
}

/**
 * Parses a manifest or index. The media type comes from the body's `mediaType` when present, else
 * from the response Content-Type. Docker schema1 is refused; unknown types are refused.
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | undefined,
  what: string,
): ParsedManifest {
  if (bytes.byteLength > MAX_MANIFEST_BYTES) {
    throw new RegistryError('too-large', `${what}: ${bytes.byteLength} bytes, over ${MAX_MANIFEST_BYTES}`);
  }
  const headerType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (headerType !== undefined && isSchema1(headerType)) throw schema1Error(what);
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw bad(what, 'not JSON');
  }
  if (!isRecord(doc)) throw bad(what, 'not a JSON object');
  if (doc.schemaVersion === 1) throw schema1Error(what);
  if (doc.schemaVersion !== 2) throw bad(what, `schemaVersion ${quote(doc.schemaVersion)} is not 2`);
  let mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : headerType;
  if (
    mediaType === undefined ||
    mediaType === 'application/json' ||
    mediaType === 'application/octet-stream'
  ) {
    // OCI allows omitting mediaType: tell manifest from index by shape.
    mediaType = Array.isArray(doc.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
  }
  if (isSchema1(mediaType)) throw schema1Error(what);
  if (mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList) {
    if (!Array.isArray(doc.manifests)) throw bad(what, 'index has no manifests array');
    if (doc.manifests.length > MAX_DESCRIPTORS) {
      throw new RegistryError(
        'too-large',
        `${what}: ${doc.manifests.length} manifests, over ${MAX_DESCRIPTORS}`,
      );
    }
    return {
      kind: 'index',
      mediaType,
      manifests: doc.manifests.map((m, i) => parseDescriptor(m, `${what} manifests[${i}]`)),
    };
  }
  if (mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest) {
    if (!Array.isArray(doc.layers)) throw bad(what, 'manifest has no layers array');
    if (doc.layers.length > MAX_DESCRIPTORS) {
      throw new RegistryError('too-large', `${what}: ${doc.layers.length} layers, over ${MAX_DESCRIPTORS}`);
    }
    const m: ImageManifest = {
      kind: 'manifest',
      mediaType,
      config: parseDescriptor(doc.config, `${what} config`),
      layers: doc.layers.map((l, i) => parseDescriptor(l, `${what} layers[${i}]`)),
    };
    const annotations = strings(doc.annotations);
    if (annotations) m.annotations = annotations;
    return m;
  }
  throw new RegistryError(
    'unsupported-manifest',
    `${what}: unsupported manifest media type ${quote(mediaType)}`,
  );
}

function platformName(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** `linux/arm64/v8` → platform. */
export function parsePlatform(s: string): Platform {
  const [os, architecture, variant, extra] = s.split('/');
  if (!os || !architecture || extra !== undefined || variant === '') {
    throw new RegistryError('bad-reference', `bad platform ${quote(s)}: expected os/arch[/variant]`);
  }
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/**
 * Picks the manifest for a platform from an index. Without a requested variant, an entry without
 * variant (or arm64's `v8`) is preferred over other variants. Entries without a platform (e.g.
 * BuildKit attestation manifests, `unknown/unknown`) never match.
 */
export function selectPlatform(index: ImageIndex, want: Platform, what: string): Descriptor {
  const candidates = index.manifests.filter(
    (d) =>
      d.platform !== undefined &&
      d.platform.os === want.os &&
      d.platform.architecture === want.architecture &&
      (want.variant === undefined || d.platform.variant === want.variant),
  );
  const preferred =
    want.variant === undefined
      ? (candidates.find((d) => d.platform?.variant === undefined || d.platform.variant === 'v8') ??
        candidates[0])
      : candidates[0];
  if (preferred === undefined) {
    const have = index.manifests.map((d) => (d.platform ? platformName(d.platform) : 'unknown')).join(', ');
    throw new RegistryError(
      'no-matching-platform',
      `${what}: no manifest for ${platformName(want)} in the index (has: ${have || 'none'})`,
    );
  }
  return preferred;
}
