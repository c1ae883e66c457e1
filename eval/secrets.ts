/**
 * Secrets section of `npm run eval`: scans the labeled corpus `<shared>/data/secrets/files` with the
 * CLI (`rampart scan --scanners secret --format sarif`), scores the SARIF with the official
 * `<shared>/tools/score-secrets.py`, prints the figures beside Trivy's (from the corpus'
 * `scores.json`), validates the SARIF with the official validator when installed, and with
 * `--write-docs` rewrites `docs/eval-secrets.md`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureWorkDir, sarifMultitool, type EvalContext } from './context.js';
import {
  f1,
  fpRate,
  hitsByLabelPath,
  parseOfficialOutput,
  precision,
  recall,
  scoreCases,
  type Breakdown,
  type CaseLabel,
  type Counts,
} from './secrets-score.js';

/** Acceptance targets of the secret scanner (issue 2). */
export const TARGETS = { recall: 0.9, precision: 0.95, recallAboveTrivy: 0.1 };

const SOURCE_NAMES: Record<string, string> = {
  gl: 'gitleaks rule tests',
  th: 'trufflehog detector tests',
  sl: 'secretlint fixtures',
  ds: 'detect-secrets plugin tests',
  tk: 'trufflesecurity/test_keys',
  rw: 'real-world negatives',
};

interface PeerCounts {
  TP: number;
  FN: number;
  FP: number;
  TN: number;
}
interface PeerScores {
  overall: PeerCounts;
  per_source: Record<string, PeerCounts>;
  per_neg_type: Record<string, { FP: number; TN: number }>;
  per_kind: Record<string, PeerCounts>;
}

type Producer = 'cli (bin/rampart.js)' | 'cli (source via tsx)' | 'in-process API fallback';

export async function runSecretsEval(ctx: EvalContext): Promise<boolean> {
  const { log } = ctx;
  const dataDir = path.join(ctx.shared, 'data', 'secrets');
  const filesRoot = path.join(dataDir, 'files');
  const labelsPath = path.join(dataDir, 'labels.json');
  const scorer = path.join(ctx.shared, 'tools', 'score-secrets.py');
  log('== secrets: labeled secret-detection corpus');
  if (!existsSync(filesRoot) || !existsSync(labelsPath)) {
    log(`   shared corpus not found at ${dataDir}`);
    log(
      '   (set RAMPART_SHARED to the shared folder, or place it next to the repository as ../shared); skipped.',
    );
    return true;
  }
  const labels = (JSON.parse(readFileSync(labelsPath, 'utf8')) as { files: Record<string, CaseLabel> }).files;
  const work = await ensureWorkDir(ctx, 'secrets');
  const sarifPath = path.join(work, 'rampart-secrets.sarif');

  const produced = await produceSarif(ctx, filesRoot, sarifPath);
  if ('error' in produced) {
    log(`   could not scan the corpus: ${produced.error}`);
    return false;
  }
  const sarif = JSON.parse(readFileSync(sarifPath, 'utf8')) as Parameters<typeof hitsByLabelPath>[0];
  const resultCount = (sarif.runs ?? []).reduce((n, r) => n + (r.results?.length ?? 0), 0);
  log(`   corpus: ${dataDir} (${Object.keys(labels).length} cases)`);
  log(
    `   SARIF:  ${path.relative(ctx.repoRoot, sarifPath)} — ${resultCount} results, produced by ${produced.by} in ${produced.seconds.toFixed(1)} s`,
  );
  if (produced.note) log(`           ${produced.note}`);

  // The official score.
  const official = runOfficialScorer(scorer, labelsPath, sarifPath, filesRoot);
  if (!official.ok) {
    log(`   official scorer failed: ${official.error}`);
    return false;
  }
  const parsed = parseOfficialOutput(official.stdout);
  log('   official scorer (tools/score-secrets.py):');
  for (const line of official.stdout.trim().split('\n')) log(`     ${line}`);
  if (!parsed) {
    log('   could not parse the official scorer output');
    return false;
  }

  // Breakdowns with the same rule, cross-checked against the official totals.
  const breakdown = scoreCases(
    labels,
    hitsByLabelPath(sarif, filesRoot, (p) => existsSync(p)),
  );
  const same = (['tp', 'fn', 'fp', 'tn'] as const).every((k) => breakdown.overall[k] === parsed.overall[k]);
  if (!same) {
    log(
      `   WARNING: breakdown totals ${fmtCounts(breakdown.overall)} differ from the official ${fmtCounts(parsed.overall)}; ` +
        'the tables below may be off',
    );
  }

  const peers = loadPeerScores(path.join(dataDir, 'scores.json'));
  const trivy = peers?.trivy;
  printSummary(ctx, parsed.overall, breakdown, trivy);

  const validation = validateSarif(sarifPath, work);
  if (validation.kind === 'missing') {
    log(
      '   SARIF validator: not installed (run <shared>/tools/install-peers.sh sarif, or set SARIF_MULTITOOL)',
    );
  } else if (validation.kind === 'failed') {
    log(`   SARIF validator: could not run: ${validation.error}`);
  } else {
    log(
      `   SARIF validator (@microsoft/sarif-multitool validate): ${validation.errors} error(s), ${validation.warnings} warning(s), ${validation.notes} note(s)`,
    );
    for (const e of validation.errorSamples) log(`     error ${e}`);
  }

  const targets = checkTargets(parsed.overall, trivy?.overall);
  for (const t of targets) log(`   target ${t.ok ? 'met    ' : 'MISSED '} ${t.text}`);
  const validatorOk = validation.kind !== 'ran' || validation.errors === 0;
  if (!validatorOk) log('   target MISSED  SARIF validates with 0 errors');

  if (ctx.writeDocs) {
    const docPath = path.join(ctx.repoRoot, 'docs', 'eval-secrets.md');
    await writeFile(docPath, renderDoc(parsed.overall, breakdown, peers, produced.by, validation, labels));
    log(`   wrote ${path.relative(ctx.repoRoot, docPath)}`);
  }
  log();
  return targets.every((t) => t.ok) && validatorOk;
}

