import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { type FakeRegistry, sha256 } from './fake-registry.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** A gzip'd tar holding the given files (regular files, mode 0644). */
export async function tarGz(files: Record<string, string>): Promise<{ gz: Uint8Array; diffId: string }> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const [name, data] of Object.entries(files)) {
    pack.entry({ name, mode: 0o644, mtime: new Date(1_700_000_000_000) }, data);
  }
  pack.finalize();
  await done;
  const raw = Buffer.concat(chunks);
  return { gz: new Uint8Array(gzipSync(raw)), diffId: sha256(raw) };
}

export interface BuiltImage {
  manifest: Uint8Array;
  manifestDigest: string;
  config: Uint8Array;
  configDigest: string;
  layers: { bytes: Uint8Array; digest: string; diffId: string }[];
}

/** An OCI image (manifest, config, layers) whose layers hold `files[i]`. */
export async function buildImage(files: Record<string, string>[], architecture = 'amd64'): Promise<BuiltImage> {
  const layers = await Promise.all(files.map((f) => tarGz(f)));
  const config = new TextEncoder().encode(
    JSON.stringify({
      architecture,
      os: 'linux',
      config: { Env: ['PATH=/usr/bin'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    }),
  );
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.byteLength },
      layers: layers.map((l) => ({ mediaType: OCI_LAYER_GZIP, digest: sha256(l.gz), size: l.gz.byteLength })),
    }),
  );
  return {
    manifest,
    manifestDigest: sha256(manifest),
    config,
    configDigest: sha256(config),
    layers: layers.map((l) => ({ bytes: l.gz, digest: sha256(l.gz), diffId: l.diffId })),
  };
}

/** Stores an image's blobs and manifest in the fake registry under `tags`. */
export function storeImage(reg: FakeRegistry, repo: string, tags: string[], img: BuiltImage): void {
  reg.addBlob(img.config);
  for (const l of img.layers) reg.addBlob(l.bytes);
  reg.addManifest(repo, tags, new TextDecoder().decode(img.manifest), OCI_MANIFEST);
}
