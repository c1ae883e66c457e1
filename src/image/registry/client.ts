import { createHash } from 'node:crypto';
import { Authenticator, type Credentials, type FetchLike, dockerConfigCredentials } from './auth.js';
import type { BlobCache } from './cache.js';
import { RegistryError, type RegistryErrorCode, quote } from './errors.js';
import {
  MANIFEST_ACCEPT,
  MAX_MANIFEST_BYTES,
  type Descriptor,
  type ParsedManifest,
  parseManifest,
} from './manifest.js';
import { isLoopbackRegistry, isSha256Digest, registryBaseUrl } from './reference.js';

export interface RegistryClientOptions {
  /** Plain http (and http token realms) for this registry; loopback registries always use http. */
  insecure?: boolean;
  /** Basic credentials; otherwise taken from the Docker config (unless `dockerConfig: false`). */
  credentials?: Credentials;
  /** Docker config path (`~/.docker/config.json` by default); false = do not read one. */
  dockerConfig?: string | false;
  /** Until response headers arrive, and between body chunks. Default 30 s. */
  timeoutMs?: number;
  /** Cap on any single blob (layers). Default 4 GiB. */
  maxBlobBytes?: number;
  /** Cap on manifests and image configs. Default 4 MiB. */
  maxManifestBytes?: number;
  fetch?: FetchLike;
  userAgent?: string;
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
  parsed: ParsedManifest;
}

export interface ManifestHead {
  digest?: string;
  mediaType?: string;
  size?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BLOB_BYTES = 4 * 1024 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 64 * 1024;
const TAG_OR_DIGEST = /^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$/;
const REPO = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

interface Sent {
  res: Response;
  abort: () => void;
}

interface SendRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  url: string;
  scope: string;
  what: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
}

export function sha256Hex(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function isTimeout(e: unknown): boolean {
  return e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
}

/** Reads a response body chunk by chunk; aborts when no chunk arrives within `idleMs`. */
export async function* bodyChunks(sent: Sent, idleMs: number, what: string): AsyncGenerator<Uint8Array> {
  const body = sent.res.body;
  if (body === null) return;
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          sent.abort();
          reject(new RegistryError('timeout', `${what}: no data for ${idleMs} ms`));
        }, idleMs);
      });
      let r: { done: true; value?: undefined } | { done: false; value: Uint8Array };
      try {
        r = await Promise.race([reader.read(), idle]);
      } catch (e) {
        if (e instanceof RegistryError) throw e;
        throw new RegistryError(
          isTimeout(e) ? 'timeout' : 'network',
          `${what}: connection failed while reading`,
        );
      } finally {
        clearTimeout(timer);
      }
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!finished) {
      await reader.cancel().catch(() => undefined);
      sent.abort();
    }
  }
}

/**
 * An OCI Distribution API v2 client for one registry. Every request is authenticated as the
 * registry asks (anonymous, Basic, or Bearer tokens cached per scope); redirects are followed by
 * hand so that credentials never go to another origin and https never downgrades to http.
 */
