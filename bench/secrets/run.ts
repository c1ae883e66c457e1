/**
 * Secret-scan throughput benchmark: `npm run bench:secrets [-- options]`.
 *
 * 1. Builds the ~290 MB throughput corpus once (`<shared>/data/secrets/make-throughput-corpus.sh`,
 *    real npm packages + 10 planted secrets) into bench/.work/throughput, and reuses it afterwards.
 * 2. Locates Trivy and ripgrep through `<shared>/tools/install-peers.sh` (or $TRIVY / $RG).
 * 3. Times, in the same run, after one warm-up run each: Rampart (the built CLI, `dist/`), Trivy
 *    (`fs --scanners secret`), and `rg` searching the same keyword regexes as the corpus script's
 *    BENCH block (the floor of "just read the bytes"), under `/usr/bin/time -v` for wall time and
 *    peak RSS.
 * 4. Prints MB/s for each, Rampart/Trivy MB/s, Rampart time / rg time, peak RSS, and whether the
 *    planted secrets (planted.tsv) are reported; checks the goals; writes bench/.work/secrets-bench.json.
 *
 * Options: --runs N (timed runs per tool after the warm-up, median reported; default 1),
 *          --profile (one more Rampart run under `node --cpu-prof`, prints the top self-time functions),
 *          --no-build-check (run even when dist/ is older than src/), --skip-trivy,
 *          --bin PATH (another build's bin/rampart.js, e.g. to compare two builds; no build check).
 * Environment: RAMPART_SHARED (default ../shared next to the repository), TRIVY, RG.
 * Exit code: 0 when every goal is met, 1 when one is missed, 2 when the benchmark could not run.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = process.env.RAMPART_SHARED
  ? path.resolve(process.env.RAMPART_SHARED)
  : path.resolve(repoRoot, '..', 'shared');
const workDir = path.join(repoRoot, 'bench', '.work');
const corpusHome = path.join(workDir, 'throughput');
const corpus = path.join(corpusHome, 'corpus');
const TIME = '/usr/bin/time';

const GOALS = { minTrivyRatio: 10, maxRgTimeRatio: 4, maxRssMB: 500 };
/** Rampart reads every corpus file (the largest is ~16 MB), as the peers do. */
const RAMPART_MAX_FILE_SIZE = '64MB';

/** The keyword regexes of make-throughput-corpus.sh's BENCH block (kept identical). */
const RG_PATTERNS = [
  'AKIA[0-9A-Z]{16}',
  'gh[pousr]_[0-9A-Za-z]{36}',
  'glpat-[0-9A-Za-z_-]{20}',
  'xox[abpors]-[0-9A-Za-z-]{10,}',
  'hooks\\.slack\\.com/services/',
  '[rs]k_(live|test)_[0-9A-Za-z]{20,}',
  'SG\\.[0-9A-Za-z_-]{22}\\.[0-9A-Za-z_-]{43}',
  'pypi-AgEIcHlwaS5vcmc',
  '-----BEGIN [A-Z ]*PRIVATE KEY',
  `(?i)(secret|token|passw(or)?d|api[_-]?key)["']?\\s*[:=]\\s*["'][0-9A-Za-z/+_=-]{16,}`,
];

interface Options {
  runs: number;
  profile: boolean;
  buildCheck: boolean;
  trivy: boolean;
  bin: string;
}

interface Timing {
  wallSeconds: number;
  /** User + system CPU time: unlike wall time, barely affected by other load on the machine. */
  cpuSeconds: number;
  maxRssMB: number;
  exitCode: number;
}

interface Planted {
  path: string; // relative to the corpus directory
  first: number;
  last: number;
  caseId: string;
  kind: string;
}

class BenchError extends Error {}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    runs: 1,
    profile: false,
    buildCheck: true,
    trivy: true,
    bin: path.join(repoRoot, 'bin', 'rampart.js'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--runs') o.runs = Math.max(1, Number.parseInt(argv[++i] ?? '', 10) || 1);
    else if (a === '--profile') o.profile = true;
    else if (a === '--no-build-check') o.buildCheck = false;
    else if (a === '--skip-trivy') o.trivy = false;
    else if (a === '--bin') {
      const bin = argv[++i];
      if (!bin || !fs.existsSync(bin))
        throw new BenchError(`--bin needs an existing file, got ${bin ?? 'nothing'}`);
      o.bin = path.resolve(bin);
      o.buildCheck = false;
    } else throw new BenchError(`unknown option ${a}`);
  }
  return o;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; inherit?: boolean } = {},
): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? process.env,
    encoding: 'utf8',
    stdio: options.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
}