/* ------------------------------------------------------------------------------------------------ */
/* Producing the SARIF                                                                               */

async function produceSarif(
  ctx: EvalContext,
  filesRoot: string,
  sarifPath: string,
): Promise<{ by: Producer; seconds: number; note?: string } | { error: string }> {
  rmSync(sarifPath, { force: true });
  const args = [
    'scan',
    '--scanners',
    'secret',
    '--format',
    'sarif',
    '--output',
    sarifPath,
    '--no-progress',
    filesRoot,
  ];
  const built = distIsFresh(ctx.repoRoot);
  const cliArgs = built
    ? [path.join(ctx.repoRoot, 'bin', 'rampart.js'), ...args]
    : [
        '--import',
        'tsx',
        '-e',
        `import(${JSON.stringify(pathToFileURL(path.join(ctx.repoRoot, 'src', 'cli', 'main.ts')).href)})` +
          '.then((m) => m.main(process.argv.slice(1))).then((c) => { process.exitCode = c; })',
        ...args,
      ];
  const t0 = performance.now();
  const cli = spawnSync(process.execPath, cliArgs, {
    encoding: 'utf8',
    cwd: ctx.repoRoot,
    timeout: STEP_TIMEOUT_MS,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (cli.status === 0 && existsSync(sarifPath) && statSync(sarifPath).size > 0) {
    return built
      ? { by: 'cli (bin/rampart.js)', seconds }
      : {
          by: 'cli (source via tsx)',
          seconds,
          note: 'dist/ missing or older than src/: ran src/cli/main.ts through tsx',
        };
  }
  const why = describeFailure(cli);
  rmSync(sarifPath, { force: true });
  const t1 = performance.now();
  const fb = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ctx.repoRoot, 'eval', 'secrets-fallback.ts'), filesRoot, sarifPath],
    { encoding: 'utf8', cwd: ctx.repoRoot, timeout: STEP_TIMEOUT_MS },
  );
  if (fb.status === 0 && existsSync(sarifPath)) {
    return {
      by: 'in-process API fallback',
      seconds: (performance.now() - t1) / 1000,
      note: `the CLI did not produce SARIF (${why}); scanned with createSecretScanner and a minimal SARIF writer instead`,
    };
  }
  return {
    error: `the CLI did not produce SARIF (${why}), nor did the API fallback (${describeFailure(fb)})`,
  };
}

