import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { PemKeyProvider } from './keys.js';
import type { FetchedArtifact, OciManifest } from './oci.js';
import { signatureManifest, simpleSigningPayload, verifySignatureManifest } from './simple-signing.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;

function keyPair(): { provider: PemKeyProvider; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    provider: new PemKeyProvider(privateKey, 'test'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const sha = (b: Uint8Array | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function fetched(manifest: OciManifest | string, blobs: [string, Uint8Array][]): FetchedArtifact {
  return {
    manifest: typeof manifest === 'string' ? manifest : JSON.stringify(manifest),
    blobs: new Map(blobs),
  };
}

test('payload bytes are cosign simple signing, field order and optional:null included', () => {
  const bytes = Buffer.from(simpleSigningPayload(DIGEST, 'registry.example/team/app')).toString();
  assert.equal(
    bytes,
    '{"critical":{"identity":{"docker-reference":"registry.example/team/app"},' +
      `"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`,
  );
  const withOptional = Buffer.from(simpleSigningPayload(DIGEST, 'r', { z: '1', a: '2' })).toString();
  assert.ok(withOptional.endsWith('"optional":{"a":"2","z":"1"}}'));
});

test('signatureManifest builds the cosign layout and verifies', async () => {
  const { provider, publicKeyPem } = keyPair();
  const art = await signatureManifest(DIGEST, 'registry.example/team/app', provider);
  assert.equal(art.tag, `sha256-${'ab'.repeat(32)}.sig`);
  assert.equal(art.manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(art.manifest.config.mediaType, 'application/vnd.oci.image.config.v1+json');
  assert.equal(art.manifest.config.digest, sha(art.config.bytes));
  const [layer] = art.manifest.layers;
  assert.equal(layer?.mediaType, 'application/vnd.dev.cosign.simplesigning.v1+json');
  assert.equal(layer?.digest, sha(art.payload));
  assert.equal(layer?.size, art.payload.byteLength);
  assert.equal(layer?.annotations?.['dev.cosignproject.cosign/signature'], art.signature);
  assert.equal(art.manifestDigest, sha(art.manifestBytes));

  const ok = verifySignatureManifest(
    DIGEST,
    fetched(art.manifest, [[layer!.digest, art.payload]]),
    publicKeyPem,
  );
  assert.equal(ok.ok, true, ok.message);
  assert.equal(ok.checks[0]?.dockerReference, 'registry.example/team/app');
  const exact = verifySignatureManifest(
    DIGEST,
    fetched(art.manifest, [[layer!.digest, art.payload]]),
    publicKeyPem,
    {
      expectedReference: 'registry.example/other',
    },
  );
  assert.equal(exact.failure, 'reference-mismatch');
});

test('tampered payload, different digest and wrong key fail with the right reason', async () => {
  const { provider, publicKeyPem } = keyPair();
  const art = await signatureManifest(DIGEST, 'r/app', provider);
  const layer = art.manifest.layers[0]!;

  // The payload blob altered, the manifest left alone: the blob no longer matches its descriptor.
  const altered = new TextEncoder().encode(Buffer.from(art.payload).toString().replace(DIGEST, OTHER));
  const r1 = verifySignatureManifest(DIGEST, fetched(art.manifest, [[layer.digest, altered]]), publicKeyPem);
  assert.equal(r1.ok, false);
  assert.equal(r1.failure, 'payload-digest-mismatch');

  // Altered payload with a consistent descriptor: the signature no longer covers it.
  const forged: OciManifest = {
    ...art.manifest,
    layers: [{ ...layer, digest: sha(altered), size: altered.byteLength }],
  };
  const r2 = verifySignatureManifest(OTHER, fetched(forged, [[sha(altered), altered]]), publicKeyPem);
  assert.equal(r2.failure, 'bad-signature');

  // A valid signature of another image presented for this one (re-tagged / altered image).
  const r3 = verifySignatureManifest(
    OTHER,
    fetched(art.manifest, [[layer.digest, art.payload]]),
    publicKeyPem,
  );
  assert.equal(r3.failure, 'digest-mismatch');
  assert.match(r3.message, /re-tagged or altered/);

  // Someone else's key.
  const r4 = verifySignatureManifest(
    DIGEST,
    fetched(art.manifest, [[layer.digest, art.payload]]),
    keyPair().publicKeyPem,
  );
  assert.equal(r4.failure, 'bad-signature');

  // The signature annotation garbled.
  const noSig: OciManifest = {
    ...art.manifest,
    layers: [{ ...layer, annotations: { 'dev.cosignproject.cosign/signature': '%%' } }],
  };
  assert.equal(
    verifySignatureManifest(DIGEST, fetched(noSig, [[layer.digest, art.payload]]), publicKeyPem).failure,
    'bad-signature',
  );
  assert.equal(
    verifySignatureManifest(DIGEST, fetched(art.manifest, []), publicKeyPem).failure,
    'payload-missing',
  );
});

test('one good layer among bad ones verifies (several signers)', async () => {
  const a = keyPair();
  const b = keyPair();
  const sa = await signatureManifest(DIGEST, 'r/app', a.provider);
  const sb = await signatureManifest(DIGEST, 'r/app', b.provider);
  const manifest: OciManifest = { ...sa.manifest, layers: [sa.manifest.layers[0]!, sb.manifest.layers[0]!] };
  const blobs: [string, Uint8Array][] = [[sa.manifest.layers[0]!.digest, sa.payload]];
  const r = verifySignatureManifest(DIGEST, fetched(manifest, blobs), b.publicKeyPem);
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(
    r.checks.map((c) => c.ok),
    [false, true],
  );
});

/**
 * Compatibility vector: a signature made by cosign, from sigstore/sigstore-rs
 * src/cosign/signature_layers.rs (commit 34985ad5731e75b5e917ac09ec71cf02e0adcc97,
 * build_correct_signature_layer_without_bundles): public key, payload (serde_json compact output of the
 * listed value, keys in order) and the base64 signature.
 */
test('verifies a signature produced by cosign (sigstore-rs test vector)', () => {
  const publicKeyPem = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENptdY/l3nB0yqkXLBWkZWQwo6+cu
OSWS1X9vPavpiQOoTTGC0xX57OojUadxF1cdQmrsiReWg2Wn4FneJfa8xw==
-----END PUBLIC KEY-----`;
  const digest = 'sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b';
  const payload = new TextEncoder().encode(
    '{"critical":{"identity":{"docker-reference":"registry-testing.svc.lan/busybox"},' +
      `"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"},"optional":null}`,
  );
  const signature =
    'MEUCIQD6q/COgzOyW0YH1Dk+CCYSt4uAhm3FDHUwvPI55zwnlwIgE0ZK58ZOWpZw8YVmBapJhBqCfdPekIknimuO0xH8Jh8=';
  // The same bytes as our own payload builder produces for that image and reference.
  assert.deepEqual(simpleSigningPayload(digest, 'registry-testing.svc.lan/busybox'), payload);
  const manifest = {
    schemaVersion: 2,
    layers: [
      {
        mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
        digest: sha(payload),
        size: payload.byteLength,
        annotations: { 'dev.cosignproject.cosign/signature': signature },
      },
    ],
  };
  const art = { manifest: JSON.stringify(manifest), blobs: new Map([[sha(payload), payload]]) };
  const r = verifySignatureManifest(digest, art, publicKeyPem);
  assert.equal(r.ok, true, r.message);
  assert.equal(verifySignatureManifest(OTHER, art, publicKeyPem).failure, 'digest-mismatch');
});

test('hostile or malformed input never throws', () => {
  const { publicKeyPem } = keyPair();
  const cases: unknown[] = [
    '',
    'null',
    '{"layers":"x"}',
    '{"layers":[null,1,"a",{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json"}]}',
    JSON.stringify({ layers: Array.from({ length: 300 }, () => ({})) }),
    'x'.repeat(5 * 1024 * 1024),
    new Uint8Array([0xff, 0xfe]),
    { layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: DIGEST, size: 1 }] },
  ];
  for (const manifest of cases) {
    const r = verifySignatureManifest(
      DIGEST,
      { manifest: manifest as string, blobs: new Map() },
      publicKeyPem,
    );
    assert.equal(r.ok, false);
    assert.ok(r.failure);
  }
  assert.equal(verifySignatureManifest(DIGEST, fetched('{}', []), 'junk').failure, 'bad-public-key');
  assert.equal(
    verifySignatureManifest('latest', fetched('{}', []), publicKeyPem).failure,
    'malformed-manifest',
  );
  assert.equal(
    verifySignatureManifest(DIGEST, undefined as unknown as FetchedArtifact, publicKeyPem).ok,
    false,
  );
});
