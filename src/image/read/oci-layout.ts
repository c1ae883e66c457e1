import { createReadStream } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseImageConfig } from './config.js';
import { isRecord, parseDigest, parseJson, verifyDigest } from './digest.js';
import { ImageError } from './errors.js';
import {
  type Image,
  type LayerSource,
  type Platform,
  type ReadImageOptions,
  DEFAULT_PLATFORM,
  applyLayers,
  newReadState,
} from './image.js';
import type { ImageLimits } from './limits.js';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const REF_NAME = 'org.opencontainers.image.ref.name';

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
  platform?: Platform;
}

export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isRecord(v)) throw new ImageError('bad-format', `${what}: descriptor is not an object`);
  const size = v.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ImageError('bad-format', `${what}: descriptor size is not a non-negative integer`);
  }
  const annotations: Record<string, string> = {};
  if (isRecord(v.annotations))
    for (const [k, a] of Object.entries(v.annotations)) if (typeof a === 'string') annotations[k] = a;
  const p = isRecord(v.platform) ? v.platform : undefined;
  return {
    ...(typeof v.mediaType === 'string' ? { mediaType: v.mediaType } : {}),
    digest: parseDigest(v.digest, what),
    size,
    annotations,
    ...(p && typeof p.os === 'string' && typeof p.architecture === 'string'
      ? {
          platform: {
            os: p.os,
            architecture: p.architecture,
            ...(typeof p.variant === 'string' ? { variant: p.variant } : {}),
          },
        }
      : {}),
  };
}

/** Blob access inside one layout folder: regular files only, size and digest checked. */
class Blobs {
  constructor(private readonly root: string) {}

  private async path(d: Descriptor, what: string): Promise<string> {
    const p = join(this.root, 'blobs', 'sha256', d.digest.slice('sha256:'.length));
    const st = await lstat(p).catch(() => undefined);
    if (st === undefined)
      throw new ImageError('not-found', `${what}: blob ${d.digest} missing from the layout`);
    if (!st.isFile()) throw new ImageError('bad-format', `${what}: blob ${d.digest} is not a regular file`);
    if (st.size !== d.size) {
      throw new ImageError(
        'digest-mismatch',
        `${what}: blob ${d.digest} has ${st.size} bytes, descriptor says ${d.size}`,
      );
    }
    return p;
  }

  async json(d: Descriptor, what: string, limits: ImageLimits): Promise<unknown> {
    if (d.size > limits.maxJsonBytes)
      throw new ImageError('too-large', `${what}: ${d.size} bytes, over ${limits.maxJsonBytes}`);
    const data = await readFile(await this.path(d, what));
    verifyDigest(data, d.digest, what);
    return parseJson(data, what, limits.maxJsonBytes);
  }

  /** Checks the blob now; opens it only when the layer is applied. */
  async opener(d: Descriptor, what: string): Promise<() => AsyncIterable<Uint8Array>> {
    const p = await this.path(d, what);
    return () => createReadStream(p, { highWaterMark: 256 * 1024 });
  }
}

async function readCappedFile(path: string, what: string, max: number): Promise<Buffer> {
  const st = await lstat(path).catch(() => undefined);
  if (st === undefined) throw new ImageError('not-found', `${what} not found`);
  if (!st.isFile()) throw new ImageError('bad-format', `${what} is not a regular file`);
  if (st.size > max) throw new ImageError('too-large', `${what}: ${st.size} bytes, over ${max}`);
  return readFile(path);
}

const isIndex = (d: Descriptor, body?: Record<string, unknown>): boolean =>
  d.mediaType === MEDIA.ociIndex ||
  d.mediaType === MEDIA.dockerList ||
  (body !== undefined && Array.isArray(body.manifests));

function platformMatches(p: Platform | undefined, want: Platform): boolean {
  if (p === undefined) return false;
  return (
    p.os === want.os &&
    p.architecture === want.architecture &&
    (want.variant === undefined || p.variant === want.variant)
  );
}

function manifestsOf(body: unknown, what: string): Descriptor[] {
  if (!isRecord(body) || !Array.isArray(body.manifests))
    throw new ImageError('bad-format', `${what}: no manifests array`);
  return body.manifests.map((m, i) => parseDescriptor(m, `${what} manifests[${i}]`));
}

