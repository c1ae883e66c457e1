/**
 * The validating admission webhook: fastify over HTTPS (plain HTTP only when no TLS material is given,
 * for tests and benchmarks behind a TLS terminator).
 *
 *   POST /validate   AdmissionReview v1 → AdmissionReview v1 (200), or 400 with a one-line reason
 *   GET  /healthz    liveness: the event loop answers
 *   GET  /readyz     readiness: policies loaded and not shutting down (JSON with counts and load errors)
 *   GET  /metrics    Prometheus text format
 *
 * The evaluator is injected and swapped atomically (`setEvaluator`): each request keeps the evaluator
 * it started with, so a policy reload never fails a request in flight.
 */
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { RuleResult } from '../policy/engine/types.js';
import { decide, toAdmissionResponse, type RuleRef } from './decision.js';
import { DEFAULT_MAX_DEPTH, oneLine, parseJsonBody } from './json-body.js';
import { createAdmissionMetrics, type AdmissionMetrics } from './metrics.js';
import { buildRequestContext, describeResource, parseAdmissionReview, subjectOf } from './review.js';
import type {
  AdmissionRequest,
  AdmissionResponse,
  AdmissionReviewResponse,
  DecisionKind,
  Evaluator,
  FailurePolicy,
} from './types.js';

/** The API server's own request size limit (etcd's default value size is 1.5 MiB; requests up to 3 MiB). */
export const DEFAULT_BODY_LIMIT = 3 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 2000;
/** How long close() waits for open connections before cutting them. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface LogOptions {
  /** pino level; default info. */
  level?: string;
  /** Where JSON lines go; default stdout. */
  stream?: { write(line: string): unknown };
}

export interface AdmissionServerOptions {
  /** Initial evaluator; without one the server is not ready until `setEvaluator`. */
  evaluator?: Evaluator;
  /** PEM certificate chain and key; without them the server speaks plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** What to answer when evaluation fails or exceeds the budget: Ignore (admit with a warning, default) or Fail (deny). */
  failurePolicy?: FailurePolicy;
  /** Per-request evaluation budget in milliseconds (default 2000). */
  timeoutMs?: number;
  /** Maximum request body in bytes (default 3 MiB); larger bodies get 413. */
  bodyLimit?: number;
  /** Maximum JSON nesting of a request body (default 100). */
  maxDepth?: number;
  /** Decision log settings, or false for no logging. */
  log?: LogOptions | false;
  /** Also export process metrics (CPU, memory, event-loop lag) on /metrics. */
  defaultMetrics?: boolean;
}

export interface ListenOptions {
  port?: number;
  host?: string;
}

export interface AdmissionServer {
  readonly app: FastifyInstance;
  readonly metrics: AdmissionMetrics;
  listen(options?: ListenOptions): Promise<{ url: string; port: number }>;
  /** Makes `evaluator` current for new requests; the previous one is disposed once its requests finish. */
  setEvaluator(evaluator: Evaluator): void;
  currentEvaluator(): Evaluator | undefined;
  /** True once an evaluator is set and until shutdown begins. */
  isReady(): boolean;
  /** Replaces the certificate for new TLS connections (certificate rotation). */
  updateTls(tls: { cert: string | Buffer; key: string | Buffer }): void;
  /** Readiness goes false (requests are still answered), e.g. while endpoints are being removed. */
  beginShutdown(): void;
  /** Readiness goes false at once; in-flight requests finish; then the server closes. */
  close(): Promise<void>;
}

interface RequestOutcome {
  decision: DecisionKind;
  fields: Record<string, unknown>;
  denied: RuleRef[];
  warned: RuleRef[];
}

type BudgetResult =
  { kind: 'ok'; results: RuleResult[] } | { kind: 'timeout' } | { kind: 'error'; message: string };

