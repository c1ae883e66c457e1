/**
 * `rampart generate-key-pair | sign | attest | verify` end to end against a real registry: CNCF
 * distribution 2.8 (Debian `docker-registry`) on a free loopback port with a temp config. Skipped with
 * a message when the binary is missing (RAMPART_REGISTRY_IT=0 skips it too). Runs bin/rampart.js
 * (dist/, built by `npm test`) in async child processes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { binPath, repoRoot } from '../helpers.js';
import { OCI_MANIFEST, buildImage, type BuiltImage } from '../../src/image/registry/__fixtures__/image.js';
import {
  registrySkipReason,
  startRealRegistry,
  type RealRegistry,
} from '../../src/image/registry/__fixtures__/real-registry.js';
import { fetchArtifact, pushImage } from '../../src/image/registry/pull.js';

const skip = registrySkipReason();

const PASSWORD = 'correct horse battery staple';
const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const STATUS = [
  'Package: libssl3',
  'Status: install ok installed',
  'Architecture: amd64',
  'Source: openssl',
  'Version: 3.0.11-1~deb12u2',
  '',
  'Package: base-files',
  'Status: install ok installed',
  'Architecture: amd64',
  'Version: 12.4+deb12u5',
  '',
].join('\n');

let registry: RealRegistry | undefined;
let dir = '';
let host = '';
let app: BuiltImage;
const noDockerConfig = { dockerConfig: false as const };

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** The real CLI in a child process (async: the test process keeps serving its event loop). */
function rampart(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: repoRoot,
      env: {
        ...process.env,
        NO_COLOR: '1',
        XDG_CACHE_HOME: path.join(dir, 'cache'),
        RAMPART_SIGNING_PASSWORD: PASSWORD,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}

async function push(ref: string, img: BuiltImage): Promise<string> {
  const pushed = await pushImage(
    ref,
    {
      blobs: [{ bytes: img.config }, ...img.layers.map((l) => ({ bytes: l.bytes }))],
      manifestBytes: img.manifest,
      manifestMediaType: OCI_MANIFEST,
    },
    noDockerConfig,
  );
  return pushed.digest;
}

before(async () => {
  if (skip !== false) return;
  registry = await startRealRegistry('rampart-sign-it-');
  ({ dir, host } = registry);
  app = await buildImage([
    { 'etc/os-release': OS_RELEASE, 'var/lib/dpkg/status': STATUS },
    { 'app/main.sh': 'echo hello\n' },
  ]);
  assert.equal(await push(`${host}/team/app:1.0`, app), app.manifestDigest);
  const other = await buildImage([{ 'etc/os-release': OS_RELEASE, 'app/other.txt': 'other\n' }]);
  await push(`${host}/team/app:other`, other);

  // A one-record advisory database (made-up id) that matches libssl3 through its source package.
  const adv = path.join(dir, 'advisories', 'Debian');
  mkdirSync(adv, { recursive: true });
  const record = {
    id: 'DSA-TEST-0002',
    summary: 'openssl: test advisory',
    database_specific: { severity: 'CRITICAL' },
    modified: '2024-01-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }],
      },
    ],
  };
  writeFileSync(
    path.join(adv, 'all.zip'),
    zipSync({ 'DSA-TEST-0002.json': strToU8(JSON.stringify(record)) }),
  );
  const db = await rampart([
    'db',
    'update',
    '--source',
    path.join(dir, 'advisories'),
    '--db-dir',
    path.join(dir, 'db'),
    '--ecosystems',
    'Debian',
    '--no-progress',
  ]);
  assert.equal(db.status, 0, db.stderr);
});

after(async () => {
  await registry?.stop();
});

const key = (name: string) => path.join(dir, name);

