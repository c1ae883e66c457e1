import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import {
  evaluate,
  evaluateWithImageVerifier,
  loadPolicies,
  needsImageVerifier,
  type ImageVerificationOptions,
  type ImageVerificationResult,
  type ImageVerifier,
  type KubeObject,
  type RuleResult,
} from '../engine/index.js';
import { splitPublicKeys } from './verify-images.js';

const SCAN = 'https://rampart.dev/attestations/scan/v1';
const SBOM = 'https://cyclonedx.org/bom';

const newKey = (): string =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
const KEY_A = newKey();
const KEY_B = newKey();

const indent = (text: string, n: number): string =>
  text
    .trim()
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

/** A ClusterPolicy with one verifyImages rule; `body` is YAML placed under `verifyImages: - `. */
function policy(body: string, action = 'Enforce'): unknown[] {
  const yaml = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: check-images
spec:
  validationFailureAction: ${action}
  rules:
    - name: verify
      match:
        any:
          - resources:
              kinds: [Pod]
      verifyImages:
${indent(body, 8)}
`;
  return parseAllDocuments(yaml).map((d) => d.toJS() as unknown);
}

const keysEntry = (key: string) => `- keys:\n    publicKeys: |-\n${indent(key, 6)}`;

const signedBy = (key: string, refs = "['ghcr.io/acme/*']") => `
- imageReferences: ${refs}
  attestors:
    - entries:
${indent(keysEntry(key), 8)}
`;

const pod = (images: string[], name = 'p'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
});

interface Signed {
  keys: string[];
  attestations?: Record<string, { key: string; predicate: unknown }[]>;
}

/** A verifier answering from a table: image → keys that signed it, attestations and their keys. */
class FakeVerifier implements ImageVerifier {
  calls: { image: string; options: ImageVerificationOptions }[] = [];
  constructor(private readonly images: Record<string, Signed>) {}
  verify(image: string, options: ImageVerificationOptions): Promise<ImageVerificationResult> {
    this.calls.push({ image, options });
    const entry = this.images[image];
    if (!entry)
      return Promise.resolve({ digest: '', verified: false, reason: 'no such image', attestations: [] });
    const verified = options.keys.some((k) => entry.keys.includes(k));
    const attestations = options.attestationTypes.flatMap((type) =>
      (entry.attestations?.[type] ?? [])
        .filter((a) => options.keys.includes(a.key))
        .map((a) => ({ type, predicate: a.predicate })),
    );
    return Promise.resolve({
      digest: `sha256:${'a'.repeat(64)}`,
      verified,
      ...(verified ? {} : { reason: 'no signature verifies with the key' }),
      attestations,
    });
  }
}

async function run(docs: unknown[], resource: KubeObject, verifier: ImageVerifier, timeout?: number) {
  const set = loadPolicies(docs);
  assert.deepEqual(set.errors, []);
  return evaluateWithImageVerifier(set, resource, {}, verifier, timeout ? { lookupTimeoutMs: timeout } : {});
}

const only = (results: RuleResult[]): RuleResult => {
  assert.equal(results.length, 1, JSON.stringify(results));
  return results[0]!;
};

test('a signature by the policy key passes; the verifier is asked once per image and key', async () => {
  const v = new FakeVerifier({ 'ghcr.io/acme/app:1.0': { keys: [KEY_A] } });
  const r = only(await run(policy(signedBy(KEY_A)), pod(['ghcr.io/acme/app:1.0']), v));
  assert.equal(r.status, 'pass');
  assert.equal(r.message, 'verified image signatures for ghcr.io/acme/app:1.0');
  assert.equal(r.failureAction, 'Enforce');
  assert.deepEqual(v.calls, [
    { image: 'ghcr.io/acme/app:1.0', options: { keys: [KEY_A], attestationTypes: [] } },
  ]);
});

test('unsigned image and a signature by another key fail with the reason', async () => {
  const v = new FakeVerifier({
    'ghcr.io/acme/app:1.0': { keys: [KEY_B] },
    'ghcr.io/acme/bare:1': { keys: [] },
  });
  const wrong = only(await run(policy(signedBy(KEY_A)), pod(['ghcr.io/acme/app:1.0']), v));
  assert.equal(wrong.status, 'fail');
  assert.equal(
    wrong.message,
    'failed to verify image ghcr.io/acme/app:1.0: .attestors[0].entries[0].keys: no signature verifies with the key'.replace(
      '.attestors',
      'verifyImages[0].attestors',
    ),
  );
  const bare = only(await run(policy(signedBy(KEY_A)), pod(['ghcr.io/acme/bare:1']), v));
  assert.equal(bare.status, 'fail');
  assert.match(bare.message, /^failed to verify image ghcr\.io\/acme\/bare:1: /);
});

test('images outside imageReferences (or in skipImageReferences) are not verified', async () => {
  const v = new FakeVerifier({});
  assert.deepEqual(await run(policy(signedBy(KEY_A)), pod(['docker.io/library/nginx:1.27']), v), []);
  const skipping = policy(`${signedBy(KEY_A).trimEnd()}\n  skipImageReferences: ['ghcr.io/acme/tools-*']`);
  assert.deepEqual(await run(skipping, pod(['ghcr.io/acme/tools-x:1']), v), []);
  assert.equal(v.calls.length, 0);
  // Kyverno's image string: default registry added, tag kept.
  const hub = new FakeVerifier({ 'docker.io/nginx:1.27': { keys: [KEY_A] } });
  const r = only(await run(policy(signedBy(KEY_A, "['docker.io/*']")), pod(['nginx:1.27']), hub));
  assert.equal(r.status, 'pass');
});

test('several images: one failing image fails the rule, naming it', async () => {
  const v = new FakeVerifier({ 'ghcr.io/acme/a:1': { keys: [KEY_A] }, 'ghcr.io/acme/b:1': { keys: [] } });
  const r = only(await run(policy(signedBy(KEY_A)), pod(['ghcr.io/acme/a:1', 'ghcr.io/acme/b:1']), v));
  assert.equal(r.status, 'fail');
  assert.match(r.message, /ghcr\.io\/acme\/b:1/);
  assert.doesNotMatch(r.message, /acme\/a:1/);
});

test('attestor count: any one of two keys with count 1; both keys without count', async () => {
  const v = new FakeVerifier({ 'ghcr.io/acme/app:1': { keys: [KEY_B] } });
  const two = (count: string) => `
- imageReferences: ['ghcr.io/acme/*']
  attestors:
    - ${count}entries:
${indent(keysEntry(KEY_A), 8)}
${indent(keysEntry(KEY_B), 8)}
`;
  assert.equal(
    only(await run(policy(two('count: 1\n      ')), pod(['ghcr.io/acme/app:1']), v)).status,
    'pass',
  );
  const all = only(await run(policy(two('')), pod(['ghcr.io/acme/app:1']), v));
  assert.equal(all.status, 'fail');
  assert.match(all.message, /entries\[0\]\.keys: no signature verifies/);
  assert.match(all.message, /\(1 of 2 required\)$/);
});

test('several PEMs in one publicKeys are several entries (Kyverno ExpandStaticKeys)', async () => {
  assert.deepEqual(
    splitPublicKeys(`${KEY_A}\n${KEY_B}`).map((k) => k.trim()),
    [KEY_A.trim(), KEY_B.trim()],
  );
  const both = `
- imageReferences: ['ghcr.io/acme/*']
  attestors:
    - count: 1
      entries:
        - keys:
            publicKeys: |-
${indent(`${KEY_A}\n${KEY_B}`, 14)}
`;
  const v = new FakeVerifier({ 'ghcr.io/acme/app:1': { keys: [KEY_B] } });
  assert.equal(only(await run(policy(both), pod(['ghcr.io/acme/app:1']), v)).status, 'pass');
  assert.equal(v.calls.length, 2);
});

const scanPolicy = (conditions: string) => `
- imageReferences: ['ghcr.io/acme/*']
  attestors:
    - entries:
${indent(keysEntry(KEY_A), 8)}
  attestations:
    - type: ${SCAN}
      conditions:
${indent(conditions, 8)}
`;

const NO_CRITICAL = `
- all:
    - key: '{{ summary.critical }}'
      operator: Equals
      value: 0
      message: 'the image has {{ summary.critical }} critical vulnerabilities'
`;

const scanned = (critical: number, scannedAt: string, key = KEY_A): Signed => ({
  keys: [KEY_A],
  attestations: {
    [SCAN]: [{ key, predicate: { scannedAt, summary: { critical, high: 0, total: critical } } }],
  },
});

test('attestation conditions over the predicate: pass, fail with the condition message', async () => {
  const now = new Date().toISOString();
  const clean = new FakeVerifier({ 'ghcr.io/acme/app:1': scanned(0, now) });
  const ok = only(await run(policy(scanPolicy(NO_CRITICAL)), pod(['ghcr.io/acme/app:1']), clean));
  assert.equal(ok.status, 'pass');
  assert.equal(ok.message, 'verified image attestations for ghcr.io/acme/app:1');
  assert.deepEqual(
    clean.calls.map((c) => c.options.attestationTypes),
    [[], [SCAN]],
  );

  const dirty = new FakeVerifier({ 'ghcr.io/acme/app:1': scanned(2, now) });
  const bad = only(await run(policy(scanPolicy(NO_CRITICAL)), pod(['ghcr.io/acme/app:1']), dirty));
  assert.equal(bad.status, 'fail');
  assert.match(
    bad.message,
    /attestation checks failed for ghcr\.io\/acme\/app:1 and predicate https:\/\/rampart\.dev\/attestations\/scan\/v1: the image has 2 critical vulnerabilities/,
  );
  assert.match(bad.message, /verifiedCount: 0, requiredCount: 1/);
});

test('attestation conditions: scan age with time_since, missing attestation, attestation by another key', async () => {
  const RECENT = `
- all:
    - key: "{{ time_since('', scannedAt, '') }}"
      operator: DurationLessThanOrEquals
      value: 168h
`;
  const fresh = new Date(Date.now() - 3_600_000).toISOString();
  const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const image = ['ghcr.io/acme/app:1'];
  const p = policy(scanPolicy(RECENT));
  assert.equal(
    only(await run(p, pod(image), new FakeVerifier({ [image[0]!]: scanned(0, fresh) }))).status,
    'pass',
  );
  const stale = only(await run(p, pod(image), new FakeVerifier({ [image[0]!]: scanned(0, old) })));
  assert.equal(stale.status, 'fail');
  assert.match(stale.message, /attestation checks failed/);

  const none = only(await run(p, pod(image), new FakeVerifier({ [image[0]!]: { keys: [KEY_A] } })));
  assert.equal(none.status, 'fail');
  assert.match(
    none.message,
    /no verified attestation of predicate type https:\/\/rampart\.dev\/attestations\/scan\/v1/,
  );

  const otherKey = only(
    await run(p, pod(image), new FakeVerifier({ [image[0]!]: scanned(0, fresh, KEY_B) })),
  );
  assert.equal(otherKey.status, 'fail');
});

test('attestations with their own attestors and no signature attestors (CycloneDX SBOM)', async () => {
  const sbomOnly = `
- imageReferences: ['ghcr.io/acme/*']
  attestations:
    - predicateType: ${SBOM}
      attestors:
        - entries:
${indent(keysEntry(KEY_B), 12)}
      conditions:
        - any:
            - key: "{{ components[].name }}"
              operator: AnyIn
              value: [openssl]
`;
  const v = new FakeVerifier({
    'ghcr.io/acme/app:1': {
      keys: [],
      attestations: { [SBOM]: [{ key: KEY_B, predicate: { components: [{ name: 'openssl' }] } }] },
    },
  });
  const r = only(await run(policy(sbomOnly), pod(['ghcr.io/acme/app:1']), v));
  assert.equal(r.status, 'pass', r.message);
  assert.deepEqual(v.calls, [
    { image: 'ghcr.io/acme/app:1', options: { keys: [KEY_B], attestationTypes: [SBOM] } },
  ]);
});

test('unsupported attestors are errors naming them, without asking the verifier', async () => {
  const cases: [string, RegExp][] = [
    [
      `- imageReferences: ['ghcr.io/acme/*']\n  attestors:\n    - entries:\n        - keyless:\n            subject: 'x@example.com'\n            issuer: https://accounts.example.com`,
      /attestors\[0\]\.entries\[0\]\.keyless: keyless \(Fulcio\/Rekor\) attestors are not supported/,
    ],
    [
      `- imageReferences: ['ghcr.io/acme/*']\n  attestors:\n    - entries:\n        - certificates:\n            cert: x`,
      /certificates: certificate attestors are not supported/,
    ],
    [
      `- imageReferences: ['ghcr.io/acme/*']\n  type: Notary\n  attestors:\n${indent(`- entries:\n${indent(keysEntry(KEY_A), 4)}`, 4)}`,
      /type: Notary signatures are not supported/,
    ],
    [
      `- imageReferences: ['ghcr.io/acme/*']\n  attestors:\n    - entries:\n        - keys:\n            kms: awskms:///arn`,
      /keys\.kms: KMS keys are not supported/,
    ],
  ];
  for (const [body, message] of cases) {
    const v = new FakeVerifier({});
    const r = only(await run(policy(body), pod(['ghcr.io/acme/app:1']), v));
    assert.equal(r.status, 'error', body);
    assert.match(r.message, message);
    assert.equal(v.calls.length, 0);
  }
});

