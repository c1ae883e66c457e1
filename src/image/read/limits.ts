/** Caps applied while reading an image; all sizes in bytes. */
export interface ImageLimits {
  /** manifest.json, index.json, image manifests and configs. */
  maxJsonBytes: number;
  /** Uncompressed size of one layer. */
  maxLayerBytes: number;
  /** Uncompressed size of all layers together. */
  maxTotalBytes: number;
  /** Refuse when uncompressed > ratio × compressed (once past `ratioGraceBytes`). */
  maxRatio: number;
  ratioGraceBytes: number;
  maxLayers: number;
  /** Tar entries over all layers (and entries of a docker-archive's outer tar). */
  maxEntries: number;
  maxPathBytes: number;
  maxPathDepth: number;
  /** Largest single file whose content is buffered for the caller. */
  maxFileBytes: number;
  /** Content kept in the ImageFs over all files; beyond it content is dropped with a warning. */
  maxRetainedBytes: number;
  /** Nested image indexes. */
  maxIndexDepth: number;
}

export const DEFAULT_LIMITS: ImageLimits = {
  maxJsonBytes: 4 * 1024 * 1024,
  maxLayerBytes: 8 * 1024 ** 3,
  maxTotalBytes: 16 * 1024 ** 3,
  maxRatio: 100,
  ratioGraceBytes: 1024 * 1024,
  maxLayers: 256,
  maxEntries: 1_000_000,
  maxPathBytes: 4096,
  maxPathDepth: 128,
  maxFileBytes: 64 * 1024 * 1024,
  maxRetainedBytes: 512 * 1024 * 1024,
  maxIndexDepth: 4,
};

export function withLimits(partial?: Partial<ImageLimits>): ImageLimits {
  return { ...DEFAULT_LIMITS, ...partial };
}
