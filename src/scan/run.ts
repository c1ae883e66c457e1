import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RampartConfig } from '../config/types.js';
import type { Finding, RuleDescriptor, ScannerKind } from '../core/finding.js';
import { RampartError } from '../core/errors.js';
import type { ScanReport } from '../core/report.js';
import { availableParallelism } from 'node:os';
import type { Scanner, ScanContext, ScanTarget } from '../core/scanner.js';
import { severityRank } from '../core/severity.js';
import { applyIgnoreFile, loadIgnoreFile } from '../suppress/ignorefile.js';
import { applyBaseline, loadBaseline } from '../suppress/baseline.js';
import type { Skipped, WalkedFile } from '../walk/types.js';
import { walkFiles } from '../walk/walk.js';
import { isSkipped, readForScan } from '../walk/read.js';
import { gitTargets, type GitMode } from '../git/index.js';
import { filesAtRevision, mergeBaseWith } from '../git/revision-files.js';
import { redact } from '../redact/index.js';
import type { Progress } from './progress.js';
import { loadScanners, type ScannerSections } from './load-scanners.js';
import { ScanPool } from './pool.js';
import { scanTarget } from './scan-target.js';
import { inlineSuppression } from '../suppress/inline.js';
import type { WorkerInit } from './worker-protocol.js';

export type ScanMode = { kind: 'path' } | GitMode;

export interface ScanRequest {
  /** Absolute path of what to scan (directory or file; for git modes, a path inside the repository). */
  root: string;
  mode: ScanMode;
  config: RampartConfig;
  version: string;
  progress: Progress;
  /** Debug log sink (already redacted messages only). */
  debug?: (message: string) => void;
}

const DEFAULT_IGNOREFILE = '.rampart-ignore.yaml';
const MAX_LISTED_SKIPS = 1000;

