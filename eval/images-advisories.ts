/**
 * Images section, OS advisories and hostile archives:
 * - Alpine: `<shared>/data/images/advisories/alpine/secdb` imported into a temporary database with
 *   `rampart db update --alpine-secdb` (same code), Trivy's inventory of the Alpine 3.19.4 image
 *   (`trivy-raw-alpine.json`: packages with SrcName/SrcVersion) matched through the image scanner's
 *   matcher (origin name, `Alpine:v3.19`) → CVE-2024-9143 on libcrypto3 and libssl3 3.1.7-r0 and
 *   nothing else (the README: every other package is at or above its last secfix).
 * - bookworm-app (when its docker archive is built): `advisories/osv/<Ecosystem>/all.zip` imported,
 *   the archive scanned in-process (`scanImage`) → lodash ×2, minimist ×2 (1.2.5 and the nested
 *   0.0.8), pip, setuptools GHSAs. Debian's OVAL data is not read by Rampart (its README expects 0
 *   hits anyway), so it is not part of the figure.
 * - The hostile-archive acceptance set (src/image/read/hostile-set.ts): refused N/N, 0 files written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, updateDatabase } from '../src/deps/db/index.js';
import { matchComponent } from '../src/deps/osv/index.js';
import { osvEcosystemOf } from '../src/image/analyze/os-release.js';
import { hostileSummary, runHostileSet } from '../src/image/read/hostile-set.js';
import { scanImage } from '../src/image/scan/index.js';
import type { EvalContext } from './context.js';

interface TrivyRaw {
  Metadata: { OS?: { Family: string; Name: string } };
  Results: { Packages?: { Name: string; Version: string; SrcName?: string; SrcVersion?: string }[] }[];
}

async function alpineCheck(ctx: EvalContext, data: string): Promise<boolean> {
  const secdb = path.join(data, 'advisories', 'alpine', 'secdb');
  const raw = path.join(data, 'trivy-raw-alpine.json');
  if (!existsSync(secdb) || !existsSync(raw)) {
    ctx.log(`   alpine secdb: ${secdb} or ${raw} missing; skipped.`);
    return true;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'rampart-eval-secdb-'));
  try {
    const t0 = Date.now();
    const u = await updateDatabase({ dir, ecosystems: [], alpineSecdb: secdb });
    const report = JSON.parse(readFileSync(raw, 'utf8')) as TrivyRaw;
    const os = report.Metadata.OS;
    const ecosystem = osvEcosystemOf(os?.Family ?? '', os?.Name) ?? 'Alpine';
    const packages = report.Results.flatMap((r) => r.Packages ?? []);
    const db = openDatabase(dir);
    if (!db) throw new Error('the secdb import left no database');
    const hits: string[] = [];
    let byCve = 0;
    try {
      for (const p of packages) {
        const ms = matchComponent(db, {
          ecosystem,
          name: p.SrcName ?? p.Name,
          version: p.SrcVersion ?? p.Version,
        });
        for (const m of ms) {
          hits.push(`${p.Name} ${p.Version}: ${[m.id, ...m.aliases].join('/')} → ${m.fixed ?? 'no fix'}`);
          if (m.aliases.includes('CVE-2024-9143') || m.id === 'CVE-2024-9143') byCve++;
        }
      }
    } finally {
      db.close();
    }
    const expected = ['libcrypto3', 'libssl3'];
    const wanted = expected.every((n) =>
      hits.some((h) => h.startsWith(`${n} 3.1.7-r0:`) && h.includes('CVE-2024-9143')),
    );
    const ok = wanted && byCve === 2 && hits.length === 2;
    ctx.log(
      `   alpine secdb (${u.records} records imported in ${((Date.now() - t0) / 1000).toFixed(1)} s) vs Trivy's inventory (${packages.length} packages, ${ecosystem}): ` +
        `${hits.length} match(es), CVE-2024-9143 on libcrypto3+libssl3 ${wanted ? 'found' : 'MISSED'}, ` +
        `${hits.length - byCve} on packages at/above their last secfix${ok ? '' : '  MISS'}`,
    );
    for (const h of hits) ctx.log(`     ${h}`);
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const EXPECTED_APP: [string, string, string][] = [
  ['lodash', '4.17.20', 'GHSA-35jh-r3h4-6jhm'],
  ['lodash', '4.17.20', 'GHSA-29mw-wpgm-hmr9'],
  ['minimist', '1.2.5', 'GHSA-xvch-5gv4-984h'],
  ['minimist', '0.0.8', 'GHSA-xvch-5gv4-984h'],
  ['pip', '23.0.1', 'GHSA-mq26-g339-26xf'],
  ['setuptools', '66.1.1', 'GHSA-cx63-2mw6-8hw5'],
];

async function bookwormAppCheck(ctx: EvalContext, data: string, images: string): Promise<boolean> {
  const archive = path.join(images, 'bookworm-app.docker.tar');
  const osv = path.join(data, 'advisories', 'osv');
  if (!existsSync(archive)) {
    ctx.log(`   bookworm-app OSV matches: ${archive} not built yet; skipped.`);
    return true;
  }
  if (!existsSync(osv)) {
    ctx.log(`   bookworm-app OSV matches: ${osv} missing; skipped.`);
    return true;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'rampart-eval-osv-'));
  try {
    await updateDatabase({ dir, source: osv, ecosystems: ['npm', 'PyPI', 'Ubuntu', 'Debian'] });
    const r = await scanImage(archive, { scanners: ['vuln'], dbDir: dir, warn: () => {} });
    const found = r.findings.map((f) => ({
      name: f.package?.name ?? '',
      version: f.package?.version ?? '',
      id: String(f.properties?.vulnerabilityId ?? ''),
      aliases: (f.properties?.aliases as string[] | undefined) ?? [],
    }));
    const hit = EXPECTED_APP.filter(([n, v, id]) =>
      found.some((f) => f.name === n && f.version === v && (f.id === id || f.aliases.includes(id))),
    );
    const extra = found.length - hit.length;
    const ok = hit.length === EXPECTED_APP.length && extra === 0;
    ctx.log(
      `   bookworm-app vs advisories/osv (npm, PyPI): ${hit.length}/${EXPECTED_APP.length} expected matches, ${extra} other${ok ? '' : '  MISS'}`,
    );
    for (const [n, v, id] of EXPECTED_APP.filter((e) => !hit.includes(e)))
      ctx.log(`     missed ${n} ${v} ${id}`);
    ctx.log(
      '   Debian OVAL (advisories/debian): not a format Rampart imports; the README expects 0 hits; skipped.',
    );
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function hostileCheck(ctx: EvalContext): Promise<boolean> {
  const sentinel = mkdtempSync(path.join(tmpdir(), 'rampart-eval-hostile-'));
  try {
    const r = await runHostileSet(sentinel);
    const ok = r.refused === r.total && r.writtenOutside.length === 0;
    ctx.log(`   ${hostileSummary(r)}${ok ? '' : '  MISS'}`);
    for (const o of r.outcomes.filter((x) => !x.refused)) ctx.log(`     NOT refused: ${o.name}`);
    for (const p of r.writtenOutside) ctx.log(`     written: ${p}`);
    return ok;
  } finally {
    rmSync(sentinel, { recursive: true, force: true });
  }
}

/** The advisory and hostile-archive checks of the images section; true when all pass (or are skipped). */
export async function runImageAdvisoryChecks(
  ctx: EvalContext,
  data: string,
  images: string,
): Promise<boolean> {
  ctx.log('== images: OS advisories (Alpine secdb, OSV), hostile archives');
  const a = await alpineCheck(ctx, data);
  const b = await bookwormAppCheck(ctx, data, images);
  const c = await hostileCheck(ctx);
  ctx.log(`   ${a && b && c ? 'PASS' : 'MISS'}: image advisories and hostile archives`);
  return a && b && c;
}
