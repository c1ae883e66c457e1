/**
 * The webhook side of `rampart registry listen`: a pure request handler (auth, envelope → jobs,
 * dedupe) over a one-at-a-time scan queue, and a thin node:http server around it. Every scan result
 * is written atomically to `<outDir>/<repo with / → _>@<digest hex>.json`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { EVENTS_MEDIA_TYPE, EnvelopeError, parseEnvelope, reportFileName, type ScanJob } from './envelope.js';

export const DEFAULT_MAX_BODY = 1024 * 1024;
export const DEFAULT_MAX_PENDING = 1000;

/** Scans one pushed image; returns the JSON-serialisable report to write. */
export type ScanFn = (job: ScanJob) => Promise<unknown>;

export interface ListenerOptions {
  outDir: string;
  scan: ScanFn;
  /** Shared secret expected as `Authorization: Bearer <token>`; none = no auth. */
  token?: string;
  maxBodyBytes?: number;
  maxPending?: number;
  log?: (line: string) => void;
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export interface RequestLike {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

/** Constant-time comparison of a presented `Authorization` header with `Bearer <token>`. */
export function authorized(header: string | string[] | undefined, token: string): boolean {
  const presented = Array.isArray(header) ? (header[0] ?? '') : (header ?? '');
  // Hashing first makes both sides the same length, so timingSafeEqual never throws or leaks it.
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(`Bearer ${token}`).digest();
  return timingSafeEqual(a, b);
}

function writeJsonAtomically(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** One scan at a time, each digest once (unless its scan failed), bounded backlog. */
export class ScanQueue {
  private readonly pending: ScanJob[] = [];
  private readonly seen = new Set<string>();
  private running = false;
  private idleWaiters: (() => void)[] = [];
  scanned = 0;
  failed = 0;

  constructor(private readonly opts: Pick<ListenerOptions, 'outDir' | 'scan' | 'maxPending' | 'log'>) {}

  get size(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  push(job: ScanJob): 'queued' | 'duplicate' | 'full' {
    if (this.seen.has(job.digest)) return 'duplicate';
    if (existsSync(path.join(this.opts.outDir, reportFileName(job)))) {
      this.seen.add(job.digest);
      return 'duplicate';
    }
    if (this.pending.length >= (this.opts.maxPending ?? DEFAULT_MAX_PENDING)) return 'full';
    this.seen.add(job.digest);
    this.pending.push(job);
    void this.drain();
    return 'queued';
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running && this.pending.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.pending.shift(); job; job = this.pending.shift()) {
        const log = this.opts.log ?? (() => {});
        const t0 = performance.now();
        try {
          const report = await this.opts.scan(job);
          const file = path.join(this.opts.outDir, reportFileName(job));
          writeJsonAtomically(file, report);
          this.scanned++;
          log(`scanned ${job.reference} in ${Math.round(performance.now() - t0)} ms → ${file}`);
        } catch (err) {
          this.failed++;
          this.seen.delete(job.digest); // a later push of the same digest may retry
          log(`scan of ${job.reference} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

/** The pure request handler: routes, auth, envelope parsing, enqueueing. Never throws. */
export function handleRequest(req: RequestLike, queue: ScanQueue, token?: string): Reply {
  if (req.path === '/healthz') {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return { status: 405, body: { error: 'method not allowed' } };
    return {
      status: 200,
      body: { ok: true, queued: queue.size, scanned: queue.scanned, failed: queue.failed },
    };
  }
  if (req.path !== '/events') return { status: 404, body: { error: 'not found' } };
  if (req.method !== 'POST') return { status: 405, body: { error: 'method not allowed' } };
  if (token !== undefined && !authorized(req.headers.authorization, token))
    return { status: 401, body: { error: 'unauthorized' } };
  const type =
    String(req.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase() ?? '';
  if (type !== EVENTS_MEDIA_TYPE && type !== 'application/json')
    return { status: 415, body: { error: `expected ${EVENTS_MEDIA_TYPE}` } };
  let parsed;
  try {
    parsed = parseEnvelope(req.body);
  } catch (err) {
    if (err instanceof EnvelopeError) return { status: 400, body: { error: err.message } };
    return { status: 400, body: { error: 'malformed envelope' } };
  }
  const counts = { queued: 0, duplicate: 0, full: 0, ignored: parsed.ignored.length };
  for (const job of parsed.jobs) counts[queue.push(job)]++;
  // 503 only when the backlog dropped something: the registry retries the envelope later.
  return counts.full > 0
    ? { status: 503, body: { error: 'scan backlog full', ...counts } }
    : { status: 202, body: counts };
}

export interface RunningListener {
  server: Server;
  queue: ScanQueue;
  /** `http://host:port` actually bound (port 0 → a free one). */
  url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** Starts the HTTP listener. `port` 0 picks a free port. */
export async function startListener(
  opts: ListenerOptions & { port: number; host: string },
): Promise<RunningListener> {
  const queue = new ScanQueue(opts);
  const max = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const server = createServer((req, res) => {
    const send = (r: Reply) => {
      if (res.headersSent) return;
      const text = `${JSON.stringify(r.body)}\n`;
      res.writeHead(r.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (Number.isFinite(declared) && declared > max) {
      res.setHeader('connection', 'close');
      send({ status: 413, body: { error: `body larger than ${max} bytes` } });
      req.resume();
      return;
    }
    readBody(req, max).then(
      (body) => {
        if (body === 'too-large')
          return send({ status: 413, body: { error: `body larger than ${max} bytes` } });
        const url = new URL(req.url ?? '/', 'http://listener');
        send(
          handleRequest(
            { method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body },
            queue,
            opts.token,
          ),
        );
      },
      () => send({ status: 400, body: { error: 'bad request body' } }),
    );
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    queue,
    url: `http://${hostPart}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