// ---------------------------------------------------------------- prerequisites

function ensureTimeCommand(): void {
  if (fs.existsSync(TIME)) return;
  log(
    `${TIME} is missing (GNU time, needed for peak RSS): installing the Debian package "time" with apt-get`,
  );
  const r = run('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq time'], { inherit: true });
  if (r.status !== 0 || !fs.existsSync(TIME)) {
    throw new BenchError(
      `could not install GNU time; install it yourself (apt-get install -y time) and re-run`,
    );
  }
}

/** Every built src/**\/*.ts (not tests, not __fixtures__) must have its dist/**\/*.js twin, built after it. */
function ensureFreshDist(): void {
  const srcRoot = path.join(repoRoot, 'src');
  const distRoot = path.join(repoRoot, 'dist');
  if (!fs.existsSync(path.join(distRoot, 'cli', 'main.js')))
    throw new BenchError('dist/ is missing: run `npm run build` first');
  const stale: string[] = [];
  const visit = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== '__fixtures__') visit(p); // excluded from the build (tsconfig.build.json)
      } else if (e.isFile() && p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts')) {
        const twin = path.join(distRoot, path.relative(srcRoot, p)).replace(/\.ts$/, '.js');
        if (!fs.existsSync(twin) || fs.statSync(twin).mtimeMs < fs.statSync(p).mtimeMs)
          stale.push(path.relative(repoRoot, p));
      }
    }
  };
  visit(srcRoot);
  if (stale.length) {
    throw new BenchError(
      `dist/ is older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ` and ${stale.length - 3} more` : ''}: ` +
        'run `npm run build` first (or pass --no-build-check)',
    );
  }
}

function ensureCorpus(): void {
  const stats = path.join(corpusHome, 'corpus-stats.txt');
  if (fs.existsSync(stats) && fs.existsSync(path.join(corpusHome, 'planted.tsv')) && fs.existsSync(corpus))
    return;
  const script = path.join(shared, 'data', 'secrets', 'make-throughput-corpus.sh');
  if (!fs.existsSync(script)) {
    throw new BenchError(
      `throughput corpus script not found at ${script} (set RAMPART_SHARED to the shared folder)`,
    );
  }
  // A half-built corpus (interrupted run) is rebuilt from scratch.
  fs.rmSync(corpusHome, { recursive: true, force: true });
  fs.mkdirSync(corpusHome, { recursive: true });
  log(
    `building the throughput corpus in ${path.relative(repoRoot, corpusHome)} (npm registry, ~290 MB, once)…`,
  );
  const r = run('bash', [script, corpusHome], { inherit: true });
  if (r.status !== 0 || !fs.existsSync(stats)) {
    fs.rmSync(corpusHome, { recursive: true, force: true });
    throw new BenchError(`make-throughput-corpus.sh failed (exit ${r.status})`);
  }
}

