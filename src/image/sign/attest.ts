/**
 * in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md) in DSSE
 * envelopes, stored the way `cosign attest` does: layers of media type
 * `application/vnd.dsse.envelope.v1+json` annotated with `predicateType`, in an OCI manifest tagged
 * `sha256-<hex>.att`. Predicates: CycloneDX SBOM and Rampart's scan result.
 */
import type { KeyObject } from 'node:crypto';
import type { Severity } from '../../core/severity.js';
import { signEnvelope, verifyEnvelope } from './dsse.js';
import type { KeyProvider } from './keys.js';
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
import { SIGNATURE_ANNOTATION } from './simple-signing.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const DSSE_LAYER_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
export const PREDICATE_TYPE_ANNOTATION = 'predicateType';
export const CYCLONEDX_PREDICATE = 'https://cyclonedx.org/bom';
export const SCAN_PREDICATE = 'https://rampart.dev/attestations/scan/v1';

/** Largest attestation envelope parsed (an SBOM of a big image is a few MB). */
export const MAX_ENVELOPE_BYTES = 64 * 1024 * 1024;
const MAX_SUBJECTS = 1024;

export interface Subject {
  name: string;
  digest: Record<string, string>;
}

export interface Statement<P = unknown> {
  /** `https://in-toto.io/Statement/v1` when written here; v0.1 is accepted when read. */
  _type: string;
  subject: Subject[];
  predicateType: string;
  predicate: P;
}

/** Rampart's scan-result predicate (`https://rampart.dev/attestations/scan/v1`). */
export interface ScanPredicate {
  scanner: {
    name: string;
    version: string;
    /** Version of each scanner that ran, e.g. `{ deps: '0.1.0', secret: '0.1.0' }`. */
    scanners?: Record<string, string>;
  };
  database?: {
    /** When the advisory database was last updated (RFC 3339). */
    updatedAt?: string;
    source?: string;
  };
  /** When the scan ran (RFC 3339). */
  scannedAt: string;
  /** Finding counts by severity. */
  summary: Record<Severity, number> & { total: number };
}

export function statement<P>(
  imageDigest: string,
  name: string,
  predicateType: string,
  predicate: P,
): Statement<P> {
  if (!isSha256Digest(imageDigest)) throw new Error('imageDigest must be sha256:<64 hex>');
  return {
    _type: STATEMENT_V1,
    subject: [{ name, digest: { sha256: imageDigest.slice('sha256:'.length) } }],
    predicateType,
    predicate,
  };
}

/** Builds the scan predicate from counts; missing severities count 0, `total` is their sum. */
export function scanPredicate(input: {
  scannerVersion: string;
  scanners?: Record<string, string>;
  databaseUpdatedAt?: Date | string;
  databaseSource?: string;
  scannedAt?: Date;
  counts: Partial<Record<Severity, number>>;
}): ScanPredicate {
  const n = (s: Severity): number => input.counts[s] ?? 0;
  const summary = {
    critical: n('critical'),
    high: n('high'),
    medium: n('medium'),
    low: n('low'),
    info: n('info'),
  };
  const iso = (d: Date | string): string => (typeof d === 'string' ? d : d.toISOString());
  const predicate: ScanPredicate = {
    scanner: { name: 'rampart', version: input.scannerVersion },
    scannedAt: iso(input.scannedAt ?? new Date()),
    summary: { ...summary, total: Object.values(summary).reduce((a, b) => a + b, 0) },
  };
  if (input.scanners) predicate.scanner.scanners = input.scanners;
  if (input.databaseUpdatedAt !== undefined || input.databaseSource !== undefined) {
    predicate.database = {};
    if (input.databaseUpdatedAt !== undefined) predicate.database.updatedAt = iso(input.databaseUpdatedAt);
    if (input.databaseSource !== undefined) predicate.database.source = input.databaseSource;
  }
  return predicate;
}

/** Signs a statement into a DSSE envelope and wraps it as an attestation layer blob. */
export async function attestationLayer(stmt: Statement, key: KeyProvider): Promise<Blob> {
  const envelope = await signEnvelope(
    IN_TOTO_PAYLOAD_TYPE,
    new TextEncoder().encode(JSON.stringify(stmt)),
    key,
  );
  const bytes = new TextEncoder().encode(JSON.stringify(envelope));
  return {
    descriptor: descriptorOf(DSSE_LAYER_MEDIA_TYPE, bytes, {
      [SIGNATURE_ANNOTATION]: '',
      [PREDICATE_TYPE_ANNOTATION]: stmt.predicateType,
    }),
    bytes,
  };
}

/**
 * The `.att` artifact holding `layers` (one per attestation). To add an attestation to an existing
 * artifact, pass its current layers followed by the new one.
 */