/** True when dist/ exists and is newer than every file under src/ (so bin/rampart.js runs current code). */
function distIsFresh(repoRoot: string): boolean {
  const main = path.join(repoRoot, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) return false;
  const built = statSync(main).mtimeMs;
  const stack = [path.join(repoRoot, 'src')];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && statSync(p).mtimeMs > built)
        return false;
    }
  }
  return true;
}

/** Upper bound for one scan of the corpus (CLI or fallback); a hang is reported, not waited for. */
const STEP_TIMEOUT_MS = Number(process.env.RAMPART_EVAL_TIMEOUT_MS ?? 15 * 60_000);

function describeFailure(r: ReturnType<typeof spawnSync>): string {
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
    return `timed out after ${STEP_TIMEOUT_MS / 1000} s`;
  const text = `${String(r.stderr ?? '')}\n${String(r.stdout ?? '')}`.trim();
  return (text.split('\n').find((l) => l.trim()) ?? r.error?.message ?? `exit ${r.status}`).slice(0, 200);
}

/* ------------------------------------------------------------------------------------------------ */
/* Official scorer, peers, validator                                                                 */

function runOfficialScorer(
  scorer: string,
  labels: string,
  sarif: string,
  root: string,
): { ok: true; stdout: string } | { ok: false; error: string } {
  if (!existsSync(scorer)) return { ok: false, error: `${scorer} not found` };
  // Exit 1 only means "below the default minimums"; the figures are on stdout either way.
  const r = spawnSync('python3', [scorer, labels, sarif, root], { encoding: 'utf8' });
  if (r.error) return { ok: false, error: r.error.message };
  if (r.status !== 0 && r.status !== 1) return { ok: false, error: (r.stderr || `exit ${r.status}`).trim() };
  return { ok: true, stdout: r.stdout };
}

function loadPeerScores(file: string): Record<string, PeerScores> | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, PeerScores>;
}

type Validation =
  | { kind: 'missing' }
  | { kind: 'failed'; error: string }
  | { kind: 'ran'; errors: number; warnings: number; notes: number; errorSamples: string[] };

function validateSarif(sarifPath: string, work: string): Validation {
  const tool = sarifMultitool();
  if (!tool) return { kind: 'missing' };
  const out = path.join(work, 'validation.sarif');
  rmSync(out, { force: true });
  const r = spawnSync(tool, ['validate', sarifPath, '--output', out], { encoding: 'utf8' });
  if (r.error || !existsSync(out))
    return { kind: 'failed', error: (r.error?.message ?? r.stderr ?? r.stdout ?? '').trim().slice(0, 300) };
  const log = JSON.parse(readFileSync(out, 'utf8')) as {
    runs?: {
      results?: { level?: string; ruleId?: string; message?: { text?: string; arguments?: string[] } }[];
    }[];
  };
  let errors = 0;
  let warnings = 0;
  let notes = 0;
  const errorSamples: string[] = [];
  for (const run of log.runs ?? []) {
    for (const res of run.results ?? []) {
      const level = res.level ?? 'warning';
      if (level === 'error') {
        errors++;
        if (errorSamples.length < 5)
          errorSamples.push(`${res.ruleId}: ${(res.message?.arguments ?? []).join(' | ').slice(0, 160)}`);
      } else if (level === 'warning') warnings++;
      else notes++;
    }
  }
  return { kind: 'ran', errors, warnings, notes, errorSamples };
}

/* ------------------------------------------------------------------------------------------------ */
/* Reporting                                                                                         */

function checkTargets(ours: Counts, trivy: PeerCounts | undefined): { ok: boolean; text: string }[] {
  const r = recall(ours) ?? 0;
  const p = precision(ours) ?? 0;
  const out = [
    { ok: r >= TARGETS.recall, text: `recall ${pct(r)} ≥ ${pct(TARGETS.recall)}` },
    { ok: p >= TARGETS.precision, text: `precision ${pct(p)} ≥ ${pct(TARGETS.precision)}` },
  ];
  if (trivy) {
    const tr = recall(peer(trivy)) ?? 0;
    const tp = precision(peer(trivy)) ?? 0;
    out.push({ ok: r >= tr + TARGETS.recallAboveTrivy, text: `recall ≥ Trivy's ${pct(tr)} + 10 points` });
    out.push({ ok: p >= tp, text: `precision ≥ Trivy's ${pct(tp)}` });
  }
  return out;
}