function installPeers(which: string): void {
  const script = path.join(shared, 'tools', 'install-peers.sh');
  if (!fs.existsSync(script)) throw new BenchError(`install-peers.sh not found at ${script}`);
  const r = run('bash', [script, which]);
  if (r.status !== 0)
    throw new BenchError(
      `install-peers.sh ${which} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
}

function locateTrivy(): string {
  if (process.env.TRIVY && fs.existsSync(process.env.TRIVY)) return process.env.TRIVY;
  const script = path.join(shared, 'tools', 'install-peers.sh');
  const envOf = () => {
    const r = run('bash', [script, '--env']);
    const m = /TRIVY=(\S+)/.exec(r.stdout);
    return m?.[1];
  };
  let trivy = envOf();
  if (!trivy || !fs.existsSync(trivy)) {
    log('installing Trivy with install-peers.sh…');
    installPeers('trivy');
    trivy = envOf();
  }
  if (!trivy || !fs.existsSync(trivy)) throw new BenchError('Trivy not found after install-peers.sh trivy');
  return trivy;
}

function locateRg(): string {
  if (process.env.RG && fs.existsSync(process.env.RG)) return process.env.RG;
  const which = () => run('sh', ['-c', 'command -v rg']).stdout.trim();
  let rg = which();
  if (!rg) {
    log('installing ripgrep with install-peers.sh…');
    installPeers('rg');
    rg = which();
  }
  if (!rg) throw new BenchError('ripgrep (rg) not found after install-peers.sh rg');
  return rg;
}

// ---------------------------------------------------------------- measuring

/** Runs a command under GNU time -v; stdout is discarded, stderr kept for the time report. */
function timed(label: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): Timing {
  const timeFile = path.join(workDir, `${label}.time.txt`);
  const r = spawnSync(TIME, ['-v', '-o', timeFile, cmd, ...args], {
    cwd: repoRoot,
    env: env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '';
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(report)?.[1];
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1];
  const user = /User time \(seconds\): ([\d.]+)/.exec(report)?.[1];
  const sys = /System time \(seconds\): ([\d.]+)/.exec(report)?.[1];
  if (!wall || !rss) throw new BenchError(`${label}: no timing report (${r.stderr.slice(-500)})`);
  const parts = wall.split(':').map(Number);
  const seconds = parts.reduce((acc, p) => acc * 60 + p, 0);
  return {
    wallSeconds: seconds,
    cpuSeconds: Number(user ?? 0) + Number(sys ?? 0),
    maxRssMB: Number(rss) / 1024,
    exitCode: r.status ?? -1,
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function measure(label: string, runs: number, once: () => Timing): Timing {
  log(`${label}: warm-up run…`);
  const warm = once();
  log(`${label}: warm-up ${warm.wallSeconds.toFixed(2)} s, exit ${warm.exitCode}`);
  const timings: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    const t = once();
    log(
      `${label}: run ${i + 1}: ${t.wallSeconds.toFixed(2)} s (CPU ${t.cpuSeconds.toFixed(1)} s), peak RSS ${t.maxRssMB.toFixed(0)} MB, exit ${t.exitCode}`,
    );
    timings.push(t);
  }
  return {
    wallSeconds: median(timings.map((t) => t.wallSeconds)),
    cpuSeconds: median(timings.map((t) => t.cpuSeconds)),
    maxRssMB: Math.max(...timings.map((t) => t.maxRssMB)),
    exitCode: timings[timings.length - 1]!.exitCode,
  };
}

// ---------------------------------------------------------------- checking the planted secrets

function readPlanted(): Planted[] {
  const text = fs.readFileSync(path.join(corpusHome, 'planted.tsv'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [p, first, last, caseId, kind] = line.split('\t');
      return {
        path: p!.replace(/^corpus\//, ''),
        first: Number(first),
        last: Number(last),
        caseId: caseId!,
        kind: kind!,
      };
    });
}

interface Located {
  path: string;
  startLine: number;
  endLine: number;
}

function rampartLocations(reportFile: string): {
  located: Located[];
  filesScanned: number;
  bytesScanned: number;
  skipped: unknown;
} {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    findings: { location?: { path: string; startLine: number; endLine: number } }[];
    stats: { filesScanned: number; bytesScanned: number; filesSkipped: unknown };
  };
  const located = report.findings
    .filter((f) => f.location)
    .map((f) => ({ path: f.location!.path, startLine: f.location!.startLine, endLine: f.location!.endLine }));
  return {
    located,
    filesScanned: report.stats.filesScanned,
    bytesScanned: report.stats.bytesScanned,
    skipped: report.stats.filesSkipped,
  };
}

function trivyLocations(reportFile: string): Located[] {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    Results?: { Target: string; Secrets?: { StartLine: number; EndLine: number }[] }[];
  };
  const out: Located[] = [];
  for (const r of report.Results ?? [])
    for (const s of r.Secrets ?? []) out.push({ path: r.Target, startLine: s.StartLine, endLine: s.EndLine });
  return out;
}

function foundPlanted(planted: Planted[], located: Located[]): { found: Planted[]; missed: Planted[] } {
  const found: Planted[] = [];
  const missed: Planted[] = [];
  for (const p of planted) {
    const hit = located.some((l) => l.path === p.path && l.startLine <= p.last && l.endLine >= p.first);
    (hit ? found : missed).push(p);
  }
  return { found, missed };
}

// ---------------------------------------------------------------- profile summary

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * Sums the self time of every function over all the profiles of the run (node writes one per
 * thread: the main thread walks, the scan workers read and match), idle time left out.
 */
function summarizeProfile(dir: string): string[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f));
  if (!files.length) return ['(no .cpuprofile written)'];
  const self = new Map<string, number>();
  const threads: string[] = [];
  let busyTotal = 0;
  for (const file of files) {
    const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      nodes: CpuProfileNode[];
      startTime: number;
      endTime: number;
      samples: number[];
    };
    const wallMs = (prof.endTime - prof.startTime) / 1000;
    const perSample = wallMs / Math.max(1, prof.samples.length);
    let busy = 0;
    for (const n of prof.nodes) {
      if (n.callFrame.functionName === '(idle)') continue;
      const url = n.callFrame.url.replace(/^file:\/\//, '');
      const where = url ? `${path.relative(repoRoot, url) || url}:${n.callFrame.lineNumber + 1}` : '';
      const name = (n.callFrame.functionName || '(anonymous)').slice(0, 120);
      const key = `${name} ${where}`.trim();
      const ms = (n.hitCount ?? 0) * perSample;
      self.set(key, (self.get(key) ?? 0) + ms);
      busy += ms;
    }
    busyTotal += busy;
    threads.push(
      `${path.basename(file)}: busy ${(busy / 1000).toFixed(1)} s of ${(wallMs / 1000).toFixed(1)} s`,
    );
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  return [
    `profile in ${path.relative(repoRoot, dir)}: ${files.length} thread(s), ${(busyTotal / 1000).toFixed(1)} s CPU`,
    ...threads.map((t) => `  ${t}`),
    'top self time (all threads):',
    ...top.map(
      ([k, ms]) =>
        `  ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / busyTotal).toFixed(1).padStart(5)}%  ${k}`,
    ),
  ];
}

// ---------------------------------------------------------------- main

function main(): number {
  const opts = parseArgs(process.argv.slice(2));
  fs.mkdirSync(workDir, { recursive: true });
  if (opts.buildCheck) ensureFreshDist();
  ensureTimeCommand();
  ensureCorpus();
  const trivy = opts.trivy ? locateTrivy() : undefined;
  const rg = locateRg();

  const statsText = fs.readFileSync(path.join(corpusHome, 'corpus-stats.txt'), 'utf8');
  const corpusBytes = Number(/^bytes\t(\d+)/m.exec(statsText)?.[1]);
  const corpusFiles = Number(/^files\t(\d+)/m.exec(statsText)?.[1]);
  const corpusMB = corpusBytes / 1e6;
  log(`corpus: ${corpusFiles} files, ${corpusMB.toFixed(1)} MB`);

  const rampartOut = path.join(workDir, 'rampart-throughput.json');
  const trivyOut = path.join(workDir, 'trivy-throughput.json');
  const nodeEnv = { ...process.env, CI: 'true', NO_COLOR: '1' };
  const rampartArgs = (extra: string[] = []) => [
    ...extra,
    opts.bin,
    'scan',
    '--scanners',
    'secret',
    '--format',
    'json',
    '--no-progress',
    '--max-file-size',
    RAMPART_MAX_FILE_SIZE,
    '--output',
    rampartOut,
    corpus,
  ];

  const rampart = measure('rampart', opts.runs, () =>
    timed('rampart', process.execPath, rampartArgs(), nodeEnv),
  );
  if (rampart.exitCode !== 0)
    throw new BenchError(`rampart exited with ${rampart.exitCode} (see bench/.work/rampart.time.txt)`);
  const trivyT = trivy
    ? measure('trivy', opts.runs, () =>
        timed('trivy', trivy, [
          'fs',
          '--scanners',
          'secret',
          '--skip-db-update',
          '--offline-scan',
          '--timeout',
          '60m',
          '--format',
          'json',
          '--output',
          trivyOut,
          corpus,
        ]),
      )
    : undefined;
  const rgT = measure('rg', opts.runs, () =>
    timed('rg', rg, ['--no-ignore', '--hidden', '-c', ...RG_PATTERNS.flatMap((p) => ['-e', p]), corpus]),
  );

  const planted = readPlanted();
  const r = rampartLocations(rampartOut);
  const rampartPlanted = foundPlanted(planted, r.located);
  const trivyPlanted =
    trivy && fs.existsSync(trivyOut) ? foundPlanted(planted, trivyLocations(trivyOut)) : undefined;

  const mbps = (t: Timing) => corpusMB / t.wallSeconds;
  const trivyRatio = trivyT ? mbps(rampart) / mbps(trivyT) : undefined;
  const rgRatio = rampart.wallSeconds / rgT.wallSeconds;

  let profileLines: string[] = [];
  if (opts.profile) {
    const profDir = path.join(workDir, 'profile');
    fs.rmSync(profDir, { recursive: true, force: true });
    fs.mkdirSync(profDir, { recursive: true });
    log('rampart: profiling run (node --cpu-prof)…');
    const p = run(
      process.execPath,
      rampartArgs(['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-interval', '500']),
      { env: nodeEnv },
    );
    if (p.status !== 0) log(`profiling run exited with ${p.status}: ${p.stderr.slice(-300)}`);
    profileLines = summarizeProfile(profDir);
  }

  const row = (name: string, t: Timing | undefined) =>
    t
      ? `${name.padEnd(8)} ${t.wallSeconds.toFixed(2).padStart(8)} s ${mbps(t).toFixed(1).padStart(9)} MB/s ${t.cpuSeconds.toFixed(1).padStart(8)} s ${t.maxRssMB.toFixed(0).padStart(7)} MB`
      : `${name.padEnd(8)} (skipped)`;
  const check = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const goals = {
    trivy: trivyRatio === undefined ? undefined : trivyRatio >= GOALS.minTrivyRatio,
    rg: rgRatio <= GOALS.maxRgTimeRatio,
    rss: rampart.maxRssMB <= GOALS.maxRssMB,
    planted: rampartPlanted.missed.length === 0,
  };
  const lines = [
    '',
    `Secret-scan throughput on ${corpusFiles} files, ${corpusMB.toFixed(1)} MB (median of ${opts.runs} run(s) after a warm-up)`,
    `tool         wall        throughput      CPU  peak RSS`,
    row('rampart', rampart),
    row('trivy', trivyT),
    row('rg', rgT),
    '',
    `rampart scanned ${r.filesScanned} files, ${(r.bytesScanned / 1e6).toFixed(1)} MB; skipped ${JSON.stringify(r.skipped)}`,
    trivyRatio === undefined
      ? 'Rampart/Trivy MB/s: (Trivy skipped)'
      : `Rampart/Trivy MB/s:  ${trivyRatio.toFixed(1)}x   (goal >= ${GOALS.minTrivyRatio}x)   ${check(goals.trivy!)}`,
    `Rampart/rg time:     ${rgRatio.toFixed(2)}x  (goal <= ${GOALS.maxRgTimeRatio}x)   ${check(goals.rg)}`,
    `CPU seconds per run (insensitive to other load): Rampart ${rampart.cpuSeconds.toFixed(1)}, ` +
      `Trivy ${trivyT ? trivyT.cpuSeconds.toFixed(1) : '-'}, rg ${rgT.cpuSeconds.toFixed(1)}; ` +
      `load average now ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} CPUs`,
    `Rampart peak RSS:    ${rampart.maxRssMB.toFixed(0)} MB  (goal <= ${GOALS.maxRssMB} MB)  ${check(goals.rss)}`,
    `Planted secrets reported by Rampart: ${rampartPlanted.found.length}/${planted.length}   ${check(goals.planted)}` +
      (rampartPlanted.missed.length
        ? `  missed: ${rampartPlanted.missed.map((p) => `${p.caseId} (${p.kind}) ${p.path}:${p.first}`).join(', ')}`
        : ''),
    ...(trivyPlanted
      ? [`Planted secrets reported by Trivy:   ${trivyPlanted.found.length}/${planted.length}`]
      : []),
    ...profileLines,
    '',
  ];
  process.stdout.write(lines.join('\n'));

  fs.writeFileSync(
    path.join(workDir, 'secrets-bench.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        corpus: { files: corpusFiles, bytes: corpusBytes },
        runs: opts.runs,
        rampart: {
          ...rampart,
          mbPerSecond: mbps(rampart),
          filesScanned: r.filesScanned,
          bytesScanned: r.bytesScanned,
        },
        trivy: trivyT ? { ...trivyT, mbPerSecond: mbps(trivyT) } : null,
        rg: { ...rgT, mbPerSecond: mbps(rgT) },
        ratios: { rampartOverTrivyMBps: trivyRatio ?? null, rampartOverRgTime: rgRatio },
        planted: {
          total: planted.length,
          rampart: rampartPlanted.found.length,
          trivy: trivyPlanted?.found.length ?? null,
          rampartMissed: rampartPlanted.missed.map((p) => p.caseId),
        },
        goals,
      },
      null,
      2,
    )}\n`,
  );
  return Object.values(goals).every((g) => g !== false) ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (err) {
  if (err instanceof BenchError) {
    process.stderr.write(`bench:secrets: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    throw err;
  }
}
