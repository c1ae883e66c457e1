/**
 * Dependencies section of `npm run eval -- deps` (issue 3):
 * 1. inventory — for every case of `<shared>/data/lockfiles`, `rampart sbom --format cyclonedx` scored
 *    against Trivy's inventory with the official `<shared>/tools/score-inventory.py` (target ≥ 99% of
 *    Trivy's name+version pairs in every case Trivy reads); cases Trivy cannot read are checked against
 *    the file itself (Rampart must read them: components > 0, no parse problem);
 * 2. database — `rampart db update` from `<shared>/data/advisories` served over HTTP: time (target ≤ 30 s),
 *    records imported, index size vs zips (target ≤ 2×);
 * 3. matching — `rampart scan --scanners deps` on every case, compared with
 *    `expected-ghsa-supplement-hits.json` (a cross-check computed independently, not ground truth).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ensureWorkDir, type EvalContext } from './context.js';
import { serveFolder } from './static-server.js';

export const DEPS_TARGETS = { inventory: 0.99, importSeconds: 30, indexToZip: 2 };

/** Cases whose Trivy inventory is not a usable baseline (see the corpus README). */
const TRIVY_UNUSABLE = new Set([
  'npm-package-lock-v1/NodeGoat-4b7437f',
  'pnpm-lock-v9/vue-core-15df5c1',
  'pnpm-lock-v9/hoppscotch-08c6552',
  'uv-lock/paperless-ngx-0faa9e8',
  'uv-lock/full-stack-fastapi-template-8104827',
  'uv-lock/saleor-4fa88ef',
  'cargo-lock/alacritty-e2b5219',
]);

