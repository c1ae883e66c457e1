/**
 * End to end: a real CNCF distribution registry (Debian `docker-registry`, started on a free loopback
 * port), images pushed and signed / attested with a generated key the way `rampart sign|attest` do,
 * and the admission webhook (HTTPS, real engine) running the require-signed-images pack configured
 * with that key — first as shipped, then with its optional scan check enabled. Skipped with a reason
 * when the registry binary is missing (RAMPART_REGISTRY_IT=0 skips it too).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  registrySkipReason,
  startRealRegistry,
  type RealRegistry,
} from '../image/registry/__fixtures__/real-registry.js';
import { createClient } from './__fixtures__/client.js';
import {
  attestScan,
  configuredPack,
  newSigningKey,
  podWithImages,
  pushTestImage,
  signImage,
  writePack,
} from './__fixtures__/signed-images.js';
import { ensureCertificates } from './certs.js';
import { startAdmissionService } from './service.js';

const skip = registrySkipReason();
let registry: RealRegistry | undefined;
let dir = '';

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-signed-e2e-'));
  if (skip === false) registry = await startRealRegistry('rampart-signed-images-');
});

after(async () => {
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('webhook admits the signed image and denies the unsigned one (real registry)', { skip }, async () => {
  const host = registry!.host;
  const key = await newSigningKey();
  const other = await newSigningKey();
  const signed = `${host}/team/app:1.0`;
  const unsigned = `${host}/team/tool:2.0`;
  const foreign = `${host}/team/foreign:1.0`;
  const scanned = `${host}/team/scanned:1.0`;
  const critical = `${host}/team/critical:1.0`;
  const digests = {
    signed: await pushTestImage(signed, 'app'),
    foreign: await pushTestImage(foreign, 'foreign'),
    scanned: await pushTestImage(scanned, 'scanned'),
    critical: await pushTestImage(critical, 'critical'),
    unsigned: await pushTestImage(unsigned, 'tool'),
  };
  await signImage(signed, digests.signed, key);
  await signImage(foreign, digests.foreign, other);
  for (const [ref, digest, count] of [
    [scanned, digests.scanned, 0],
    [critical, digests.critical, 2],
  ] as const) {
    await signImage(ref, digest, key);
    await attestScan(ref, digest, key, count);
  }

  const policies = path.join(dir, 'policies');
  mkdirSync(policies);
  await writePack(policies, configuredPack(`${host}/team/*`, key.publicKeyPem, { action: 'Enforce' }));
  const certDir = path.join(dir, 'certs');
  const { bundle } = await ensureCertificates(certDir, {
    service: 'rampart-admission',
    namespace: 'rampart',
  });
  const service = await startAdmissionService({
    policiesDir: policies,
    port: 0,
    host: '127.0.0.1',
    tls: { cert: bundle.cert, key: bundle.key },
    failurePolicy: 'Fail',
    timeoutMs: 5000,
    log: false,
  });
  const client = createClient(`https://localhost:${service.port}`, { ca: bundle.caCert });
  const review = async (images: string[], name: string) => {
    const reply = await client.post('/validate', JSON.stringify(podWithImages(images, name)));
    assert.equal(reply.status, 200, reply.body);
    return JSON.parse(reply.body).response as {
      allowed: boolean;
      status?: { message: string };
      warnings?: string[];
    };
  };
  try {
    const ok = await review([signed, 'docker.io/library/busybox:1.36'], 'signed');
    assert.equal(ok.allowed, true, ok.status?.message);
    assert.equal(ok.warnings, undefined);

    const denied = await review([unsigned], 'unsigned');
    assert.equal(denied.allowed, false);
    assert.equal(
      denied.status?.message,
      [
        'resource Pod/default/unsigned was blocked due to the following policies',
        '',
        'require-signed-images:',
        `  verify-rampart-signature: failed to verify image ${unsigned}: ` +
          `verifyImages[0].attestors[0].entries[0].keys: no signature artifact for ${digests.unsigned}`,
      ].join('\n'),
    );

    const wrongKey = await review([foreign], 'foreign');
    assert.equal(wrongKey.allowed, false);
    assert.match(wrongKey.status?.message ?? '', /the signature does not verify with the given key/);

    // The pack's optional scan check, enabled in the policy folder and reloaded.
    await writePack(
      policies,
      configuredPack(`${host}/team/*`, key.publicKeyPem, { action: 'Enforce', scanCheck: true }),
    );
    assert.equal((await service.reloader.reload()).ok, true);
    assert.equal((await review([scanned], 'scanned')).allowed, true);
    const noScan = await review([signed], 'no-scan');
    assert.equal(noScan.allowed, false);
    assert.match(
      noScan.status?.message ?? '',
      /no verified attestation of predicate type https:\/\/rampart\.dev\/attestations\/scan\/v1/,
    );
    const crit = await review([critical], 'critical');
    assert.equal(crit.allowed, false);
    assert.match(crit.status?.message ?? '', /the newest Rampart scan reports 2 critical finding\(s\)/);
  } finally {
    client.close();
    await service.close();
  }
});