function printSummary(ctx: EvalContext, overall: Counts, b: Breakdown, trivy: PeerScores | undefined): void {
  const { log } = ctx;
  const row = (name: string, c: Counts, t: Counts | undefined) =>
    `     ${name.padEnd(36)} ${figs(c)}${t ? `   | ${figs(t)}` : ''}`;
  log(
    `     ${''.padEnd(36)} ${`${'recall'.padStart(6)}  ${'prec.'.padStart(6)}  ${'F1'.padStart(6)}  (tp/fn/fp/tn)`.padEnd(46)}${trivy ? '   | Trivy' : ''}`,
  );
  log(row('overall', overall, trivy && peer(trivy.overall)));
  for (const [src, c] of [...b.bySource].sort()) {
    log(
      row(
        `${src} ${SOURCE_NAMES[src] ?? ''}`.trim(),
        c,
        trivy?.per_source[src] && peer(trivy.per_source[src]),
      ),
    );
  }
  log(`     ${'negatives by type'.padEnd(36)} FP rate (fp/negatives)`);
  for (const [t, c] of [...b.byNegType].sort()) {
    const tt = trivy?.per_neg_type[t];
    log(
      `       ${t.padEnd(34)} ${pct(fpRate(c)).padStart(6)} (${c.fp}/${c.fp + c.tn})`.padEnd(64) +
        (tt ? `   | Trivy ${pct(tt.FP / (tt.FP + tt.TN))} (${tt.FP}/${tt.FP + tt.TN})` : ''),
    );
  }
  const byMissed = [...b.byKind]
    .filter(([, c]) => c.fn > 0)
    .sort((a, z) => z[1].fn - a[1].fn || a[0].localeCompare(z[0]));
  log(
    `     kinds with missed positives: ${byMissed.length}; most missed: ${byMissed
      .slice(0, 12)
      .map(([k, c]) => `${k} ${c.fn}/${c.tp + c.fn}`)
      .join(', ')}`,
  );
  const byFp = [...b.byKind]
    .filter(([, c]) => c.fp > 0)
    .sort((a, z) => z[1].fp - a[1].fp || a[0].localeCompare(z[0]));
  log(
    `     kinds with false positives: ${byFp.length}; most: ${byFp
      .slice(0, 12)
      .map(([k, c]) => `${k} ${c.fp}/${c.fp + c.tn}`)
      .join(', ')}`,
  );
}

