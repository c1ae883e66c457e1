/**
 * Kyverno `verifyImages` rules (pkg/engine/internal/imageverifier.go, validate_image.go), the subset
 * Rampart can verify: Cosign signatures and in-toto attestations checked with public keys.
 *
 * Pure: the registry work happens elsewhere. The caller hands in `ImageAnswers` — what an
 * `ImageVerifier` said about each (image, key, attestation types) the rule asks about. The facade runs
 * the rules twice: a collection pass (`answers.get` records the question and returns undefined) and,
 * once the verifier has answered, the real pass. Without answers at all (offline `policy apply`) a rule
 * that matches images is `skip` with a message saying why.
 *
 * Supported: `imageReferences` / `skipImageReferences` (wildcards), the legacy `image` / `key` fields,
 * `attestors[].count` and `entries[].keys.publicKeys` (one or several PEMs), `verifyDigest` with
 * `mutateDigest: false`, `attestations[]` with `type` / `predicateType`, their own `attestors` (else
 * the rule's) and `conditions` over the predicate. Everything else that changes what is verified
 * (keyless, certificates, nested attestors, Secret/KMS keys, Rekor checks, Notary, a different
 * signature repository or algorithm, required annotations) gives an `error` naming it — never a pass.
 */
import type { ImageVerificationResult, KubeObject } from '../engine/types.js';
import { ConditionError, evaluateConditions } from './conditions.js';
import { imagesVariable, type ImageInfo } from './images.js';
import { loadContextEntries, type Outcome, type RuleEnv } from './rule.js';
import { EvalContext, SubstitutionError, substituteAll, substituteString } from './variables.js';
import { wildcardMatch } from './wildcard.js';

/** What the verifier said; undefined when it was not asked (collection pass) or has no answer. */
export interface ImageAnswers {
  get(image: string, key: string, attestationTypes: readonly string[]): ImageVerificationResult | undefined;
}

type ImageOutcome = Outcome | { status: 'pending' };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

/** Kyverno's splitPEM: one entry per `-----END PUBLIC KEY-----`. */
export function splitPublicKeys(pem: string): string[] {
  const parts = pem.split('-----END PUBLIC KEY-----');
  if (parts.length < 2) return pem.trim() ? [pem] : [];
  return parts
    .slice(0, -1)
    .map((p) => `${p.trim()}\n-----END PUBLIC KEY-----\n`)
    .filter((p) => p.includes('-----BEGIN PUBLIC KEY-----'));
}

// ---------------------------------------------------------------- rule shape

interface KeyEntry {
  path: string;
  key: string;
}

