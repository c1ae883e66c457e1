/**
 * Policy section of `npm run eval -- policies` (issue 5): runs `rampart policy test --format json` over
 * `<shared>/data/policies/kyverno` (Kyverno's own CLI test suites) and scores, per `catalog.csv`:
 * (a) the pure-validate tests without cluster context (target ≥ 95% of expected results) and
 * (b) every test that needs no live cluster, `-cel` and `-vpol` twins included (target ≥ 80%).
 * Expected results whose resource file is not in the corpus (`.chainsaw-test/` was not copied) are
 * counted both ways: as misses (raw) and left out (evaluable).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EvalContext } from './context.js';

export const POLICY_TARGETS = { pureValidate: 0.95, noLiveCluster: 0.8 };

interface Check {
  policy: string;
  rule: string;
  kind: string;
  resource: string;
  expected: string;
  actual: string;
  ok: boolean;
}
interface Report {
  file: string;
  checks: Check[];
  notSupported: unknown[];
  errors: string[];
}

function csvRows(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i] ?? `c${i}`, v])));
}

export async function runPolicyEval(ctx: EvalContext): Promise<boolean> {
  const { log } = ctx;
  const root = path.join(ctx.shared, 'data', 'policies', 'kyverno');
  log('== policies: Kyverno CLI test suites');
  if (!existsSync(path.join(root, 'catalog.csv'))) {
    log(`   shared corpus not found at ${root} (set RAMPART_SHARED); skipped.`);
    return true;
  }
  const bin = path.join(ctx.repoRoot, 'bin', 'rampart.js');
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, 'policy', 'test', '--format', 'json', root], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const seconds = (Date.now() - t0) / 1000;
  if (!r.stdout.trim()) {
    log(`   policy test failed (exit ${r.status}): ${r.stderr.trim().slice(0, 400)}`);
    return false;
  }
  const out = JSON.parse(r.stdout) as { tests: Report[] };
  const byTestFile = new Map(out.tests.map((t) => [path.relative(root, t.file), t]));
  const catalog = csvRows(readFileSync(path.join(root, 'catalog.csv'), 'utf8'));
  const tally = (rows: Record<string, string>[]) => {
    let ok = 0;
    let total = 0;
    let unreadable = 0;
    const misses: string[] = [];
    for (const row of rows) {
      const t = byTestFile.get(row.test_file ?? '');
      if (!t) continue;
      const missingInputs = t.errors.some((e) => e.startsWith('cannot read'));
      for (const c of t.checks) {
        total++;
        if (c.ok) ok++;
        else if (missingInputs && c.actual === 'missing') unreadable++;
        else
          misses.push(
            `${row.path}: ${c.policy}/${c.rule} ${c.kind}/${c.resource} expected ${c.expected}, got ${c.actual}`,
          );
      }
    }
    return { ok, total, unreadable, misses };
  };
  const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
  const pure = tally(
    catalog.filter((c) => c.pure_validate_no_cluster_context === 'true' && c.set === 'core'),
  );
  const all = tally(catalog);
  log(`   ${out.tests.length} test files in ${seconds.toFixed(1)} s`);
  for (const [label, t, target] of [
    ['(a) pure validate, no cluster context (core)', pure, POLICY_TARGETS.pureValidate],
    ['(b) all tests needing no live cluster (core + cel + vpol)', all, POLICY_TARGETS.noLiveCluster],
  ] as const) {
    log(
      `   ${label}: ${t.ok}/${t.total} = ${pct(t.ok, t.total)} raw; ${t.ok}/${t.total - t.unreadable} = ${pct(t.ok, t.total - t.unreadable)} of the evaluable (${t.unreadable} expected results name resource files absent from the corpus) — target ${100 * target}%`,
    );
    for (const m of t.misses.slice(0, 20)) log(`     miss ${m}`);
  }
  const ok =
    pure.ok / Math.max(1, pure.total - pure.unreadable) >= POLICY_TARGETS.pureValidate &&
    all.ok / Math.max(1, all.total) >= POLICY_TARGETS.noLiveCluster;
  log(`   ${ok ? 'PASS' : 'MISS'}: policies`);
  return ok;
}