export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  private readonly auth: Authenticator;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  readonly maxBlobBytes: number;
  readonly maxManifestBytes: number;
  private readonly userAgent: string;
  private readonly hasCredentials: boolean;
  private readonly allowHttp: boolean;

  constructor(registry: string, opts: RegistryClientOptions = {}) {
    this.registry = registry;
    this.allowHttp = opts.insecure === true || isLoopbackRegistry(registry);
    this.baseUrl = registryBaseUrl(registry, opts.insecure);
    this.fetchImpl = opts.fetch ?? ((url, init) => fetch(url, init));
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBlobBytes = opts.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
    this.maxManifestBytes = Math.min(opts.maxManifestBytes ?? MAX_MANIFEST_BYTES, MAX_MANIFEST_BYTES);
    this.userAgent = opts.userAgent ?? 'rampart-registry-client';
    this.hasCredentials = opts.credentials !== undefined;
    this.auth = new Authenticator({
      registry,
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      allowHttpRealm: this.allowHttp,
      fetch: this.fetchImpl,
      timeoutMs: this.timeoutMs,
    });
  }

  /** A client whose credentials come from options, else from the Docker config file. */
  static async create(registry: string, opts: RegistryClientOptions = {}): Promise<RegistryClient> {
    if (opts.credentials !== undefined || opts.dockerConfig === false)
      return new RegistryClient(registry, opts);
    const credentials = await dockerConfigCredentials(
      registry,
      ...(typeof opts.dockerConfig === 'string' ? [opts.dockerConfig] : []),
    );
    return new RegistryClient(registry, credentials ? { ...opts, credentials } : opts);
  }

  private checkRepo(repo: string): void {
    if (!REPO.test(repo) || repo.length > 255)
      throw new RegistryError('bad-reference', `bad repository name ${quote(repo)}`);
  }

  private url(repo: string, kind: 'manifests' | 'blobs', ref: string): string {
    this.checkRepo(repo);
    if (!TAG_OR_DIGEST.test(ref)) throw new RegistryError('bad-reference', `bad tag or digest ${quote(ref)}`);
    return `${this.baseUrl}/v2/${repo}/${kind}/${ref}`;
  }

  private async fetchOnce(url: string, init: RequestInit, what: string): Promise<Sent> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const res = await this.fetchImpl(url, { ...init, redirect: 'manual', signal: controller.signal });
      return { res, abort: () => controller.abort() };
    } catch (e) {
      if (isTimeout(e))
        throw new RegistryError('timeout', `${what}: no response within ${this.timeoutMs} ms`);
      const cause =
        e instanceof Error && e.cause instanceof Error
          ? `: ${(e.cause as NodeJS.ErrnoException).code ?? e.cause.message}`
          : '';
      throw new RegistryError(
        'network',
        `${what}: cannot connect to ${new URL(url).host}${cause.slice(0, 100)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a request, following redirects and answering one auth challenge. Body left unread. */
  private async send(req: SendRequest): Promise<Sent> {
    const base = new URL(this.baseUrl).origin;
    let url = req.url;
    let authTried = false;
    for (let redirects = 0; ;) {
      const sameOrigin = new URL(url).origin === base;
      const headers: Record<string, string> = { 'User-Agent': this.userAgent, ...req.headers };
      const authorization = sameOrigin ? this.auth.headerFor(req.scope) : undefined;
      if (authorization !== undefined) headers.Authorization = authorization;
      const init: RequestInit = { method: req.method, headers };
      if (req.body !== undefined) init.body = req.body;
      const sent = await this.fetchOnce(url, init, req.what);
      const { res } = sent;
      const location = res.headers.get('location');
      if ([301, 302, 303, 307, 308].includes(res.status) && location !== null && req.method !== 'POST') {
        await res.body?.cancel().catch(() => undefined);
        if (++redirects > MAX_REDIRECTS)
          throw new RegistryError('bad-response', `${req.what}: too many redirects`);
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new RegistryError('bad-response', `${req.what}: bad redirect location`);
        }
        if (next.protocol !== 'https:' && !(next.protocol === 'http:' && this.allowHttp)) {
          throw new RegistryError(
            'insecure',
            `${req.what}: refusing redirect to ${next.protocol}//${next.host}`,
          );
        }
        url = next.toString();
        continue;
      }
      if (res.status === 401 && sameOrigin && !authTried) {
        authTried = true;
        const challenge = res.headers.get('www-authenticate');
        let retry = false;
        try {
          retry = await this.auth.respond(challenge, req.scope);
        } catch (e) {
          sent.abort();
          throw e;
        }
        if (retry) {
          await res.body?.cancel().catch(() => undefined);
          continue;
        }
      }
      return sent;
    }
  }

  /** Turns a failed response into a RegistryError; the body's OCI error codes are quoted, bounded. */
  private async failure(sent: Sent, what: string): Promise<RegistryError> {
    const { res } = sent;
    let detail = '';
    try {
      const chunks: Uint8Array[] = [];
      let n = 0;
      for await (const c of bodyChunks(sent, this.timeoutMs, what)) {
        n += c.byteLength;
        if (n > MAX_ERROR_BODY) break;
        chunks.push(c);
      }
      const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { errors?: unknown };
      if (Array.isArray(doc.errors)) {
        detail = doc.errors
          .slice(0, 3)
          .map((e: unknown) => {
            const r = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
            return `${String(r.code ?? '?').slice(0, 40)}${typeof r.message === 'string' ? ` ${quote(r.message, 100)}` : ''}`;
          })
          .join('; ');
      }
    } catch {
      // no usable error body
    }
    const suffix = detail ? ` (${detail})` : '';
    const codes: Record<number, [RegistryErrorCode, string]> = {
      401: [
        'unauthorized',
        this.hasCredentials
          ? 'authentication failed: the registry rejected the credentials'
          : 'authentication required: no credentials configured for this registry (or the repository does not exist)',
      ],
      403: ['denied', 'access denied'],
      404: ['not-found', 'not found'],
      429: ['http', 'rate limited by the registry (HTTP 429)'],
    };
    const [code, text] = codes[res.status] ?? ['http', `unexpected HTTP ${res.status}`];
    return new RegistryError(code, `${what}: ${text}${suffix}`, { status: res.status });
  }

  private async readCapped(sent: Sent, max: number, what: string): Promise<Uint8Array> {
    const declared = Number(sent.res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > max) {
      sent.abort();
      throw new RegistryError('too-large', `${what}: ${declared} bytes, over the ${max}-byte cap`);
    }
    const chunks: Uint8Array[] = [];
    let n = 0;
    for await (const c of bodyChunks(sent, this.timeoutMs, what)) {
      n += c.byteLength;
      if (n > max) throw new RegistryError('too-large', `${what}: over the ${max}-byte cap`);
      chunks.push(c);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }

  private scope(repo: string, push = false): string {
    return `repository:${repo}:${push ? 'pull,push' : 'pull'}`;
  }

  /** `GET /v2/`: checks the registry speaks the v2 API and that we may talk to it. */
  async ping(): Promise<void> {
    const what = `${this.registry}: /v2/`;
    const sent = await this.send({ method: 'GET', url: `${this.baseUrl}/v2/`, scope: '', what });
    if (!sent.res.ok) throw await this.failure(sent, what);
    await sent.res.body?.cancel().catch(() => undefined);
  }

  /** Fetches a manifest or index by tag or digest; verifies the digest; refuses schema1. */
  async getManifest(repo: string, reference: string): Promise<FetchedManifest> {
    const what = `${this.registry}/${repo}: manifest ${reference}`;
    const sent = await this.send({
      method: 'GET',
      url: this.url(repo, 'manifests', reference),
      scope: this.scope(repo),
      what,
      headers: { Accept: MANIFEST_ACCEPT },
    });
    if (!sent.res.ok) throw await this.failure(sent, what);
    const bytes = await this.readCapped(sent, this.maxManifestBytes, what);
    const digest = sha256Hex(bytes);
    if (isSha256Digest(reference) && digest !== reference) {
      throw new RegistryError('digest-mismatch', `${what}: content digest ${digest} does not match`);
    }
    const header = sent.res.headers.get('docker-content-digest');
    if (header !== null && header.startsWith('sha256:') && header !== digest) {
      throw new RegistryError(
        'digest-mismatch',
        `${what}: content digest ${digest} differs from Docker-Content-Digest ${quote(header)}`,
      );
    }
    const parsed = parseManifest(bytes, sent.res.headers.get('content-type') ?? undefined, what);
    return { digest, mediaType: parsed.mediaType, bytes, parsed };
  }

  /** `HEAD` a manifest: its digest/type/size when it exists, undefined on 404. */
  async headManifest(repo: string, reference: string): Promise<ManifestHead | undefined> {
    const what = `${this.registry}/${repo}: manifest ${reference}`;
    const sent = await this.send({
      method: 'HEAD',
      url: this.url(repo, 'manifests', reference),
      scope: this.scope(repo),
      what,
      headers: { Accept: MANIFEST_ACCEPT },
    });
    if (sent.res.status === 404) return undefined;
    if (!sent.res.ok) throw await this.failure(sent, what);
    const h: ManifestHead = {};
    const digest = sent.res.headers.get('docker-content-digest');
    if (isSha256Digest(digest)) h.digest = digest;
    const type = sent.res.headers.get('content-type')?.split(';')[0]?.trim();
    if (type) h.mediaType = type;
    const size = Number(sent.res.headers.get('content-length') ?? NaN);
    if (Number.isSafeInteger(size) && size >= 0) h.size = size;
    return h;
  }

  /** `HEAD /v2/<repo>/blobs/<digest>`: true when the registry has the blob. */
  async hasBlob(repo: string, digest: string, push = false): Promise<boolean> {
    const what = `${this.registry}/${repo}: blob ${digest}`;
    const sent = await this.send({
      method: 'HEAD',
      url: this.url(repo, 'blobs', digest),
      scope: this.scope(repo, push),
      what,
    });
    if (sent.res.status === 404) return false;
    if (!sent.res.ok) throw await this.failure(sent, what);
    return true;
  }

  private async openBlob(repo: string, desc: Descriptor, max: number): Promise<{ sent: Sent; what: string }> {
    const what = `${this.registry}/${repo}: blob ${desc.digest}`;
    if (desc.size > max) {
      throw new RegistryError('too-large', `${what}: ${desc.size} bytes, over the ${max}-byte cap`);
    }
    const sent = await this.send({
      method: 'GET',
      url: this.url(repo, 'blobs', desc.digest),
      scope: this.scope(repo),
      what,
    });
    if (!sent.res.ok) throw await this.failure(sent, what);
    return { sent, what };
  }

  /** A small blob (config, signature payload) in memory, size and digest verified. */
  async getBlobBytes(repo: string, desc: Descriptor, max = this.maxManifestBytes): Promise<Uint8Array> {
    const { sent, what } = await this.openBlob(repo, desc, max);
    const bytes = await this.readCapped(sent, desc.size, what).catch((e: unknown) => {
      if (e instanceof RegistryError && e.code === 'too-large') {
        throw new RegistryError(
          'size-mismatch',
          `${what}: more than the ${desc.size} bytes its descriptor declares`,
        );
      }
      throw e;
    });
    if (bytes.byteLength !== desc.size) {
      throw new RegistryError(
        'size-mismatch',
        `${what}: ${bytes.byteLength} bytes received, descriptor declares ${desc.size}`,
      );
    }
    const got = sha256Hex(bytes);
    if (got !== desc.digest)
      throw new RegistryError('digest-mismatch', `${what}: content digest ${got} does not match`);
    return bytes;
  }

  /** Streams a blob into the cache (verified before it becomes visible); returns its path. */
  async downloadBlob(repo: string, desc: Descriptor, cache: BlobCache): Promise<string> {
    const { sent, what } = await this.openBlob(repo, desc, this.maxBlobBytes);
    return cache.write(desc.digest, desc.size, bodyChunks(sent, this.timeoutMs, what), what);
  }

  /**
   * Monolithic upload: `HEAD` first (skip when present), then `POST /blobs/uploads/` and
   * `PUT <location>?digest=`. Returns true when uploaded, false when the registry had it.
   */
  async pushBlob(repo: string, digest: string, bytes: Uint8Array): Promise<boolean> {
    const what = `${this.registry}/${repo}: blob ${digest}`;
    if (sha256Hex(bytes) !== digest)
      throw new RegistryError('digest-mismatch', `${what}: bytes to push do not match the digest`);
    if (await this.hasBlob(repo, digest, true)) return false;
    this.checkRepo(repo);
    const postUrl = `${this.baseUrl}/v2/${repo}/blobs/uploads/`;
    const post = await this.send({
      method: 'POST',
      url: postUrl,
      scope: this.scope(repo, true),
      what: `${what} (start upload)`,
    });
    if (post.res.status !== 202) throw await this.failure(post, `${what} (start upload)`);
    await post.res.body?.cancel().catch(() => undefined);
    const location = post.res.headers.get('location');
    if (location === null)
      throw new RegistryError('bad-response', `${what}: upload start answered without a Location`);
    let put: URL;
    try {
      put = new URL(location, postUrl);
    } catch {
      throw new RegistryError('bad-response', `${what}: bad upload Location`);
    }
    if (put.protocol !== 'https:' && !(put.protocol === 'http:' && this.allowHttp)) {
      throw new RegistryError('insecure', `${what}: refusing upload to ${put.protocol}//${put.host}`);
    }
    put.searchParams.set('digest', digest);
    const sent = await this.send({
      method: 'PUT',
      url: put.toString(),
      scope: this.scope(repo, true),
      what: `${what} (upload)`,
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
    if (sent.res.status !== 201) throw await this.failure(sent, `${what} (upload)`);
    await sent.res.body?.cancel().catch(() => undefined);
    return true;
  }

  /** `PUT /v2/<repo>/manifests/<tag>`; returns the manifest digest (checked against the registry's). */
  async putManifest(
    repo: string,
    tagOrDigest: string,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<string> {
    const what = `${this.registry}/${repo}: manifest ${tagOrDigest}`;
    if (bytes.byteLength > this.maxManifestBytes) {
      throw new RegistryError(
        'too-large',
        `${what}: ${bytes.byteLength} bytes, over ${this.maxManifestBytes}`,
      );
    }
    const digest = sha256Hex(bytes);
    if (isSha256Digest(tagOrDigest) && tagOrDigest !== digest) {
      throw new RegistryError('digest-mismatch', `${what}: manifest bytes do not match the digest`);
    }
    const sent = await this.send({
      method: 'PUT',
      url: this.url(repo, 'manifests', tagOrDigest),
      scope: this.scope(repo, true),
      what,
      headers: { 'Content-Type': mediaType },
      body: bytes,
    });
    if (sent.res.status !== 201) throw await this.failure(sent, what);
    await sent.res.body?.cancel().catch(() => undefined);
    const header = sent.res.headers.get('docker-content-digest');
    if (header !== null && header.startsWith('sha256:') && header !== digest) {
      throw new RegistryError(
        'digest-mismatch',
        `${what}: registry stored digest ${quote(header)}, expected ${digest}`,
      );
    }
    return digest;
  }
}
