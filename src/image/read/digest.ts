import { createHash } from 'node:crypto';
import { ImageError } from './errors.js';

const SHA256 = /^sha256:[a-f0-9]{64}$/;

/** Only sha256 digests are accepted; anything else (incl. path tricks in a digest) is refused. */
export function parseDigest(digest: unknown, what: string): string {
  if (typeof digest !== 'string' || !SHA256.test(digest)) {
    throw new ImageError('bad-format', `${what}: not a sha256 digest: ${JSON.stringify(digest)}`);
  }
  return digest;
}

export function sha256(data: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export function verifyDigest(data: Uint8Array, expected: string, what: string): void {
  const got = sha256(data);
  if (got !== expected)
    throw new ImageError('digest-mismatch', `${what}: digest ${got} does not match ${expected}`);
}

/** JSON.parse of a size-capped blob with a clear error. */
export function parseJson(data: Uint8Array, what: string, maxBytes: number): unknown {
  if (data.length > maxBytes)
    throw new ImageError('too-large', `${what}: ${data.length} bytes, over ${maxBytes}`);
  try {
    return JSON.parse(Buffer.from(data).toString('utf8')) as unknown;
  } catch (e) {
    throw new ImageError('bad-format', `${what}: not JSON`, { cause: e });
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
