/**
 * The one entry point of the policy engine: load any mix of Kyverno `ClusterPolicy` / `Policy`,
 * Kyverno `ValidatingPolicy` and Kubernetes `ValidatingAdmissionPolicy` (+ bindings) documents, then
 * evaluate resources against all of them. Pure: no I/O. Used by `rampart policy apply|test`, by
 * `rampart scan` gates and by the admission webhook.
 *
 * verifyImages rules need registry answers: `evaluateWithImageVerifier` asks an injected
 * `ImageVerifier` (I/O at the edge) first, then runs the same synchronous evaluation. `evaluate`
 * alone reports those rules as `skip`; policy sets without verifyImages rules never touch the
 * verifier.
 */
import { evaluateKyverno, loadKyvernoPolicies, policyHasVerifyImages } from '../kyverno/index.js';
import type { ImageAnswers } from '../kyverno/verify-images.js';
import { evaluateValidatingPolicy, loadValidatingPolicy, type LoadedValidatingPolicy } from '../cel/index.js';
import type {
  ImageVerificationResult,
  ImageVerifier,
  KubeObject,
  LoadedPolicy,
  PolicyLoadError,
  RequestContext,
  RuleResult,
} from './types.js';

export type * from './types.js';

export interface PolicySet {
  /** Every loaded policy (Kyverno and CEL-based), for listing and counting. */
  policies: LoadedPolicy[];
  /** Problems found at load time, with policy and rule names; the other policies stay usable. */
  errors: PolicyLoadError[];
  /** @internal Kyverno ClusterPolicy / Policy documents. */
  kyverno: LoadedPolicy[];
  /** @internal ValidatingPolicy / ValidatingAdmissionPolicy. */
  validating: LoadedValidatingPolicy[];
  /** @internal The Kyverno policies with verifyImages rules. */
  imagePolicies?: LoadedPolicy[];
}

export interface EvaluateOptions {
  /** The image verifier's answers for verifyImages rules (see evaluateWithImageVerifier). */
  images?: ImageAnswers;
}