export function createAdmissionServer(options: AdmissionServerOptions = {}): AdmissionServer {
  const failurePolicy: FailurePolicy = options.failurePolicy ?? 'Ignore';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const metrics = createAdmissionMetrics({ defaultMetrics: options.defaultMetrics === true });
  const logOptions = options.log;

  const app = Fastify({
    ...(options.tls
      ? { https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' as const } }
      : {}),
    logger:
      logOptions === false
        ? false
        : {
            level: logOptions?.level ?? 'info',
            base: { component: 'rampart-admission' },
            ...(logOptions?.stream ? { stream: logOptions.stream } : {}),
          },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // Bounds slow clients; the API server gives up after the webhook's timeoutSeconds (≤ 30 s) anyway.
    requestTimeout: 30_000,
    keepAliveTimeout: 60_000,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  let current: Evaluator | undefined = options.evaluator;
  let draining = false;
  const inFlight = new Map<Evaluator, number>();
  const retired = new Set<Evaluator>();
  const outcomes = new WeakMap<FastifyRequest, RequestOutcome>();

  const publishCounts = (e: Evaluator | undefined) =>
    metrics.setPolicies(e?.policyCount ?? 0, e?.ruleCount, e?.errors.length ?? 0);
  publishCounts(current);

  const acquire = (e: Evaluator) => inFlight.set(e, (inFlight.get(e) ?? 0) + 1);
  const release = (e: Evaluator) => {
    const n = (inFlight.get(e) ?? 1) - 1;
    if (n > 0) inFlight.set(e, n);
    else {
      inFlight.delete(e);
      if (retired.has(e)) disposeEvaluator(e);
    }
  };
  const disposeEvaluator = (e: Evaluator) => {
    retired.delete(e);
    try {
      void Promise.resolve(e.dispose?.()).catch((err: unknown) =>
        app.log.warn({ err: errText(err) }, 'disposing a policy evaluator failed'),
      );
    } catch (err) {
      app.log.warn({ err: errText(err) }, 'disposing a policy evaluator failed');
    }
  };

  // Bodies are kept as bytes: json-body.ts checks UTF-8, nesting and keys before building anything.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: { statusCode?: number; code?: string; message?: string }, request, reply) => {
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status === 413) {
      noteInvalid(request, 'body too large');
      return sendText(reply, 413, `request body larger than ${bodyLimit} bytes`);
    }
    if (status >= 400 && status < 500) {
      const reason = oneLine(err.message ?? 'bad request');
      noteInvalid(request, reason);
      return sendText(reply, 400, reason);
    }
    request.log.error({ err: errText(err) }, 'internal error');
    return sendText(reply, 500, 'internal error');
  });
  app.setNotFoundHandler((_request, reply) => sendText(reply, 404, 'not found'));

  const noteInvalid = (request: FastifyRequest, reason: string) =>
    outcomes.set(request, { decision: 'invalid', fields: { reason }, denied: [], warned: [] });

  // While shutting down, close each keep-alive connection after its current answer.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onResponse', async (request, reply) => {
    const outcome = outcomes.get(request);
    if (!outcome) return;
    const ms = reply.elapsedTime;
    metrics.observeRequest(outcome.decision, ms / 1000);
    metrics.observeRules(outcome.denied, outcome.warned);
    const line = { ...outcome.fields, decision: outcome.decision, durationMs: Math.round(ms * 1000) / 1000 };
    if (outcome.decision === 'invalid') request.log.warn(line, 'admission request rejected');
    else request.log.info(line, 'admission decision');
  });

  app.post('/validate', async (request, reply) => {
    const body = request.body;
    if (!(body instanceof Uint8Array)) {
      noteInvalid(request, 'empty body');
      return sendText(reply, 400, 'empty body');
    }
    const parsed = parseJsonBody(body, maxDepth);
    if (!parsed.ok) {
      noteInvalid(request, parsed.reason);
      return sendText(reply, 400, parsed.reason);
    }
    const review = parseAdmissionReview(parsed.value);
    if (!review.ok) {
      noteInvalid(request, review.reason);
      return sendText(reply, 400, review.reason);
    }
    const { response, outcome } = await admit(review.request);
    outcomes.set(request, outcome);
    const answer: AdmissionReviewResponse = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response,
    };
    return reply
      .code(200)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify(answer));
  });

  async function admit(
    req: AdmissionRequest,
  ): Promise<{ response: AdmissionResponse; outcome: RequestOutcome }> {
    const subject = subjectOf(req);
    const resource = describeResource(req, subject);
    const fields: Record<string, unknown> = {
      uid: req.uid,
      kind: [req.kind.group, req.kind.version, req.kind.kind].filter(Boolean).join('/'),
      resource,
      operation: req.operation,
      ...(req.subResource ? { subResource: req.subResource } : {}),
      user: req.userInfo?.username ?? '',
      dryRun: req.dryRun === true,
    };
    if (!subject) {
      // e.g. a DELETE without oldObject: nothing for the policies to look at.
      return {
        response: { uid: req.uid, allowed: true },
        outcome: { decision: 'allowed', fields, denied: [], warned: [] },
      };
    }
    const evaluator = current;
    if (!evaluator) return failed(req.uid, 'policies are not loaded yet', fields);
    acquire(evaluator);
    let result: BudgetResult;
    try {
      result = await withBudget(() => evaluator.evaluate(subject, buildRequestContext(req)), timeoutMs);
    } finally {
      release(evaluator);
    }
    if (result.kind === 'timeout')
      return failed(req.uid, `policy evaluation exceeded the time budget of ${timeoutMs} ms`, fields);
    if (result.kind === 'error')
      return failed(req.uid, `policy evaluation failed: ${result.message}`, fields);
    let decision: ReturnType<typeof decide>;
    try {
      decision = decide(result.results, resource);
    } catch (err) {
      return failed(req.uid, `policy results unreadable: ${errText(err)}`, fields);
    }
    const kind: DecisionKind = !decision.allowed
      ? 'denied'
      : decision.warnings.length > 0
        ? 'warned'
        : 'allowed';
    const refs = (list: RuleRef[]) => list.map((r) => `${r.policy}/${r.rule}`);
    return {
      response: toAdmissionResponse(req.uid, decision),
      outcome: {
        decision: kind,
        fields: {
          ...fields,
          allowed: decision.allowed,
          denied: refs(decision.denied),
          warned: refs(decision.warned),
        },
        denied: decision.denied,
        warned: decision.warned,
      },
    };
  }

  function failed(
    uid: string,
    reason: string,
    fields: Record<string, unknown>,
  ): { response: AdmissionResponse; outcome: RequestOutcome } {
    const open = failurePolicy === 'Ignore';
    const response: AdmissionResponse = open
      ? { uid, allowed: true, warnings: [`rampart: ${reason}; admitted (failurePolicy Ignore)`] }
      : {
          uid,
          allowed: false,
          status: {
            code: 500,
            reason: 'InternalError',
            message: `rampart: ${reason}; denied (failurePolicy Fail)`,
          },
        };
    return {
      response,
      outcome: {
        decision: open ? 'failed_open' : 'failed_closed',
        fields: { ...fields, allowed: open, reason },
        denied: [],
        warned: [],
      },
    };
  }

  app.get('/healthz', async (_request, reply) => sendText(reply, 200, 'ok'));

  app.get('/readyz', async (_request, reply) => {
    const e = current;
    const ready = e !== undefined && !draining;
    const body = {
      status: ready ? 'ready' : draining ? 'shutting down' : 'policies not loaded',
      policies: e?.policyCount ?? 0,
      ...(e?.ruleCount !== undefined ? { rules: e.ruleCount } : {}),
      loadErrors: e?.errors ?? [],
    };
    return reply.code(ready ? 200 : 503).send(body);
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.code(200).header('content-type', metrics.registry.contentType).send(text);
  });

  return {
    app,
    metrics,
    async listen(listenOptions: ListenOptions = {}) {
      const address = await app.listen({
        port: listenOptions.port ?? 8443,
        host: listenOptions.host ?? '0.0.0.0',
      });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : (listenOptions.port ?? 8443);
      return { url: address, port };
    },
    setEvaluator(evaluator: Evaluator) {
      const previous = current;
      current = evaluator;
      publishCounts(evaluator);
      if (previous && previous !== evaluator) {
        if (inFlight.has(previous)) retired.add(previous);
        else disposeEvaluator(previous);
      }
    },
    currentEvaluator: () => current,
    isReady: () => current !== undefined && !draining,
    updateTls(tls) {
      const server = app.server as unknown as { setSecureContext?: (o: object) => void };
      if (typeof server.setSecureContext !== 'function')
        throw new Error('the server was started without TLS');
      server.setSecureContext({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' });
    },
    beginShutdown() {
      draining = true;
    },
    async close() {
      draining = true;
      // In-flight requests finish; connections still open after the grace period are cut.
      const force = setTimeout(() => app.server.closeAllConnections?.(), SHUTDOWN_GRACE_MS);
      force.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(force);
      }
      const e = current;
      if (e && !inFlight.has(e)) disposeEvaluator(e);
    },
  };
}

function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(`${text}\n`);
}

function errText(err: unknown): string {
  try {
    return oneLine(err instanceof Error ? String(err.message) : String(err));
  } catch {
    return 'unprintable error';
  }
}

/**
 * Runs one evaluation within a time budget. An asynchronous evaluator is abandoned when the budget
 * expires; a synchronous one cannot be interrupted, so its result is discarded afterwards if it came
 * too late — either way the failure policy decides.
 */
export async function withBudget(
  fn: () => RuleResult[] | Promise<RuleResult[]>,
  budgetMs: number,
): Promise<BudgetResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<BudgetResult>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), budgetMs);
  });
  const work: Promise<BudgetResult> = (async () => fn())().then(
    (results) =>
      Array.isArray(results)
        ? { kind: 'ok', results: results as RuleResult[] }
        : { kind: 'error', message: 'the engine returned no result list' },
    (err: unknown) => ({ kind: 'error', message: errText(err) }),
  );
  try {
    const result = await Promise.race([work, timeout]);
    if (result.kind !== 'timeout' && performance.now() - started > budgetMs) return { kind: 'timeout' };
    return result;
  } finally {
    clearTimeout(timer);
  }
}
