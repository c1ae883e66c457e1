/**
 * The policy engine's `ImageVerifier` over a real registry: the registry client (src/image/registry)
 * resolves the tag and fetches the cosign `sha256-<hex>.sig` / `.att` artifacts, src/image/sign's
 * `verifyImage` checks them — the same code as `rampart verify`.
 *
 * For the webhook: every lookup has a time budget (an overrun is an `error` answer, so the rule errors
 * and the failure action decides, well before the request budget); answers are cached by
 * digest + keys + attestation types for `cacheTtlMs`, tag → digest resolutions for `tagTtlMs`;
 * "not signed" answers only for `negativeTtlMs` (a signature pushed after a denial is seen soon);
 * lookup failures are never cached. Concurrent identical lookups share one registry round trip.
 */
import {
  RegistryClient,
  fetchArtifact,
  isRegistryError,
  manifestReference,
  parseReference,
  type ImageReference,
} from '../image/registry/index.js';
import { cosignTag, verifyImage, type FetchedArtifact } from '../image/sign/index.js';
import type {
  ImageVerificationOptions,
  ImageVerificationResult,
  ImageVerifier,
} from '../policy/engine/types.js';

export interface RegistryImageVerifierOptions {
  /** Budget of one lookup (tag resolution + artifact fetches); default 1500 ms. */
  lookupTimeoutMs?: number;
  /** How long an answer for a digest is reused; default 5 min. */
  cacheTtlMs?: number;
  /** How long an "unsigned / not verified" answer is reused; default 30 s. */
  negativeTtlMs?: number;
  /** How long a tag → digest resolution is reused; default 30 s. */
  tagTtlMs?: number;
  /** Cache bound (entries per cache); default 2000. */
  maxEntries?: number;
  /** Registries reached over plain http (loopback registries always are). */
  insecureRegistries?: string[];
  /** Docker config with registry credentials (default `$DOCKER_CONFIG` or ~/.docker); false: anonymous. */
  dockerConfig?: string | false;
  /** Clock (tests). */
  now?: () => number;
}

export const DEFAULT_LOOKUP_TIMEOUT_MS = 1500;

