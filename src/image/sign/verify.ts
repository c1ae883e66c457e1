/**
 * Image verification: signature by a given key plus optional attestation policy. Works on artifacts
 * already fetched from the registry (the `.sig` and `.att` manifests and their layer blobs), so the CLI
 * (`rampart verify`) and the admission webhook's verifyImages-style rule share it. Never throws: every
 * problem becomes a reason.
 */
import { SCAN_PREDICATE, verifyAttestations, type AttestationCheck, type ScanPredicate } from './attest.js';
import { parsePublicKey } from './keys.js';
import { isSha256Digest, type FetchedArtifact } from './oci.js';
import { verifySignatureManifest, type SignatureVerification } from './simple-signing.js';

export interface VerifyPolicy {
  /** Require a valid signature (default true). */
  requireSignature?: boolean;
  /** The signed `docker-reference` must equal this repository. */
  expectedReference?: string;
  /** Predicate types that must each have a valid attestation, e.g. `https://cyclonedx.org/bom`. */
  requiredPredicateTypes?: string[];
  /** The newest valid scan attestation must be at most this many days old. */
  maxScanAgeDays?: number;
  /** The newest valid scan attestation must report no critical finding. */
  noCritical?: boolean;
  /** Clock for age checks (default now). */
  now?: Date;
}

export interface VerifyInput {
  imageDigest: string;
  publicKeyPem: string;
  /** The `sha256-<hex>.sig` artifact; absent when the tag does not exist. */
  signatures?: FetchedArtifact;
  /** The `sha256-<hex>.att` artifact; absent when the tag does not exist. */
  attestations?: FetchedArtifact;
  policy?: VerifyPolicy;
}

export type ReasonCode =
  | 'bad-input'
  | 'bad-public-key'
  | 'signature-missing'
  | 'signature-invalid'
  | 'attestation-invalid'
  | 'attestation-missing'
  | 'scan-malformed'
  | 'scan-too-old'
  | 'critical-findings';

export interface Reason {
  code: ReasonCode;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  imageDigest: string;
  /** Why verification failed; empty when ok. */
  reasons: Reason[];
  /** Notes that did not fail the policy (e.g. an attestation layer that does not verify but is not required). */
  notes: string[];
  signature?: SignatureVerification;
  attestations: AttestationCheck[];
  /** The newest verified scan predicate, when any. */
  scan?: ScanPredicate;
}

const DAY_MS = 86_400_000;

export function verifyImage(input: VerifyInput): VerifyResult {
  const imageDigest = typeof input?.imageDigest === 'string' ? input.imageDigest : '';
  const result: VerifyResult = { ok: false, imageDigest, reasons: [], notes: [], attestations: [] };
  const reason = (code: ReasonCode, message: string): void => void result.reasons.push({ code, message });
  if (!isSha256Digest(imageDigest)) {
    reason('bad-input', 'the image digest is not sha256:<64 hex>');
    return result;
  }
  const key = typeof input.publicKeyPem === 'string' ? parsePublicKey(input.publicKeyPem) : undefined;
  if (!key) {
    reason('bad-public-key', 'the public key is not a readable PEM public key');
    return result;
  }
  const policy = input.policy ?? {};
  checkSignature(input, policy, result, reason);
  if (input.attestations) result.attestations = verifyAttestations(imageDigest, input.attestations, key);
  for (const a of result.attestations) if (!a.ok) result.notes.push(a.message);
  checkAttestations(policy, result, reason);
  result.ok = result.reasons.length === 0;
  return result;
}

function checkSignature(
  input: VerifyInput,
  policy: VerifyPolicy,
  result: VerifyResult,
  reason: (code: ReasonCode, message: string) => void,
): void {
  const required = policy.requireSignature ?? true;
  if (!input.signatures) {
    if (required) reason('signature-missing', `no signature artifact for ${input.imageDigest}`);
    return;
  }
  const options =
    policy.expectedReference !== undefined ? { expectedReference: policy.expectedReference } : {};
  const sig = verifySignatureManifest(input.imageDigest, input.signatures, input.publicKeyPem, options);
  result.signature = sig;
  if (sig.ok) return;
  if (!required) return void result.notes.push(`signature: ${sig.message}`);
  if (sig.failure === 'no-signature') reason('signature-missing', sig.message);
  else reason('signature-invalid', `${sig.failure}: ${sig.message}`);
}

function checkAttestations(
  policy: VerifyPolicy,
  result: VerifyResult,
  reason: (code: ReasonCode, message: string) => void,
): void {
  const valid = result.attestations.filter((a) => a.ok);
  for (const type of policy.requiredPredicateTypes ?? []) {
    if (valid.some((a) => a.predicateType === type)) continue;
    const invalid = result.attestations.find((a) => !a.ok && a.predicateType === type);
    if (invalid) reason('attestation-invalid', `${type}: ${invalid.message}`);
    else reason('attestation-missing', `no valid attestation of type ${type}`);
  }
  if (policy.maxScanAgeDays === undefined && !policy.noCritical) return;
  const scans: ScanPredicate[] = [];
  for (const a of valid) {
    if (a.predicateType !== SCAN_PREDICATE) continue;
    const scan = readScan(a.statement?.predicate);
    if (scan) scans.push(scan);
    else result.notes.push(`${a.message}: the scan predicate is malformed`);
  }
  scans.sort((a, b) => Date.parse(b.scannedAt) - Date.parse(a.scannedAt));
  const latest = scans[0];
  if (!latest) {
    const anyScan = valid.some((a) => a.predicateType === SCAN_PREDICATE);
    if (anyScan) reason('scan-malformed', 'the scan attestation has no readable scannedAt/summary');
    else reason('attestation-missing', `no valid attestation of type ${SCAN_PREDICATE}`);
    return;
  }
  result.scan = latest;
  if (policy.maxScanAgeDays !== undefined) {
    const now = (policy.now ?? new Date()).getTime();
    const ageDays = (now - Date.parse(latest.scannedAt)) / DAY_MS;
    if (!(ageDays <= policy.maxScanAgeDays)) {
      reason(
        'scan-too-old',
        `the newest scan (${latest.scannedAt}) is ${ageDays.toFixed(1)} days old; the policy allows ${policy.maxScanAgeDays}`,
      );
    }
  }
  if (policy.noCritical && latest.summary.critical > 0) {
    reason(
      'critical-findings',
      `the newest scan (${latest.scannedAt}) reports ${latest.summary.critical} critical finding(s)`,
    );
  }
}

/** A scan predicate with a parseable `scannedAt` and numeric `summary.critical`; otherwise undefined. */
function readScan(p: unknown): ScanPredicate | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const s = p as Partial<ScanPredicate>;
  if (typeof s.scannedAt !== 'string' || Number.isNaN(Date.parse(s.scannedAt))) return undefined;
  if (typeof s.summary !== 'object' || s.summary === null) return undefined;
  const critical = (s.summary as Record<string, unknown>).critical;
  if (typeof critical !== 'number' || !Number.isFinite(critical) || critical < 0) return undefined;
  return s as ScanPredicate;
}