test('generate-key-pair writes an encrypted key and a public key, never overwrites', { skip }, async () => {
  const r = await rampart(['generate-key-pair', '--output-prefix', key('k')]);
  assert.equal(r.status, 0, r.stderr);
  const priv = await readFile(key('k.key'), 'utf8');
  assert.match(priv, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
  assert.match(await readFile(key('k.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
  const again = await rampart(['generate-key-pair', '--output-prefix', key('k')]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already exists/);
  assert.equal(await readFile(key('k.key'), 'utf8'), priv);
  const other = await rampart(
    ['generate-key-pair', '--output-prefix', key('other'), '--password-env', 'OTHER_PW'],
    {
      OTHER_PW: 'another passphrase',
    },
  );
  assert.equal(other.status, 0, other.stderr);
  const noPassword = await rampart(['generate-key-pair', '--output-prefix', key('none')], {
    RAMPART_SIGNING_PASSWORD: '',
  });
  assert.equal(noPassword.status, 2);
  assert.match(noPassword.stderr, /RAMPART_SIGNING_PASSWORD/);
  assert.equal(existsSync(key('none.key')), false);
});

test('sign, attest (sbom, scan) and verify a pushed image', { skip }, async () => {
  const ref = `${host}/team/app:1.0`;
  const signed = await rampart(['sign', ref, '--key', key('k.key')]);
  assert.equal(signed.status, 0, signed.stderr);
  assert.match(signed.stdout, new RegExp(`Signed ${app.manifestDigest}`));
  const tag = `${app.manifestDigest.replace(':', '-')}.sig`;
  const sig = await fetchArtifact(`${host}/team/app`, tag, noDockerConfig);
  assert.ok(sig, 'signature pushed under the cosign tag');
  const sigManifest = JSON.parse(Buffer.from(sig.manifest).toString('utf8')) as {
    layers: { mediaType: string; annotations?: Record<string, string> }[];
  };
  assert.equal(sigManifest.layers.length, 1);
  assert.equal(sigManifest.layers[0]?.mediaType, 'application/vnd.dev.cosign.simplesigning.v1+json');
  assert.ok(sigManifest.layers[0]?.annotations?.['dev.cosignproject.cosign/signature']);

  const wrongPassword = await rampart(['sign', ref, '--key', key('k.key')], {
    RAMPART_SIGNING_PASSWORD: 'nope',
  });
  assert.equal(wrongPassword.status, 2);

  const sbom = await rampart(['attest', ref, '--key', key('k.key'), '--type', 'sbom']);
  assert.equal(sbom.status, 0, sbom.stderr);
  assert.match(sbom.stdout, /https:\/\/cyclonedx\.org\/bom, 2 package\(s\)/);
  const scan = await rampart([
    'attest',
    ref,
    '--key',
    key('k.key'),
    '--type',
    'scan',
    '--db-dir',
    path.join(dir, 'db'),
  ]);
  assert.equal(scan.status, 0, scan.stderr);
  assert.match(scan.stdout, /\(2 attestation\(s\)\)/);

  const verify = await rampart([
    'verify',
    ref,
    '--key',
    key('k.pub'),
    '--require-attestation',
    'sbom',
    'scan',
    '--max-scan-age-days',
    '1',
    '--format',
    'json',
  ]);
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  const verdict = JSON.parse(verify.stdout) as {
    verified: boolean;
    digest: string;
    attestations: { ok: boolean; predicateType: string }[];
    scan: { summary: Record<string, number>; database?: { updatedAt?: string } };
  };
  assert.equal(verdict.verified, true);
  assert.equal(verdict.digest, app.manifestDigest);
  assert.deepEqual(
    verdict.attestations.map((a) => [a.ok, a.predicateType]),
    [
      [true, 'https://cyclonedx.org/bom'],
      [true, 'https://rampart.dev/attestations/scan/v1'],
    ],
  );
  // The critical openssl advisory on libssl3, plus the Dockerfile checks run on the image config:
  // runs as root (high, Trivy DS002), no HEALTHCHECK (low, DS026).
  assert.deepEqual(verdict.scan.summary, { critical: 1, high: 1, medium: 0, low: 1, info: 0, total: 3 });
  assert.ok(verdict.scan.database?.updatedAt);

  const text = await rampart(['verify', ref, '--key', key('k.pub')]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /VERIFIED/);
});

test(
  'verify fails (exit 1, reason) for another key, an unsigned image, a changed manifest',
  { skip },
  async () => {
    const ref = `${host}/team/app:1.0`;
    const wrongKey = await rampart(['verify', ref, '--key', key('other.pub')]);
    assert.equal(wrongKey.status, 1, wrongKey.stderr);
    assert.match(wrongKey.stdout, /NOT VERIFIED/);
    assert.match(wrongKey.stdout, /reason: signature-invalid: bad-signature/);

    const unsigned = await rampart(['verify', `${host}/team/app:other`, '--key', key('k.pub')]);
    assert.equal(unsigned.status, 1);
    assert.match(unsigned.stdout, /reason: signature-missing/);

    const noCritical = await rampart([
      'verify',
      ref,
      '--key',
      key('k.pub'),
      '--require-attestation',
      'scan',
      '--no-critical',
    ]);
    assert.equal(noCritical.status, 1, noCritical.stderr);
    assert.match(noCritical.stdout, /reason: critical-findings: .* reports 1 critical finding/);
    const tooOld = await rampart(['verify', ref, '--key', key('k.pub'), '--max-scan-age-days', '0']);
    assert.equal(tooOld.status, 1);
    assert.match(tooOld.stdout, /reason: scan-too-old/);

    // A second signature, with the other key from the environment, is added to the same .sig manifest.
    const second = await rampart(['sign', ref, '--password-env', 'OTHER_PW'], {
      RAMPART_SIGNING_KEY: await readFile(key('other.key'), 'utf8'),
      OTHER_PW: 'another passphrase',
    });
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /\(2 signature\(s\)\)/);
    assert.equal((await rampart(['verify', ref, '--key', key('other.pub')])).status, 0);
    assert.equal((await rampart(['verify', ref, '--key', key('k.pub')])).status, 0);

    // The tag now names a different manifest: its digest has no signature.
    const altered = await buildImage([
      { 'etc/os-release': OS_RELEASE, 'var/lib/dpkg/status': STATUS },
      { 'app/main.sh': 'echo altered\n' },
    ]);
    await push(ref, altered);
    const changed = await rampart(['verify', ref, '--key', key('k.pub')]);
    assert.equal(changed.status, 1);
    assert.match(changed.stdout, new RegExp(altered.manifestDigest));
    assert.match(changed.stdout, /reason: signature-missing/);

    // Copying the old signature to the new digest's tag does not help: it names the old digest.
    const oldSig = await fetchArtifact(
      `${host}/team/app`,
      `${app.manifestDigest.replace(':', '-')}.sig`,
      noDockerConfig,
    );
    assert.ok(oldSig);
    await pushImage(
      `${host}/team/app:${altered.manifestDigest.replace(':', '-')}.sig`,
      { blobs: [], manifestBytes: oldSig.manifest, manifestMediaType: OCI_MANIFEST },
      noDockerConfig,
    );
    const copied = await rampart(['verify', ref, '--key', key('k.pub')]);
    assert.equal(copied.status, 1);
    assert.match(copied.stdout, /reason: signature-invalid: digest-mismatch/);

    // Pinned by the original digest, the signed image still verifies.
    const pinned = await rampart(['verify', `${host}/team/app@${app.manifestDigest}`, '--key', key('k.pub')]);
    assert.equal(pinned.status, 0, pinned.stdout);
  },
);

test('tool errors exit 2', { skip }, async () => {
  const missing = await rampart(['verify', `${host}/team/nope:1`, '--key', key('k.pub')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such image|not found/);
  const badKey = await rampart(['verify', `${host}/team/app:other`, '--key', key('k.key')]);
  assert.equal(badKey.status, 2);
  const noKey = await rampart(['sign', `${host}/team/app:other`], { RAMPART_SIGNING_KEY: '' });
  assert.equal(noKey.status, 2);
  assert.match(noKey.stderr, /--key FILE or set RAMPART_SIGNING_KEY/);
});
