import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { parseImageConfig } from './config.js';
import { isRecord, parseJson, verifyDigest } from './digest.js';
import { ImageError } from './errors.js';
import { type Image, type LayerSource, type ReadImageOptions, applyLayers, newReadState } from './image.js';
import { entryComponents } from './paths.js';
import { type TarMember, indexTar } from './tar-index.js';

interface ManifestEntry {
  config: string;
  repoTags: string[];
  layers: string[];
}

function parseManifest(json: unknown): ManifestEntry[] {
  if (!Array.isArray(json) || json.length === 0)
    throw new ImageError('bad-format', 'manifest.json: not a non-empty array');
  return json.map((e, i) => {
    if (
      !isRecord(e) ||
      typeof e.Config !== 'string' ||
      !Array.isArray(e.Layers) ||
      !e.Layers.every((l) => typeof l === 'string')
    ) {
      throw new ImageError('bad-format', `manifest.json[${i}]: needs Config and Layers`);
    }
    const repoTags = Array.isArray(e.RepoTags)
      ? e.RepoTags.filter((t): t is string => typeof t === 'string')
      : [];
    return { config: e.Config, repoTags, layers: e.Layers as string[] };
  });
}

/** 'docker.io/library/alpine' → 'alpine:latest'; used to compare a requested tag with RepoTags. */
export function normaliseRef(ref: string): string {
  let r = ref.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
  const lastSlash = r.lastIndexOf('/');
  if (!r.slice(lastSlash + 1).includes(':') && !r.includes('@')) r += ':latest';
  return r;
}

function pickEntry(entries: ManifestEntry[], tag: string | undefined): ManifestEntry {
  if (tag === undefined) {
    if (entries.length === 1) return entries[0]!;
    const tags = entries.flatMap((e) => e.repoTags);
    throw new ImageError(
      'ambiguous-image',
      `docker-archive holds ${entries.length} images; pick one (${tags.join(', ')})`,
    );
  }
  const want = normaliseRef(tag);
  const hit = entries.find((e) => e.repoTags.some((t) => t === tag || normaliseRef(t) === want));
  if (hit === undefined)
    throw new ImageError('no-matching-image', `docker-archive has no image tagged ${tag}`);
  return hit;
}

const HEX_NAME = /(?:^|\/)(?:sha256\/)?([a-f0-9]{64})(?:\.json|\.tar)?$/;

/** Member lookup by normalised path, following symlinks and hardlinks inside the archive. */
class Members {
  private readonly byName = new Map<string, TarMember>();
  constructor(members: TarMember[]) {
    for (const m of members) {
      const parts = safeParts(m.name);
      if (parts !== undefined) this.byName.set(parts.join('/'), m);
    }
  }

  get(name: string, what: string): TarMember {
    let parts = safeParts(name);
    for (let hops = 0; hops < 8 && parts !== undefined; hops++) {
      const m = this.byName.get(parts.join('/'));
      if (m === undefined) break;
      if (m.type === '0' || m.type === '7') return m;
      if (m.type === '2') parts = safeParts([...parts.slice(0, -1), m.linkname].join('/'));
      else if (m.type === '1') parts = safeParts(m.linkname);
      else throw new ImageError('bad-format', `${what}: ${name} is not a file`);
    }
    throw new ImageError('not-found', `${what}: ${name} not found in the docker-archive`);
  }
}

function safeParts(name: string): string[] | undefined {
  try {
    return entryComponents(name, { maxPathBytes: 4096, maxPathDepth: 64 });
  } catch {
    return undefined;
  }
}

async function readMember(fh: FileHandle, m: TarMember, what: string, max: number): Promise<Buffer> {
  if (m.size > max) throw new ImageError('too-large', `${what}: ${m.size} bytes, over ${max}`);
  const b = Buffer.alloc(m.size);
  await fh.read(b, 0, m.size, m.offset);
  return b;
}

/** Reads a `docker save` / `skopeo copy docker-archive:` tarball (manifest.json layout). */
export async function readDockerArchive(file: string, opts: ReadImageOptions = {}): Promise<Image> {
  const state = newReadState(opts);
  const { limits } = state;
  const fh = await open(file, 'r').catch((e: unknown) => {
    throw new ImageError('not-found', `cannot open ${file}`, { cause: e });
  });
  try {
    const size = (await fh.stat()).size;
    const members = new Members(await indexTar(fh, size, limits.maxEntries));
    const manifestMember = members.get('manifest.json', 'docker-archive');
    const manifest = parseManifest(
      parseJson(
        await readMember(fh, manifestMember, 'manifest.json', limits.maxJsonBytes),
        'manifest.json',
        limits.maxJsonBytes,
      ),
    );
    const entry = pickEntry(manifest, opts.tag);
    const configMember = members.get(entry.config, 'config');
    const configBytes = await readMember(fh, configMember, `config ${entry.config}`, limits.maxJsonBytes);
    const configHex = HEX_NAME.exec(entry.config)?.[1];
    const configDigest = configHex !== undefined ? `sha256:${configHex}` : undefined;
    if (configDigest !== undefined) verifyDigest(configBytes, configDigest, `config ${entry.config}`);
    else state.warnings.push(`config ${entry.config}: name carries no digest; not verified`);
    const config = parseImageConfig(parseJson(configBytes, `config ${entry.config}`, limits.maxJsonBytes));
    const sources: LayerSource[] = entry.layers.map((name, i) => {
      const m = members.get(name, `layer ${i}`);
      // OCI-style names (blobs/sha256/<hex>) name the stored bytes; legacy names are checked by diff_id only.
      const hex = /(?:^|\/)blobs\/sha256\/([a-f0-9]{64})$/.exec(name)?.[1];
      return {
        open: () =>
          m.size === 0
            ? emptySource()
            : createReadStream(file, {
                start: m.offset,
                end: m.offset + m.size - 1,
                highWaterMark: 256 * 1024,
              }),
        ...(hex !== undefined ? { digest: `sha256:${hex}` } : {}),
        label: `layer ${i} (${name})`,
      };
    });
    const { layers, fs } = await applyLayers(sources, config, state);
    return {
      source: 'docker-archive',
      fs,
      config,
      configDigest: configDigest ?? '',
      repoTags: entry.repoTags,
      layers,
      warnings: state.warnings,
    };
  } finally {
    await fh.close();
  }
}

async function* emptySource(): AsyncGenerator<Uint8Array> {
  // A zero-byte layer is not a tar; applyLayer reports it as corrupt.
}
