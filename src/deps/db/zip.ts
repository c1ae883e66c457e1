import { Inflate, inflateSync } from 'fflate';
import { crc32 } from './crc32.js';

/**
 * A guarded reader for the flat OSV `all.zip` archives: it walks the central directory (so a
 * truncated download is caught: no end-of-central-directory record, no archive), inflates one entry
 * at a time with fflate and hands it to the caller, so memory stays at one archive plus one entry.
 *
 * Hostile input: entry names must be plain `<ID>.json` (no folders, no `..`), the declared and the
 * actual uncompressed sizes are capped per entry and per archive, the output of an entry may not
 * exceed its declared size, and every entry's CRC-32 is checked.
 */

export interface ZipLimits {
  /** Largest uncompressed entry accepted (larger ones are refused and counted). */
  maxEntryBytes: number;
  /** Largest total uncompressed size of one archive (exceeding it fails the archive). */
  maxTotalBytes: number;
  /** Most entries in one archive. */
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 8 * 1024 * 1024 * 1024,
  maxEntries: 2_000_000,
};

/** The archive as a whole is unusable (truncated, corrupt, a bomb). */
export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

export type SkipReason = 'refused' | 'not-json';

export interface ZipSkip {
  name: string;
  reason: SkipReason;
  detail: string;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

/** `GHSA-xxxx-xxxx-xxxx.json`, `ALSA-2024:1234.json`, `PYSEC-2021-1.json`… and nothing with a path in it. */
const PLAIN_JSON_NAME = /^[A-Za-z0-9][A-Za-z0-9._:+~-]{0,250}\.json$/;

const utf8 = new TextDecoder('utf-8', { fatal: false });

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
function u64(b: Uint8Array, o: number): number {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  if (hi > 0x1fffff) throw new ZipFormatError('ZIP64 value out of range');
  return hi * 0x100000000 + lo;
}

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function findEocd(zip: Uint8Array): number {
  const min = Math.max(0, zip.length - 22 - 0xffff);
  for (let i = zip.length - 22; i >= min; i--) if (u32(zip, i) === SIG_EOCD) return i;
  throw new ZipFormatError('not a zip archive (no end-of-central-directory record; truncated download?)');
}

function centralDirectory(
  zip: Uint8Array,
  limits: ZipLimits,
): { count: number; offset: number; size: number } {
  const eocd = findEocd(zip);
  let count = u16(zip, eocd + 10);
  let size = u32(zip, eocd + 12);
  let offset = u32(zip, eocd + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || u32(zip, loc) !== SIG_ZIP64_LOCATOR) throw new ZipFormatError('ZIP64 locator missing');
    const z64 = u64(zip, loc + 8);
    if (z64 + 56 > zip.length || u32(zip, z64) !== SIG_ZIP64_EOCD)
      throw new ZipFormatError('ZIP64 end record missing');
    count = u64(zip, z64 + 32);
    size = u64(zip, z64 + 40);
    offset = u64(zip, z64 + 48);
  }
  if (count > limits.maxEntries)
    throw new ZipFormatError(`too many entries (${count} > ${limits.maxEntries})`);
  if (offset + size > zip.length)
    throw new ZipFormatError('central directory lies outside the archive (truncated?)');
  return { count, offset, size };
}

function* centralEntries(zip: Uint8Array, limits: ZipLimits): Generator<CentralEntry> {
  const cd = centralDirectory(zip, limits);
  let p = cd.offset;
  const end = cd.offset + cd.size;
  for (let i = 0; i < cd.count; i++) {
    if (p + 46 > end || u32(zip, p) !== SIG_CENTRAL)
      throw new ZipFormatError(`central directory entry ${i} is damaged`);
    const flags = u16(zip, p + 8);
    const method = u16(zip, p + 10);
    const crc = u32(zip, p + 16);
    let compressedSize = u32(zip, p + 20);
    let size = u32(zip, p + 24);
    const nameLen = u16(zip, p + 28);
    const extraLen = u16(zip, p + 30);
    const commentLen = u16(zip, p + 32);
    let localOffset = u32(zip, p + 42);
    if (p + 46 + nameLen + extraLen + commentLen > end)
      throw new ZipFormatError(`central directory entry ${i} is damaged`);
    const name = utf8.decode(zip.subarray(p + 46, p + 46 + nameLen));
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      // ZIP64 extended information extra field (id 0x0001): only the saturated values, in this order.
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const id = u16(zip, e);
        const len = u16(zip, e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          const qEnd = e + 4 + len;
          if (size === 0xffffffff && q + 8 <= qEnd) {
            size = u64(zip, q);
            q += 8;
          }
          if (compressedSize === 0xffffffff && q + 8 <= qEnd) {
            compressedSize = u64(zip, q);
            q += 8;
          }
          if (localOffset === 0xffffffff && q + 8 <= qEnd) localOffset = u64(zip, q);
          break;
        }
        e += 4 + len;
      }
    }
    yield { name, flags, method, crc, compressedSize, size, localOffset };
    p += 46 + nameLen + extraLen + commentLen;
  }
}

