/**
 * The control plane's HTTP tier: fastify, stateless (every request authenticates against the
 * database), OpenAPI 3.1 generated from the route schemas, `/healthz`, `/readyz`, Prometheus
 * `/metrics`, and one access check for every route.
 *
 * Access control is declared, not coded per handler: every route states `config.access` (a
 * permission, 'authenticated' or 'public'); a route without it stops the server from starting. Routes
 * with a project in their path name the parameter (`config.projectParam`) and the check covers
 * membership / token scope too; routes that find their project through a lookup call
 * `assertProjectAccess` once they know it.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RampartError } from '../../core/errors.js';
import { authorize, type Permission } from '../authz/roles.js';
import { checkCsrf } from '../auth/tokens.js';
import { apiTokenPrincipal, ciPrincipal, SESSION_COOKIE, sessionPrincipal } from '../services/identity.js';
import type { Access, ServerContext } from './context.js';
import { HttpError } from './errors.js';

export interface AppOptions {
  /** pino logger options, or false (tests). Secrets never reach the log: only method, path, status. */
  logger?: boolean | { level: string; stream?: { write(line: string): unknown } };
  /** Registers the routes; called inside the app before ready. */
  routes: (app: FastifyInstance, ctx: ServerContext) => Promise<void> | void;
}

export interface RouteInfo {
  method: string;
  url: string;
  access: Access;
  projectParam?: string;
}

export interface ServerApp {
  app: FastifyInstance;
  /** Every route with its declared access (the authorisation-matrix test walks it). */
  routes: RouteInfo[];
  metrics: Registry;
  /** Becomes false when shutdown begins (readiness probe). */
  isReady(): boolean;
  close(): Promise<void>;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * What the request log keeps of a request: method, path and client address. Query strings are
 * dropped (an OIDC callback carries an authorization code and state there) and headers are not
 * logged at all (cookies, bearer tokens).
 */
export function logRequest(req: { method: string; url: string; ip?: string }): Record<string, unknown> {
  const q = req.url.indexOf('?');
  return { method: req.method, url: q === -1 ? req.url : `${req.url.slice(0, q)}?…`, remoteAddress: req.ip };
}

async function authenticate(ctx: ServerContext, req: FastifyRequest): Promise<void> {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^bearer /i.test(header)) {
    const credential = header.slice(7).trim();
    req.authVia = 'bearer';
    if (credential.startsWith('rpt_')) req.principal = await apiTokenPrincipal(ctx, credential);
    else if (credential.split('.').length === 3) req.principal = await ciPrincipal(ctx, credential);
    if (!req.principal) throw new HttpError(401, 'invalid or expired credential');
    return;
  }
  const cookie = req.cookies[SESSION_COOKIE];
  if (cookie) {
    req.principal = await sessionPrincipal(ctx, cookie);
    if (req.principal) {
      req.authVia = 'session';
      req.sessionToken = cookie;
    }
  }
}

/** For routes whose project is only known after a lookup. Throws the same 404/403 as the route check. */
export function assertProjectAccess(req: FastifyRequest, permission: Permission, projectId: string): void {
  const d = authorize(req.principal, permission, projectId);
  if (!d.allow) throw new HttpError(d.status, d.reason);
}

export async function buildServerApp(ctx: ServerContext, options: AppOptions): Promise<ServerApp> {
  let ready = true;
  const app = Fastify({
    logger:
      options.logger === undefined || options.logger === false
        ? false
        : {
            level: options.logger === true ? 'info' : options.logger.level,
            redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            serializers: { req: logRequest },
            ...(options.logger !== true && options.logger.stream ? { stream: options.logger.stream } : {}),
          },
    bodyLimit: ctx.settings.maxUploadBytes,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const requests = new Counter({
    name: 'rampart_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [metrics],
  });
  const latency = new Histogram({
    name: 'rampart_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics],
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Rampart control plane', version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token (rpt_…) or a CI OIDC token' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
    },
  });

  // Every route must declare its access; checked as routes are added so a forgotten one fails fast.
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (route) => {
    const config = route.config as { access?: Access; projectParam?: string } | undefined;
    if (!config?.access)
      throw new Error(`route ${String(route.method)} ${route.url} does not declare config.access`);
    for (const method of [route.method].flat())
      if (method !== 'HEAD')
        routes.push({
          method,
          url: route.url,
          access: config.access,
          ...(config.projectParam ? { projectParam: config.projectParam } : {}),
        });
  });

  app.addContentTypeParser(
    ['application/sarif+json', 'application/vnd.cyclonedx+json'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );

  // Authentication and authorisation run before the body is read: an unauthorised upload is refused
  // without being parsed.
  app.addHook('onRequest', async (req) => {
    (req as FastifyRequest & { startedAt?: bigint }).startedAt = process.hrtime.bigint();
    const { access, projectParam, allowBeforeMfa, usersOnly } = req.routeOptions.config;
    if (access === 'public' || access === undefined) return;
    await authenticate(ctx, req);
    if (!req.principal) throw new HttpError(401, 'authentication required');
    if (usersOnly && req.principal.kind !== 'user')
      throw new HttpError(403, 'only signed-in users can use this route');
    if (req.authVia === 'session' && UNSAFE.has(req.method)) {
      const presented = req.headers['x-csrf-token'];
      if (typeof presented !== 'string' || !checkCsrf(req.sessionToken!, presented, ctx.keys.key('csrf')))
        throw new HttpError(403, 'missing or invalid CSRF token (send the X-CSRF-Token header)');
    }
    if (access === 'authenticated') {
      if (req.principal.kind === 'user' && !req.principal.mfaSatisfied && !allowBeforeMfa)
        throw new HttpError(403, 'multi-factor authentication required for this role');
      return;
    }
    const projectId = projectParam ? (req.params as Record<string, string>)[projectParam] : undefined;
    const d = authorize(req.principal, access, projectId);
    if (!d.allow) throw new HttpError(d.status, d.reason);
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    const started = (req as FastifyRequest & { startedAt?: bigint }).startedAt;
    if (started !== undefined)
      latency.observe({ method: req.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
  });

  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof HttpError) return reply.code(err.status).send({ error: err.message });
    if (err instanceof RampartError) {
      const status =
        err.code === 'INGEST_INVALID' || err.code === 'USAGE'
          ? 400
          : err.code === 'DB_UNAVAILABLE'
            ? 503
            : 500;
      if (status === 500) req.log.error({ code: err.code }, err.message);
      return reply.code(status).send({ error: err.message });
    }
    const e = err as { statusCode?: number; validation?: unknown; message?: string; code?: string };
    if (e.validation) return reply.code(400).send({ error: `invalid request: ${e.message}` });
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
      return reply.code(e.statusCode).send({ error: e.message ?? 'bad request' });
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));

  app.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) => {
    if (!ready) return reply.code(503).send({ ready: false, reason: 'shutting down' });
    try {
      await ctx.db.query('SELECT 1');
    } catch {
      return reply.code(503).send({ ready: false, reason: 'database unavailable' });
    }
    return { ready: true, database: ctx.db.kind };
  });
  app.get('/metrics', { config: { access: 'metrics:read' }, schema: { hide: true } }, async (_req, reply) => {
    reply.type(metrics.contentType);
    return metrics.metrics();
  });
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  await options.routes(app, ctx);
  await app.ready();

  return {
    app,
    routes,
    metrics,
    isReady: () => ready,
    async close() {
      ready = false;
      await app.close();
    },
  };
}
