/**
 * Image benchmark: `node --import tsx bench/image/run.ts [--runs N] [--image bookworm-app]`.
 *
 * On a docker archive built by `<shared>/data/images/make-test-images.sh` (in `$RAMPART_IMAGES_DIR`,
 * default `bench/.work/images`), times in the same run Rampart's full image scan (inventory +
 * vulnerability matching against the advisory database + secrets in every layer + config checks) and
 * Trivy's offline inventory + secret scan of the same archive (`trivy image --input … --list-all-pkgs
 * --skip-db-update --offline-scan --scanners secret`: this Trivy build has no vulnerability database),
 * each under `/usr/bin/time -v`, and prints wall times, peak RSS and the ratio.
 * Goal (issue 6): Rampart faster while doing more; peak RSS ≤ 500 MB.
 * Exit code: 0 goals met, 1 missed, 2 could not run.
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
const imagesDir = process.env.RAMPART_IMAGES_DIR ?? path.join(repoRoot, 'bench', '.work', 'images');
const workDir = path.join(repoRoot, 'bench', '.work');
const dbDir = path.join(workDir, 'deps-db');
const MAX_RSS_MB = 500;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function locateTrivy(): string | undefined {
  if (process.env.TRIVY && fs.existsSync(process.env.TRIVY)) return process.env.TRIVY;
  const r = spawnSync('bash', [path.join(shared, 'tools', 'install-peers.sh'), '--env'], {
    encoding: 'utf8',
  });
  const m = /TRIVY=(\S+)/.exec(r.stdout ?? '');
  return m?.[1] && fs.existsSync(m[1]) ? m[1] : undefined;
}

function main(): number {
  const image = arg('--image', 'bookworm-app');
  const runs = Number(arg('--runs', '3'));
  const archive = path.join(imagesDir, `${image}.docker.tar`);
  if (!fs.existsSync(archive)) {
    console.error(
      `${archive} not found: build the images with <shared>/data/images/make-test-images.sh ${imagesDir} (root)`,
    );
    return 2;
  }
  const bin = path.join(repoRoot, 'bin', 'rampart.js');
  if (!fs.existsSync(path.join(dbDir, 'CURRENT'))) {
    const u = spawnSync(
      process.execPath,
      [
        bin,
        'db',
        'update',
        '--source',
        path.join(shared, 'data', 'advisories'),
        '--db-dir',
        dbDir,
        '--no-progress',
      ],
      {
        encoding: 'utf8',
      },
    );
    if (u.status !== 0) {
      console.error(`db update failed: ${u.stderr.trim()}`);
      return 2;
    }
  }
  const trivy = locateTrivy();
  if (!trivy) {
    console.error('Trivy not found: set TRIVY or run <shared>/tools/install-peers.sh trivy');
    return 2;
  }
  const out = path.join(workDir, `image-bench-${image}.json`);
  const ours = [bin, 'image', '--db-dir', dbDir, '-f', 'json', '-o', out, archive];
  timed(process.execPath, ours, repoRoot);
  const r = Array.from({ length: runs }, () => timed(process.execPath, ours, repoRoot));
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'trivy-cache-'));
  const theirs = [
    'image',
    '--cache-dir',
    cache,
    '--input',
    archive,
    '--list-all-pkgs',
    '--format',
    'json',
    '--skip-db-update',
    '--offline-scan',
    '--scanners',
    'secret',
    '--quiet',
    '--output',
    path.join(workDir, `image-bench-${image}-trivy.json`),
  ];
  timed(trivy, theirs, repoRoot);
  const t = Array.from({ length: runs }, () => timed(trivy, theirs, repoRoot));
  fs.rmSync(cache, { recursive: true, force: true });
  const rw = median(r.map((x) => x.wallS));
  const tw = median(t.map((x) => x.wallS));
  const rss = Math.max(...r.map((x) => x.rssMB));
  console.log(`image:   ${image} (${(fs.statSync(archive).size / 1e6).toFixed(0)} MB docker archive)`);
  console.log(
    `rampart: ${rw.toFixed(2)} s wall (median of ${runs}), peak RSS ${rss.toFixed(0)} MB — inventory + vulnerabilities + secrets + config`,
  );
  console.log(
    `trivy:   ${tw.toFixed(2)} s wall (median of ${runs}), peak RSS ${Math.max(...t.map((x) => x.rssMB)).toFixed(0)} MB — inventory + secrets (no vulnerability DB offline)`,
  );
  console.log(`ratio:   Rampart is ${(tw / rw).toFixed(1)}x faster`);
  const ok = rw < tw && rss <= MAX_RSS_MB;
  console.log(`goals:   ${ok ? 'met' : 'MISSED'} (faster than Trivy, peak RSS <= ${MAX_RSS_MB} MB)`);
  return ok ? 0 : 1;
}

process.exitCode = main();