/** Inflates one entry, never producing more than `expected` bytes. */
function inflateEntry(raw: Uint8Array, expected: number, name: string): Uint8Array {
  if (raw.length <= 64 * 1024) {
    // Small input: its worst-case expansion (~1032×) is bounded; writes past `expected` are dropped
    // by fflate and the CRC check below catches any mismatch.
    return inflateSync(raw, { out: new Uint8Array(expected) });
  }
  const out = new Uint8Array(expected);
  let written = 0;
  const inflater = new Inflate((chunk) => {
    if (written + chunk.length > expected)
      throw new ZipFormatError(`${name}: inflates beyond its declared size`);
    out.set(chunk, written);
    written += chunk.length;
  });
  const step = 64 * 1024;
  for (let i = 0; i < raw.length; i += step) inflater.push(raw.subarray(i, i + step), i + step >= raw.length);
  return out.subarray(0, written);
}

/**
 * The entries of a zip archive, one at a time. Entries that are not plain `<ID>.json` files, that are
 * encrypted, use an unsupported method or declare more than `maxEntryBytes` are reported to `onSkip`
 * and left out. A truncated or corrupt archive (bad structure, failed inflate, CRC mismatch, total
 * size above `maxTotalBytes`) throws `ZipFormatError`.
 */
export function* readZipEntries(
  zip: Uint8Array,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  onSkip: (skip: ZipSkip) => void = () => {},
): Generator<ZipEntry> {
  let total = 0;
  for (const e of centralEntries(zip, limits)) {
    if (e.name.endsWith('/')) continue; // a folder entry carries no data
    if (e.name.includes('/') || e.name.includes('\\') || e.name.includes('..') || e.name.includes('\0')) {
      onSkip({ name: e.name, reason: 'refused', detail: 'entry name is a path, not a plain <ID>.json' });
      continue;
    }
    if (!e.name.toLowerCase().endsWith('.json')) {
      onSkip({ name: e.name, reason: 'not-json', detail: 'not a .json member' });
      continue;
    }
    if (!PLAIN_JSON_NAME.test(e.name)) {
      onSkip({ name: e.name, reason: 'refused', detail: 'entry name is not a plain <ID>.json' });
      continue;
    }
    if (e.flags & 0x1) {
      onSkip({ name: e.name, reason: 'refused', detail: 'encrypted entry' });
      continue;
    }
    if (e.method !== 0 && e.method !== 8) {
      onSkip({ name: e.name, reason: 'refused', detail: `unsupported compression method ${e.method}` });
      continue;
    }
    if (e.size > limits.maxEntryBytes || e.compressedSize > limits.maxEntryBytes) {
      onSkip({
        name: e.name,
        reason: 'refused',
        detail: `declared size ${e.size} exceeds the ${limits.maxEntryBytes}-byte entry cap`,
      });
      continue;
    }
    total += e.size;
    if (total > limits.maxTotalBytes)
      throw new ZipFormatError(`archive inflates beyond the ${limits.maxTotalBytes}-byte cap`);

    const lo = e.localOffset;
    if (lo + 30 > zip.length || u32(zip, lo) !== SIG_LOCAL)
      throw new ZipFormatError(`${e.name}: local header missing`);
    const start = lo + 30 + u16(zip, lo + 26) + u16(zip, lo + 28);
    const end = start + e.compressedSize;
    if (end > zip.length) throw new ZipFormatError(`${e.name}: data lies outside the archive (truncated?)`);
    const raw = zip.subarray(start, end);

    let data: Uint8Array;
    if (e.method === 0) {
      if (e.compressedSize !== e.size) throw new ZipFormatError(`${e.name}: stored entry size mismatch`);
      data = raw;
    } else {
      try {
        data = inflateEntry(raw, e.size, e.name);
      } catch (err) {
        if (err instanceof ZipFormatError) throw err;
        throw new ZipFormatError(
          `${e.name}: cannot inflate (${err instanceof Error ? err.message : String(err)})`,
        );
      }
    }
    if (data.length !== e.size || crc32(data) !== e.crc)
      throw new ZipFormatError(`${e.name}: CRC or size mismatch (corrupt archive)`);
    yield { name: e.name, data };
  }
}