test('a verifier that hangs or throws gives an error result', async () => {
  const hanging: ImageVerifier = { verify: () => new Promise(() => undefined) };
  const r = only(await run(policy(signedBy(KEY_A)), pod(['ghcr.io/acme/app:1']), hanging, 50));
  assert.equal(r.status, 'error');
  assert.equal(
    r.message,
    'failed to verify image ghcr.io/acme/app:1: verifyImages[0].attestors[0].entries[0].keys: image verification did not finish within 50 ms',
  );
  assert.equal(r.failureAction, 'Enforce');
  const throwing: ImageVerifier = { verify: () => Promise.reject(new Error('registry unreachable')) };
  const t = only(await run(policy(signedBy(KEY_A), 'Audit'), pod(['ghcr.io/acme/app:1']), throwing));
  assert.equal(t.status, 'error');
  assert.match(t.message, /image verification failed: registry unreachable$/);
  assert.equal(t.failureAction, 'Audit');
  const lookupError: ImageVerifier = {
    verify: () =>
      Promise.resolve({
        digest: '',
        verified: false,
        error: true,
        reason: 'registry timeout',
        attestations: [],
      }),
  };
  assert.equal(
    only(await run(policy(signedBy(KEY_A)), pod(['ghcr.io/acme/app:1']), lookupError)).status,
    'error',
  );
});

