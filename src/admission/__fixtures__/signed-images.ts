/**
 * Test helpers for verifyImages in the webhook: push a small image to a registry (fake or real),
 * sign / attest it with a generated key (src/image/sign, as `rampart sign|attest` does), and write
 * the `require-signed-images` pack configured the documented way (pattern + key edited in a copy).
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OCI_MANIFEST, buildImage } from '../../image/registry/__fixtures__/image.js';
import { pushArtifact, pushImage } from '../../image/registry/pull.js';
import {
  PemKeyProvider,
  SCAN_PREDICATE,
  attest,
  generateKeyPair,
  scanPredicate,
  signatureManifest,
  type KeyProvider,
} from '../../image/sign/index.js';
import { builtinPoliciesDir } from '../builtin-packs.js';

const opts = { dockerConfig: false as const };

export interface TestKey {
  provider: KeyProvider;
  publicKeyPem: string;
}

export async function newSigningKey(): Promise<TestKey> {
  const pass = 'test-only-passphrase';
  const pair = generateKeyPair(pass);
  return { provider: PemKeyProvider.fromPem(pair.privateKeyPem, pass), publicKeyPem: pair.publicKeyPem };
}

/** Pushes a one-layer image whose content is `seed` under `ref` (`host/repo:tag`); returns its digest. */
export async function pushTestImage(ref: string, seed: string): Promise<string> {
  const img = await buildImage([{ 'etc/os-release': 'ID=debian\n', 'app/seed.txt': seed }]);
  const pushed = await pushImage(
    ref,
    {
      blobs: [{ bytes: img.config }, ...img.layers.map((l) => ({ bytes: l.bytes }))],
      manifestBytes: img.manifest,
      manifestMediaType: OCI_MANIFEST,
    },
    opts,
  );
  return pushed.digest;
}

/** `rampart sign`: a cosign signature of `digest` in the repository of `ref`. */
export async function signImage(ref: string, digest: string, key: TestKey): Promise<void> {
  const repo = ref.replace(/[:@][^/]*$/, '');
  await pushArtifact(repo, await signatureManifest(digest, repo, key.provider), opts);
}

/** `rampart attest --type scan`: a scan attestation with the given critical count and date. */
export async function attestScan(
  ref: string,
  digest: string,
  key: TestKey,
  critical: number,
  scannedAt = new Date(),
): Promise<void> {
  const repo = ref.replace(/[:@][^/]*$/, '');
  const predicate = scanPredicate({ scannerVersion: '0.0.0-test', scannedAt, counts: { critical } });
  const { artifact } = await attest(digest, repo, SCAN_PREDICATE, predicate, key.provider);
  await pushArtifact(repo, artifact, opts);
}

/**
 * The built-in pack with its two EDIT values replaced (the image pattern and the key), optionally
 * with the scan check uncommented — what a user does before copying it into the policy folder.
 */
export function configuredPack(
  pattern: string,
  publicKeyPem: string,
  options: { scanCheck?: boolean; action?: 'Audit' | 'Enforce' } = {},
): string {
  let text = readFileSync(path.join(builtinPoliciesDir(), 'require-signed-images.yaml'), 'utf8');
  const pem = /( +)-----BEGIN PUBLIC KEY-----\n(?:\1.*\n)*?\1-----END PUBLIC KEY-----\n/;
  const indent = pem.exec(text)?.[1];
  if (!indent) throw new Error('the pack has no placeholder key');
  const key = publicKeyPem
    .trim()
    .split('\n')
    .map((l) => indent + l)
    .join('\n');
  text = text.replace(pem, `${key}\n`);
  text = text.replace("'registry.example.com/*'", `'${pattern}'`);
  if (options.scanCheck) {
    const marker = text.indexOf('# BEGIN optional scan check');
    const begin = text.indexOf('\n', marker) + 1;
    const end = text.lastIndexOf('\n', text.indexOf('# END optional scan check')) + 1;
    text = text.slice(0, begin) + text.slice(begin, end).replace(/^( *)# /gm, '$1') + text.slice(end);
  }
  if (options.action) text = text.replace('validationFailureAction: Audit', `validationFailureAction: ${options.action}`);
  return text;
}

export async function writePack(dir: string, text: string): Promise<void> {
  await writeFile(path.join(dir, 'require-signed-images.yaml'), text);
}

/** An AdmissionReview for a Pod with the given images. */
export function podWithImages(images: string[], name = 'app'): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${name}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      name,
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'alice' },
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default' },
        spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
      },
      oldObject: null,
      dryRun: false,
    },
  };
}
