/**
 * History-scan benchmark: `node --import tsx bench/history/run.ts [--commits N] [--runs N]`.
 *
 * 1. Generates a deterministic repository of N commits (default 5,000) under bench/.work/history
 *    with `git fast-import` (generate.ts): a main line, merged feature branches, one unmerged branch,
 *    and six planted secrets added (and mostly removed again) at known commits.
 * 2. Times, after one warm-up each: `git log -p --all` (the floor: git producing every patch),
 *    git with the exact log options Rampart uses, Rampart's git layer alone (gitTargets: spawn +
 *    streaming parse, no detection), and the CLI `node bin/rampart.js scan --history --scanners
 *    secret --format json` — wall time and peak RSS under /usr/bin/time when available.
 * 3. Prints commits/s and the times, and checks that each planted secret is reported exactly once,
 *    with the commit that first added it. Writes bench/.work/history-bench.json.
 *
 * Exit code: 0 when every planted secret is reported once with its commit, 1 otherwise, 2 when the
 * benchmark could not run. Needs dist/ (built when missing or older than src/).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitTargets } from '../../src/git/index.js';
import { LOG_FORMAT } from '../../src/git/patch-parser.js';
import { maskSecret } from '../../src/core/mask.js';
import type { ScanReport } from '../../src/core/report.js';
import { ensureBuilt } from '../../test/git/cli.js';
import { generateRepo, type Plant } from './generate.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const workDir = path.join(repoRoot, 'bench', '.work');
const TIME = '/usr/bin/time';

interface Timing {
  wallSeconds: number;
  maxRssMB?: number;
  exitCode: number;
  stdoutBytes: number;
  stdout: string;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i === -1 ? undefined : Number(process.argv[i + 1]);
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Runs a command, keeping stdout only when asked (git's patch output is just counted). */
function timed(cmd: string, args: string[], cwd: string, keep: boolean): Timing {
  const useTime = fs.existsSync(TIME);
  const argv = useTime ? [TIME, '-f', '%e %M', cmd, ...args] : [cmd, ...args];
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd,
    maxBuffer: 1 << 30,
    encoding: 'buffer',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error) throw r.error;
  let maxRssMB: number | undefined;
  if (useTime) {
    const m = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(r.stderr.toString());
    if (m) maxRssMB = Number(m[2]) / 1024;
  }
  return {
    wallSeconds: wall,
    exitCode: r.status ?? -1,
    stdoutBytes: r.stdout.length,
    stdout: keep ? r.stdout.toString('utf8') : '',
    ...(maxRssMB !== undefined ? { maxRssMB } : {}),
  };
}

async function timeGitLayer(
  dir: string,
): Promise<{ seconds: number; targets: number; bytes: number; commits: number }> {
  const start = process.hrtime.bigint();
  let targets = 0;
  let bytes = 0;
  let commits = 0;
  for await (const t of gitTargets({ kind: 'history', refs: [] }, dir, () => commits++)) {
    targets++;
    bytes += t.content.length;
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, targets, bytes, commits };
}

function checkPlants(report: ScanReport, plants: Plant[]): { ok: boolean; lines: string[] } {
  const lines: string[] = [];
  let ok = true;
  // Findings carry only the mask, so each plant must be told apart by (mask, path).
  const keys = new Set(plants.map((p) => `${maskSecret(p.secret)} ${p.path}`));
  if (keys.size !== plants.length) throw new Error('two planted secrets share a mask and a path');
  for (const p of plants) {
    const mask = maskSecret(p.secret);
    const hits = report.findings.filter((f) => f.evidence === mask && f.location?.path === p.path);
    const shas = hits.map((f) => f.location?.commit?.sha?.slice(0, 12) ?? '?');
    const good = hits.length === 1 && hits[0]!.location?.commit?.sha === p.sha;
    ok &&= good;
    lines.push(
      `  ${good ? 'ok  ' : 'FAIL'} ${p.id} ${mask.padEnd(12)} ${p.path.padEnd(26)} expected ${p.sha?.slice(0, 12)}, reported ${hits.length}× ${shas.join(',')}  (${p.note})`,
    );
  }
  return { ok, lines };
}

