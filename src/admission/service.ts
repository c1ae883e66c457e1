/**
 * The webhook assembled: engine (or an injected factory) + server + policy reloader + TLS file watch.
 * Used by `rampart admission serve` and by the latency benchmark.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FailureAction, ImageVerifier } from '../policy/engine/types.js';
import { resolveBuiltinPacks } from './builtin-packs.js';
import { engineEvaluatorFactory, loadEngineFacade } from './engine-evaluator.js';
import { createRegistryImageVerifier, type RegistryImageVerifierOptions } from './image-verifier.js';
import { oneLine } from './json-body.js';
import { workerEvaluatorFactory } from './worker-evaluator.js';
import {
  createPolicyReloader,
  loadPolicySources,
  watchFolder,
  type PolicyReloader,
} from './policy-reloader.js';
import {
  DEFAULT_TIMEOUT_MS,
  createAdmissionServer,
  type AdmissionServer,
  type LogOptions,
} from './server.js';
import type { EvaluatorFactory, FailurePolicy } from './types.js';

export interface AdmissionServiceOptions {
  policiesDir?: string;
  builtin?: readonly string[];
  builtinAction?: FailureAction;
  port?: number;
  host?: string;
  /** PEM files (watched: a rotated certificate is picked up for new connections). */
  tlsFiles?: { certFile: string; keyFile: string };
  /** PEM contents (e.g. freshly generated). */
  tls?: { cert: string; key: string };
  failurePolicy?: FailurePolicy;
  timeoutMs?: number;
  log?: LogOptions | false;
  /** Default: the policy engine facade. */
  factory?: EvaluatorFactory;
  /** Engine module to load when no factory is given (tests point this at a stand-in). */
  engineModule?: URL | string;
  /** Run the engine in this many worker threads (0: in the main thread, the default). */
  workers?: number;
  /**
   * Registry image verifier settings for verifyImages rules (the verifier is always wired in; by
   * default each lookup gets 75 % of the request budget, so a hanging registry errors the rule —
   * Enforce denies, Audit warns — instead of overrunning the request).
   */
  imageVerification?: Omit<RegistryImageVerifierOptions, 'now'>;
  /** A verifier instead of the registry one (in-process evaluation only; tests). */
  imageVerifier?: ImageVerifier;
  defaultMetrics?: boolean;
}

export interface AdmissionService {
  server: AdmissionServer;
  reloader: PolicyReloader;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startAdmissionService(options: AdmissionServiceOptions): Promise<AdmissionService> {
  if (!options.policiesDir && (options.builtin ?? []).length === 0)
    throw new Error('no policies: give a policy folder and/or built-in packs');
  const builtinFiles = resolveBuiltinPacks(options.builtin ?? []);
  // Loaded here even with workers: a missing engine is reported once, clearly, before anything starts.
  const engine = options.factory ? undefined : await loadEngineFacade(options.engineModule);
  let tls = options.tls;
  if (options.tlsFiles) {
    const [cert, key] = await Promise.all([
      readFile(options.tlsFiles.certFile, 'utf8'),
      readFile(options.tlsFiles.keyFile, 'utf8'),
    ]);
    tls = { cert, key };
  }
  const server = createAdmissionServer({
    ...(tls ? { tls } : {}),
    ...(options.failurePolicy ? { failurePolicy: options.failurePolicy } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.log !== undefined ? { log: options.log } : {}),
    defaultMetrics: options.defaultMetrics ?? true,
  });
  const log = server.app.log;
  const workers = options.workers ?? 0;
  const budgetMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const verification: RegistryImageVerifierOptions = {
    lookupTimeoutMs: Math.max(1, Math.floor(budgetMs * 0.75)),
    ...options.imageVerification,
  };
  // The engine's own bound on a lookup sits just above the verifier's, as a safety net.
  const engineLookupTimeoutMs = (verification.lookupTimeoutMs ?? 0) + 50;
  const factory =
    options.factory ??
    (workers > 0
      ? workerEvaluatorFactory({
          ...(options.engineModule ? { engineModule: options.engineModule } : {}),
          workers,
          hardTimeoutMs: budgetMs,
          onWorkerRestart: (reason) => log.warn({ reason }, 'policy engine worker restarted'),
          imageVerification: { ...verification, engineLookupTimeoutMs },
        })
      : engineEvaluatorFactory(engine!, {
          verifier: options.imageVerifier ?? createRegistryImageVerifier(verification),
          lookupTimeoutMs: engineLookupTimeoutMs,
        }));
  const reloader = createPolicyReloader({
    target: server,
    factory,
    load: () =>
      loadPolicySources({
        ...(options.policiesDir ? { dir: options.policiesDir } : {}),
        builtinFiles,
        ...(options.builtinAction ? { builtinAction: options.builtinAction } : {}),
      }),
    log,
    onReload: (ok) => server.metrics.observeReload(ok),
    ...(options.policiesDir ? { watchDir: options.policiesDir } : {}),
  });
  const first = await reloader.reload();
  if (!first.ok) {
    reloader.close();
    await server.close();
    throw new Error(`cannot load the policies: ${first.error}`);
  }

  let tlsWatch: { close(): void } | undefined;
  if (options.tlsFiles) {
    const { certFile, keyFile } = options.tlsFiles;
    tlsWatch = watchFolder(path.dirname(certFile), 500, log, () => {
      void Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')])
        .then(([cert, key]) => {
          server.updateTls({ cert, key });
          log.info({ certFile }, 'TLS certificate reloaded');
        })
        .catch((err: unknown) =>
          log.warn({ error: oneLine(String(err)) }, 'TLS certificate reload failed; keeping the current one'),
        );
    });
  }

  let listening: { url: string; port: number };
  try {
    listening = await server.listen({ port: options.port ?? 8443, host: options.host ?? '0.0.0.0' });
  } catch (err) {
    reloader.close();
    tlsWatch?.close();
    await server.close();
    throw err;
  }
  log.info({ url: listening.url, tls: Boolean(tls) }, 'admission webhook listening');
  return {
    server,
    reloader,
    ...listening,
    async close() {
      reloader.close();
      tlsWatch?.close();
      await server.close();
    },
  };
}
