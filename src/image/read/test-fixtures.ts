/** Builders for small docker-archives and OCI layouts used by the tests (not shipped API). */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export interface TEntry {
  name: string;
  data?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  mode?: number;
}

export async function tarOf(entries: TEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtime: new Date(1_700_000_000_000),
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
    };
    if (type === 'file') pack.entry(header, e.data ?? '');
    else pack.entry(header);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const gz = (b: Buffer): Buffer => gzipSync(b);
export const hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
export const dig = (b: Buffer | string): string => 'sha256:' + hex(b);

/**
 * zstd frame of a ustar archive holding `z/hello.txt` ("zstd layer\n", mode 0644, mtime 0), made with
 * Python tarfile (USTAR_FORMAT) and `zstd -19 --no-check layer.tar` (zstd v1.5.4).
 */
export const ZSTD_LAYER = Buffer.from(
  'KLUv/WAAJzUCAJLDCxCg7XboP/8DgP2tgAQDy4kpBk5JxELaN/3boX3QfrCan9x3If+teu6NKxpjao0ZCCCAH/GFT3PqfDNxKxEYFMBqAnQ=',
  'base64',
);
/** sha256sum of the uncompressed layer.tar above. */
export const ZSTD_LAYER_DIFF_ID = 'sha256:533fe17e892d06199c35552f77af03c1468a24d8a5c046bd189279ae985f5fbb';

export interface BuiltLayer {
  stored: Buffer;
  diffId: string;
  mediaType: string;
}

export async function layer(entries: TEntry[], compression: 'none' | 'gzip' = 'gzip'): Promise<BuiltLayer> {
  const t = await tarOf(entries);
  return compression === 'gzip'
    ? { stored: gz(t), diffId: dig(t), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }
    : { stored: t, diffId: dig(t), mediaType: 'application/vnd.oci.image.layer.v1.tar' };
}

export function configOf(layers: BuiltLayer[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      created: '2025-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/bin', 'TOKEN=abc'], User: '1000', Healthcheck: { Test: ['CMD', 'true'] } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created: '2025-01-01T00:00:00Z', created_by: `step ${i}` })),
      ...extra,
    }),
  );
}

export interface OciBlobs {
  blobs: Map<string, Buffer>;
  manifest: Buffer;
  config: Buffer;
}

export function ociImage(layers: BuiltLayer[], config = configOf(layers)): OciBlobs {
  const blobs = new Map<string, Buffer>();
  blobs.set(hex(config), config);
  for (const l of layers) blobs.set(hex(l.stored), l.stored);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: dig(config),
        size: config.length,
      },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: dig(l.stored), size: l.stored.length })),
    }),
  );
  blobs.set(hex(manifest), manifest);
  return { blobs, manifest, config };
}

export function descOf(
  blob: Buffer,
  mediaType: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { mediaType, digest: dig(blob), size: blob.length, ...extra };
}

export async function writeLayout(dir: string, blobs: Map<string, Buffer>, index: unknown): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), typeof index === 'string' ? index : JSON.stringify(index));
  for (const [h, b] of blobs) await writeFile(join(dir, 'blobs', 'sha256', h), b);
}

/** A skopeo-style docker-archive: `<diffid>.tar` layers plus legacy `<id>/layer.tar` symlinks. */
export async function dockerArchive(
  layers: BuiltLayer[],
  opts: { config?: Buffer; repoTags?: string[]; manifest?: string; legacy?: boolean } = {},
): Promise<Buffer> {
  const config = opts.config ?? configOf(layers);
  const entries: TEntry[] = [];
  const names: string[] = [];
  for (const [i, l] of layers.entries()) {
    const h = l.diffId.slice(7);
    entries.push({ name: `${h}.tar`, data: l.stored });
    if (opts.legacy === true) {
      const id = hex(`legacy-${i}`);
      entries.push({ name: `${id}/`, type: 'directory' });
      entries.push({ name: `${id}/layer.tar`, type: 'symlink', linkname: `../${h}.tar` });
      names.push(`${id}/layer.tar`);
    } else names.push(`${h}.tar`);
  }
  entries.push({ name: `${hex(config)}.json`, data: config });
  const manifest =
    opts.manifest ??
    JSON.stringify([
      {
        Config: `${hex(config)}.json`,
        RepoTags: opts.repoTags ?? ['docker.io/test/app:latest'],
        Layers: names,
      },
    ]);
  entries.push({ name: 'manifest.json', data: manifest });
  return tarOf(entries);
}