export async function runScan(req: ScanRequest): Promise<ScanReport> {
  const startedAt = new Date();
  const { config } = req;
  if (!existsSync(req.root))
    throw new RampartError('PATH_UNREADABLE', `no such file or directory: ${req.root}`);
  const review =
    req.mode.kind === 'diff' && config.scanners.includes('deps')
      ? await dependencyReviewFiles(req.root, req.mode.base, config.maxFileSize)
      : undefined;
  const scanners = await scannersFor(config, req.mode, review?.base);

  const warnings: string[] = [];
  const skipped: Skipped[] = [];
  const skippedCounts: Partial<Record<Skipped['reason'], number>> = {};
  const onSkip = (s: Skipped) => {
    skippedCounts[s.reason] = (skippedCounts[s.reason] ?? 0) + 1;
    if (s.reason !== 'ignored' && skipped.length < MAX_LISTED_SKIPS) skipped.push(s);
  };
  const warn = (m: string) => {
    warnings.push(m);
    req.debug?.(`warning: ${m}`);
  };

  let filesScanned = 0;
  let bytesScanned = 0;
  let commitsScanned = 0;
  let findings: Finding[] = [];
  const seenFingerprints = new Set<string>();
  const dedupe = req.mode.kind === 'history' || req.mode.kind === 'diff';

  const addFindings = (found: readonly Finding[]) => {
    for (let f of found) {
      // A commit message is text from the repository: it may itself hold a secret.
      if (f.location?.commit?.message) {
        f = {
          ...f,
          location: {
            ...f.location,
            commit: { ...f.location.commit, message: redact(f.location.commit.message) },
          },
        };
      }
      if (dedupe) {
        if (seenFingerprints.has(f.fingerprint)) continue;
        seenFingerprints.add(f.fingerprint);
      }
      findings.push(f);
    }
  };
  const scanOne = (target: ScanTarget, use: readonly Scanner[] = scanners) => {
    filesScanned++;
    bytesScanned += target.content.length;
    const r = scanTarget(use, target, config.fileTimeout, warn);
    for (const kind of r.timedOut)
      onSkip({ path: target.path, reason: 'timeout', detail: `${kind} scanner` });
    addFindings(r.findings);
  };

  if (req.mode.kind === 'path') {
    const pending: WalkedFile[] = [];
    let walked = 0;
    let totalBytes = 0;
    let pool: ScanPool | undefined;
    const startPool = (threads: number) => {
      const init: WorkerInit = {
        kinds: scanners.map((s) => s.kind),
        sections: scannerSections(config),
        maxFileSize: config.maxFileSize,
        fileTimeout: config.fileTimeout,
      };
      req.debug?.(`${threads} worker threads`);
      return new ScanPool(init, threads, {
        onOutcome: (o) => {
          for (const w of o.warnings) warn(w);
          if (o.skipped) onSkip(o.skipped);
          else if (!o.notRequired) {
            filesScanned++;
            bytesScanned += o.bytes;
            for (const kind of o.timedOut ?? [])
              onSkip({ path: o.path, reason: 'timeout', detail: `${kind} scanner` });
            addFindings(o.findings);
          }
          req.progress.tick(1, o.bytes);
        },
        onStates: (states) => {
          for (const scanner of scanners) {
            if (scanner.kind in states) scanner.absorbState?.(states[scanner.kind]);
          }
        },
      });
    };
    // Walk and hand files to worker threads as soon as the scan is big enough to pay for them.
    for await (const file of walkFiles({
      root: req.root,
      maxFileSize: config.maxFileSize,
      respectGitignore: config.respectGitignore,
      skipPaths: config.skipPaths,
      onSkip,
    })) {
      walked++;
      totalBytes += file.size;
      if (pool) {
        pool.add(file);
        continue;
      }
      pending.push(file);
      const threads = workerCount(walked, totalBytes);
      if (threads > 0) {
        pool = startPool(threads);
        for (const f of pending.splice(0)) pool.add(f);
      }
    }
    req.progress.setTotal(walked, 'files');
    req.debug?.(`${walked} files, ${totalBytes} bytes`);
    if (pool) {
      await pool.finish();
    } else {
      for (const file of pending) {
        if (!scanners.some((s) => s.required(file.path))) {
          req.progress.tick(1, 0);
          continue;
        }
        const content = await readForScan(file, config.maxFileSize);
        if (isSkipped(content)) {
          onSkip(content);
          req.progress.tick(1, 0);
          continue;
        }
        scanOne({ path: file.path, content });
        req.progress.tick(1, content.length);
      }
    }
  } else {
    // Dependency review reads whole lockfiles at HEAD (and at the merge base), not added lines.
    const depsScanner = scanners.find((s) => s.kind === 'deps');
    if (depsScanner && review) {
      for (const [p, content] of review.head) {
        filesScanned++;
        bytesScanned += content.length;
        depsScanner.scan({ path: p, content }, { warn, deadline: Date.now() + config.fileTimeout });
      }
    }
    const excerptScanners = scanners.filter((s) => s.kind !== 'deps');
    req.progress.setTotal(0, req.mode.kind === 'history' ? 'commits' : 'files');
    for await (const target of gitTargets(
      req.mode,
      req.root,
      () => {
        commitsScanned++;
        req.progress.tick(1, 0);
      },
      { maxFileSize: config.maxFileSize, onSkip },
    )) {
      if (excerptScanners.length) scanOne(target, excerptScanners);
    }
  }
  req.progress.done();

  const finalCtx: ScanContext = { warn, deadline: Date.now() + config.fileTimeout, skip: onSkip };
  const finalized: Finding[] = [];
  for (const scanner of scanners) {
    if (scanner.finalize) finalized.push(...scanner.finalize(finalCtx));
  }
  // Cross-file findings (Helm templates, Terraform modules, lockfiles, cluster checks) honour inline
  // `rampart:ignore` comments too: their file is read back here (path mode: the tree on disk).
  findings.push(
    ...(req.mode.kind === 'path' ? applyInlineFromDisk(finalized, req.root, config.maxFileSize) : finalized),
  );

  // Suppressions beyond inline comments: the ignore file and the baseline.
  const ignorePath = config.ignorefile ?? defaultIgnoreFile(req.root);
  if (ignorePath) {
    const ignore = loadIgnoreFile(ignorePath);
    const applied = applyIgnoreFile(findings, ignore, new Date());
    findings = applied.findings;
    for (const w of applied.warnings) warn(w);
  }
  if (config.baseline) findings = applyBaseline(findings, loadBaseline(config.baseline));

  const severities = new Set(config.severity);
  const inScope = findings.filter((f) => severities.has(f.severity));
  const suppressedCount = inScope.filter((f) => f.suppressed).length;
  const reported = (config.showSuppressed ? inScope : inScope.filter((f) => !f.suppressed)).sort(
    compareFindings,
  );

  const ruleIndex = new Map<string, RuleDescriptor>();
  for (const scanner of scanners) for (const r of scanner.rules()) ruleIndex.set(r.id, r);
  const usedRules = [...new Set(reported.map((f) => f.ruleId))]
    .map((id) => ruleIndex.get(id))
    .filter((r): r is RuleDescriptor => r !== undefined);

  return {
    schemaVersion: '1',
    tool: { name: 'rampart', version: req.version },
    target: targetLabel(req),
    mode: req.mode.kind,
    scanners: scanners.map((s) => s.kind),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    findings: reported,
    rules: usedRules,
    stats: {
      filesScanned,
      bytesScanned,
      filesSkipped: skippedCounts,
      warnings: warnings.length,
      suppressed: suppressedCount,
      ...(req.mode.kind === 'history' ? { commitsScanned } : {}),
    },
    skipped,
    warnings,
  };
}

