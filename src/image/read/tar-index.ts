import type { FileHandle } from 'node:fs/promises';
import { ImageError } from './errors.js';

/** One member of an outer (docker-archive) tarball, located by byte offset for random access. */
export interface TarMember {
  name: string;
  /** Offset of the member's data in the file. */
  offset: number;
  size: number;
  /** tar typeflag: '0' file, '1' hardlink, '2' symlink, '5' dir, … */
  type: string;
  linkname: string;
}

const BLOCK = 512;

function cstr(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + len ? start + len : end);
}

function octal(buf: Buffer, start: number, len: number, what: string): number {
  if ((buf[start]! & 0x80) !== 0) {
    // GNU base-256
    let n = 0;
    for (let i = 1; i < len; i++) n = n * 256 + buf[start + i]!;
    if (!Number.isSafeInteger(n)) throw new ImageError('bad-format', `tar ${what} too large`);
    return n;
  }
  const s = cstr(buf, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new ImageError('bad-format', `tar header: bad ${what} field`);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === octal(h, 148, 8, 'checksum');
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp === -1) break;
    const len = parseInt(data.toString('utf8', pos, sp), 10);
    if (!Number.isSafeInteger(len) || len <= 0 || pos + len > data.length)
      throw new ImageError('bad-format', 'tar: bad pax record');
    const rec = data.toString('utf8', sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

/**
 * Reads only the headers of a tarball (ustar, pax and GNU long names) and returns where each member's
 * data lies. Nothing is extracted.
 */
export async function indexTar(fh: FileHandle, fileSize: number, maxEntries: number): Promise<TarMember[]> {
  const members: TarMember[] = [];
  const h = Buffer.alloc(BLOCK);
  let pos = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  const readData = async (offset: number, size: number): Promise<Buffer> => {
    if (size > 1024 * 1024) throw new ImageError('too-large', 'tar: extended header over 1 MiB');
    const b = Buffer.alloc(size);
    await fh.read(b, 0, size, offset);
    return b;
  };
  while (pos + BLOCK <= fileSize) {
    const { bytesRead } = await fh.read(h, 0, BLOCK, pos);
    if (bytesRead < BLOCK) break;
    if (h.every((b) => b === 0)) break;
    if (!checksumOk(h)) throw new ImageError('bad-format', `tar: bad header checksum at offset ${pos}`);
    const type = String.fromCharCode(h[156]! || 0x30);
    let size = octal(h, 124, 12, 'size');
    const dataAt = pos + BLOCK;
    const magic = h.toString('latin1', 257, 262);
    const prefix = magic === 'ustar' ? cstr(h, 345, 155) : '';
    let name = (prefix ? prefix + '/' : '') + cstr(h, 0, 100);
    let linkname = cstr(h, 157, 100);
    if (type === 'x' || type === 'L' || type === 'K') {
      if (dataAt + size > fileSize) throw new ImageError('bad-format', 'tar: truncated');
      const data = await readData(dataAt, size);
      if (type === 'x') pax = parsePax(data);
      else if (type === 'L') longName = cstr(data, 0, data.length);
      else longLink = cstr(data, 0, data.length);
    } else if (type !== 'g') {
      if (longName !== undefined) name = longName;
      if (longLink !== undefined) linkname = longLink;
      if (pax.path !== undefined) name = pax.path;
      if (pax.linkpath !== undefined) linkname = pax.linkpath;
      if (pax.size !== undefined) size = Number(pax.size);
      if (!Number.isSafeInteger(size) || size < 0) throw new ImageError('bad-format', 'tar: bad size');
      if (dataAt + size > fileSize) throw new ImageError('bad-format', `tar: member ${name} truncated`);
      if (members.length >= maxEntries)
        throw new ImageError('too-many-entries', `archive has more than ${maxEntries} members`);
      members.push({ name, offset: dataAt, size, type, linkname });
      pax = {};
      longName = undefined;
      longLink = undefined;
    }
    pos = dataAt + Math.ceil(size / BLOCK) * BLOCK;
  }
  return members;
}
