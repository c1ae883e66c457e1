import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import {
  attest,
  attestationLayer,
  attestationManifest,
  CYCLONEDX_PREDICATE,
  SCAN_PREDICATE,
  scanPredicate,
  statement,
  verifyAttestations,
} from './attest.js';
import { pae, signEnvelope, verifyEnvelope } from './dsse.js';
import { PemKeyProvider } from './keys.js';
import type { ArtifactToPush, FetchedArtifact } from './oci.js';
import { signatureManifest } from './simple-signing.js';
import { verifyImage } from './verify.js';

const HEX = 'ab'.repeat(32);
const DIGEST = `sha256:${HEX}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function keyPair(): { provider: PemKeyProvider; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    provider: new PemKeyProvider(privateKey, 'test'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function asFetched(a: ArtifactToPush): FetchedArtifact {
  return { manifest: a.manifestBytes, blobs: new Map(a.layers.map((l) => [l.descriptor.digest, l.bytes])) };
}

test('PAE matches the DSSE spec example byte for byte', () => {
  // protocol.md: PAE("http://example.com/HelloWorld", "hello world")
  const got = Buffer.from(pae('http://example.com/HelloWorld', Buffer.from('hello world')));
  assert.equal(got.toString('latin1'), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  // Lengths are byte counts (UTF-8), not characters; empty body keeps the trailing space.
  assert.equal(Buffer.from(pae('t', Buffer.from('é'))).toString('utf8'), 'DSSEv1 1 t 2 é');
  assert.equal(Buffer.from(pae('', new Uint8Array())).toString(), 'DSSEv1 0  0 ');
});

test('DSSE envelope signs PAE and verifies; altered payload or type fails', async () => {
  const { provider, publicKeyPem } = keyPair();
  const key = createPublicKey(publicKeyPem);
  const env = await signEnvelope('application/vnd.in-toto+json', Buffer.from('{"a":1}'), provider);
  assert.equal(env.payload, Buffer.from('{"a":1}').toString('base64'));
  assert.equal(env.signatures[0]?.keyid, '');
  assert.equal(verifyEnvelope(JSON.stringify(env), key).ok, true);
  const otherPayload = { ...env, payload: Buffer.from('{"a":2}').toString('base64') };
  assert.deepEqual(verifyEnvelope(otherPayload, key), {
    ok: false,
    reason: 'bad-signature',
    message: 'no DSSE signature verifies with the given key',
  });
  assert.equal(verifyEnvelope({ ...env, payloadType: 'text/plain' }, key).ok, false);
  assert.equal(verifyEnvelope('nope', key).ok, false);
  assert.equal(verifyEnvelope({ payload: 1 }, key).ok, false);
});

test('statement and scan predicate shapes', () => {
  const p = scanPredicate({
    scannerVersion: '0.1.0',
    scanners: { deps: '0.1.0' },
    databaseUpdatedAt: new Date('2025-01-01T00:00:00Z'),
    scannedAt: new Date('2025-01-02T00:00:00Z'),
    counts: { critical: 1, high: 2 },
  });
  assert.deepEqual(p, {
    scanner: { name: 'rampart', version: '0.1.0', scanners: { deps: '0.1.0' } },
    scannedAt: '2025-01-02T00:00:00.000Z',
    summary: { critical: 1, high: 2, medium: 0, low: 0, info: 0, total: 3 },
    database: { updatedAt: '2025-01-01T00:00:00.000Z' },
  });
  assert.deepEqual(statement(DIGEST, 'r/app', SCAN_PREDICATE, p), {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'r/app', digest: { sha256: HEX } }],
    predicateType: SCAN_PREDICATE,
    predicate: p,
  });
});

test('attestation artifact follows cosign layout and verifies; tampering is caught', async () => {
  const { provider, publicKeyPem } = keyPair();
  const key = createPublicKey(publicKeyPem);
  const bom = { bomFormat: 'CycloneDX', specVersion: '1.6', components: [] };
  const { artifact, layer } = await attest(DIGEST, 'r/app', CYCLONEDX_PREDICATE, bom, provider);
  assert.equal(artifact.tag, `sha256-${HEX}.att`);
  assert.equal(layer.descriptor.mediaType, 'application/vnd.dsse.envelope.v1+json');
  assert.equal(layer.descriptor.annotations?.predicateType, CYCLONEDX_PREDICATE);
  const env = JSON.parse(Buffer.from(layer.bytes).toString()) as { payloadType: string; payload: string };
  assert.equal(env.payloadType, 'application/vnd.in-toto+json');
  assert.equal(JSON.parse(Buffer.from(env.payload, 'base64').toString()).predicate.bomFormat, 'CycloneDX');

  const checks = verifyAttestations(DIGEST, asFetched(artifact), key);
  assert.equal(checks.length, 1);
  assert.equal(checks[0]?.ok, true);
  assert.equal(checks[0]?.predicateType, CYCLONEDX_PREDICATE);

  assert.equal(verifyAttestations(OTHER, asFetched(artifact), key)[0]?.failure, 'subject-mismatch');
  assert.equal(
    verifyAttestations(DIGEST, asFetched(artifact), createPublicKey(keyPair().publicKeyPem))[0]?.failure,
    'bad-signature',
  );

  // Replace the statement inside the envelope (keeping the old signature) and fix up the descriptor.
  const forgedEnv = {
    ...JSON.parse(Buffer.from(layer.bytes).toString()),
    payload: Buffer.from('{}').toString('base64'),
  };
  const forgedBytes = new TextEncoder().encode(JSON.stringify(forgedEnv));
  const forged = attestationManifest(DIGEST, [
    {
      descriptor: { ...layer.descriptor, digest: sha(forgedBytes), size: forgedBytes.byteLength },
      bytes: forgedBytes,
    },
  ]);
  assert.equal(verifyAttestations(DIGEST, asFetched(forged), key)[0]?.failure, 'bad-signature');
  assert.equal(
    verifyAttestations(DIGEST, { manifest: '[', blobs: new Map() }, key)[0]?.failure,
    'malformed-manifest',
  );
});

async function signedImage(opts: { scannedAt: string; critical: number; withBom?: boolean }) {
  const { provider, publicKeyPem } = keyPair();
  const sig = await signatureManifest(DIGEST, 'r/app', provider);
  const scan = scanPredicate({
    scannerVersion: '0.1.0',
    scannedAt: new Date(opts.scannedAt),
    counts: { critical: opts.critical },
  });
  const layers = [await attestationLayer(statement(DIGEST, 'r/app', SCAN_PREDICATE, scan), provider)];
  if (opts.withBom)
    layers.push(await attestationLayer(statement(DIGEST, 'r/app', CYCLONEDX_PREDICATE, {}), provider));
  return {
    publicKeyPem,
    signatures: asFetched(sig),
    attestations: asFetched(attestationManifest(DIGEST, layers)),
  };
}

const NOW = new Date('2025-03-10T00:00:00Z');

test('verifyImage: signature and attestation policy pass', async () => {
  const img = await signedImage({ scannedAt: '2025-03-08T00:00:00Z', critical: 0, withBom: true });
  const r = verifyImage({
    imageDigest: DIGEST,
    ...img,
    policy: {
      requiredPredicateTypes: [CYCLONEDX_PREDICATE, SCAN_PREDICATE],
      maxScanAgeDays: 7,
      noCritical: true,
      now: NOW,
    },
  });
  assert.deepEqual(r.reasons, []);
  assert.equal(r.ok, true);
  assert.equal(r.scan?.scannedAt, '2025-03-08T00:00:00.000Z');
});

test('verifyImage: each policy failure gives its reason', async () => {
  const img = await signedImage({ scannedAt: '2025-01-01T00:00:00Z', critical: 2 });
  const r = verifyImage({
    imageDigest: DIGEST,
    ...img,
    policy: { requiredPredicateTypes: [CYCLONEDX_PREDICATE], maxScanAgeDays: 7, noCritical: true, now: NOW },
  });
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.reasons.map((x) => x.code),
    ['attestation-missing', 'scan-too-old', 'critical-findings'],
  );
  assert.match(r.reasons[1]!.message, /68\.0 days old; the policy allows 7/);

  const moved = verifyImage({ imageDigest: OTHER, ...img });
  assert.deepEqual(
    moved.reasons.map((x) => x.code),
    ['signature-invalid'],
  );
  assert.match(moved.reasons[0]!.message, /^digest-mismatch/);

  const wrongKey = verifyImage({
    imageDigest: DIGEST,
    ...img,
    publicKeyPem: keyPair().publicKeyPem,
    policy: { noCritical: true },
  });
  assert.deepEqual(
    wrongKey.reasons.map((x) => x.code),
    ['signature-invalid', 'attestation-missing'],
  );

  const unsigned = verifyImage({ imageDigest: DIGEST, publicKeyPem: img.publicKeyPem });
  assert.deepEqual(
    unsigned.reasons.map((x) => x.code),
    ['signature-missing'],
  );
  assert.equal(
    verifyImage({ imageDigest: DIGEST, publicKeyPem: img.publicKeyPem, policy: { requireSignature: false } })
      .ok,
    true,
  );
});

test('verifyImage never throws on garbage', () => {
  const garbage: unknown[] = [
    undefined,
    null,
    {},
    { imageDigest: 5 },
    { imageDigest: DIGEST, publicKeyPem: 'x' },
  ];
  for (const g of garbage) {
    const r = verifyImage(g as Parameters<typeof verifyImage>[0]);
    assert.equal(r.ok, false);
    assert.ok(r.reasons.length > 0);
  }
  const { publicKeyPem } = keyPair();
  const r = verifyImage({
    imageDigest: DIGEST,
    publicKeyPem,
    signatures: { manifest: '{"layers":[{}]}', blobs: new Map() },
    attestations: { manifest: 'null', blobs: new Map() },
    policy: { noCritical: true },
  });
  assert.deepEqual(
    r.reasons.map((x) => x.code),
    ['signature-missing', 'attestation-missing'],
  );
});