function dirSize(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += dirSize(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

function cases(root: string): string[] {
  const out: string[] = [];
  for (const format of readdirSync(root).sort()) {
    const dir = path.join(root, format);
    if (!statSync(dir).isDirectory()) continue;
    for (const c of readdirSync(dir).sort())
      if (statSync(path.join(dir, c)).isDirectory()) out.push(`${format}/${c}`);
  }
  return out;
}

interface CdxComponent {
  name?: string;
  group?: string;
  version?: string;
  purl?: string;
  properties?: { name: string; value: string }[];
}

/** (name, version) as score-inventory.py normalises them (PyPI PEP 503, Maven g:a, lower case). */
function pairKey(type: string, name: string, version: string): string {
  const n = decodeURIComponent(name);
  const norm =
    type === 'pypi'
      ? n.replace(/[-_.]+/g, '-').toLowerCase()
      : type === 'maven'
        ? n.replace('/', ':').toLowerCase()
        : n.toLowerCase();
  return `${norm}@${version}`;
}

const TRIVY_TYPE: Record<string, string> = {
  pip: 'pypi',
  pipenv: 'pypi',
  poetry: 'pypi',
  uv: 'pypi',
  jar: 'maven',
  pom: 'maven',
  gradle: 'maven',
  gomod: 'golang',
  cargo: 'cargo',
  composer: 'composer',
  bundler: 'gem',
  nuget: 'nuget',
  npm: 'npm',
  yarn: 'npm',
  pnpm: 'npm',
};

/** Extras reviewed by hand against the lockfile and its manifest (see the issue notes). */
const REVIEWED_EXTRAS: Record<string, string> = {
  'parity-ws@0.10.0':
    'renamed dependency (Cargo.toml `ws = { package = "parity-ws" }`): Trivy drops it and its own dependencies',
  'mio-extras@2.0.6': 'dependency of the renamed parity-ws, dropped by Trivy with it',
  'lazycell@1.3.0': 'dependency of the renamed parity-ws, dropped by Trivy with it',
};

/**
 * Why each package Rampart lists is absent from Trivy's inventory: a scope Trivy drops (dev, test,
 * provided, optional), the project's own package, or "other" (listed for review).
 */
function explainExtras(trivyFile: string, components: CdxComponent[]): Map<string, string[]> {
  const trivy = JSON.parse(readFileSync(trivyFile, 'utf8')) as {
    targets?: { type?: string; packages?: { name?: string; version?: string }[] }[];
  };
  const theirs = new Set<string>();
  for (const t of trivy.targets ?? [])
    for (const p of t.packages ?? [])
      if (p.name && p.version)
        theirs.add(pairKey(TRIVY_TYPE[t.type ?? ''] ?? t.type ?? '', p.name, p.version));
  const reasons = new Map<string, string[]>();
  const ourKeys = new Set<string>();
  for (const c of components) {
    const m = /^pkg:([^/]+)\/(.+?)@([^?#]+)/.exec(c.purl ?? '');
    if (m) ourKeys.add(pairKey(m[1]!, m[2]!, decodeURIComponent(m[3]!)));
  }
  // Trivy pairs Rampart does not list under that name: an npm alias (`string-width-cjs` →
  // `npm:string-width@4.2.3`) shows up as the same version under the real package name.
  const aliasVersions = new Set(
    [...theirs].filter((k) => !ourKeys.has(k)).map((k) => k.slice(k.lastIndexOf('@') + 1)),
  );
  for (const c of components) {
    const m = /^pkg:([^/]+)\/(.+?)@([^?#]+)/.exec(c.purl ?? '');
    if (!m) continue;
    const key = pairKey(m[1]!, m[2]!, decodeURIComponent(m[3]!));
    if (theirs.has(key)) continue;
    const prop = (n: string) => c.properties?.find((x) => x.name === n)?.value;
    const scope = prop('rampart:scope');
    const reason =
      prop('rampart:own') === 'true'
        ? "the project's own package"
        : scope && scope !== 'prod'
          ? `${scope} scope (Trivy leaves it out)`
          : aliasVersions.has(key.slice(key.lastIndexOf('@') + 1))
            ? 'the real package behind an alias Trivy reports by its alias name'
            : (REVIEWED_EXTRAS[key] ?? 'other');
    const list = reasons.get(reason) ?? [];
    list.push(key);
    reasons.set(reason, list);
  }
  return reasons;
}

export async function runDepsEval(ctx: EvalContext): Promise<boolean> {
  const { log } = ctx;
  const lockRoot = path.join(ctx.shared, 'data', 'lockfiles');
  const advRoot = path.join(ctx.shared, 'data', 'advisories');
  const scorer = path.join(ctx.shared, 'tools', 'score-inventory.py');
  log('== deps: inventory, advisory database, matching');
  if (!existsSync(lockRoot) || !existsSync(scorer)) {
    log(`   shared corpus not found at ${lockRoot} (set RAMPART_SHARED); skipped.`);
    return true;
  }
  const work = await ensureWorkDir(ctx, 'deps');
  const bin = path.join(ctx.repoRoot, 'bin', 'rampart.js');
  const rampart = (args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

  // 1. Inventory
  let ok = true;
  let found = 0;
  let expected = 0;
  const otherExtras: string[] = [];
  log('   case                                               rampart  trivy-found/expected');
  for (const c of cases(lockRoot)) {
    const out = path.join(work, `${c.replace('/', '__')}.cdx.json`);
    const r = rampart(['sbom', '--format', 'cyclonedx', '-o', out, path.join(lockRoot, c)]);
    if (r.status !== 0) {
      log(`   ${c}: sbom failed (exit ${r.status}): ${r.stderr.trim().slice(0, 300)}`);
      ok = false;
      continue;
    }
    const problems = r.stderr.split('\n').filter((l) => l.includes('warning:'));
    const componentsOfCase =
      (JSON.parse(readFileSync(out, 'utf8')) as { components?: CdxComponent[] }).components ?? [];
    const ours = componentsOfCase.length;
    const s = spawnSync('python3', [scorer, path.join(lockRoot, c, 'trivy-packages.json'), out], {
      encoding: 'utf8',
    });
    const [f, e] = s.stdout.trim().split(/\s+/).map(Number) as [number, number];
    const unusable = TRIVY_UNUSABLE.has(c) || e === 0;
    let verdict: string;
    if (unusable) {
      const good = ours > 0 && problems.length === 0;
      ok &&= good;
      verdict = good ? 'read (Trivy baseline unusable)' : `NOT READ: ${problems[0] ?? 'no components'}`;
    } else {
      found += f;
      expected += e;
      const ratio = f / e;
      ok &&= ratio >= DEPS_TARGETS.inventory && problems.length === 0;
      verdict = `${f}/${e} = ${(100 * ratio).toFixed(1)}%${ratio < DEPS_TARGETS.inventory ? '  MISS' : ''}${problems.length ? `  (${problems.length} parse warning(s))` : ''}`;
    }
    log(`   ${c.padEnd(50)} ${String(ours).padStart(7)}  ${verdict}`);
    if (!unusable) {
      for (const [reason, keys] of explainExtras(
        path.join(lockRoot, c, 'trivy-packages.json'),
        componentsOfCase,
      )) {
        if (reason === 'other') otherExtras.push(...keys.map((k) => `${c}: ${k}`));
        log(
          `      + ${keys.length} beyond Trivy: ${reason}${reason === 'other' ? ` (${keys.slice(0, 6).join(', ')})` : ''}`,
        );
      }
    }
  }
  log(`   packages beyond Trivy's inventory left unexplained: ${otherExtras.length}`);
  ok &&= otherExtras.length === 0;
  log(
    `   inventory total: ${found}/${expected} = ${((100 * found) / Math.max(1, expected)).toFixed(2)}% of Trivy's pairs (score-inventory.py)`,
  );

  // 2. Database import from the corpus served over HTTP.
  const dbDir = path.join(work, 'db');
  rmSync(dbDir, { recursive: true, force: true });
  const server = await serveFolder(advRoot);
  const t0 = Date.now();
  // Asynchronous: the HTTP server answers from this process's event loop.
  const upd = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [bin, 'db', 'update', '--source', server.url, '--db-dir', dbDir, '--no-progress'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (status) => resolve({ status, stderr }));
  });
  const importS = (Date.now() - t0) / 1000;
  await server.close();
  const zips = readdirSync(advRoot)
    .filter((d) => existsSync(path.join(advRoot, d, 'all.zip')))
    .reduce((n, d) => n + statSync(path.join(advRoot, d, 'all.zip')).size, 0);
  if (upd.status !== 0) {
    log(`   db update failed (exit ${upd.status}): ${upd.stderr.trim().slice(0, 400)}`);
    return false;
  }
  for (const line of upd.stderr.trim().split('\n').slice(-3)) log(`   ${line}`);
  const index = dirSize(dbDir);
  const dbOk = importS <= DEPS_TARGETS.importSeconds && index <= DEPS_TARGETS.indexToZip * zips;
  ok &&= dbOk;
  log(
    `   db update: ${importS.toFixed(1)} s (target ≤ ${DEPS_TARGETS.importSeconds} s); index ${(index / 1e6).toFixed(1)} MB vs zips ${(zips / 1e6).toFixed(1)} MB = ${(index / zips).toFixed(2)}× (target ≤ ${DEPS_TARGETS.indexToZip}×)${dbOk ? '' : '  MISS'}`,
  );
  const status = rampart(['db', 'status', '--db-dir', dbDir]);
  for (const line of status.stdout.trim().split('\n')) log(`   | ${line}`);

  // 3. Matching cross-check against the supplement hits.
  const expectedHits = JSON.parse(
    readFileSync(path.join(lockRoot, 'expected-ghsa-supplement-hits.json'), 'utf8'),
  ) as Record<string, Record<string, string[]>>;
  let hitExpected = 0;
  let hitFound = 0;
  const missed: string[] = [];
  const extra: string[] = [];
  for (const c of cases(lockRoot)) {
    const out = path.join(work, `${c.replace('/', '__')}.deps.json`);
    const r = rampart([
      'scan',
      '--scanners',
      'deps',
      '--db-dir',
      dbDir,
      '--format',
      'json',
      '-o',
      out,
      '--no-progress',
      path.join(lockRoot, c),
    ]);
    if (r.status !== 0) {
      log(`   ${c}: deps scan failed (exit ${r.status}): ${r.stderr.trim().slice(0, 300)}`);
      ok = false;
      continue;
    }
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      findings: {
        ruleId: string;
        package?: { name: string; version: string };
        properties?: { aliases?: string[] };
      }[];
    };
    const got = new Set<string>();
    for (const f of report.findings) {
      if (!f.package) continue;
      for (const id of [f.ruleId.replace(/^deps\//, ''), ...(f.properties?.aliases ?? [])])
        got.add(`${id} ${f.package.name}@${f.package.version}`);
    }
    const want = expectedHits[c] ?? {};
    const wantKeys = new Set<string>();
    for (const [ghsa, pkgs] of Object.entries(want))
      for (const p of pkgs) {
        wantKeys.add(`${ghsa} ${p}`);
        hitExpected++;
        if (got.has(`${ghsa} ${p}`)) hitFound++;
        else missed.push(`${c}: ${ghsa} ${p}`);
      }
    for (const f of report.findings) {
      const id = f.ruleId.replace(/^deps\//, '');
      if (
        id.startsWith('GHSA-') &&
        f.package &&
        !wantKeys.has(`${id} ${f.package.name}@${f.package.version}`)
      )
        extra.push(`${c}: ${id} ${f.package.name}@${f.package.version}`);
    }
  }
  log(
    `   supplement cross-check: ${hitFound}/${hitExpected} expected GHSA hits reported; ${extra.length} GHSA finding(s) beyond the list`,
  );
  for (const m of missed.slice(0, 15)) log(`     missed ${m}`);
  for (const x of extra.slice(0, 15)) log(`     extra  ${x}`);
  log(`   ${ok ? 'PASS' : 'MISS'}: deps`);
  return ok;
}
