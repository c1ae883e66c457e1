import { lstat } from 'node:fs/promises';
import { readDockerArchive } from './docker-archive.js';
import { ImageError, guarded } from './errors.js';
import type { Image, ReadImageOptions } from './image.js';
import { readOciLayout } from './oci-layout.js';

export { ImageError, isImageError, type ImageErrorCode } from './errors.js';
export { DEFAULT_LIMITS, type ImageLimits } from './limits.js';
export type { Image, ImageLayer, Platform, ReadImageOptions } from './image.js';
export type { ImageConfig, HistoryEntry, Healthcheck } from './config.js';
export { ImageFs, type FileStat, type NodeKind } from './fs.js';
export type { ContentOptions, EntryInfo } from './layer.js';
export { readDockerArchive } from './docker-archive.js';
export { readOciLayout } from './oci-layout.js';
export { interestingContent } from './interest.js';

/** Reads an image from an OCI layout folder or a docker-archive tarball (chosen by what `path` is). */
export async function readImage(path: string, opts: ReadImageOptions = {}): Promise<Image> {
  const st = await lstat(path).catch(() => undefined);
  if (st === undefined) throw new ImageError('not-found', `${path}: no such file or folder`);
  if (st.isDirectory()) return guarded(path, () => readOciLayout(path, opts));
  if (st.isFile()) return guarded(path, () => readDockerArchive(path, opts));
  throw new ImageError('bad-format', `${path}: neither an OCI layout folder nor a docker-archive file`);
}
