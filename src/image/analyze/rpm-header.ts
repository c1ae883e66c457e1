/**
 * rpm package headers as stored in `rpmdb.sqlite` (`Packages.blob`): the header without its 8-byte
 * magic, i.e. `il` (index entry count, uint32 BE), `dl` (data length, uint32 BE), `il` 16-byte index
 * entries `{tag, type, offset, count}` (int32 BE each), then `dl` bytes of data
 * (https://rpm-software-management.github.io/rpm/manual/format_header.html).
 */

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;
/** rpm's own limits (HEADER_TAGS_MAX, HEADER_DATA_MAX). */
const MAX_ENTRIES = 0xffff;
const MAX_DATA = 256 * 1024 * 1024;

export interface RpmHeader {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
  license?: string;
}

export class RpmHeaderError extends Error {}

function cString(data: Buffer, at: number): string {
  const end = data.indexOf(0, at);
  if (end < 0) throw new RpmHeaderError('unterminated string in header data');
  return data.toString('utf8', at, end);
}

/** Reads the tags we need from one header blob; throws RpmHeaderError on a malformed header. */
export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < 8) throw new RpmHeaderError('header shorter than 8 bytes');
  const il = buf.readUInt32BE(0);
  const dl = buf.readUInt32BE(4);
  if (il < 1 || il > MAX_ENTRIES || dl > MAX_DATA)
    throw new RpmHeaderError(`implausible header sizes (il=${il}, dl=${dl})`);
  const dataStart = 8 + il * 16;
  if (dataStart + dl > buf.length) throw new RpmHeaderError('header truncated');
  const data = buf.subarray(dataStart, dataStart + dl);
  const strings = new Map<number, string>();
  const ints = new Map<number, number>();
  const wanted = new Set<number>(Object.values(RPMTAG));
  for (let i = 0; i < il; i++) {
    const e = 8 + i * 16;
    const tag = buf.readInt32BE(e);
    if (!wanted.has(tag)) continue;
    const type = buf.readUInt32BE(e + 4);
    const offset = buf.readInt32BE(e + 8);
    const count = buf.readUInt32BE(e + 12);
    if (offset < 0 || offset >= dl || count < 1) throw new RpmHeaderError(`tag ${tag}: offset out of range`);
    if (type === TYPE_STRING || type === TYPE_STRING_ARRAY || type === TYPE_I18NSTRING) {
      strings.set(tag, cString(data, offset)); // first element of an array / the C locale of an i18n string
    } else if (type === TYPE_INT32) {
      if (offset + 4 > dl) throw new RpmHeaderError(`tag ${tag}: int32 out of range`);
      ints.set(tag, data.readInt32BE(offset));
    }
  }
  const name = strings.get(RPMTAG.NAME);
  const version = strings.get(RPMTAG.VERSION);
  const release = strings.get(RPMTAG.RELEASE);
  if (!name || version === undefined || release === undefined)
    throw new RpmHeaderError('header without NAME, VERSION or RELEASE');
  const h: RpmHeader = { name, version, release };
  const epoch = ints.get(RPMTAG.EPOCH);
  if (epoch !== undefined) h.epoch = epoch;
  const arch = strings.get(RPMTAG.ARCH);
  if (arch) h.arch = arch;
  const src = strings.get(RPMTAG.SOURCERPM);
  if (src && src !== '(none)') h.sourceRpm = src;
  const license = strings.get(RPMTAG.LICENSE);
  if (license) h.license = license;
  return h;
}

/** `openssl-3.0.7-27.el9.src.rpm` → `{name: openssl, version: 3.0.7, release: 27.el9}`. */
export function parseSourceRpm(file: string): { name: string; version: string; release: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file);
  return m?.[1] && m[2] && m[3] ? { name: m[1], version: m[2], release: m[3] } : undefined;
}
