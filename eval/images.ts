/**
 * Images section of `npm run eval -- images` (issue 6): `rampart image -f cyclonedx` on each docker
 * archive built by `<shared>/data/images/make-test-images.sh` (in `$RAMPART_IMAGES_DIR`, default
 * `bench/.work/images`), scored against Trivy's inventory with the official
 * `<shared>/tools/score-image-inventory.py` (target ≥ 99% of (name, version)); the planted secrets of
 * bookworm-app must be found with their layer, including the file a later layer deletes.
 * Building the images needs root and Debian packages, so the section only says how when they are absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureWorkDir, type EvalContext } from './context.js';
import { runImageAdvisoryChecks } from './images-advisories.js';

const IMAGES = ['bookworm-minbase', 'bookworm-app', 'distroless-statusd', 'alpine'];
const TARGET = 0.99;

export async function runImagesEval(ctx: EvalContext): Promise<boolean> {
  const data = path.join(ctx.shared, 'data', 'images');
  const dir = process.env.RAMPART_IMAGES_DIR ?? path.join(ctx.repoRoot, 'bench', '.work', 'images');
  const inventory = await runInventoryEval(ctx, data, dir);
  const advisories = await runImageAdvisoryChecks(ctx, data, dir);
  return inventory && advisories;
}

async function runInventoryEval(ctx: EvalContext, data: string, dir: string): Promise<boolean> {
  const { log } = ctx;
  const scorer = path.join(ctx.shared, 'tools', 'score-image-inventory.py');
  log('== images: inventory agreement with Trivy, planted secrets');
  if (!existsSync(scorer)) {
    log(`   shared corpus not found at ${data} (set RAMPART_SHARED); skipped.`);
    return true;
  }
  const present = IMAGES.filter((i) => existsSync(path.join(dir, `${i}.docker.tar`)));
  if (!present.length) {
    log(`   no docker archives in ${dir}: build them (root) with`);
    log(
      `   sudo bash ${path.join(data, 'make-test-images.sh')} ${dir}   (needs: apt-get install debootstrap umoci skopeo jq); skipped.`,
    );
    return true;
  }
  const work = await ensureWorkDir(ctx, 'images');
  const bin = path.join(ctx.repoRoot, 'bin', 'rampart.js');
  let ok = true;
  for (const image of present) {
    const archive = path.join(dir, `${image}.docker.tar`);
    const out = path.join(work, `${image}.cdx.json`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [bin, 'image', '-f', 'cyclonedx', '-o', out, archive], {
      encoding: 'utf8',
    });
    const seconds = (Date.now() - t0) / 1000;
    if (r.status !== 0) {
      log(`   ${image}: rampart image failed (exit ${r.status}): ${r.stderr.trim().slice(0, 300)}`);
      ok = false;
      continue;
    }
    const s = spawnSync('python3', [scorer, path.join(data, `trivy-inventory-${image}.json`), out], {
      encoding: 'utf8',
    });
    const [found, expected] = s.stdout.trim().split(/\s+/).map(Number) as [number, number];
    const ratio = found / Math.max(1, expected);
    ok &&= ratio >= TARGET;
    log(
      `   ${image.padEnd(20)} ${found}/${expected} = ${(100 * ratio).toFixed(1)}% of Trivy's (name, version) in ${seconds.toFixed(1)} s${ratio < TARGET ? '  MISS' : ''}`,
    );
  }
  if (present.includes('bookworm-app')) {
    const r = spawnSync(
      process.execPath,
      [bin, 'image', '--scanners', 'secret', '-f', 'json', path.join(dir, 'bookworm-app.docker.tar')],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const report = JSON.parse(r.stdout || '{"findings":[]}') as {
      findings: { ruleId: string; location?: { path: string; layer?: string } }[];
    };
    const trivy = JSON.parse(readFileSync(path.join(data, 'trivy-secrets-bookworm-app.json'), 'utf8')) as {
      findings: { target: string; layer_diff_id: string }[];
    };
    for (const file of [...new Set(trivy.findings.map((f) => f.target.replace(/^\//, '')))]) {
      const hit = report.findings.find((f) => f.location?.path === file);
      const layer = trivy.findings.find((f) => f.target.replace(/^\//, '') === file)?.layer_diff_id;
      const good = !!hit && hit.location?.layer === layer;
      ok &&= good;
      log(
        `   planted secret ${file}: ${good ? `found (${hit!.ruleId}) in layer ${layer!.slice(0, 19)}…` : 'MISSED'}`,
      );
    }
  }
  log(`   ${ok ? 'PASS' : 'MISS'}: images`);
  return ok;
}
