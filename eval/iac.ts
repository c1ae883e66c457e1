/**
 * IaC section of `npm run eval -- iac`: scans `<shared>/data/iac` with the CLI
 * (`rampart scan --scanners misconfig --format sarif`), scores parity with Trivy's findings using the
 * official `<shared>/tools/score-iac.py`, and measures the noise of Rampart's own checks (those
 * without a Trivy equivalent) on the well-configured cases: high-or-critical findings per 1,000 lines.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ensureWorkDir, type EvalContext } from './context.js';

/** Acceptance targets of the misconfiguration scanner (issue 4). */
export const IAC_TARGETS = { parity: 0.95, ownHighPerKloc: 1 };

/** Well-configured sources of the corpus (no deliberate misconfiguration). */
export const WELL_CONFIGURED = ['kubernetes/microservices-demo', 'terraform/terraform-azurerm-aks'];

interface SarifResult {
  ruleId?: string;
  level?: string;
  properties?: Record<string, unknown>;
  locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[];
}
interface SarifRule {
  id?: string;
  properties?: Record<string, unknown>;
}
interface Sarif {
  runs?: { tool?: { driver?: { rules?: SarifRule[] } }; results?: SarifResult[] }[];
}

function countLines(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) n += countLines(p);
    else if (st.isFile()) n += readFileSync(p, 'utf8').split('\n').length;
  }
  return n;
}

/** High/critical results of rules without a Trivy equivalent, under `prefix`. */
export function ownHighCount(sarif: Sarif, prefix: string): number {
  let n = 0;
  for (const run of sarif.runs ?? []) {
    const rules = new Map((run.tool?.driver?.rules ?? []).map((r) => [r.id, r]));
    for (const r of run.results ?? []) {
      const uri = r.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '';
      if (!decodeURIComponent(uri).startsWith(prefix + '/')) continue;
      const rule = rules.get(r.ruleId);
      const hasTrivy =
        !!rule?.properties?.['trivy-ids'] ||
        !!(rule?.properties?.equivalents as Record<string, unknown> | undefined)?.trivy;
      const sev = Number(rule?.properties?.['security-severity'] ?? 0);
      if (!hasTrivy && sev >= 7) n++;
    }
  }
  return n;
}

export async function runIacEval(ctx: EvalContext): Promise<boolean> {
  const { log } = ctx;
  const root = path.join(ctx.shared, 'data', 'iac');
  const findings = path.join(root, 'trivy-findings.csv');
  const scorer = path.join(ctx.shared, 'tools', 'score-iac.py');
  log('== iac: misconfiguration parity with Trivy');
  if (!existsSync(findings) || !existsSync(scorer)) {
    log(`   shared corpus not found at ${root} (set RAMPART_SHARED); skipped.`);
    return true;
  }
  const work = await ensureWorkDir(ctx, 'iac');
  const sarifPath = path.join(work, 'rampart-iac.sarif');
  const bin = path.join(ctx.repoRoot, 'bin', 'rampart.js');
  const t0 = Date.now();
  const scan = spawnSync(
    process.execPath,
    [bin, 'scan', '--scanners', 'misconfig', '--format', 'sarif', '-o', sarifPath, root],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = (Date.now() - t0) / 1000;
  if (scan.status !== 0 && !existsSync(sarifPath)) {
    log(`   scan failed (exit ${scan.status}): ${scan.stderr.trim().slice(0, 400)}`);
    log('   (run `npm run build` first: the section runs the built CLI)');
    return false;
  }
  log(`   scan: ${seconds.toFixed(1)} s wall (Trivy on the same corpus: ~172 s median)`);
  const score = spawnSync(
    'python3',
    [scorer, findings, sarifPath, root, '--min', String(IAC_TARGETS.parity)],
    { encoding: 'utf8' },
  );
  for (const line of score.stdout.trim().split('\n')) log(`   ${line}`);
  const parity = Number(/parity=([\d.]+)/.exec(score.stdout)?.[1] ?? 0);
  const sarif = JSON.parse(readFileSync(sarifPath, 'utf8')) as Sarif;
  let noiseOk = true;
  for (const prefix of WELL_CONFIGURED) {
    const lines = countLines(path.join(root, prefix));
    if (!lines) continue;
    const high = ownHighCount(sarif, prefix);
    const perKloc = (1000 * high) / lines;
    noiseOk &&= perKloc <= IAC_TARGETS.ownHighPerKloc;
    log(
      `   own high/critical on ${prefix}: ${high} in ${lines} lines = ${perKloc.toFixed(2)} per 1,000 lines (target <= ${IAC_TARGETS.ownHighPerKloc})`,
    );
  }
  const ok = parity >= IAC_TARGETS.parity && noiseOk;
  log(`   ${ok ? 'PASS' : 'MISS'}: parity ${parity.toFixed(3)} (target ${IAC_TARGETS.parity})`);
  return ok;
}
