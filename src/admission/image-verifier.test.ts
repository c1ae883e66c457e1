/**
 * The registry image verifier against the in-memory fake registry (signatures, attestations, cache,
 * failures), and the webhook with the require-signed-images pack against a registry that never
 * answers (the rule errors within the budget: Enforce denies, Audit warns).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeRegistry } from '../image/registry/__fixtures__/fake-registry.js';
import { SCAN_PREDICATE } from '../image/sign/index.js';
import { createClient } from './__fixtures__/client.js';
import {
  attestScan,
  configuredPack,
  newSigningKey,
  podWithImages,
  pushTestImage,
  signImage,
  writePack,
  type TestKey,
} from './__fixtures__/signed-images.js';
import { createRegistryImageVerifier } from './image-verifier.js';
import { startAdmissionService } from './service.js';

describe('registry image verifier (fake registry)', () => {
  let reg: FakeRegistry;
  let keyA: TestKey;
  let keyB: TestKey;
  let signed = '';
  let signedDigest = '';
  let unsigned = '';

  before(async () => {
    reg = await new FakeRegistry().start();
    [keyA, keyB] = await Promise.all([newSigningKey(), newSigningKey()]);
    signed = `${reg.host}/team/app:1.0`;
    signedDigest = await pushTestImage(signed, 'signed');
    await signImage(signed, signedDigest, keyA);
    await attestScan(signed, signedDigest, keyA, 3, new Date('2030-01-02T03:04:05Z'));
    unsigned = `${reg.host}/team/other:1.0`;
    await pushTestImage(unsigned, 'unsigned');
  });
  after(() => reg.stop());

  it('verifies a signature by the key; another key and an unsigned image do not verify', async () => {
    const v = createRegistryImageVerifier({ dockerConfig: false });
    const good = await v.verify(signed, { keys: [keyA.publicKeyPem], attestationTypes: [] });
    assert.deepEqual(good, { digest: signedDigest, verified: true, attestations: [] });
    const wrong = await v.verify(signed, { keys: [keyB.publicKeyPem], attestationTypes: [] });
    assert.equal(wrong.verified, false);
    assert.equal(wrong.error, undefined);
    assert.match(wrong.reason ?? '', /does not verify with the given key/);
    const anyOf = await v.verify(signed, {
      keys: [keyB.publicKeyPem, keyA.publicKeyPem],
      attestationTypes: [],
    });
    assert.equal(anyOf.verified, true);
    const bare = await v.verify(unsigned, { keys: [keyA.publicKeyPem], attestationTypes: [] });
    assert.equal(bare.verified, false);
    assert.match(bare.reason ?? '', /no signature artifact/);
    const byDigest = await v.verify(`${reg.host}/team/app@${signedDigest}`, {
      keys: [keyA.publicKeyPem],
      attestationTypes: [],
    });
    assert.equal(byDigest.verified, true);
  });

  it('returns verified attestations of the requested types only, with their predicate', async () => {
    const v = createRegistryImageVerifier({ dockerConfig: false });
    const r = await v.verify(signed, { keys: [keyA.publicKeyPem], attestationTypes: [SCAN_PREDICATE] });
    assert.equal(r.attestations.length, 1);
    assert.equal(r.attestations[0]?.type, SCAN_PREDICATE);
    const predicate = r.attestations[0]?.predicate as { scannedAt: string; summary: { critical: number } };
    assert.deepEqual([predicate.scannedAt, predicate.summary.critical], ['2030-01-02T03:04:05.000Z', 3]);
    const other = await v.verify(signed, { keys: [keyB.publicKeyPem], attestationTypes: [SCAN_PREDICATE] });
    assert.deepEqual(other.attestations, [], 'signed by another key');
    const sbom = await v.verify(signed, {
      keys: [keyA.publicKeyPem],
      attestationTypes: ['https://cyclonedx.org/bom'],
    });
    assert.deepEqual(sbom.attestations, []);
  });

  it('caches answers by digest + keys; tags and negative answers expire sooner', async () => {
    let now = 1_000_000;
    const v = createRegistryImageVerifier({
      dockerConfig: false,
      now: () => now,
      cacheTtlMs: 600_000,
      tagTtlMs: 10_000,
      negativeTtlMs: 20_000,
    });
    const ask = (image: string) => v.verify(image, { keys: [keyA.publicKeyPem], attestationTypes: [] });
    const before = reg.log.length;
    assert.equal((await ask(signed)).verified, true);
    const first = reg.log.length - before;
    assert.ok(first >= 2, 'HEAD manifest + .sig fetched');
    assert.equal((await ask(signed)).verified, true);
    assert.equal(reg.log.length - before, first, 'second lookup served from the cache');
    now += 15_000; // tag resolution expired, answer for the digest still cached
    assert.equal((await ask(signed)).verified, true);
    const heads = reg.log
      .slice(before)
      .filter((r) => r.method === 'HEAD' && r.path.endsWith('/manifests/1.0'));
    assert.equal(heads.length, 2);
    assert.equal(reg.log.length - before, first + 1);

    const mark = reg.log.length;
    assert.equal((await ask(unsigned)).verified, false);
    const unsignedCalls = reg.log.length - mark;
    now += 5_000;
    assert.equal((await ask(unsigned)).verified, false);
    assert.equal(reg.log.length - mark, unsignedCalls, 'negative answer cached');
    now += 30_000;
    await ask(unsigned);
    assert.ok(reg.log.length - mark > unsignedCalls, 'negative answer expired');
  });

  it('a missing image does not verify; an unreadable key and an unreachable registry are errors', async () => {
    const v = createRegistryImageVerifier({ dockerConfig: false, lookupTimeoutMs: 2000 });
    const missing = await v.verify(`${reg.host}/team/nope:1`, {
      keys: [keyA.publicKeyPem],
      attestationTypes: [],
    });
    assert.equal(missing.verified, false);
    assert.equal(missing.error, undefined);
    assert.match(missing.reason ?? '', /no such image/);
    const badKey = await v.verify(signed, { keys: ['not a key'], attestationTypes: [] });
    assert.equal(badKey.error, true);
    assert.match(badKey.reason ?? '', /not a readable PEM public key/);
    const closed = await freePort();
    const down = await v.verify(`127.0.0.1:${closed}/team/app:1`, {
      keys: [keyA.publicKeyPem],
      attestationTypes: [],
    });
    assert.equal(down.error, true);
    assert.match(down.reason ?? '', /cannot connect/);
  });
});

/** A TCP server that accepts connections and never answers. */
async function hangingServer(): Promise<{ server: Server; host: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    host: `127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('webhook + require-signed-images pack, registry that never answers', () => {
  let dir: string;
  let hang: Awaited<ReturnType<typeof hangingServer>>;
  let key: TestKey;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-verify-hang-'));
    hang = await hangingServer();
    key = await newSigningKey();
  });
  after(async () => {
    await hang.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const action of ['Enforce', 'Audit'] as const) {
    for (const workers of [0, 1]) {
      it(`${action}${workers ? ' (worker thread)' : ''}: the rule errors within the request budget`, async () => {
        const policies = path.join(dir, `${action}-${workers}`);
        await import('node:fs/promises').then((fs) => fs.mkdir(policies));
        await writePack(policies, configuredPack(`${hang.host}/*`, key.publicKeyPem, { action }));
        const service = await startAdmissionService({
          policiesDir: policies,
          port: 0,
          host: '127.0.0.1',
          timeoutMs: 1500,
          failurePolicy: 'Ignore',
          workers,
          log: false,
        });
        const client = createClient(`http://127.0.0.1:${service.port}`);
        try {
          const reply = await client.post(
            '/validate',
            JSON.stringify(podWithImages([`${hang.host}/team/app:1`])),
          );
          assert.equal(reply.status, 200);
          const response = JSON.parse(reply.body).response;
          const text = action === 'Enforce' ? response.status?.message : response.warnings?.join('\n');
          assert.equal(response.allowed, action === 'Audit');
          assert.match(
            text ?? '',
            /require-signed-images.*verify-rampart-signature: failed to verify image 127\.0\.0\.1:\d+\/team\/app:1: .*registry lookup exceeded the 1125 ms budget/s,
          );
          assert.doesNotMatch(text ?? '', /failurePolicy/, 'the rule decided, not the failure policy');
        } finally {
          client.close();
          await service.close();
        }
      });
    }
  }
});
