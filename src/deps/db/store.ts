import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';

/**
 * On-disk layout of the advisory database (folder `dir`):
 *
 *   CURRENT                    name of the live generation folder (switched by rename)
 *   update.lock                held while an update runs
 *   gen-<time>-<pid>-<rand>/   one generation
 *     meta.json                DbMeta
 *     <Ecosystem>.records      trimmed records (minified JSON, newline-separated) in raw-deflate
 *                              blocks of about 64 KiB
 *     <Ecosystem>.index        raw-deflated JSON IndexFile: block offsets, record positions and
 *                              package key → record numbers
 *
 * Package keys are `normalisePackageName(ecosystem, name)`.
 */
export const DB_SCHEMA_VERSION = 1;

export const CURRENT_FILE = 'CURRENT';
export const META_FILE = 'meta.json';
export const GENERATION_PREFIX = 'gen-';
export const GENERATION_NAME = /^gen-[A-Za-z0-9-]{1,80}$/;

export function recordsFileName(ecosystem: string): string {
  return `${encodeURIComponent(ecosystem)}.records`;
}
export function indexFileName(ecosystem: string): string {
  return `${encodeURIComponent(ecosystem)}.index`;
}

export interface SkipCounts {
  /** Not JSON, or not an OSV record (no id, no affected entry for this ecosystem). */
  malformed: number;
  /** Refused zip members: path names, oversized, encrypted, unknown compression. */
  refused: number;
  /** Members that are not `.json` files. */
  notJson: number;
}

export interface EcosystemMeta {
  records: number;
  packages: number;
  /** Newest `modified` among the records (placeholder dates such as Go's year 1 ignored). */
  newestModified?: string;
  skipped: SkipCounts;
  archiveBytes: number;
  uncompressedBytes: number;
  recordsFile: string;
  indexFile: string;
  /** Alpine: records that came from (or were updated by) the Alpine secdb import. */
  secdbRecords?: number;
}

export interface DbMeta {
  schemaVersion: number;
  source: string;
  updatedAt: string;
  ecosystems: Record<string, EcosystemMeta>;
  /** The Alpine secdb source imported into this generation, if any. */
  alpineSecdb?: string;
  /** Ecosystems asked for but absent at the source (404). */
  missing: string[];
  warnings: string[];
}

export interface IndexFile {
  /** File offset of each block of the records file, then its end offset. */
  blocks: number[];
  /** Three numbers per record: block number, offset in the inflated block, byte length. */
  records: number[];
  /** Package key (`normalisePackageName`) → record numbers. */
  packages: Record<string, number[]>;
}

/** Writes a file and fsyncs it before closing. */
export function writeFileDurable(file: string, data: string | Uint8Array): void {
  const fd = openSync(file, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let done = 0;
    while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync of a folder, so renames and new entries in it are durable (not possible on Windows: ignored). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open folders; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Uncompressed size at which a block of records is closed and deflated. */
export const BLOCK_BYTES = 64 * 1024;

/**
 * Writes records (minified JSON strings) into a file of independently deflated blocks of about
 * `BLOCK_BYTES`, so a lookup inflates one small block while the file stays a fraction of the
 * archives' size (records of one ecosystem share most of their text).
 */
export class BlockWriter {
  /** Per record: block number, byte offset inside the inflated block, byte length. */
  readonly records: number[] = [];
  /** File offset of every block, then the end offset. */
  readonly blocks: number[] = [];
  private readonly fd: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private fileBytes = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }

  /** Adds one record; returns its number. */
  push(json: string): number {
    const len = Buffer.byteLength(json, 'utf8');
    this.records.push(this.blocks.length, this.pendingBytes, len);
    this.pending.push(json);
    this.pendingBytes += len + 1;
    if (this.pendingBytes >= BLOCK_BYTES) this.flush();
    return this.records.length / 3 - 1;
  }

  get size(): number {
    return this.fileBytes;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const block = deflateRawSync(Buffer.from(this.pending.join('\n') + '\n', 'utf8'), { level: 6 });
    this.blocks.push(this.fileBytes);
    let done = 0;
    while (done < block.length) done += writeSync(this.fd, block, done, block.length - done);
    this.fileBytes += block.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Flushes, fsyncs and closes; `blocks` then ends with the file's end offset. */
  finish(): void {
    try {
      this.flush();
      this.blocks.push(this.fileBytes);
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }

  /** Closes without caring about the content (failed update). */
  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