test('verifyDigest with mutateDigest: false requires a digest in the image reference', async () => {
  const body = `${signedBy(KEY_A).trimEnd()}\n  mutateDigest: false\n  verifyDigest: true`;
  const digest = `sha256:${'b'.repeat(64)}`;
  const v = new FakeVerifier({ [`ghcr.io/acme/app@${digest}`]: { keys: [KEY_A] } });
  const tag = only(await run(policy(body), pod(['ghcr.io/acme/app:1']), v));
  assert.deepEqual([tag.status, tag.message], ['fail', 'missing digest for ghcr.io/acme/app:1']);
  assert.equal(only(await run(policy(body), pod([`ghcr.io/acme/app:1@${digest}`]), v)).status, 'pass');
  // Default (mutateDigest true): a tag is verified at the digest it points to now.
  assert.equal(
    only(
      await run(
        policy(signedBy(KEY_A)),
        pod(['ghcr.io/acme/x:1']),
        new FakeVerifier({ 'ghcr.io/acme/x:1': { keys: [KEY_A] } }),
      ),
    ).status,
    'pass',
  );
});

test('autogen: a Deployment is checked by autogen-verify; UPDATE re-verifies changed images only', async () => {
  const v = new FakeVerifier({ 'ghcr.io/acme/app:2': { keys: [] } });
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'default' },
    spec: { template: { spec: { containers: [{ name: 'c0', image: 'ghcr.io/acme/app:2' }] } } },
  };
  const r = only(await run(policy(signedBy(KEY_A)), deployment, v));
  assert.deepEqual([r.rule, r.status], ['autogen-verify', 'fail']);

  const set = loadPolicies(policy(signedBy(KEY_A)));
  const calls = new FakeVerifier({ 'ghcr.io/acme/app:2': { keys: [] } });
  const old = pod(['ghcr.io/acme/app:2', 'docker.io/library/nginx:1']);
  const unchanged = await evaluateWithImageVerifier(
    set,
    pod(['ghcr.io/acme/app:2']),
    { operation: 'UPDATE', oldObject: old },
    calls,
  );
  assert.deepEqual(unchanged, []);
  assert.equal(calls.calls.length, 0);
  const changed = await evaluateWithImageVerifier(
    set,
    pod(['ghcr.io/acme/app:3']),
    { operation: 'UPDATE', oldObject: old },
    calls,
  );
  assert.equal(only(changed).status, 'fail');
});

