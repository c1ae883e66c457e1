/**
 * NaCl `crypto_secretbox_open` (XSalsa20-Poly1305), the cipher of cosign's encrypted private keys.
 * Node's crypto has neither XSalsa20 nor a raw Poly1305, so both are written here from their
 * specifications (Bernstein, "Extending the Salsa20 nonce"; RFC 8439 §2.5 for Poly1305). Only what
 * reading (and, for tests, writing) a key needs; not constant-time beyond the tag comparison, which is
 * acceptable for decrypting a local key file.
 */
import { timingSafeEqual } from 'node:crypto';

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

function rotl(v: number, c: number): number {
  return ((v << c) | (v >>> (32 - c))) >>> 0;
}

function le32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/** The 20 Salsa20 rounds over `x` in place. */
function rounds(x: Uint32Array): void {
  const qr = (a: number, b: number, c: number, d: number): void => {
    x[b] = (x[b]! ^ rotl((x[a]! + x[d]!) >>> 0, 7)) >>> 0;
    x[c] = (x[c]! ^ rotl((x[b]! + x[a]!) >>> 0, 9)) >>> 0;
    x[d] = (x[d]! ^ rotl((x[c]! + x[b]!) >>> 0, 13)) >>> 0;
    x[a] = (x[a]! ^ rotl((x[d]! + x[c]!) >>> 0, 18)) >>> 0;
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12);
    qr(5, 9, 13, 1);
    qr(10, 14, 2, 6);
    qr(15, 3, 7, 11);
    qr(0, 1, 2, 3);
    qr(5, 6, 7, 4);
    qr(10, 11, 8, 9);
    qr(15, 12, 13, 14);
  }
}

function initState(key: Uint8Array, in16: Uint8Array): Uint32Array {
  const s = new Uint32Array(16);
  s[0] = SIGMA[0]!;
  s[5] = SIGMA[1]!;
  s[10] = SIGMA[2]!;
  s[15] = SIGMA[3]!;
  for (let i = 0; i < 4; i++) {
    s[1 + i] = le32(key, i * 4);
    s[11 + i] = le32(key, 16 + i * 4);
    s[6 + i] = le32(in16, i * 4);
  }
  return s;
}

/** HSalsa20: derives XSalsa20's subkey from the key and the first 16 nonce bytes. */
function hsalsa20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  const x = initState(key, nonce16);
  rounds(x);
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  [0, 5, 10, 15, 6, 7, 8, 9].forEach((w, i) => view.setUint32(i * 4, x[w]!, true));
  return out;
}

/** XSalsa20 keystream XORed into `data` (counter starting at 0). */
function xsalsa20Xor(key: Uint8Array, nonce: Uint8Array, data: Uint8Array): Uint8Array {
  const subkey = hsalsa20(key, nonce.subarray(0, 16));
  const in16 = new Uint8Array(16);
  in16.set(nonce.subarray(16, 24), 0);
  const out = new Uint8Array(data.length);
  const block = new Uint8Array(64);
  const bview = new DataView(block.buffer);
  for (let off = 0, counter = 0; off < data.length; off += 64, counter++) {
    new DataView(in16.buffer).setUint32(8, counter >>> 0, true);
    new DataView(in16.buffer).setUint32(12, Math.floor(counter / 2 ** 32), true);
    const s = initState(subkey, in16);
    const x = s.slice();
    rounds(x);
    for (let i = 0; i < 16; i++) bview.setUint32(i * 4, (x[i]! + s[i]!) >>> 0, true);
    for (let i = 0; i < 64 && off + i < data.length; i++) out[off + i] = data[off + i]! ^ block[i]!;
  }
  return out;
}

function leBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** Poly1305 one-time authenticator (RFC 8439 §2.5.1). */
export function poly1305(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const p = (1n << 130n) - 5n;
  const r = leBig(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = leBig(key.subarray(16, 32));
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const chunk = msg.subarray(i, Math.min(i + 16, msg.length));
    const n = leBig(chunk) + (1n << BigInt(8 * chunk.length));
    acc = ((acc + n) * r) % p;
  }
  acc = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    out[i] = Number(acc & 0xffn);
    acc >>= 8n;
  }
  return out;
}

/** `crypto_secretbox` (tag ‖ ciphertext), 32-byte key, 24-byte nonce. */
export function secretboxSeal(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  checkSizes(nonce, key);
  const padded = new Uint8Array(32 + message.length);
  padded.set(message, 32);
  const c = xsalsa20Xor(key, nonce, padded);
  const tag = poly1305(c.subarray(0, 32), c.subarray(32));
  const out = new Uint8Array(16 + message.length);
  out.set(tag, 0);
  out.set(c.subarray(32), 16);
  return out;
}

/** `crypto_secretbox_open`: the plaintext, or undefined when the tag does not authenticate. */
export function secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | undefined {
  checkSizes(nonce, key);
  if (box.length < 16) return undefined;
  const polyKey = xsalsa20Xor(key, nonce, new Uint8Array(32));
  const tag = poly1305(polyKey, box.subarray(16));
  if (!timingSafeEqual(tag, box.subarray(0, 16))) return undefined;
  const padded = new Uint8Array(32 + box.length - 16);
  padded.set(box.subarray(16), 32);
  return xsalsa20Xor(key, nonce, padded).subarray(32);
}

function checkSizes(nonce: Uint8Array, key: Uint8Array): void {
  if (nonce.length !== 24) throw new Error('secretbox nonce must be 24 bytes');
  if (key.length !== 32) throw new Error('secretbox key must be 32 bytes');
}