interface AttestorSet {
  path: string;
  required: number;
  entries: KeyEntry[];
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const unsupported = (message: string): Parsed<never> => ({ ok: false, message });

/** The public keys of one attestor entry, or why Rampart cannot verify that entry. */
function entryKeys(entry: unknown, path: string): Parsed<KeyEntry[]> {
  if (!isRecord(entry)) return unsupported(`${path}: an attestor entry must be an object`);
  if (entry.keyless !== undefined && entry.keyless !== null)
    return unsupported(`${path}.keyless: keyless (Fulcio/Rekor) attestors are not supported`);
  if (entry.certificates !== undefined && entry.certificates !== null)
    return unsupported(`${path}.certificates: certificate attestors are not supported`);
  if (entry.attestor !== undefined && entry.attestor !== null)
    return unsupported(`${path}.attestor: nested attestor sets are not supported`);
  if (entry.repository !== undefined && entry.repository !== '')
    return unsupported(`${path}.repository: a separate signature repository is not supported`);
  if (isRecord(entry.annotations) && Object.keys(entry.annotations).length > 0)
    return unsupported(`${path}.annotations: required signature annotations are not supported`);
  const keys = entry.keys;
  if (!isRecord(keys)) return unsupported(`${path}: only keys.publicKeys attestors are supported`);
  const where = `${path}.keys`;
  if (keys.secret !== undefined && keys.secret !== null)
    return unsupported(`${where}.secret: keys from a Kubernetes Secret are not supported`);
  if (typeof keys.kms === 'string' && keys.kms !== '')
    return unsupported(`${where}.kms: KMS keys are not supported`);
  const algorithm = keys.signatureAlgorithm;
  if (algorithm !== undefined && algorithm !== null && algorithm !== '' && algorithm !== 'sha256')
    return unsupported(`${where}.signatureAlgorithm: ${String(algorithm)} is not supported (sha256 only)`);
  const rekor = keys.rekor;
  if (isRecord(rekor) && rekor.ignoreTlog !== true && typeof rekor.url === 'string' && rekor.url !== '')
    return unsupported(
      `${where}.rekor: transparency-log verification is not supported (set rekor.ignoreTlog: true)`,
    );
  if (typeof keys.publicKeys !== 'string' || keys.publicKeys.trim() === '')
    return unsupported(`${where}.publicKeys: no public key given`);
  const pems = splitPublicKeys(keys.publicKeys);
  if (pems.length === 0) return unsupported(`${where}.publicKeys: no PEM public key found`);
  // Kyverno's ExpandStaticKeys: several PEMs in one entry are several entries.
  return ok(pems.map((key, i) => ({ path: pems.length > 1 ? `${where}[${i}]` : where, key })));
}

function attestorSets(list: unknown, path: string): Parsed<AttestorSet[]> {
  if (list === undefined || list === null) return ok([]);
  if (!Array.isArray(list)) return unsupported(`${path}: must be a list`);
  const sets: AttestorSet[] = [];
  for (let i = 0; i < list.length; i++) {
    const set = list[i];
    const where = `${path}[${i}]`;
    if (!isRecord(set) || !Array.isArray(set.entries) || set.entries.length === 0)
      return unsupported(`${where}: an attestor set needs a non-empty entries list`);
    const entries: KeyEntry[] = [];
    for (let j = 0; j < set.entries.length; j++) {
      const e = entryKeys(set.entries[j], `${where}.entries[${j}]`);
      if (!e.ok) return e;
      entries.push(...e.value);
    }
    const count = typeof set.count === 'number' && Number.isInteger(set.count) ? set.count : 0;
    sets.push({
      path: where,
      required: count > 0 ? Math.min(count, entries.length) : entries.length,
      entries,
    });
  }
  return ok(sets);
}

interface AttestationSpec {
  path: string;
  type: string;
  sets: AttestorSet[];
  conditions: unknown;
}

interface ImageVerification {
  path: string;
  references: string[];
  skip: string[];
  mutateDigest: boolean;
  verifyDigest: boolean;
  attestors: AttestorSet[];
  attestations: AttestationSpec[];
}

/** One `verifyImages[i]` entry, legacy fields converted (Kyverno's ImageVerification.Convert). */
function parseImageVerification(raw: unknown, path: string): Parsed<ImageVerification> {
  if (!isRecord(raw)) return unsupported(`${path}: must be an object`);
  const type = raw.type ?? 'Cosign';
  if (type !== 'Cosign')
    return unsupported(`${path}.type: ${String(type)} signatures are not supported (Cosign only)`);
  for (const field of ['issuer', 'subject', 'roots'])
    if (typeof raw[field] === 'string' && raw[field] !== '')
      return unsupported(`${path}.${field}: keyless verification is not supported`);
  if (typeof raw.repository === 'string' && raw.repository !== '')
    return unsupported(`${path}.repository: a separate signature repository is not supported`);
  if (isRecord(raw.annotations) && Object.keys(raw.annotations).length > 0)
    return unsupported(`${path}.annotations: required signature annotations are not supported`);
  if (raw.validate !== undefined && raw.validate !== null)
    return unsupported(`${path}.validate: is not supported`);
  const references = [...strings(raw.imageReferences), ...strings(raw.image)];
  let attestorsRaw = raw.attestors;
  if (typeof raw.key === 'string' && raw.key !== '')
    attestorsRaw = [
      ...(Array.isArray(attestorsRaw) ? attestorsRaw : []),
      { entries: [{ keys: { publicKeys: raw.key } }] },
    ];
  const attestors = attestorSets(attestorsRaw, `${path}.attestors`);
  if (!attestors.ok) return attestors;
  const attestations: AttestationSpec[] = [];
  const list = raw.attestations;
  if (list !== undefined && list !== null && !Array.isArray(list))
    return unsupported(`${path}.attestations: must be a list`);
  for (let i = 0; i < (Array.isArray(list) ? list.length : 0); i++) {
    const a = (list as unknown[])[i];
    const where = `${path}.attestations[${i}]`;
    if (!isRecord(a)) return unsupported(`${where}: must be an object`);
    const own = attestorSets(a.attestors, `${where}.attestors`);
    if (!own.ok) return own;
    const t = typeof a.type === 'string' && a.type ? a.type : a.predicateType;
    attestations.push({
      path: where,
      type: typeof t === 'string' ? t : '',
      sets: own.value.length > 0 ? own.value : attestors.value,
      conditions: a.conditions,
    });
  }
  return ok({
    path,
    references,
    skip: strings(raw.skipImageReferences),
    mutateDigest: raw.mutateDigest !== false,
    verifyDigest: raw.verifyDigest !== false,
    attestors: attestors.value,
    attestations,
  });
}

/** Substitutes variables in the rule's verifyImages, leaving attestation conditions for later. */
function substituteSpecs(list: unknown[], ctx: EvalContext): unknown[] {
  return list.map((raw) => {
    if (!isRecord(raw)) return raw;
    const attestations = Array.isArray(raw.attestations) ? raw.attestations : undefined;
    const conditions = attestations?.map((a) => (isRecord(a) ? a.conditions : undefined));
    const stripped = attestations
      ? {
          ...raw,
          attestations: attestations.map((a) => (isRecord(a) ? { ...a, conditions: undefined } : a)),
        }
      : raw;
    const out = substituteAll(stripped, ctx) as Record<string, unknown>;
    if (conditions && Array.isArray(out.attestations))
      out.attestations = out.attestations.map((a: unknown, i: number) =>
        isRecord(a) ? { ...a, conditions: conditions[i] } : a,
      );
    return out;
  });
}

// ---------------------------------------------------------------- images of the resource

interface ResourceImage {
  /** `containers/<name>` — to compare with the old object on UPDATE. */
  slot: string;
  info: ImageInfo;
  reference: string;
}

function resourceImages(resource: KubeObject | null | undefined): ResourceImage[] {
  const images = imagesVariable(resource);
  if (!images) return [];
  const out: ResourceImage[] = [];
  for (const [field, byName] of Object.entries(images))
    for (const [name, info] of Object.entries(byName))
      if (info.reference) out.push({ slot: `${field}/${name}`, info, reference: info.reference });
  return out;
}

// ---------------------------------------------------------------- verification of one image

interface Check {
  answers: ImageAnswers;
  ctx: EvalContext;
}

type SetOutcome = { status: 'ok' } | { status: 'pending' } | Outcome;

function verifySignatures(check: Check, image: string, set: AttestorSet): SetOutcome {
  let verified = 0;
  let pending = false;
  const problems: string[] = [];
  for (const entry of set.entries) {
    const answer = check.answers.get(image, entry.key, []);
    if (!answer) {
      pending = true;
      continue;
    }
    if (answer.error)
      return {
        status: 'error',
        message: `failed to verify image ${image}: ${entry.path}: ${answer.reason ?? 'lookup failed'}`,
      };
    if (answer.verified) verified++;
    else problems.push(`${entry.path}: ${answer.reason ?? 'no matching signatures'}`);
  }
  if (pending) return { status: 'pending' };
  if (verified >= set.required) return { status: 'ok' };
  const counts = set.entries.length > 1 ? ` (${verified} of ${set.required} required)` : '';
  return { status: 'fail', message: `failed to verify image ${image}: ${problems.join('; ')}${counts}` };
}

/** Kyverno's conditions list is a list of any/all blocks; a legacy flat list or one block also works. */
function conditionsHold(conditions: unknown, ctx: EvalContext): { result: boolean; message: string } {
  if (conditions === undefined || conditions === null) return { result: true, message: '' };
  const blocks =
    Array.isArray(conditions) && conditions.every((c) => isRecord(c) && ('any' in c || 'all' in c))
      ? conditions
      : [conditions];
  for (const block of blocks) {
    const o = evaluateConditions(block, ctx);
    if (!o.result) return o;
  }
  return { result: true, message: '' };
}

function checkStatement(
  check: Check,
  image: string,
  spec: AttestationSpec,
  predicate: unknown,
): { status: 'ok' } | Outcome {
  if (spec.conditions === undefined || spec.conditions === null) return { status: 'ok' };
  if (!isRecord(predicate))
    return { status: 'error', message: `${spec.path}: the ${spec.type} predicate is not an object` };
  // Kyverno adds the predicate's fields to the top of the rule's JSON context.
  const ctx = new EvalContext({ ...check.ctx.data, ...predicate });
  try {
    const o = conditionsHold(spec.conditions, ctx);
    if (o.result) return { status: 'ok' };
    let detail = '';
    if (o.message) {
      try {
        const m = substituteString(o.message, ctx);
        detail = `: ${typeof m === 'string' ? m : JSON.stringify(m)}`;
      } catch {
        detail = `: ${o.message}`;
      }
    }
    return {
      status: 'fail',
      message: `attestation checks failed for ${image} and predicate ${spec.type}${detail}`,
    };
  } catch (e) {
    const msg = e instanceof ConditionError || e instanceof SubstitutionError ? e.message : errMessage(e);
    return { status: 'error', message: `${spec.path}: failed to check attestations: ${msg}` };
  }
}

function verifyAttestation(check: Check, image: string, spec: AttestationSpec): SetOutcome {
  if (!spec.type) return { status: 'fail', message: `${spec.path}: missing predicateType` };
  if (spec.sets.length === 0)
    return {
      status: 'error',
      message: `${spec.path}: no attestor with public keys to verify the attestation signature`,
    };
  let pending = false;
  for (let s = 0; s < spec.sets.length; s++) {
    const set = spec.sets[s]!;
    let verified = 0;
    const problems: string[] = [];
    for (const entry of set.entries) {
      const answer = check.answers.get(image, entry.key, [spec.type]);
      if (!answer) {
        pending = true;
        continue;
      }
      if (answer.error)
        return {
          status: 'error',
          message: `failed to verify image ${image}: ${entry.path}: ${answer.reason ?? 'lookup failed'}`,
        };
      const statements = answer.attestations.filter((a) => a.type === spec.type);
      if (statements.length === 0) {
        problems.push(`${entry.path}: no verified attestation of predicate type ${spec.type}`);
        continue;
      }
      let failed: Outcome | undefined;
      for (const st of statements) {
        const r = checkStatement(check, image, spec, st.predicate);
        if (r.status !== 'ok') {
          failed = r as Outcome;
          break;
        }
      }
      if (failed?.status === 'error') return failed;
      if (failed) problems.push(`${entry.path}: ${failed.message}`);
      else verified++;
    }
    if (pending) continue;
    if (verified < set.required)
      return {
        status: 'fail',
        message:
          `image attestations verification failed for ${image}, verifiedCount: ${verified}, ` +
          `requiredCount: ${set.required}: ${problems.join('; ')}`,
      };
  }
  return pending ? { status: 'pending' } : { status: 'ok' };
}

function verifyOne(check: Check, iv: ImageVerification, img: ResourceImage): ImageOutcome {
  const image = img.reference;
  if (iv.verifyDigest && !iv.mutateDigest && !img.info.digest)
    return { status: 'fail', message: `missing digest for ${image}` };
  if (iv.attestors.length === 0 && iv.attestations.length === 0)
    return { status: 'error', message: `${iv.path}: no attestors or attestations to verify ${image} with` };
  let pending = false;
  for (const set of iv.attestors) {
    const r = verifySignatures(check, image, set);
    if (r.status === 'pending') pending = true;
    else if (r.status !== 'ok') return r as Outcome;
  }
  for (const spec of iv.attestations) {
    const r = verifyAttestation(check, image, spec);
    if (r.status === 'pending') pending = true;
    else if (r.status !== 'ok') return r as Outcome;
  }
  if (pending) return { status: 'pending' };
  return {
    status: 'pass',
    message:
      iv.attestations.length > 0
        ? `verified image attestations for ${image}`
        : `verified image signatures for ${image}`,
  };
}

function matches(iv: ImageVerification, image: string): boolean {
  if (iv.skip.some((p) => wildcardMatch(p, image))) return false;
  return iv.references.some((p) => wildcardMatch(p, image));
}

// ---------------------------------------------------------------- entry point

/** `verifyImages[].failureAction` (Kyverno ≥ 1.13) of the rule, if any entry sets one. */
export function verifyImagesFailureAction(rule: Record<string, unknown>): unknown {
  const list = rule.verifyImages;
  if (!Array.isArray(list)) return undefined;
  for (const iv of list) if (isRecord(iv) && typeof iv.failureAction === 'string') return iv.failureAction;
  return undefined;
}

/**
 * Evaluates a matched verifyImages rule: undefined when no image of the resource is selected (or on
 * DELETE); `answers` undefined means no verifier is available (the rule is skipped, saying so).
 * During the collection pass the outcome is `{ status: 'skip', message: 'pending' }` (discarded).
 */
export function evaluateVerifyImagesRule(
  env: RuleEnv,
  answers: ImageAnswers | undefined,
): Outcome | undefined {
  const list = env.rule.verifyImages;
  if (!Array.isArray(list) || env.operation === 'DELETE') return undefined;
  const images = resourceImages(env.resource);
  if (images.length === 0) return undefined;
  let ctx: EvalContext;
  try {
    ctx = loadContextEntries(env.rule.context, env.context(false));
  } catch (e) {
    return { status: 'error', message: `failed to load context: ${errMessage(e)}` };
  }
  try {
    const pre = evaluateConditions(env.rule.preconditions, ctx);
    if (!pre.result)
      return { status: 'skip', message: ['preconditions not met', pre.message].filter(Boolean).join('; ') };
  } catch (e) {
    return { status: 'error', message: `failed to evaluate preconditions: ${errMessage(e)}` };
  }
  let specs: unknown[];
  try {
    specs = substituteSpecs(list, ctx);
  } catch (e) {
    return { status: 'error', message: `variable substitution failed: ${errMessage(e)}` };
  }
  // On UPDATE only images that changed are verified again (Kyverno's HasChanged check).
  const unchanged = new Set<string>();
  if (env.operation === 'UPDATE' && env.oldResource)
    for (const old of resourceImages(env.oldResource)) unchanged.add(`${old.slot}\n${old.reference}`);

  const outcomes: ImageOutcome[] = [];
  const unverifiable: string[] = [];
  for (let i = 0; i < specs.length; i++) {
    const parsed = parseImageVerification(specs[i], `verifyImages[${i}]`);
    const selected = images.filter(
      (img) =>
        !unchanged.has(`${img.slot}\n${img.reference}`) &&
        (parsed.ok ? matches(parsed.value, img.reference) : true),
    );
    if (selected.length === 0) continue;
    if (!parsed.ok) {
      outcomes.push({ status: 'error', message: `${parsed.message} (image verification not performed)` });
      continue;
    }
    for (const img of selected) {
      if (!answers) unverifiable.push(img.reference);
      else outcomes.push(verifyOne({ answers, ctx }, parsed.value, img));
    }
  }
  return combine(outcomes, unverifiable);
}

function combine(outcomes: ImageOutcome[], unverifiable: string[]): Outcome | undefined {
  const failing = outcomes.filter((o): o is Outcome => o.status === 'fail' || o.status === 'error');
  const unique = (list: Outcome[]) => [...new Set(list.map((o) => o.message))].join('; ');
  if (failing.some((o) => o.status === 'fail')) return { status: 'fail', message: unique(failing) };
  if (failing.length > 0) return { status: 'error', message: unique(failing) };
  if (outcomes.some((o) => o.status === 'pending')) return { status: 'skip', message: 'pending' };
  if (unverifiable.length > 0)
    return {
      status: 'skip',
      message: `image verification needs registry access, not available here: ${[...new Set(unverifiable)].join(', ')} not verified`,
    };
  const passed = outcomes.filter((o): o is Outcome => o.status === 'pass');
  return passed.length > 0 ? { status: 'pass', message: unique(passed) } : undefined;
}
