/**
 * IaC misconfiguration benchmark: `node --import tsx bench/iac/run.ts [--skip-trivy]`.
 *
 * Times, in the same run, Rampart (the built CLI: `scan --scanners misconfig`) and Trivy
 * (`config`, offline, fresh cache dir, as in the corpus README) over `<shared>/data/iac`, each under
 * `/usr/bin/time -v` for wall time and peak RSS, then prints both times, the ratio and the goals
 * (issue 4: Rampart >= 20x faster than Trivy, peak RSS <= 400 MB).
 * Trivy is located through $TRIVY or `<shared>/tools/install-peers.sh --env`.
 * Environment: RAMPART_SHARED (default ../shared next to the repository), TRIVY.
 * Exit code: 0 when the goals are met, 1 when one is missed, 2 when the benchmark could not run.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { timed } from '../timed.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = process.env.RAMPART_SHARED
  ? path.resolve(process.env.RAMPART_SHARED)
  : path.resolve(repoRoot, '..', 'shared');
const corpus = path.join(shared, 'data', 'iac');
const workDir = path.join(repoRoot, 'bench', '.work');
const GOALS = { minTrivyRatio: 20, maxRssMB: 400 };

function locateTrivy(): string | undefined {
  if (process.env.TRIVY && fs.existsSync(process.env.TRIVY)) return process.env.TRIVY;
  const script = path.join(shared, 'tools', 'install-peers.sh');
  if (!fs.existsSync(script)) return undefined;
  const r = spawnSync('bash', [script, '--env'], { encoding: 'utf8' });
  const m = /TRIVY=(\S+)/.exec(r.stdout ?? '');
  return m?.[1] && fs.existsSync(m[1]) ? m[1] : undefined;
}

function main(): number {
  if (!fs.existsSync(corpus)) {
    console.error(`iac corpus not found at ${corpus} (set RAMPART_SHARED)`);
    return 2;
  }
  const bin = path.join(repoRoot, 'bin', 'rampart.js');
  if (!fs.existsSync(path.join(repoRoot, 'dist'))) {
    console.error('dist/ missing: run `npm run build` first');
    return 2;
  }
  fs.mkdirSync(workDir, { recursive: true });
  const sarif = path.join(workDir, 'iac-bench.sarif');
  const rampart = timed(
    process.execPath,
    [bin, 'scan', '--scanners', 'misconfig', '--format', 'sarif', '-o', sarif, corpus],
    repoRoot,
  );
  console.log(
    `rampart: ${rampart.wallS.toFixed(2)} s wall, peak RSS ${rampart.rssMB.toFixed(0)} MB (exit ${rampart.status})`,
  );
  let ok = rampart.rssMB <= GOALS.maxRssMB;
  if (!process.argv.includes('--skip-trivy')) {
    const trivyBin = locateTrivy();
    if (!trivyBin) {
      console.error(
        'Trivy not found: set TRIVY or run <shared>/tools/install-peers.sh trivy (or pass --skip-trivy)',
      );
      return 2;
    }
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'trivy-cache-'));
    const out = path.join(workDir, 'iac-bench-trivy.json');
    const trivy = timed(
      trivyBin,
      ['config', '--cache-dir', cache, '--skip-policy-update', '--format', 'json', '--output', out, '.'],
      corpus,
    );
    fs.rmSync(cache, { recursive: true, force: true });
    console.log(
      `trivy:   ${trivy.wallS.toFixed(2)} s wall, peak RSS ${trivy.rssMB.toFixed(0)} MB (exit ${trivy.status})`,
    );
    const ratio = trivy.wallS / rampart.wallS;
    console.log(`ratio:   Rampart is ${ratio.toFixed(1)}x faster (goal >= ${GOALS.minTrivyRatio}x)`);
    ok &&= ratio >= GOALS.minTrivyRatio;
  }
  console.log(`goals:   ${ok ? 'met' : 'MISSED'} (peak RSS goal <= ${GOALS.maxRssMB} MB)`);
  return ok ? 0 : 1;
}

process.exitCode = main();
