import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import tar, { type Extract } from 'tar-stream';
import { ImageError, isImageError } from './errors.js';
import { type FsNode, type FsTree, type NodeKind, assertSymlinkInside } from './fs.js';
import type { ImageLimits } from './limits.js';
import { entryComponents, joinPath } from './paths.js';

type Entry = Extract extends AsyncIterable<infer S> ? S : never;

export type Compression = 'none' | 'gzip' | 'zstd';

/** What the content selector sees for each regular file of each layer. */
export interface EntryInfo {
  path: string;
  kind: NodeKind;
  size: number;
  mode: number;
  /** Index of the layer (0 = base). */
  layer: number;
}

export interface ContentOptions {
  /** Buffer this file's content (up to `maxFileBytes`)? Everything else is kept as metadata only. */
  want?: (e: EntryInfo) => boolean;
  /** After buffering: keep the content in the ImageFs? (default yes) — e.g. keep only Go binaries. */
  keep?: (e: EntryInfo, data: Buffer) => boolean;
  /** Sees every buffered file of every layer, including files a later layer deletes (secret scanning). */
  onFile?: (e: EntryInfo, data: Buffer) => void;
}

export interface LayerDigests {
  /** sha256 of the bytes as stored. */
  digest: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  size: number;
  uncompressedSize: number;
  compression: Compression;
}

/** Per-read bookkeeping shared by all layers of one image. */
export interface ReadState {
  tree: FsTree;
  limits: ImageLimits;
  content: ContentOptions;
  warnings: string[];
  uncompressedTotal: number;
}

export function detectCompression(head: Uint8Array): Compression | 'unknown' {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  const isBzip2 = head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68;
  const isXz = head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58;
  return isBzip2 || isXz ? 'unknown' : 'none';
}

/**
 * zstd decompression as a stream. fzstd decodes a whole pushed chunk at once (one 64 KiB read of RLE
 * blocks declares gigabytes), so `guard` sees the running output size per decoded block and throws
 * (an ImageError) before a bomb is materialised in memory.
 */
function zstdTransform(guard: (outBytes: number) => void): Transform {
  let produced = 0;
  const out: Transform = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        dec.push(chunk);
        cb();
      } catch (e) {
        cb(wrapCorrupt(e, 'zstd'));
      }
    },
    flush(cb: TransformCallback) {
      try {
        dec.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(wrapCorrupt(e, 'zstd'));
      }
    },
  });
  const dec = new Decompress((chunk) => {
    produced += chunk.length;
    guard(produced);
    out.push(Buffer.from(chunk));
  });
  return out;
}

function wrapCorrupt(e: unknown, what: string): Error {
  if (isImageError(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new ImageError('corrupt-layer', `layer is not a valid ${what} stream: ${msg}`, { cause: e });
}

/**
 * Streams one layer (as stored: plain, gzip or zstd tar) into the tree, hashing both the stored
 * and the uncompressed bytes; caps on size, ratio and entries. The caller compares the digests.
 */
export async function applyLayer(
  source: AsyncIterable<Uint8Array>,
  layer: number,
  state: ReadState,
): Promise<LayerDigests> {
  const { limits } = state;
  const it = source[Symbol.asyncIterator]();
  const firsts: Buffer[] = [];
  let peeked = 0;
  while (peeked < 8) {
    const r = await it.next();
    if (r.done === true) break;
    const b = Buffer.from(r.value);
    firsts.push(b);
    peeked += b.length;
  }
  const compression = detectCompression(Buffer.concat(firsts));
  if (compression === 'unknown') {
    throw new ImageError(
      'unsupported-compression',
      `layer ${layer}: only plain, gzip and zstd tar layers are read`,
    );
  }
  const rawHash = createHash('sha256');
  const diffHash = createHash('sha256');
  let rawBytes = 0;
  let outBytes = 0;

  async function* raw(): AsyncGenerator<Buffer> {
    for (const c of firsts) {
      rawHash.update(c);
      rawBytes += c.length;
      yield c;
    }
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      const c = Buffer.from(r.value);
      rawHash.update(c);
      rawBytes += c.length;
      yield c;
    }
  }

  const checkCaps = (): void => checkOutput(outBytes);
  const checkOutput = (outBytes: number): void => {
    if (outBytes > limits.maxLayerBytes) {
      throw new ImageError(
        compression === 'none' ? 'too-large' : 'decompression-bomb',
        `layer ${layer} expands beyond ${limits.maxLayerBytes} bytes`,
      );
    }
    if (state.uncompressedTotal + outBytes > limits.maxTotalBytes) {
      throw new ImageError('too-large', `image expands beyond ${limits.maxTotalBytes} bytes`);
    }
    if (
      compression !== 'none' &&
      outBytes > limits.ratioGraceBytes &&
      outBytes > limits.maxRatio * rawBytes
    ) {
      throw new ImageError(
        'decompression-bomb',
        `layer ${layer} expands more than ${limits.maxRatio}:1 (${outBytes} bytes from ${rawBytes})`,
      );
    }
  };
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      outBytes += chunk.length;
      diffHash.update(chunk);
      try {
        checkCaps();
        cb(null, chunk);
      } catch (e) {
        cb(e as Error);
      }
    },
  });
  const stages: NodeJS.ReadWriteStream[] = [];
  if (compression === 'gzip') {
    const gunzip = createGunzip();
    stages.push(gunzip);
  } else if (compression === 'zstd') stages.push(zstdTransform(checkOutput));

  const extract = tar.extract();
  const pipe = pipeline([
    Readable.from(raw()),
    ...stages,
    meter,
    extract as unknown as NodeJS.WritableStream,
  ]);
  const consume = (async () => {
    try {
      for await (const entry of extract) await applyEntry(entry, layer, state);
    } catch (e) {
      extract.destroy(e as Error);
      throw e;
    }
  })();
  const [p, c] = await Promise.allSettled([pipe, consume]);
  const failure =
    [c, p].find((r) => r.status === 'rejected' && isImageError(r.reason)) ??
    [c, p].find((r) => r.status === 'rejected');
  if (failure?.status === 'rejected')
    throw wrapCorrupt(failure.reason, compression === 'none' ? 'tar' : compression);
  state.uncompressedTotal += outBytes;
  return {
    digest: 'sha256:' + rawHash.digest('hex'),
    diffId: 'sha256:' + diffHash.digest('hex'),
    size: rawBytes,
    uncompressedSize: outBytes,
    compression,
  };
}