function renderDoc(
  overall: Counts,
  b: Breakdown,
  peers: Record<string, PeerScores> | undefined,
  producer: Producer,
  validation: Validation,
  labels: Record<string, CaseLabel>,
): string {
  const trivy = peers?.trivy;
  const secretlint = peers?.secretlint;
  const lines: string[] = [];
  const positives = Object.values(labels).filter((l) => l.label === 'secret').length;
  const negatives = Object.keys(labels).length - positives;
  lines.push(
    '# Secret detection: evaluation on the labeled corpus',
    '',
    '<!-- Generated by `npm run eval -- secrets --write-docs`; do not edit by hand. -->',
    '',
    `Corpus: \`shared/data/secrets\` — ${Object.keys(labels).length} labeled cases (${positives} positive, ${negatives} negative) from the`,
    'test tables of gitleaks, trufflehog, secretlint and detect-secrets, trufflesecurity/test_keys and real-world',
    'negatives. Rampart scanned `files/` with `rampart scan --scanners secret --format sarif`' +
      (producer === 'in-process API fallback'
        ? ' (this run: in-process API fallback, the CLI could not write SARIF)'
        : '') +
      ';',
    'the overall and per-source figures are those printed by the official `tools/score-secrets.py` (a case counts',
    'as found when a result starts inside its line range). Peer figures come from the corpus `scores.json`.',
    '',
    'Reproduce: `npm run build && npm run eval -- secrets` (with the shared folder at `../shared` or `RAMPART_SHARED`).',
    '',
    '## Overall',
    '',
    '| tool | recall | precision | F1 | FP rate | TP | FN | FP | TN |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    docRow('**Rampart**', overall),
  );
  if (trivy) lines.push(docRow('Trivy', peer(trivy.overall)));
  if (secretlint) lines.push(docRow('secretlint', peer(secretlint.overall)));
  if (validation.kind === 'ran') {
    lines.push(
      '',
      `SARIF validation (\`@microsoft/sarif-multitool validate\`): ${validation.errors} errors, ${validation.warnings} warnings.`,
    );
  }
  lines.push(
    '',
    '## Per source',
    '',
    '| source | Rampart recall | Rampart precision | TP/FN/FP/TN | Trivy recall | Trivy precision |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const [src, c] of [...b.bySource].sort()) {
    const t = trivy?.per_source[src] && peer(trivy.per_source[src]);
    lines.push(
      `| ${src} — ${SOURCE_NAMES[src] ?? src} | ${pct(recall(c))} | ${pct(precision(c))} | ${c.tp}/${c.fn}/${c.fp}/${c.tn} | ${t ? pct(recall(t)) : '–'} | ${t ? pct(precision(t)) : '–'} |`,
    );
  }
  lines.push(
    '',
    '## Negatives per type',
    '',
    '| type | cases | Rampart FP | Rampart FP rate | Trivy FP | Trivy FP rate |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const [t, c] of [...b.byNegType].sort()) {
    const tt = trivy?.per_neg_type[t];
    lines.push(
      `| ${t} | ${c.fp + c.tn} | ${c.fp} | ${pct(fpRate(c))} | ${tt ? tt.FP : '–'} | ${tt ? pct(tt.FP / (tt.FP + tt.TN)) : '–'} |`,
    );
  }
  lines.push(
    '',
    '## Reading these figures',
    '',
    '- Placeholder policy costs recall here on purpose: Rampart never reports obvious fakes (values that are',
    '  mostly an ascending sequence such as `1234567890abcdef…`, a repeated character such as `AAAA…`, masked',
    '  `xxxx`, `EXAMPLE` keys, templates). Several test suites label such values as positives; they are counted',
    '  as misses above.',
    '- `near-miss` negatives are provider formats with a wrong length, alphabet or checksum. A provider rule',
    '  rejects them, and the generic rules defer to provider rules for values that start with a provider',
    "  prefix; without such a prefix the generic rules cannot know the provider's format and may report them.",
    '- `context` negatives are well-formed secrets that the source tool does not report in that context',
    '  (a missing companion id or host); Rampart reports a lone credential.',
    '',
    '## Per kind',
    '',
    'Positives found / positives, false positives / negatives, for Rampart and Trivy.',
    '',
    '| kind | Rampart found | Rampart FP | Trivy found | Trivy FP |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const [kind, c] of [...b.byKind].sort((a, z) => a[0].localeCompare(z[0]))) {
    const t = trivy?.per_kind[kind];
    const pos = c.tp + c.fn;
    const neg = c.fp + c.tn;
    lines.push(
      `| ${kind} | ${pos ? `${c.tp}/${pos}` : '–'} | ${neg ? `${c.fp}/${neg}` : '–'} | ${t && pos ? `${t.TP}/${pos}` : '–'} | ${t && neg ? `${t.FP}/${neg}` : '–'} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

function docRow(name: string, c: Counts): string {
  return `| ${name} | ${pct(recall(c))} | ${pct(precision(c))} | ${pct(f1(c))} | ${pct(fpRate(c))} | ${c.tp} | ${c.fn} | ${c.fp} | ${c.tn} |`;
}

function peer(c: PeerCounts): Counts {
  return { tp: c.TP, fn: c.FN, fp: c.FP, tn: c.TN };
}

function figs(c: Counts): string {
  return `${pct(recall(c)).padStart(6)}  ${pct(precision(c)).padStart(6)}  ${pct(f1(c)).padStart(6)}  (${c.tp}/${c.fn}/${c.fp}/${c.tn})`.padEnd(
    46,
  );
}

function fmtCounts(c: Counts): string {
  return `tp=${c.tp} fn=${c.fn} fp=${c.fp} tn=${c.tn}`;
}

function pct(x: number | undefined): string {
  return x === undefined ? '–' : `${(x * 100).toFixed(1)}%`;
}
