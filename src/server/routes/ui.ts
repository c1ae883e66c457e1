/**
 * The dashboard: the static single-page app built into dist/web (`npm run build`), served at `/`.
 * index.html answers every non-API GET path (the SPA routes itself); hashed assets under /assets are
 * cached for a year. The shell holds no data (every datum comes from /api/v1 behind authentication),
 * so these routes are public. Strict headers: a Content-Security-Policy without inline scripts,
 * no framing, no MIME sniffing, no referrer.
 *
 * Only files found in dist/web are served (a fixed table, read at first use): a request path is a
 * key in that table, never joined onto the file system.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** dist/web relative to this module: src/server/routes (tsx) and dist/server/routes (built) alike. */
export const DEFAULT_WEB_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../dist/web',
);

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Paths that belong to the server, never to the SPA: unknown ones stay JSON 404s. */
const SERVER_PREFIXES = ['/api/', '/documentation', '/healthz', '/readyz', '/metrics', '/openapi.json'];

export function isServerPath(urlPath: string): boolean {
  return urlPath === '/api' || SERVER_PREFIXES.some((p) => urlPath.startsWith(p));
}

export const NOT_BUILT_PAGE =
  '<!doctype html><title>Rampart</title><p>The dashboard is not built: run <code>npm run build</code>, then restart <code>rampart server</code>.</p>\n';

interface StaticFile {
  body: Buffer;
  type: string;
  /** Content-hashed under /assets: cache for a year. */
  immutable: boolean;
}

/** Every file under `root`, keyed by its URL path (`/assets/index-abc.js`). */
export function readWebRoot(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      const urlPath = `${prefix}/${name}`;
      const st = statSync(full);
      if (st.isDirectory()) walk(full, urlPath);
      else if (st.isFile())
        files.set(urlPath, {
          body: readFileSync(full),
          type: TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream',
          immutable: urlPath.startsWith('/assets/'),
        });
    }
  };
  walk(root, '');
  return files;
}

export async function uiRoutes(app: FastifyInstance, options: { webRoot?: string } = {}): Promise<void> {
  const root = options.webRoot ?? DEFAULT_WEB_ROOT;
  const index = path.join(root, 'index.html');
  let files: Map<string, StaticFile> | undefined;
  let builtAt = -1;
  /** The table, read again when index.html changes (a `npm run build` while the server runs). */
  const table = (): Map<string, StaticFile> | undefined => {
    let mtime: number;
    try {
      mtime = statSync(index).mtimeMs;
    } catch {
      files = undefined;
      return undefined;
    }
    if (!files || mtime !== builtAt) {
      files = readWebRoot(root);
      builtAt = mtime;
    }
    return files;
  };

  const send = (reply: FastifyReply, file: StaticFile, cache: string) =>
    reply.headers(SECURITY_HEADERS).header('cache-control', cache).type(file.type).send(file.body);

  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const urlPath = req.url.split('?')[0]!;
    if (isServerPath(urlPath)) return reply.code(404).send({ error: 'not found' });
    const t = table();
    if (!t)
      return reply
        .code(503)
        .headers(SECURITY_HEADERS)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(NOT_BUILT_PAGE);
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      decoded = urlPath;
    }
    const file = t.get(decoded);
    if (file && decoded !== '/index.html')
      return send(reply, file, file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    // A missing hashed asset is a 404 (an old tab after a deploy), not the app shell.
    if (decoded.startsWith('/assets/')) return reply.code(404).type('text/plain').send('not found\n');
    return send(reply, t.get('/index.html')!, 'no-cache');
  });
}