/** A small TTL map: expired entries are dropped on read, the oldest when full. */
class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  constructor(
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expires: this.now() + ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A lookup that failed (network, time budget, credentials): the rule errors, nothing is cached. */
class LookupError extends Error {}

function failed(reason: string, digest = ''): ImageVerificationResult {
  return { digest, verified: false, error: true, reason, attestations: [] };
}

function describe(err: unknown): string {
  if (isRegistryError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export interface RegistryImageVerifier extends ImageVerifier {
  /** Registry round trips made so far (tag resolutions + artifact fetches), for tests and metrics. */
  readonly registryCalls: number;
}

export function createRegistryImageVerifier(
  options: RegistryImageVerifierOptions = {},
): RegistryImageVerifier {
  const now = options.now ?? (() => Date.now());
  const lookupTimeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  const cacheTtlMs = options.cacheTtlMs ?? 5 * 60_000;
  const negativeTtlMs = Math.min(options.negativeTtlMs ?? 30_000, cacheTtlMs);
  const tagTtlMs = options.tagTtlMs ?? 30_000;
  const max = options.maxEntries ?? 2000;
  const insecure = new Set(options.insecureRegistries ?? []);
  const answers = new TtlCache<ImageVerificationResult>(max, now);
  const digests = new TtlCache<string>(max, now);
  const artifacts = new TtlCache<FetchedArtifact | null>(max, now);
  const clients = new Map<string, Promise<RegistryClient>>();
  const inFlight = new Map<string, Promise<unknown>>();
  let registryCalls = 0;

  const clientFor = (registry: string): Promise<RegistryClient> => {
    let c = clients.get(registry);
    if (!c) {
      c = RegistryClient.create(registry, {
        timeoutMs: lookupTimeoutMs,
        ...(insecure.has(registry) ? { insecure: true } : {}),
        ...(options.dockerConfig !== undefined ? { dockerConfig: options.dockerConfig } : {}),
        userAgent: 'rampart-admission',
      });
      clients.set(registry, c);
      c.catch(() => clients.delete(registry));
    }
    return c;
  };

  /** One registry round trip per key at a time; later callers share it. */
  const shared = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const running = inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    registryCalls++;
    const p = fn().finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  };

  const repoOf = (ref: ImageReference) => `${ref.registry}/${ref.repository}`;

  async function resolveDigest(ref: ImageReference): Promise<string | undefined> {
    if (ref.digest) return ref.digest;
    const key = `${repoOf(ref)}:${manifestReference(ref)}`;
    const cached = digests.get(key);
    if (cached) return cached;
    const digest = await shared(`digest ${key}`, async () => {
      const client = await clientFor(ref.registry);
      const head = await client.headManifest(ref.repository, manifestReference(ref));
      if (!head) return undefined;
      return head.digest ?? (await client.getManifest(ref.repository, manifestReference(ref))).digest;
    });
    if (digest) digests.set(key, digest, tagTtlMs);
    return digest;
  }

  async function artifact(ref: ImageReference, digest: string, kind: 'sig' | 'att') {
    const tag = cosignTag(digest, kind);
    const key = `${repoOf(ref)}:${tag}`;
    const cached = artifacts.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const fetched = await shared(`artifact ${key}`, async () => {
      const client = await clientFor(ref.registry);
      return (await fetchArtifact(ref, tag, { client })) ?? null;
    });
    artifacts.set(key, fetched, fetched ? cacheTtlMs : negativeTtlMs);
    return fetched ?? undefined;
  }

  async function lookup(image: string, opts: ImageVerificationOptions): Promise<ImageVerificationResult> {
    let ref: ImageReference;
    try {
      ref = parseReference(image);
    } catch (err) {
      return { digest: '', verified: false, reason: describe(err), attestations: [] };
    }
    let digest: string | undefined;
    try {
      digest = await resolveDigest(ref);
    } catch (err) {
      throw new LookupError(describe(err));
    }
    if (!digest)
      return {
        digest: '',
        verified: false,
        reason: `${image}: no such image in the registry`,
        attestations: [],
      };
    const types = [...new Set(opts.attestationTypes)].sort();
    const cacheKey = JSON.stringify([repoOf(ref), digest, [...opts.keys].sort(), types]);
    const cached = answers.get(cacheKey);
    if (cached) return cached;
    let signatures: FetchedArtifact | undefined;
    let attestations: FetchedArtifact | undefined;
    try {
      [signatures, attestations] = await Promise.all([
        artifact(ref, digest, 'sig'),
        types.length > 0 ? artifact(ref, digest, 'att') : Promise.resolve(undefined),
      ]);
    } catch (err) {
      throw new LookupError(describe(err));
    }
    const answer = judge(digest, opts.keys, types, signatures, attestations);
    if (!answer.error) answers.set(cacheKey, answer, answer.verified ? cacheTtlMs : negativeTtlMs);
    return answer;
  }

  return {
    get registryCalls() {
      return registryCalls;
    },
    async verify(image, opts) {
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<ImageVerificationResult>((resolve) => {
        timer = setTimeout(
          () => resolve(failed(`registry lookup exceeded the ${lookupTimeoutMs} ms budget`)),
          lookupTimeoutMs,
        );
      });
      try {
        return await Promise.race([
          lookup(image, opts).catch((err: unknown) =>
            failed(err instanceof LookupError ? err.message : `verification failed: ${describe(err)}`),
          ),
          budget,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Signature and attestations of `digest` checked with each key (src/image/sign's verifyImage). */
function judge(
  digest: string,
  keys: readonly string[],
  types: readonly string[],
  signatures: FetchedArtifact | undefined,
  attestations: FetchedArtifact | undefined,
): ImageVerificationResult {
  let verified = false;
  let reason: string | undefined;
  const found: { type: string; predicate: unknown }[] = [];
  for (const key of keys) {
    const r = verifyImage({
      imageDigest: digest,
      publicKeyPem: key,
      ...(signatures ? { signatures } : {}),
      ...(attestations ? { attestations } : {}),
    });
    const badKey = r.reasons.find((x) => x.code === 'bad-public-key' || x.code === 'bad-input');
    if (badKey) return failed(badKey.message, digest);
    if (r.ok) verified = true;
    else reason ??= r.reasons.map((x) => x.message).join('; ');
    for (const a of r.attestations)
      if (a.ok && a.predicateType && types.includes(a.predicateType))
        found.push({ type: a.predicateType, predicate: a.statement?.predicate });
  }
  return {
    digest,
    verified,
    ...(verified ? {} : { reason: reason ?? 'no key given' }),
    attestations: found,
  };
}