test('without a verifier verifyImages rules are skip, saying why; other policies never ask', async () => {
  const set = loadPolicies(policy(signedBy(KEY_A)));
  assert.equal(needsImageVerifier(set), true);
  const r = only(evaluate(set, pod(['ghcr.io/acme/app:1'])));
  assert.equal(r.status, 'skip');
  assert.match(r.message, /needs registry access.*ghcr\.io\/acme\/app:1 not verified/);

  const plain = loadPolicies(
    parseAllDocuments(`
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: no-latest }
spec:
  rules:
    - name: tag
      match: { any: [{ resources: { kinds: [Pod] } }] }
      validate:
        message: no latest
        pattern: { spec: { containers: [{ image: '!*:latest' }] } }
`).map((d) => d.toJS() as unknown),
  );
  assert.equal(needsImageVerifier(plain), false);
  const never: ImageVerifier = { verify: () => assert.fail('the verifier must not be asked') };
  const out = await evaluateWithImageVerifier(plain, pod(['ghcr.io/acme/app:latest']), {}, never);
  assert.deepEqual(out, evaluate(plain, pod(['ghcr.io/acme/app:latest'])));
  assert.equal(only(out).status, 'fail');
});

test('load errors for malformed verifyImages rules', () => {
  const bad = loadPolicies(policy(`- attestors: []`));
  assert.match(bad.errors[0]?.message ?? '', /imageReferences must be a non-empty list/);
  const op = loadPolicies(
    policy(`
- imageReferences: ['*']
  attestations:
    - type: x
      conditions:
        - all:
            - key: a
              operator: Bogus
              value: b
`),
  );
  assert.match(op.errors[0]?.message ?? '', /unknown condition operator "Bogus"/);
});
