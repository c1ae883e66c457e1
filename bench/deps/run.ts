/**
 * Dependency-scan benchmark: `node --import tsx bench/deps/run.ts [--skip-trivy] [--runs N]`.
 *
 * On the largest lockfile of the corpus (`<shared>/data/lockfiles/npm-package-lock-v3/jellyfin-web-ca6f5d2`,
 * 1,833 entries) it times, in the same run, a warm Rampart scan end to end (`rampart scan --scanners deps`
 * against a database built once from `<shared>/data/advisories`) and Trivy's offline inventory of the same
 * folder (`trivy fs --scanners license --list-all-pkgs`: this Trivy build has no vulnerability database), each
 * under `/usr/bin/time -v`, and prints wall times, peak RSS and the ratio.
 * Goals (issue 3): Rampart warm scan ≤ 1 s, peak RSS ≤ 400 MB.
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
const lockCase = path.join(shared, 'data', 'lockfiles', 'npm-package-lock-v3', 'jellyfin-web-ca6f5d2');
const advisories = path.join(shared, 'data', 'advisories');
const workDir = path.join(repoRoot, 'bench', '.work');
const dbDir = path.join(workDir, 'deps-db');
const GOALS = { maxWallS: 1, maxRssMB: 400 };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function locateTrivy(): string | undefined {
  if (process.env.TRIVY && fs.existsSync(process.env.TRIVY)) return process.env.TRIVY;
  const r = spawnSync('bash', [path.join(shared, 'tools', 'install-peers.sh'), '--env'], {
    encoding: 'utf8',
  });
  const m = /TRIVY=(\S+)/.exec(r.stdout ?? '');
  return m?.[1] && fs.existsSync(m[1]) ? m[1] : undefined;
}

function main(): number {
  if (!fs.existsSync(lockCase) || !fs.existsSync(advisories)) {
    console.error(`corpus not found under ${shared} (set RAMPART_SHARED)`);
    return 2;
  }
  const bin = path.join(repoRoot, 'bin', 'rampart.js');
  fs.mkdirSync(workDir, { recursive: true });
  if (!fs.existsSync(path.join(dbDir, 'CURRENT'))) {
    console.log('[bench] building the advisory database from the corpus (once)…');
    const u = spawnSync(
      process.execPath,
      [bin, 'db', 'update', '--source', advisories, '--db-dir', dbDir, '--no-progress'],
      {
        encoding: 'utf8',
      },
    );
    if (u.status !== 0) {
      console.error(`db update failed: ${u.stderr.trim()}`);
      return 2;
    }
  }
  const runs = arg('--runs', 5);
  const out = path.join(workDir, 'deps-bench.json');
  const scanArgs = [
    bin,
    'scan',
    '--scanners',
    'deps',
    '--db-dir',
    dbDir,
    '--format',
    'json',
    '--no-progress',
    '-o',
    out,
    lockCase,
  ];
  timed(process.execPath, scanArgs, repoRoot); // warm-up: file cache, database pages
  const ours = Array.from({ length: runs }, () => timed(process.execPath, scanArgs, repoRoot));
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { findings: unknown[] };
  const wall = median(ours.map((t) => t.wallS));
  const rss = Math.max(...ours.map((t) => t.rssMB));
  console.log(`lockfile: ${path.relative(shared, lockCase)}/package-lock.json`);
  console.log(
    `rampart: warm scan ${wall.toFixed(3)} s wall (median of ${runs}), peak RSS ${rss.toFixed(0)} MB, ${report.findings.length} finding(s), exit ${ours[0]!.status}`,
  );
  const ok = wall <= GOALS.maxWallS && rss <= GOALS.maxRssMB;
  if (!process.argv.includes('--skip-trivy')) {
    const trivy = locateTrivy();
    if (!trivy) {
      console.error(
        'Trivy not found: set TRIVY or run <shared>/tools/install-peers.sh trivy (or pass --skip-trivy)',
      );
      return 2;
    }
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'trivy-cache-'));
    const tArgs = [
      'fs',
      '--cache-dir',
      cache,
      '--skip-db-update',
      '--offline-scan',
      '--format',
      'json',
      '--list-all-pkgs',
      '--scanners',
      'license',
      '--output',
      path.join(workDir, 'deps-bench-trivy.json'),
      '.',
    ];
    timed(trivy, tArgs, lockCase);
    const theirs = Array.from({ length: runs }, () => timed(trivy, tArgs, lockCase));
    fs.rmSync(cache, { recursive: true, force: true });
    const tWall = median(theirs.map((t) => t.wallS));
    console.log(
      `trivy:   inventory only ${tWall.toFixed(3)} s wall (median of ${runs}), peak RSS ${Math.max(...theirs.map((t) => t.rssMB)).toFixed(0)} MB`,
    );
    console.log(
      `ratio:   Rampart (inventory + matching) takes ${(wall / tWall).toFixed(2)}x Trivy's inventory time`,
    );
  }
  console.log(
    `goals:   ${ok ? 'met' : 'MISSED'} (warm scan <= ${GOALS.maxWallS} s, peak RSS <= ${GOALS.maxRssMB} MB)`,
  );
  return ok ? 0 : 1;
}

process.exitCode = main();
