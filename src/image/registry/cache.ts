import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import envPaths from 'env-paths';
import { RegistryError } from './errors.js';
import { isSha256Digest } from './reference.js';

/** Default cache root: `<user cache>/images` (`~/.cache/rampart-nodejs/images` on Linux). */
export function defaultCacheDir(): string {
  return join(envPaths('rampart').cache, 'images');
}

function hexOf(digest: string): string {
  if (!isSha256Digest(digest)) {
    throw new RegistryError(
      'bad-manifest',
      `not a sha256 digest: ${JSON.stringify(String(digest).slice(0, 80))}`,
    );
  }
  return digest.slice('sha256:'.length);
}

/**
 * Content-addressed blob store laid out like an OCI layout's `blobs/` folder:
 * `<dir>/blobs/sha256/<hex>`. A blob appears there only after its size and digest verified
 * (streamed to `<dir>/tmp/`, then renamed, so readers never see partial files).
 */
export class BlobCache {
  constructor(readonly dir: string = defaultCacheDir()) {}

  pathFor(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', hexOf(digest));
  }

  /** Path of the cached blob when present with the expected size; `verify` also re-hashes it. */
  async lookup(digest: string, size: number, verify = false): Promise<string | undefined> {
    const p = this.pathFor(digest);
    const st = await stat(p).catch(() => undefined);
    if (st === undefined || !st.isFile() || st.size !== size) return undefined;
    if (verify) {
      const h = createHash('sha256');
      for await (const chunk of createReadStream(p)) h.update(chunk as Buffer);
      if (`sha256:${h.digest('hex')}` !== digest) return undefined;
    }
    return p;
  }

  /**
   * Streams `chunks` into the cache, refusing more than `size` bytes, then checks size and digest;
   * only a verified blob is renamed into place. Returns its path.
   */
  async write(
    digest: string,
    size: number,
    chunks: AsyncIterable<Uint8Array>,
    what: string,
  ): Promise<string> {
    const final = this.pathFor(digest);
    const tmpDir = join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    const tmp = join(tmpDir, `${hexOf(digest).slice(0, 16)}-${randomBytes(8).toString('hex')}.part`);
    const fh = await open(tmp, 'wx', 0o644);
    let ok = false;
    try {
      const h = createHash('sha256');
      let n = 0;
      for await (const chunk of chunks) {
        n += chunk.byteLength;
        if (n > size) {
          throw new RegistryError(
            'size-mismatch',
            `${what}: more than the ${size} bytes its descriptor declares`,
          );
        }
        h.update(chunk);
        await fh.write(chunk);
      }
      if (n !== size) {
        throw new RegistryError('size-mismatch', `${what}: ${n} bytes received, descriptor declares ${size}`);
      }
      const got = `sha256:${h.digest('hex')}`;
      if (got !== digest) {
        throw new RegistryError('digest-mismatch', `${what}: content digest ${got} does not match ${digest}`);
      }
      await fh.sync();
      ok = true;
    } finally {
      await fh.close();
      if (!ok) await unlink(tmp).catch(() => undefined);
    }
    await rename(tmp, final);
    return final;
  }

  async writeBytes(digest: string, bytes: Uint8Array, what: string): Promise<string> {
    const existing = await this.lookup(digest, bytes.byteLength);
    if (existing !== undefined) return existing;
    return this.write(
      digest,
      bytes.byteLength,
      (async function* () {
        yield bytes;
      })(),
      what,
    );
  }
}
