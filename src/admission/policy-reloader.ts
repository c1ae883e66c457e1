/**
 * Policy loading and hot reload: read the documents, build a new evaluator, swap it in atomically.
 * Load errors (unparsable files, invalid policies or rules) are logged with the policy and rule
 * names and the remaining policies go live; a reload that cannot build anything at all (folder
 * unreadable, engine failure) keeps the previous evaluator. Reloads never overlap; changes arriving
 * during a reload queue exactly one more.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { FailureAction, PolicyLoadError } from '../policy/engine/types.js';
import { withFailureAction } from './builtin-packs.js';
import { oneLine } from './json-body.js';
import { listPolicyFiles, readPolicyFiles, type PolicyDocs } from './policy-files.js';
import type { Evaluator, EvaluatorFactory } from './types.js';

export interface ReloadLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PolicySources {
  /** User policies: every *.yaml|yml directly in this folder. */
  dir?: string;
  /** Built-in pack files (see builtin-packs.ts). */
  builtinFiles?: readonly string[];
  /** Failure action forced on the built-in packs (they ship as Audit). */
  builtinAction?: FailureAction;
}

/** Reads the built-in packs and the policy folder. Throws only when the folder cannot be listed. */
export async function loadPolicySources(sources: PolicySources): Promise<PolicyDocs> {
  const builtin = await readPolicyFiles(sources.builtinFiles ?? []);
  const docs = sources.builtinAction ? withFailureAction(builtin.docs, sources.builtinAction) : builtin.docs;
  const user = sources.dir
    ? await readPolicyFiles(await listPolicyFiles(sources.dir))
    : { docs: [], errors: [], files: [] };
  return {
    docs: [...docs, ...user.docs],
    errors: [...builtin.errors, ...user.errors],
    files: [...builtin.files, ...user.files],
  };
}

export interface ReloadTarget {
  setEvaluator(evaluator: Evaluator): void;
}

export interface ReloaderOptions {
  target: ReloadTarget;
  factory: EvaluatorFactory;
  load: () => Promise<PolicyDocs>;
  log: ReloadLogger;
  onReload?: (ok: boolean) => void;
  /** Folder to watch for changes (usually PolicySources.dir). */
  watchDir?: string;
  /** Quiet period after the last change before reloading (default 300 ms). */
  debounceMs?: number;
}

export type ReloadReport =
  | {
      ok: true;
      policies: number;
      rules?: number;
      errors: PolicyLoadError[];
      files: number;
      durationMs: number;
    }
  | { ok: false; error: string };

export interface PolicyReloader {
  /** Reloads now (coalesced with any reload already queued). */
  reload(): Promise<ReloadReport>;
  close(): void;
}

/** Adds file-level errors to an evaluator's own load errors. */
export function withLoadErrors(evaluator: Evaluator, extra: readonly PolicyLoadError[]): Evaluator {
  if (extra.length === 0) return evaluator;
  const errors = [...extra, ...evaluator.errors];
  return {
    evaluate: (resource, ctx) => evaluator.evaluate(resource, ctx),
    errors,
    policyCount: evaluator.policyCount,
    ...(evaluator.ruleCount !== undefined ? { ruleCount: evaluator.ruleCount } : {}),
    ...(evaluator.dispose ? { dispose: () => evaluator.dispose?.() } : {}),
  };
}

export function createPolicyReloader(options: ReloaderOptions): PolicyReloader {
  const { log } = options;
  let chain: Promise<unknown> = Promise.resolve();
  let queued: Promise<ReloadReport> | undefined;
  let closed = false;

  async function doReload(): Promise<ReloadReport> {
    const started = performance.now();
    let loaded: PolicyDocs;
    let evaluator: Evaluator;
    try {
      loaded = await options.load();
      evaluator = await options.factory(loaded.docs);
    } catch (err) {
      const error = oneLine(err instanceof Error ? err.message : String(err), 500);
      log.error({ error }, 'policy reload failed; the previous policies stay active');
      options.onReload?.(false);
      return { ok: false, error };
    }
    const full = withLoadErrors(evaluator, loaded.errors);
    options.target.setEvaluator(full);
    for (const e of full.errors)
      log.warn(
        { policy: e.policy, ...(e.rule ? { rule: e.rule } : {}), error: e.message },
        'policy load error',
      );
    const durationMs = Math.round(performance.now() - started);
    log.info(
      {
        policies: full.policyCount,
        ...(full.ruleCount !== undefined ? { rules: full.ruleCount } : {}),
        loadErrors: full.errors.length,
        files: loaded.files.length,
        durationMs,
      },
      'policies loaded',
    );
    options.onReload?.(true);
    return {
      ok: true,
      policies: full.policyCount,
      ...(full.ruleCount !== undefined ? { rules: full.ruleCount } : {}),
      errors: [...full.errors],
      files: loaded.files.length,
      durationMs,
    };
  }

  function reload(): Promise<ReloadReport> {
    if (queued) return queued;
    const next = chain.then(() => {
      queued = undefined;
      return doReload();
    });
    queued = next;
    chain = next.catch(() => undefined);
    return next;
  }

  const watcher = options.watchDir
    ? watchFolder(options.watchDir, options.debounceMs ?? 300, log, () => {
        if (!closed) void reload();
      })
    : undefined;

  return {
    reload,
    close() {
      closed = true;
      watcher?.close();
    },
  };
}

/**
 * fs.watch on a folder with a debounce. If the folder disappears or the watch fails, retries every
 * 2 s and reloads once it is back.
 */
export function watchFolder(
  dir: string,
  debounceMs: number,
  log: ReloadLogger,
  onChange: () => void,
): { close(): void } {
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const trigger = () => {
    if (closed) return;
    clearTimeout(debounce);
    debounce = setTimeout(onChange, debounceMs);
  };
  const scheduleRetry = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (start()) trigger();
    }, 2000);
    retry.unref();
  };
  const start = (): boolean => {
    try {
      watcher = watch(dir, { persistent: false }, trigger);
      watcher.on('error', (err) => {
        log.warn({ dir, error: oneLine(String(err)) }, 'policy folder watch failed; retrying');
        watcher?.close();
        watcher = undefined;
        scheduleRetry();
      });
      return true;
    } catch (err) {
      log.warn({ dir, error: oneLine(String(err)) }, 'cannot watch the policy folder; retrying');
      scheduleRetry();
      return false;
    }
  };
  start();
  return {
    close() {
      closed = true;
      clearTimeout(debounce);
      clearTimeout(retry);
      watcher?.close();
    },
  };
}