async function main(): Promise<number> {
  const commits = arg('--commits', 5000);
  const runs = arg('--runs', 1);
  ensureBuilt();
  const dir = path.join(workDir, 'history', `repo-${commits}`);
  const genStart = Date.now();
  const repo = await generateRepo(dir, commits);
  console.log(
    `generated ${repo.commits} commits in ${((Date.now() - genStart) / 1000).toFixed(1)} s: ${path.relative(repoRoot, dir)}`,
  );

  const bin = path.join(repoRoot, 'bin', 'rampart.js');
  const rampartArgs = [
    bin,
    'scan',
    '--history',
    '--scanners',
    'secret',
    '--format',
    'json',
    '--no-progress',
    dir,
  ];
  const rampartLogArgs = [
    '-c',
    'core.quotePath=false',
    'log',
    '--all',
    '--reverse',
    '--date-order',
    '--full-history',
    '--cc',
    `--format=${LOG_FORMAT}`,
    '-p',
    '--unified=0',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '-M',
  ];

  // Warm-up: page cache, git's object cache, Node's compile cache.
  timed('git', ['log', '-p', '--all'], dir, false);
  timed(process.execPath, rampartArgs, repoRoot, false);

  const best = <T extends { wallSeconds: number }>(f: () => T): T => {
    let b: T | undefined;
    for (let i = 0; i < runs; i++) {
      const t = f();
      if (!b || t.wallSeconds < b.wallSeconds) b = t;
    }
    return b!;
  };
  const floor = best(() => timed('git', ['log', '-p', '--all'], dir, false));
  const gitAsRampart = best(() => timed('git', rampartLogArgs, dir, false));
  let layer = await timeGitLayer(dir);
  for (let i = 1; i < runs; i++) {
    const l = await timeGitLayer(dir);
    if (l.seconds < layer.seconds) layer = l;
  }
  const rampart = best(() => timed(process.execPath, rampartArgs, repoRoot, true));
  if (rampart.exitCode !== 0) {
    console.error(`rampart exited ${rampart.exitCode}`);
    return 2;
  }
  const report = JSON.parse(rampart.stdout) as ScanReport;
  for (const p of repo.plants) {
    if (rampart.stdout.includes(p.secret)) {
      console.error(`FAIL: the report contains the planted secret ${p.id} in clear`);
      return 1;
    }
  }

  const rate = (s: number) => `${Math.round(repo.commits / s).toLocaleString('en-US')} commits/s`;
  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  const rss = (t: Timing) => (t.maxRssMB !== undefined ? `, peak RSS ${t.maxRssMB.toFixed(0)} MB` : '');
  console.log(`\nhistory of ${repo.commits} commits (best of ${runs}):`);
  console.log(
    `  git log -p --all (floor)           ${floor.wallSeconds.toFixed(2)} s  ${rate(floor.wallSeconds)}  (${mb(floor.stdoutBytes)} of patches)`,
  );
  console.log(
    `  git log with Rampart's options     ${gitAsRampart.wallSeconds.toFixed(2)} s  ${rate(gitAsRampart.wallSeconds)}  (${mb(gitAsRampart.stdoutBytes)}: -U0, --cc, --reverse)`,
  );
  console.log(
    `  gitTargets (spawn + parse)         ${layer.seconds.toFixed(2)} s  ${rate(layer.seconds)}  (${layer.targets} targets, ${mb(layer.bytes)} of added lines)`,
  );
  console.log(
    `  rampart scan --history (CLI)       ${rampart.wallSeconds.toFixed(2)} s  ${rate(rampart.wallSeconds)}${rss(rampart)}`,
  );
  console.log(
    `  rampart / floor                    ${(rampart.wallSeconds / floor.wallSeconds).toFixed(2)}×`,
  );
  console.log(
    `  commits scanned (report)           ${report.stats.commitsScanned}; findings ${report.findings.length}`,
  );
  const check = checkPlants(report, repo.plants);
  console.log(`\nplanted secrets (each must be reported once, with the commit that first added it):`);
  for (const l of check.lines) console.log(l);

  fs.mkdirSync(workDir, { recursive: true });
  fs.writeFileSync(
    path.join(workDir, 'history-bench.json'),
    JSON.stringify(
      {
        commits: repo.commits,
        runs,
        floorSeconds: floor.wallSeconds,
        gitWithRampartOptionsSeconds: gitAsRampart.wallSeconds,
        gitLayerSeconds: layer.seconds,
        rampartSeconds: rampart.wallSeconds,
        rampartMaxRssMB: rampart.maxRssMB,
        commitsPerSecond: repo.commits / rampart.wallSeconds,
        findings: report.findings.length,
        plantsOk: check.ok,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(
    check.ok
      ? '\nall planted secrets reported once with their commit'
      : '\nFAIL: a planted secret was missed, duplicated or attributed to the wrong commit',
  );
  return check.ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(`history bench failed: ${(err as Error).message}`);
    process.exitCode = 2;
  },
);