async function drain(entry: Entry): Promise<void> {
  for await (const _ of entry) {
    /* discard */
  }
}

async function collect(entry: Entry, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of entry) {
    n += (c as Buffer).length;
    if (n > size) throw new ImageError('corrupt-layer', 'tar entry longer than its header says');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks, n);
}

async function applyEntry(entry: Entry, layer: number, state: ReadState): Promise<void> {
  const { tree, limits, content, warnings } = state;
  const h = entry.header;
  const type = (h.type as string | null | undefined) ?? 'file';
  if (type === 'pax-global-header' || type === 'pax-header') return drain(entry);
  if (++tree.entries > limits.maxEntries) {
    throw new ImageError('too-many-entries', `more than ${limits.maxEntries} tar entries`);
  }
  const parts = entryComponents(h.name, limits);
  const base = parts[parts.length - 1];
  if (base !== undefined && base.startsWith('.wh.')) {
    await drain(entry);
    const dir = parts.slice(0, -1);
    if (base === '.wh..wh..opq') tree.opaque(dir, layer);
    else if (!base.startsWith('.wh..wh.')) {
      const name = base.slice(4);
      if (name !== '' && name !== '.' && name !== '..') tree.whiteout([...dir, name], layer);
    }
    return;
  }
  const meta = {
    mode: (h.mode ?? 0) & 0o7777,
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
    mtime: h.mtime ? Math.floor(h.mtime.getTime() / 1000) : 0,
    layer,
  };
  const path = joinPath(parts);
  switch (type) {
    case 'directory':
      await drain(entry);
      tree.put(parts, { kind: 'dir', size: 0, ...meta, children: new Map() });
      return;
    case 'symlink': {
      await drain(entry);
      if (parts.length === 0) return;
      const target = h.linkname ?? '';
      assertSymlinkInside(parts, target);
      tree.put(parts, { kind: 'symlink', size: 0, target, ...meta });
      return;
    }
    case 'link': {
      await drain(entry);
      if (parts.length === 0) return;
      const linkParts = entryComponents(h.linkname ?? '', limits);
      const target = tree.lookup(linkParts);
      if (target === undefined || target.kind === 'dir' || linkParts.length === 0) {
        throw new ImageError(
          'hardlink-missing',
          `hardlink ${path} -> ${h.linkname ?? ''}: no such earlier file`,
        );
      }
      const node: FsNode = { ...target, children: undefined, layer };
      delete node.children;
      if (
        node.data === undefined &&
        content.want?.({ path, kind: node.kind, size: node.size, mode: node.mode, layer })
      ) {
        node.dropped = true;
      }
      tree.put(parts, node);
      return;
    }
    case 'file':
    case 'contiguous-file': {
      if (parts.length === 0) return drain(entry);
      const size = h.size ?? 0;
      const info: EntryInfo = { path, kind: 'file', size, mode: meta.mode, layer };
      const node: FsNode = { kind: 'file', size, ...meta };
      if (content.want?.(info) === true) {
        if (size > limits.maxFileBytes) {
          await drain(entry);
          node.dropped = true;
          warnings.push(
            `${path}: ${size} bytes, over the ${limits.maxFileBytes}-byte file cap; content not read`,
          );
        } else {
          const data = await collect(entry, size);
          content.onFile?.(info, data);
          if (content.keep?.(info, data) ?? true) {
            if (tree.retainedBytes + data.length > limits.maxRetainedBytes) {
              node.dropped = true;
              warnings.push(
                `${path}: retained-content cap (${limits.maxRetainedBytes} bytes) reached; content dropped`,
              );
            } else {
              tree.retainedBytes += data.length;
              node.data = data;
            }
          }
        }
      } else await drain(entry);
      tree.put(parts, node);
      return;
    }
    default:
      await drain(entry);
      if (parts.length > 0) tree.put(parts, { kind: 'other', size: 0, ...meta });
  }
}
