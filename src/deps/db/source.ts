import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdvisoryDbError } from './errors.js';

export const DEFAULT_SOURCE = 'https://osv-vulnerabilities.storage.googleapis.com';

export interface DownloadOptions {
  /** Whole-download deadline per archive. */
  timeoutMs: number;
  /** Longest wait for the response headers or the next body chunk. */
  idleTimeoutMs: number;
  /** Largest archive accepted (compressed bytes). */
  maxBytes: number;
  /** Cancels the download (another archive of the same update failed). */
  signal?: AbortSignal;
  /** Injected for tests; the global `fetch` otherwise. */
  fetch?: typeof fetch;
  /** Called as bytes arrive (received so far, total when the server says). */
  onBytes?: (received: number, total: number | undefined) => void;
}

export const DEFAULT_DOWNLOAD: DownloadOptions = {
  timeoutMs: 30 * 60_000,
  idleTimeoutMs: 60_000,
  maxBytes: 2 * 1024 * 1024 * 1024,
};

export function isHttpSource(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Where an ecosystem's archive lives at a source (a URL, or a path for a local folder). */
export function archiveLocation(source: string, ecosystem: string): string {
  const seg = encodeURIComponent(ecosystem);
  if (isHttpSource(source)) return `${source.replace(/\/+$/, '')}/${seg}/all.zip`;
  const folder = source.startsWith('file:') ? fileURLToPath(source) : source;
  return path.join(folder, ecosystem, 'all.zip');
}

/** `<source>/<Ecosystem>/all.zip` as bytes, or undefined when the source has no such archive (404 / no file). */
export async function fetchArchive(
  source: string,
  ecosystem: string,
  opts: DownloadOptions = DEFAULT_DOWNLOAD,
): Promise<Uint8Array | undefined> {
  const where = archiveLocation(source, ecosystem);
  return isHttpSource(source) ? download(where, opts) : readLocal(where, opts);
}

/** The bytes at an http(s) URL or a local path (`file:` URLs too); undefined on 404 / no such file. */
export async function fetchLocation(
  where: string,
  opts: DownloadOptions = DEFAULT_DOWNLOAD,
): Promise<Uint8Array | undefined> {
  if (isHttpSource(where)) return download(where, opts);
  return readLocal(where.startsWith('file:') ? fileURLToPath(where) : where, opts);
}

async function readLocal(file: string, opts: DownloadOptions): Promise<Uint8Array | undefined> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return undefined;
    if (st.size > opts.maxBytes)
      throw new AdvisoryDbError(
        'DB_ARCHIVE_INVALID',
        `${file} is ${st.size} bytes, over the ${opts.maxBytes}-byte cap`,
      );
    const data = await readFile(file);
    opts.onBytes?.(data.length, data.length);
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (err) {
    if (err instanceof AdvisoryDbError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new AdvisoryDbError('DB_DOWNLOAD_FAILED', `cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

async function download(url: string, opts: DownloadOptions): Promise<Uint8Array | undefined> {
  const doFetch = opts.fetch ?? fetch;
  const controller = new AbortController();
  let reason = '';
  const abort = (why: string) => {
    reason = why;
    controller.abort();
  };
  const onCancel = () => abort('cancelled');
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  if (opts.signal?.aborted) abort('cancelled');
  const deadline = setTimeout(
    () => abort(`no complete answer within ${Math.round(opts.timeoutMs / 1000)} s`),
    opts.timeoutMs,
  );
  let idle = setTimeout(
    () => abort(`no data for ${Math.round(opts.idleTimeoutMs / 1000)} s`),
    opts.idleTimeoutMs,
  );
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(
      () => abort(`no data for ${Math.round(opts.idleTimeoutMs / 1000)} s`),
      opts.idleTimeoutMs,
    );
  };
  const fail = (err: unknown): never => {
    const why =
      reason ||
      (err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));
    throw new AdvisoryDbError('DB_DOWNLOAD_FAILED', `download of ${url} failed: ${why}`, { cause: err });
  };
  try {
    let res: Response;
    try {
      res = await doFetch(url, { signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      return fail(err);
    }
    touch();
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {});
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new AdvisoryDbError(
        'DB_DOWNLOAD_FAILED',
        `download of ${url} failed: HTTP ${res.status} ${res.statusText}`,
      );
    }
    const lengthHeader = res.headers.get('content-length');
    const declared = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    if (declared !== undefined && declared > opts.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new AdvisoryDbError(
        'DB_ARCHIVE_INVALID',
        `${url} is ${declared} bytes, over the ${opts.maxBytes}-byte cap`,
      );
    }
    if (!res.body) return new Uint8Array(0);
    let buf = new Uint8Array(Math.min(declared ?? 1024 * 1024, 256 * 1024 * 1024));
    let received = 0;
    const reader = res.body.getReader();
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        return fail(err);
      }
      if (chunk.done) break;
      touch();
      const value = chunk.value;
      if (received + value.length > opts.maxBytes) {
        await reader.cancel().catch(() => {});
        throw new AdvisoryDbError('DB_ARCHIVE_INVALID', `${url} exceeds the ${opts.maxBytes}-byte cap`);
      }
      if (received + value.length > buf.length) {
        const bigger = new Uint8Array(
          Math.min(opts.maxBytes, Math.max(buf.length * 2, received + value.length)),
        );
        bigger.set(buf.subarray(0, received));
        buf = bigger;
      }
      buf.set(value, received);
      received += value.length;
      opts.onBytes?.(received, declared);
    }
    if (declared !== undefined && received !== declared)
      throw new AdvisoryDbError(
        'DB_DOWNLOAD_FAILED',
        `download of ${url} is incomplete (${received} of ${declared} bytes)`,
      );
    return buf.subarray(0, received);
  } finally {
    opts.signal?.removeEventListener('abort', onCancel);
    clearTimeout(deadline);
    clearTimeout(idle);
  }
}
