/**
 * cosign key-based image signatures (https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md):
 * the "simple signing" payload naming the image's manifest digest, signed with ECDSA P-256/SHA-256,
 * stored as the single layer (media type `application/vnd.dev.cosign.simplesigning.v1+json`) of an OCI
 * manifest tagged `sha256-<hex>.sig` in the image's repository, the base64 DER signature in the layer
 * annotation `dev.cosignproject.cosign/signature`. Several signatures = several layers.
 */
import type { KeyProvider } from './keys.js';
import { parsePublicKey, verifyWithKey } from './keys.js';
import {
  blobFor,
  buildArtifact,
  cosignTag,
  descriptorOf,
  isSha256Digest,
  parseManifest,
  type ArtifactToPush,
  type Blob,
  type FetchedArtifact,
} from './oci.js';

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

/** Largest payload parsed (cosign's are ~250 bytes plus optional annotations). */
const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * The payload bytes, with the field order of cosign's Go struct (`critical` {identity, image, type},
 * `optional`) and `optional: null` when there are no annotations, as `cosign sign` writes it.
 */
export function simpleSigningPayload(
  imageDigest: string,
  dockerReference: string,
  optional?: Record<string, unknown>,
): Uint8Array {
  if (!isSha256Digest(imageDigest)) throw new Error('imageDigest must be sha256:<64 hex>');
  const payload = {
    critical: {
      identity: { 'docker-reference': dockerReference },
      image: { 'docker-manifest-digest': imageDigest },
      type: SIMPLE_SIGNING_TYPE,
    },
    optional: optional && Object.keys(optional).length > 0 ? sortKeys(optional) : null,
  };
  return new TextEncoder().encode(JSON.stringify(payload));
}

/** Go's encoding/json writes map keys sorted. */
function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

export interface SignatureArtifact extends ArtifactToPush {
  payload: Uint8Array;
  /** base64 of the DER signature, as in the annotation. */
  signature: string;
}

/**
 * Signs `imageDigest` and builds everything to push: payload blob (the layer), config blob, the OCI
 * manifest and its tag. `ref` is the repository the image is known by (cosign records it without tag
 * or digest, e.g. `registry.example/team/app`). To add a signature to an existing `.sig` manifest,
 * append `layer` to its layers (see `appendSignatureLayer`).
 */
export async function signatureManifest(
  imageDigest: string,
  ref: string,
  key: KeyProvider,
  optional?: Record<string, unknown>,
): Promise<SignatureArtifact> {
  const payload = simpleSigningPayload(imageDigest, ref, optional);
  const signature = Buffer.from(await key.sign(payload)).toString('base64');
  const layer: Blob = {
    descriptor: descriptorOf(SIMPLE_SIGNING_MEDIA_TYPE, payload, { [SIGNATURE_ANNOTATION]: signature }),
    bytes: payload,
  };
  return { ...buildArtifact(cosignTag(imageDigest, 'sig'), [layer]), payload, signature };
}

/** Adds a signature layer to the layers of an existing `.sig` artifact (same digest → replaced). */
export function appendSignatureLayer(tag: string, existing: Blob[], layer: Blob): ArtifactToPush {
  const kept = existing.filter(
    (l) =>
      l.descriptor.digest !== layer.descriptor.digest ||
      l.descriptor.annotations?.[SIGNATURE_ANNOTATION] !==
        layer.descriptor.annotations?.[SIGNATURE_ANNOTATION],
  );
  return buildArtifact(tag, [...kept, layer]);
}

export type SignatureFailure =
  | 'malformed-manifest'
  | 'no-signature'
  | 'payload-missing'
  | 'payload-digest-mismatch'
  | 'malformed-payload'
  | 'bad-signature'
  | 'digest-mismatch'
  | 'reference-mismatch'
  | 'bad-public-key';

export interface SignatureCheck {
  /** Index of the layer in the signature manifest. */
  layer: number;
  ok: boolean;
  failure?: SignatureFailure;
  message: string;
  dockerReference?: string;
  optional?: unknown;
}

export interface SignatureVerification {
  ok: boolean;
  /** Set when no layer verified: the most telling failure. */
  failure?: SignatureFailure;
  message: string;
  checks: SignatureCheck[];
}

export interface VerifySignatureOptions {
  /** When set, the payload's `docker-reference` must equal it (cosign does not check this by default). */
  expectedReference?: string;
}

/** How telling a failure is when several layers fail: a bad signature beats a layer that is not ours. */
const FAILURE_RANK: SignatureFailure[] = [
  'bad-public-key',
  'malformed-manifest',
  'digest-mismatch',
  'reference-mismatch',
  'bad-signature',
  'payload-digest-mismatch',
  'malformed-payload',
  'payload-missing',
  'no-signature',
];