/** Picks one descriptor of an index: by tag at the top level, then by platform. */
export function pickDescriptor(
  manifests: Descriptor[],
  opts: { tag?: string; platform: Platform; top: boolean },
  what: string,
): Descriptor {
  let cands = manifests;
  if (opts.top && opts.tag !== undefined) {
    cands = cands.filter((d) => d.annotations[REF_NAME] === opts.tag);
    if (cands.length === 0) {
      const tags = manifests.map((d) => d.annotations[REF_NAME]).filter((t) => t !== undefined);
      throw new ImageError(
        'no-matching-image',
        `${what}: no image tagged ${opts.tag} (tags: ${tags.join(', ') || 'none'})`,
      );
    }
  }
  if (cands.length === 0) throw new ImageError('no-matching-image', `${what}: empty index`);
  if (cands.length === 1) return cands[0]!;
  if (cands.some((d) => d.platform !== undefined)) {
    const hit = cands.find((d) => platformMatches(d.platform, opts.platform));
    if (hit) return hit;
    const p = opts.platform;
    throw new ImageError(
      'no-matching-image',
      `${what}: no manifest for ${p.os}/${p.architecture}${p.variant ? '/' + p.variant : ''}`,
    );
  }
  if (new Set(cands.map((d) => d.digest)).size === 1) return cands[0]!;
  const tags = cands.map((d) => d.annotations[REF_NAME] ?? d.digest);
  throw new ImageError(
    'ambiguous-image',
    `${what}: several images, pick one with a tag (${tags.join(', ')})`,
  );
}

export async function readOciLayout(dir: string, opts: ReadImageOptions = {}): Promise<Image> {
  const state = newReadState(opts);
  const { limits } = state;
  const layout = parseJson(
    await readCappedFile(join(dir, 'oci-layout'), 'oci-layout', 64 * 1024),
    'oci-layout',
    limits.maxJsonBytes,
  );
  if (!isRecord(layout) || typeof layout.imageLayoutVersion !== 'string') {
    throw new ImageError('bad-format', 'oci-layout: no imageLayoutVersion');
  }
  const blobs = new Blobs(dir);
  const platform = opts.platform ?? DEFAULT_PLATFORM;
  let body: unknown = parseJson(
    await readCappedFile(join(dir, 'index.json'), 'index.json', limits.maxJsonBytes),
    'index.json',
    limits.maxJsonBytes,
  );
  let what = 'index.json';
  let desc: Descriptor | undefined;
  let selectedTag: string | undefined;
  for (let depth = 0; ; depth++) {
    if (depth > limits.maxIndexDepth)
      throw new ImageError('too-deep', `image indexes nested deeper than ${limits.maxIndexDepth}`);
    desc = pickDescriptor(
      manifestsOf(body, what),
      { ...(opts.tag !== undefined ? { tag: opts.tag } : {}), platform, top: depth === 0 },
      what,
    );
    if (depth === 0) selectedTag = desc.annotations[REF_NAME];
    what = `manifest ${desc.digest}`;
    body = await blobs.json(desc, what, limits);
    if (!isIndex(desc, isRecord(body) ? body : undefined)) break;
  }
  if (!isRecord(body) || !Array.isArray(body.layers))
    throw new ImageError('bad-format', `${what}: not an image manifest`);
  const configDesc = parseDescriptor(body.config, `${what} config`);
  const config = parseImageConfig(await blobs.json(configDesc, `config ${configDesc.digest}`, limits));
  const layerDescs = body.layers.map((l, i) => parseDescriptor(l, `${what} layers[${i}]`));
  const sources: LayerSource[] = [];
  for (const [i, d] of layerDescs.entries()) {
    const label = `layer ${i} (${d.digest})`;
    sources.push({
      open: await blobs.opener(d, label),
      digest: d.digest,
      label,
      ...(d.mediaType ? { mediaType: d.mediaType } : {}),
    });
  }
  const { layers, fs } = await applyLayers(sources, config, state);
  return {
    source: 'oci-layout',
    fs,
    config,
    configDigest: configDesc.digest,
    manifestDigest: desc.digest,
    repoTags: selectedTag !== undefined ? [selectedTag] : [],
    layers,
    warnings: state.warnings,
  };
}