async function scannersFor(
  config: RampartConfig,
  mode: ScanMode,
  reviewBase?: ReadonlyMap<string, string>,
): Promise<Scanner[]> {
  let kinds: ScannerKind[] = config.scanners;
  // Git modes hand out excerpts (the added lines), which only the secret scanner can judge; the
  // dependency scanner reviews whole lockfiles at HEAD against the merge base in --diff-base mode.
  const gitCapable = (k: ScannerKind) => k === 'secret' || (mode.kind === 'diff' && k === 'deps');
  if (mode.kind !== 'path' && kinds.some((k) => !gitCapable(k))) {
    kinds = kinds.filter(gitCapable);
    if (!kinds.length)
      throw new RampartError(
        'USAGE',
        mode.kind === 'diff'
          ? '--diff-base works with the secret and deps scanners only'
          : `--${mode.kind} works with the secret scanner only`,
      );
  }
  const sections = scannerSections(config);
  if (reviewBase) sections.deps = { ...sections.deps, baseFiles: reviewBase };
  return loadScanners(kinds, sections);
}

function scannerSections(config: RampartConfig): ScannerSections {
  return {
    secret: { ...config.secret },
    misconfig: {
      disableRules: config.misconfig.disableRules,
      trustedRegistries: config.misconfig.trustedRegistries,
      allowedExternalIPs: config.misconfig.allowedExternalIps,
    },
    deps: { ...config.deps },
    policy: { paths: config.policy.paths, builtin: config.policy.builtin },
  };
}

/** Lockfiles and manifests at HEAD and at the merge base with `base` (dependency review). */
async function dependencyReviewFiles(root: string, base: string, maxBytes: number) {
  const { decodeManifest, makeInventoryFilter } = await import('../deps/inventory.js');
  const want = makeInventoryFilter();
  const mergeBase = await mergeBaseWith(root, base);
  const head = await filesAtRevision(root, 'HEAD', want, maxBytes);
  const baseBytes = await filesAtRevision(root, mergeBase, want, maxBytes);
  const baseText = new Map([...baseBytes].map(([p, b]) => [p, decodeManifest(b)] as const));
  return { head, base: baseText };
}

/** Applies inline suppressions to findings produced after the walk, reading each file once. */
function applyInlineFromDisk(found: Finding[], root: string, maxBytes: number): Finding[] {
  let base: string;
  try {
    base = statSync(root).isDirectory() ? root : path.dirname(root);
  } catch {
    return found;
  }
  const lines = new Map<string, string[] | undefined>();
  const linesOf = (rel: string): string[] | undefined => {
    if (!lines.has(rel)) {
      let text: string[] | undefined;
      try {
        const abs = path.resolve(base, rel);
        if (abs.startsWith(base + path.sep) && lstatSync(abs).isFile() && statSync(abs).size <= maxBytes)
          text = readFileSync(abs, 'utf8').split('\n');
      } catch {
        text = undefined;
      }
      lines.set(rel, text);
    }
    return lines.get(rel);
  };
  return found.map((f) => {
    const rel = f.location?.path ?? f.package?.path;
    if (f.suppressed || !rel) return f;
    const text = linesOf(rel);
    if (!text) return f;
    const s = inlineSuppression(f, (n) => text[n - 1]);
    return s ? { ...f, suppressed: s } : f;
  });
}

/** Worker threads pay off only on enough work; never more than the machine's parallelism. */
function workerCount(files: number, bytes: number): number {
  const forced = process.env.RAMPART_WORKERS;
  if (forced !== undefined && /^\d+$/.test(forced)) return Math.min(Number(forced), 16);
  if (files < 64 || bytes < 8 * 1024 * 1024) return 0;
  return Math.max(1, Math.min(availableParallelism(), 4));
}

function defaultIgnoreFile(root: string): string | undefined {
  const candidate = path.join(root, DEFAULT_IGNOREFILE);
  return existsSync(candidate) ? candidate : undefined;
}

function targetLabel(req: ScanRequest): string {
  switch (req.mode.kind) {
    case 'path':
      return path.relative(process.cwd(), req.root) || '.';
    case 'staged':
      return 'git:staged';
    case 'history':
      return `git:history ${req.mode.refs.length ? req.mode.refs.join(' ') : '--all'}`;
    case 'diff':
      return `git:diff ${req.mode.base}`;
  }
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (a.location?.path ?? '').localeCompare(b.location?.path ?? '') ||
    (a.location?.startLine ?? 0) - (b.location?.startLine ?? 0) ||
    a.ruleId.localeCompare(b.ruleId)
  );
}
