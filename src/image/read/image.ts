import type { ImageConfig } from './config.js';
import { ImageError } from './errors.js';
import { FsTree, ImageFs } from './fs.js';
import { type Compression, type ContentOptions, type ReadState, applyLayer } from './layer.js';
import { type ImageLimits, withLimits } from './limits.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ReadImageOptions extends ContentOptions {
  /** OCI: `org.opencontainers.image.ref.name`; docker-archive: one of RepoTags ('test/app:latest'). */
  tag?: string;
  /** Platform picked from image indexes; default linux/amd64. */
  platform?: Platform;
  limits?: Partial<ImageLimits>;
}

export interface ImageLayer {
  /** Digest of the blob as stored (OCI: the manifest's descriptor; docker-archive: the layer file). */
  digest: string;
  /** sha256 of the uncompressed tar (config rootfs.diff_ids). */
  diffId: string;
  /** Stored size in bytes. */
  size: number;
  uncompressedSize: number;
  compression: Compression;
  mediaType?: string;
}

export interface Image {
  source: 'docker-archive' | 'oci-layout';
  fs: ImageFs;
  config: ImageConfig;
  configDigest: string;
  /** OCI layout: digest of the selected image manifest. */
  manifestDigest?: string;
  /** docker-archive RepoTags, or the OCI ref name that was selected. */
  repoTags: string[];
  layers: ImageLayer[];
  /** Files whose content was wanted but not kept, unverifiable parts, etc. */
  warnings: string[];
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/** One layer to apply: how to open its bytes and what it must hash to. */
export interface LayerSource {
  open: () => AsyncIterable<Uint8Array>;
  /** Expected digest of the stored bytes, when the source names it. */
  digest?: string;
  mediaType?: string;
  label: string;
}

export function newReadState(opts: ReadImageOptions): ReadState {
  return {
    tree: new FsTree(),
    limits: withLimits(opts.limits),
    content: opts,
    warnings: [],
    uncompressedTotal: 0,
  };
}

/** Applies layers in order, verifying stored digests and diff_ids; returns the layer list and the fs view. */
export async function applyLayers(
  sources: readonly LayerSource[],
  config: ImageConfig,
  state: ReadState,
): Promise<{ layers: ImageLayer[]; fs: ImageFs }> {
  if (sources.length > state.limits.maxLayers) {
    throw new ImageError('too-large', `${sources.length} layers, over ${state.limits.maxLayers}`);
  }
  if (config.diffIds.length > 0 && config.diffIds.length !== sources.length) {
    throw new ImageError(
      'bad-format',
      `config lists ${config.diffIds.length} diff_ids for ${sources.length} layers`,
    );
  }
  if (config.diffIds.length === 0)
    state.warnings.push('config lists no rootfs.diff_ids; uncompressed layers not verified');
  const layers: ImageLayer[] = [];
  for (const [i, src] of sources.entries()) {
    const got = await applyLayer(src.open(), i, state);
    if (src.digest !== undefined && got.digest !== src.digest) {
      throw new ImageError(
        'digest-mismatch',
        `${src.label}: content hashes to ${got.digest}, expected ${src.digest}`,
      );
    }
    const want = config.diffIds[i];
    if (want !== undefined && got.diffId !== want) {
      throw new ImageError(
        'digest-mismatch',
        `${src.label}: uncompressed content hashes to ${got.diffId}, config diff_id is ${want}`,
      );
    }
    layers.push({
      digest: got.digest,
      diffId: got.diffId,
      size: got.size,
      uncompressedSize: got.uncompressedSize,
      compression: got.compression,
      ...(src.mediaType !== undefined ? { mediaType: src.mediaType } : {}),
    });
  }
  return {
    layers,
    fs: new ImageFs(
      state.tree,
      layers.map((l) => l.diffId),
    ),
  };
}
