/**
 * Pure byte tests that decide whether a file is text worth scanning. A file is binary when its
 * first 8 KiB hold a NUL byte or when it starts with the magic number of a well-known binary format
 * (some of which — GIF, PDF, bzip2 — can go a long way without a NUL). Invalid UTF-8 is NOT binary:
 * the scanners decode leniently, and a secret next to a stray byte must still be found.
 */

/** How many leading bytes are inspected. */
export const SNIFF_BYTES = 8192;

interface Magic {
  name: string;
  /** Offset of the signature in the file. */
  at: number;
  bytes: readonly number[];
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/**
 * Signatures chosen to be unambiguous: each has a non-text byte or is long enough that no real text
 * file starts with it. Formats whose header always contains a NUL early (PE, wasm, tar, ICO…) are
 * caught by the NUL test and need no entry.
 */
const MAGICS: readonly Magic[] = [
  { name: 'png', at: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { name: 'jpeg', at: 0, bytes: [0xff, 0xd8, 0xff] },
  { name: 'gif', at: 0, bytes: ascii('GIF87a') },
  { name: 'gif', at: 0, bytes: ascii('GIF89a') },
  { name: 'pdf', at: 0, bytes: ascii('%PDF-') },
  { name: 'zip', at: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'zip', at: 0, bytes: [0x50, 0x4b, 0x05, 0x06] },
  { name: 'zip', at: 0, bytes: [0x50, 0x4b, 0x07, 0x08] },
  { name: 'gzip', at: 0, bytes: [0x1f, 0x8b, 0x08] },
  { name: 'bzip2', at: 4, bytes: ascii('1AY&SY') }, // after "BZh" + block size digit
  { name: 'xz', at: 0, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'zstd', at: 0, bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: '7z', at: 0, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: 'rar', at: 0, bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { name: 'elf', at: 0, bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: 'mach-o', at: 0, bytes: [0xfe, 0xed, 0xfa, 0xce] },
  { name: 'mach-o', at: 0, bytes: [0xfe, 0xed, 0xfa, 0xcf] },
  { name: 'mach-o', at: 0, bytes: [0xce, 0xfa, 0xed, 0xfe] },
  { name: 'mach-o', at: 0, bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { name: 'java-class/fat-mach-o', at: 0, bytes: [0xca, 0xfe, 0xba, 0xbe] },
  { name: 'java-keystore', at: 0, bytes: [0xfe, 0xed, 0xfe, 0xed] },
  { name: 'sqlite', at: 0, bytes: ascii('SQLite format 3\0') },
  { name: 'flac', at: 0, bytes: ascii('fLaC') },
  { name: 'woff', at: 0, bytes: ascii('wOFF') },
  { name: 'woff2', at: 0, bytes: ascii('wOF2') },
  { name: 'webp', at: 8, bytes: ascii('WEBP') },
  { name: 'wav', at: 8, bytes: ascii('WAVE') },
  { name: 'avi', at: 8, bytes: ascii('AVI ') },
  { name: 'psd', at: 0, bytes: [0x38, 0x42, 0x50, 0x53, 0x00, 0x01] },
  { name: 'lua-bytecode', at: 0, bytes: [0x1b, 0x4c, 0x75, 0x61] },
];

function startsWithAt(buf: Uint8Array, at: number, sig: readonly number[]): boolean {
  if (buf.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (buf[at + i] !== sig[i]) return false;
  return true;
}

/** The name of the binary format `head` starts with, if any. */
export function binaryMagic(head: Uint8Array): string | undefined {
  for (const m of MAGICS) {
    if (!startsWithAt(head, m.at, m.bytes)) continue;
    // RIFF containers: only when the file really is RIFF (WEBP/WAVE/AVI sit at offset 8).
    if (m.at === 8 && !startsWithAt(head, 0, ascii('RIFF'))) continue;
    // bzip2: "BZh" + '1'..'9' before the block magic.
    if (m.name === 'bzip2' && !(startsWithAt(head, 0, ascii('BZh')) && head[3]! >= 0x31 && head[3]! <= 0x39))
      continue;
    return m.name;
  }
  return undefined;
}

export type Utf16Encoding = 'utf16le' | 'utf16be';

/**
 * UTF-16 text: a byte-order mark followed by text whose high bytes are often zero (ASCII in
 * UTF-16, which is what secrets are made of). The plausibility check keeps a Latin-1 or garbage file
 * that happens to start with `ÿþ` from being "decoded" into nonsense that would hide its content.
 * UTF-32 marks are left to the NUL test (treated as binary).
 */
export function utf16Bom(head: Uint8Array): Utf16Encoding | undefined {
  if (head.length < 2) return undefined;
  let encoding: Utf16Encoding;
  if (head[0] === 0xff && head[1] === 0xfe) {
    if (head.length >= 4 && head[2] === 0 && head[3] === 0) return undefined; // UTF-32 LE mark
    encoding = 'utf16le';
  } else if (head[0] === 0xfe && head[1] === 0xff) {
    encoding = 'utf16be';
  } else {
    return undefined;
  }
  const end = Math.min(head.length, SNIFF_BYTES) & ~1;
  const units = (end - 2) / 2;
  if (units <= 0) return encoding;
  const highOffset = encoding === 'utf16le' ? 1 : 0;
  let zeroHigh = 0;
  for (let i = 2 + highOffset; i < end; i += 2) if (head[i] === 0) zeroHigh++;
  return zeroHigh * 4 >= units ? encoding : undefined;
}

/**
 * Why `content` is not scannable text (`'NUL byte'`, `'png'`…), or undefined when it is text.
 * Only the first SNIFF_BYTES bytes are inspected. UTF-16 text is the caller's business (see
 * `decodeUtf16`): call this after transcoding.
 */
export function binaryReason(content: Uint8Array): string | undefined {
  const magic = binaryMagic(content);
  if (magic) return magic;
  const head = content.length > SNIFF_BYTES ? content.subarray(0, SNIFF_BYTES) : content;
  if (Buffer.from(head.buffer, head.byteOffset, head.byteLength).indexOf(0) !== -1) return 'NUL byte';
  return undefined;
}

/** UTF-16 text (with a byte-order mark) → UTF-8 bytes, without the mark. */
export function decodeUtf16(content: Buffer, encoding: Utf16Encoding): Buffer {
  let body = content.subarray(2, content.length - (content.length % 2));
  if (encoding === 'utf16be') {
    body = Buffer.from(body); // swap16 works in place: never touch the caller's bytes
    body.swap16();
  }
  return Buffer.from(body.toString('utf16le'), 'utf8');
}