export function attestationManifest(imageDigest: string, layers: Blob[]): ArtifactToPush {
  return buildArtifact(cosignTag(imageDigest, 'att'), layers);
}

/** Convenience: statement + envelope + artifact for one predicate. */
export async function attest<P>(
  imageDigest: string,
  name: string,
  predicateType: string,
  predicate: P,
  key: KeyProvider,
): Promise<{ statement: Statement<P>; layer: Blob; artifact: ArtifactToPush }> {
  const stmt = statement(imageDigest, name, predicateType, predicate);
  const layer = await attestationLayer(stmt, key);
  return { statement: stmt, layer, artifact: attestationManifest(imageDigest, [layer]) };
}

export type AttestationFailure =
  | 'malformed-manifest'
  | 'payload-missing'
  | 'payload-digest-mismatch'
  | 'malformed-envelope'
  | 'bad-signature'
  | 'wrong-payload-type'
  | 'malformed-statement'
  | 'subject-mismatch';

export interface AttestationCheck {
  layer: number;
  ok: boolean;
  failure?: AttestationFailure;
  message: string;
  /** From the verified statement (the layer annotation is only a hint). */
  predicateType?: string;
  statement?: Statement;
}

/**
 * Checks every DSSE layer of a fetched `.att` artifact: the blob matches its descriptor, a signature
 * verifies with `key`, the payload is an in-toto statement whose subject includes `imageDigest`.
 * Never throws; a malformed manifest gives one failed check with layer -1.
 */
export function verifyAttestations(
  imageDigest: string,
  artifact: FetchedArtifact,
  key: KeyObject,
): AttestationCheck[] {
  const parsed = parseManifest(artifact?.manifest ?? '');
  if (!parsed.ok) {
    return [
      {
        layer: -1,
        ok: false,
        failure: 'malformed-manifest',
        message: `attestation manifest: ${parsed.error}`,
      },
    ];
  }
  const hex = imageDigest.slice('sha256:'.length);
  const checks: AttestationCheck[] = [];
  parsed.manifest.layers.forEach((d, i) => {
    if (d.mediaType !== DSSE_LAYER_MEDIA_TYPE) return;
    const fail = (failure: AttestationFailure, message: string, extra: Partial<AttestationCheck> = {}) =>
      checks.push({ layer: i, ok: false, failure, message: `layer ${i}: ${message}`, ...extra });
    if (d.size > MAX_ENVELOPE_BYTES) return fail('malformed-envelope', 'envelope too large');
    const blob = blobFor(d, artifact.blobs ?? new Map());
    if (!blob.ok)
      return fail(
        blob.error.includes('not supplied') ? 'payload-missing' : 'payload-digest-mismatch',
        blob.error,
      );
    const env = verifyEnvelope(blob.bytes, key);
    if (!env.ok) return fail(env.reason, env.message);
    if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE)
      return fail('wrong-payload-type', `payloadType is ${env.payloadType}`);
    const stmt = parseStatement(env.payload);
    if (!stmt) return fail('malformed-statement', 'the signed payload is not an in-toto statement');
    const predicateType = stmt.predicateType;
    if (!stmt.subject.some((s) => s.digest.sha256 === hex)) {
      return fail('subject-mismatch', `attests ${subjectDigests(stmt)}, not ${imageDigest}`, {
        predicateType,
      });
    }
    checks.push({
      layer: i,
      ok: true,
      message: `layer ${i}: valid ${predicateType} attestation`,
      predicateType,
      statement: stmt,
    });
  });
  return checks;
}

function subjectDigests(stmt: Statement): string {
  return (
    stmt.subject.map((s) => (s.digest.sha256 ? `sha256:${s.digest.sha256}` : s.name)).join(', ') ||
    'no subject'
  );
}

/** Accepts Statement v1 and v0.1 (`https://in-toto.io/Statement/v0.1`, still written by cosign). */
function parseStatement(bytes: Uint8Array): Statement | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const s = doc as Record<string, unknown>;
  if (typeof s._type !== 'string' || !s._type.startsWith('https://in-toto.io/Statement/')) return undefined;
  if (typeof s.predicateType !== 'string' || !Array.isArray(s.subject) || s.subject.length > MAX_SUBJECTS)
    return undefined;
  const subject: Subject[] = [];
  for (const x of s.subject as unknown[]) {
    if (typeof x !== 'object' || x === null) continue;
    const { name, digest } = x as Record<string, unknown>;
    if (typeof digest !== 'object' || digest === null) continue;
    const d: Record<string, string> = {};
    for (const [k, v] of Object.entries(digest)) if (typeof v === 'string') d[k] = v.toLowerCase();
    subject.push({ name: typeof name === 'string' ? name : '', digest: d });
  }
  return { _type: s._type, subject, predicateType: s.predicateType, predicate: s.predicate };
}