const VALIDATING_KINDS = new Set([
  'ValidatingPolicy',
  'NamespacedValidatingPolicy',
  'ValidatingAdmissionPolicy',
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const nameOf = (doc: Record<string, unknown>) =>
  isRecord(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : '<unnamed>';

/** Loads policy documents of every supported kind; other documents are ignored. Never throws. */
export function loadPolicies(docs: readonly unknown[]): PolicySet {
  const kyvernoDocs: unknown[] = [];
  const validatingDocs: Record<string, unknown>[] = [];
  const bindings: KubeObject[] = [];
  for (const doc of docs) {
    if (!isRecord(doc) || typeof doc.kind !== 'string') continue;
    if (doc.kind === 'ClusterPolicy' || doc.kind === 'Policy') kyvernoDocs.push(doc);
    else if (VALIDATING_KINDS.has(doc.kind)) validatingDocs.push(doc);
    else if (doc.kind === 'ValidatingAdmissionPolicyBinding') bindings.push(doc);
  }
  const k = loadKyvernoPolicies(kyvernoDocs);
  const errors: PolicyLoadError[] = [...k.errors];
  const validating: LoadedValidatingPolicy[] = [];
  for (const doc of validatingDocs) {
    const name = nameOf(doc);
    const own = bindings.filter((b) => isRecord(b.spec) && b.spec.policyName === name);
    try {
      const r = loadValidatingPolicy(doc, { bindings: own });
      errors.push(...r.errors);
      if (r.policy) validating.push(r.policy);
    } catch (err) {
      errors.push({ policy: name, message: `cannot load: ${(err as Error).message}` });
    }
  }
  return {
    policies: [...k.policies, ...validating],
    errors,
    kyverno: k.policies,
    validating,
    imagePolicies: k.policies.filter(policyHasVerifyImages),
  };
}

/** True when the set has verifyImages rules (evaluation then needs an ImageVerifier). */
export function needsImageVerifier(set: PolicySet): boolean {
  return (set.imagePolicies?.length ?? 0) > 0;
}

/** Every rule result of every policy that selects `resource`. Never throws. */
export function evaluate(
  set: PolicySet,
  resource: KubeObject,
  ctx: RequestContext = {},
  options: EvaluateOptions = {},
): RuleResult[] {
  const results = evaluateKyverno(
    set.kyverno,
    resource,
    ctx,
    options.images ? { images: options.images } : {},
  );
  for (const policy of set.validating) {
    try {
      results.push(...evaluateValidatingPolicy(policy, resource, ctx));
    } catch (err) {
      results.push({
        policy: policy.name,
        rule: '',
        resource: {
          apiVersion: String(resource.apiVersion ?? ''),
          kind: String(resource.kind ?? ''),
          name: String(isRecord(resource.metadata) ? (resource.metadata.name ?? '') : ''),
        },
        status: 'error',
        message: (err as Error).message,
        failureAction: policy.failureAction,
      });
    }
  }
  return results;
}

export interface ImageVerifierOptions {
  /** Budget of one verifier lookup; a lookup that overruns it is an `error` result (default 10 s). */
  lookupTimeoutMs?: number;
}

const DEFAULT_LOOKUP_TIMEOUT_MS = 10_000;
/** Bound on verifier questions for one resource (images × keys × attestation types). */
const MAX_LOOKUPS = 256;

function lookupKey(image: string, key: string, types: readonly string[]): string {
  return JSON.stringify([image, key, [...types].sort()]);
}

function lookupError(reason: string): ImageVerificationResult {
  return { digest: '', verified: false, error: true, reason, attestations: [] };
}

/** A verifier answer checked for shape (a verifier is outside code); anything else is an error. */
function wellFormed(r: unknown): ImageVerificationResult {
  if (!isRecord(r) || typeof r.verified !== 'boolean' || !Array.isArray(r.attestations))
    return lookupError('the image verifier returned an invalid answer');
  return r as unknown as ImageVerificationResult;
}

async function ask(
  verifier: ImageVerifier,
  image: string,
  key: string,
  types: string[],
  timeoutMs: number,
): Promise<ImageVerificationResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ImageVerificationResult>((resolve) => {
    timer = setTimeout(
      () => resolve(lookupError(`image verification did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const work = (async () => verifier.verify(image, { keys: [key], attestationTypes: types }))().then(
      wellFormed,
      (err: unknown) =>
        lookupError(`image verification failed: ${err instanceof Error ? err.message : String(err)}`),
    );
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `evaluate` with verifyImages rules answered by `verifier`: a first pass over the policies with
 * verifyImages rules collects what they ask (image, key, attestation types), the verifier answers in
 * parallel (each lookup within `lookupTimeoutMs`; failures and overruns become `error` results), then
 * the normal synchronous evaluation runs with the answers. Never rejects.
 */
export async function evaluateWithImageVerifier(
  set: PolicySet,
  resource: KubeObject,
  ctx: RequestContext,
  verifier: ImageVerifier,
  options: ImageVerifierOptions = {},
): Promise<RuleResult[]> {
  const imagePolicies = set.imagePolicies ?? [];
  if (imagePolicies.length === 0) return evaluate(set, resource, ctx);
  const questions = new Map<string, { image: string; key: string; types: string[] }>();
  evaluateKyverno(imagePolicies, resource, ctx, {
    images: {
      get(image, key, types) {
        questions.set(lookupKey(image, key, types), { image, key, types: [...types] });
        return undefined;
      },
    },
  });
  const timeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  const answers = new Map<string, ImageVerificationResult>();
  let n = 0;
  await Promise.all(
    [...questions].map(async ([k, q]) => {
      const result =
        n++ < MAX_LOOKUPS
          ? await ask(verifier, q.image, q.key, q.types, timeoutMs)
          : lookupError(`more than ${MAX_LOOKUPS} image verifications for one resource`);
      answers.set(k, result);
    }),
  );
  return evaluate(set, resource, ctx, {
    images: {
      get: (image, key, types) =>
        answers.get(lookupKey(image, key, types)) ?? lookupError('the image verifier was not asked'),
    },
  });
}
