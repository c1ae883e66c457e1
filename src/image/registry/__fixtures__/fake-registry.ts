import { createHash, randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny in-memory Distribution API v2 server for tests (node:http, loopback, random port). */

export type FakeAuth =
  | { kind: 'anonymous' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; username?: string; password?: string; token?: string; expiresIn?: number };

export interface LoggedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

interface StoredManifest {
  bytes: Uint8Array;
  contentType: string;
}

export const sha256 = (b: Uint8Array | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export class FakeRegistry {
  readonly manifests = new Map<string, StoredManifest>(); // `${repo}@${tag or digest}`
  readonly blobs = new Map<string, Uint8Array>(); // digest → bytes (shared by all repos)
  /** Bytes served instead of the stored ones (to simulate tampering). */
  readonly tampered = new Map<string, Uint8Array>();
  readonly log: LoggedRequest[] = [];
  tokenRequests: { scope: string[]; authorization: string | undefined }[] = [];
  auth: FakeAuth = { kind: 'anonymous' };
  /** Omit Content-Length on manifest responses (streamed, to test the cap without it). */
  chunkedManifests = false;
  private server: Server | undefined;
  private uploads = new Set<string>();
  port = 0;

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  addBlob(bytes: Uint8Array | string): { digest: string; size: number; bytes: Uint8Array } {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    const digest = sha256(b);
    this.blobs.set(digest, b);
    return { digest, size: b.byteLength, bytes: b };
  }

  addManifest(repo: string, tags: string[], doc: unknown, contentType: string): { digest: string; size: number } {
    const bytes = typeof doc === 'string' ? new TextEncoder().encode(doc) : new TextEncoder().encode(JSON.stringify(doc));
    const digest = sha256(bytes);
    for (const ref of [digest, ...tags]) this.manifests.set(`${repo}@${ref}`, { bytes, contentType });
    return { digest, size: bytes.byteLength };
  }

  private authorized(req: IncomingMessage, res: ServerResponse, scope: string): boolean {
    const a = this.auth;
    const h = req.headers.authorization;
    if (a.kind === 'anonymous') return true;
    if (a.kind === 'basic') {
      const want = `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`;
      if (h === want) return true;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return false;
    }
    if (h === `Bearer ${a.token ?? 'tok-1'}`) return true;
    const scopePart = scope ? `,scope="${scope}"` : '';
    res.writeHead(401, {
      'WWW-Authenticate': `Bearer realm="http://${this.host}/token",service="fake-registry"${scopePart}`,
      'Content-Type': 'application/json',
    });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    return false;
  }

  private async body(req: IncomingMessage): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    const method = req.method ?? 'GET';
    this.log.push({ method, path: url.pathname, authorization: req.headers.authorization });
    const notFound = (code: string): void => {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace('_', ' ') }] }));
    };

    if (url.pathname === '/token') {
      const a = this.auth;
      this.tokenRequests.push({ scope: url.searchParams.getAll('scope'), authorization: req.headers.authorization });
      if (a.kind !== 'bearer') return notFound('NOT_FOUND');
      if (a.username !== undefined) {
        const want = `Basic ${Buffer.from(`${a.username}:${a.password ?? ''}`).toString('base64')}`;
        if (req.headers.authorization !== want) {
          res.writeHead(401, { 'Content-Type': 'application/json' });
          res.end('{"details":"incorrect username or password"}');
          return;
        }
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token: a.token ?? 'tok-1', expires_in: a.expiresIn ?? 300 }));
      return;
    }
    if (url.pathname === '/v2/') {
      if (!this.authorized(req, res, '')) return;
      res.writeHead(200, { 'Docker-Distribution-API-Version': 'registry/2.0' });
      res.end('{}');
      return;
    }
    let m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(url.pathname);
    if (m) {
      const repo = m[1] ?? '';
      if (!this.authorized(req, res, `repository:${repo}:pull,push`)) return;
      if (method === 'POST') {
        const id = randomUUID();
        this.uploads.add(id);
        res.writeHead(202, { Location: `/v2/${repo}/blobs/uploads/${id}?_state=x`, 'Docker-Upload-UUID': id });
        res.end();
        return;
      }
      if (method === 'PUT' && this.uploads.has(m[2] ?? '')) {
        const bytes = await this.body(req);
        const digest = url.searchParams.get('digest') ?? '';
        if (url.searchParams.get('_state') !== 'x' || sha256(bytes) !== digest) {
          res.writeHead(400, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }] }));
          return;
        }
        this.uploads.delete(m[2] ?? '');
        this.blobs.set(digest, bytes);
        res.writeHead(201, { Location: `/v2/${repo}/blobs/${digest}`, 'Docker-Content-Digest': digest });
        res.end();
        return;
      }
      return notFound('BLOB_UPLOAD_UNKNOWN');
    }
    m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m) return notFound('NOT_FOUND');
    const [, repo = '', kind, ref = ''] = m;
    const push = method === 'PUT';
    if (!this.authorized(req, res, `repository:${repo}:${push ? 'pull,push' : 'pull'}`)) return;
    if (kind === 'manifests') {
      if (method === 'PUT') {
        const bytes = await this.body(req);
        const digest = sha256(bytes);
        const stored = { bytes, contentType: req.headers['content-type'] ?? 'application/json' };
        this.manifests.set(`${repo}@${ref}`, stored);
        this.manifests.set(`${repo}@${digest}`, stored);
        res.writeHead(201, { 'Docker-Content-Digest': digest, Location: `/v2/${repo}/manifests/${digest}` });
        res.end();
        return;
      }
      const stored = this.manifests.get(`${repo}@${ref}`);
      if (!stored) return notFound('MANIFEST_UNKNOWN');
      const headers: Record<string, string | number> = {
        'Content-Type': stored.contentType,
        'Docker-Content-Digest': sha256(stored.bytes),
      };
      if (!this.chunkedManifests) headers['Content-Length'] = stored.bytes.byteLength;
      res.writeHead(200, headers);
      res.end(method === 'HEAD' ? undefined : stored.bytes);
      return;
    }
    const blob = this.tampered.get(ref) ?? this.blobs.get(ref);
    if (!blob) return notFound('BLOB_UNKNOWN');
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.byteLength, 'Docker-Content-Digest': ref });
    res.end(method === 'HEAD' ? undefined : blob);
  }
}