/**
 * Verifies a fetched `.sig` artifact for `imageDigest` with `publicKeyPem`: valid when at least one
 * simple-signing layer's payload hashes to its descriptor, carries a signature the key verifies, and
 * names `imageDigest`. Never throws.
 */
export function verifySignatureManifest(
  imageDigest: string,
  artifact: FetchedArtifact,
  publicKeyPem: string,
  options: VerifySignatureOptions = {},
): SignatureVerification {
  const fail = (
    failure: SignatureFailure,
    message: string,
    checks: SignatureCheck[] = [],
  ): SignatureVerification => ({
    ok: false,
    failure,
    message,
    checks,
  });
  const key = typeof publicKeyPem === 'string' ? parsePublicKey(publicKeyPem) : undefined;
  if (!key) return fail('bad-public-key', 'the public key is not a readable PEM public key');
  if (!isSha256Digest(imageDigest))
    return fail('malformed-manifest', 'the image digest is not sha256:<64 hex>');
  const parsed = parseManifest(artifact?.manifest ?? '');
  if (!parsed.ok) return fail('malformed-manifest', `signature manifest: ${parsed.error}`);
  const checks: SignatureCheck[] = [];
  parsed.manifest.layers.forEach((d, i) => {
    if (d.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) return;
    const check = (
      ok: boolean,
      message: string,
      failure?: SignatureFailure,
      extra: Partial<SignatureCheck> = {},
    ) => checks.push({ layer: i, ok, message, ...(failure ? { failure } : {}), ...extra });
    const sig = d.annotations?.[SIGNATURE_ANNOTATION];
    if (!sig) return check(false, `layer ${i} has no ${SIGNATURE_ANNOTATION} annotation`, 'no-signature');
    const blob = blobFor(d, artifact.blobs ?? new Map());
    if (!blob.ok) {
      const missing = blob.error.includes('not supplied');
      return check(
        false,
        `layer ${i}: ${blob.error}`,
        missing ? 'payload-missing' : 'payload-digest-mismatch',
      );
    }
    if (blob.bytes.byteLength > MAX_PAYLOAD_BYTES)
      return check(false, `layer ${i}: payload too large`, 'malformed-payload');
    const signature = decodeBase64(sig);
    if (!signature || !verifyWithKey(key, blob.bytes, signature)) {
      return check(false, `layer ${i}: the signature does not verify with the given key`, 'bad-signature');
    }
    const claims = readClaims(blob.bytes);
    if (!claims)
      return check(
        false,
        `layer ${i}: the signed payload is not a simple-signing document`,
        'malformed-payload',
      );
    const extra = { dockerReference: claims.reference, optional: claims.optional };
    if (claims.digest !== imageDigest) {
      return check(
        false,
        `layer ${i}: signed for ${claims.digest}, not ${imageDigest} (re-tagged or altered image)`,
        'digest-mismatch',
        extra,
      );
    }
    if (options.expectedReference !== undefined && claims.reference !== options.expectedReference) {
      return check(
        false,
        `layer ${i}: signed for repository ${claims.reference}, not ${options.expectedReference}`,
        'reference-mismatch',
        extra,
      );
    }
    return check(true, `layer ${i}: valid signature for ${imageDigest}`, undefined, extra);
  });
  const good = checks.find((c) => c.ok);
  if (good) return { ok: true, message: good.message, checks };
  if (checks.length === 0)
    return fail('no-signature', 'the signature manifest has no simple-signing layer', checks);
  const worst = [...checks].sort(
    (a, b) =>
      FAILURE_RANK.indexOf(a.failure ?? 'no-signature') - FAILURE_RANK.indexOf(b.failure ?? 'no-signature'),
  )[0]!;
  return fail(worst.failure ?? 'no-signature', worst.message, checks);
}

/** Strict standard base64 (cosign writes StdEncoding); undefined when not base64. */
export function decodeBase64(s: string): Uint8Array | undefined {
  const t = s.trim();
  if (t.length === 0 || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return undefined;
  return new Uint8Array(Buffer.from(t, 'base64'));
}

interface Claims {
  digest: string;
  reference: string;
  optional: unknown;
}

function readClaims(bytes: Uint8Array): Claims | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  const rec = (v: unknown): Record<string, unknown> | undefined =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const critical = rec(rec(doc)?.critical);
  const digest = rec(critical?.image)?.['docker-manifest-digest'];
  const reference = rec(critical?.identity)?.['docker-reference'];
  if (critical?.type !== SIMPLE_SIGNING_TYPE || typeof digest !== 'string') return undefined;
  return {
    digest,
    reference: typeof reference === 'string' ? reference : '',
    optional: rec(doc)?.optional ?? null,
  };
}
