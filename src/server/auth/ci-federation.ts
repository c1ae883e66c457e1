/**
 * Workload identity federation for CI: a job presents the OIDC token its platform issued (GitHub
 * Actions, Azure Pipelines, or any OIDC issuer) instead of a stored secret. The token is verified
 * against the issuer's published keys and mapped onto Rampart projects by federation rules.
 */
import * as jose from 'jose';
import picomatch from 'picomatch';
import { RampartError, errorMessage } from '../../core/errors.js';

export type CiPlatform = 'github-actions' | 'azure-pipelines' | 'generic';

export interface TrustedIssuer {
  /** Exact `iss` value, e.g. https://token.actions.githubusercontent.com */
  issuer: string;
  /** The `aud` the job must request, e.g. the Rampart server URL. */
  audience: string;
  platform: CiPlatform;
  /** Keys URL; default: `jwks_uri` from `<issuer>/.well-known/openid-configuration`. */
  jwksUri?: string;
}

export interface CiClaims {
  platform: CiPlatform;
  issuer: string;
  subject: string;
  /** GitHub `owner/repo`; Azure `<org>/<project>`. */
  repository?: string;
  /** Git ref, e.g. refs/heads/main. */
  ref?: string;
  environment?: string;
  /** GitHub `job_workflow_ref`; Azure pipeline name (`p://` subjects). */
  workflow?: string;
  runId?: string;
  /** Azure service connection name (`sc://` subjects). */
  serviceConnection?: string;
  /** The verified claims as issued. */
  raw: jose.JWTPayload;
}

export interface VerifyCiTokenOptions {
  /** Clock for exp/nbf checks (Date or epoch milliseconds); default now. */
  now?: Date | number;
  /** Seconds of clock skew tolerated on exp/nbf; default 60. */
  clockToleranceSeconds?: number;
  /** Permit http issuer/JWKS URLs, and then only on loopback hosts (tests, local development). */
  allowHttp?: boolean;
}

export const ALLOWED_ALGORITHMS = ['RS256', 'ES256'];
const MAX_TOKEN_CHARS = 16 * 1024;
const FETCH_TIMEOUT_MS = 5000;

function refused(reason: string, cause?: unknown): RampartError {
  return new RampartError('AUTH_FAILED', `CI token refused: ${reason}`, { cause });
}

/** Attacker-controlled text (e.g. an unknown `iss`) is shortened and stripped of control characters. */
function quote(value: unknown): string {
  const text = String(value).replace(/[\u0000-\u001f\u007f]/g, '');
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

function checkedUrl(text: string, what: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refused(`${what} ${quote(text)} is not a URL`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && allowHttp && isLoopback(url.hostname)) return url;
  throw refused(`${what} ${url.href} must use https`);
}

/** Key sets per (issuer, jwksUri): jose's remote set caches keys and refetches on an unknown `kid`. */
const keySets = new Map<string, Promise<jose.JWTVerifyGetKey>>();

/** Forget cached discovery documents and key sets (configuration reload, tests). */
export function clearCiKeyCache(): void {
  keySets.clear();
}

async function discoverJwksUri(trusted: TrustedIssuer, allowHttp: boolean): Promise<URL> {
  const base = checkedUrl(trusted.issuer, 'issuer', allowHttp);
  const url = new URL(`${base.href.replace(/\/$/, '')}/.well-known/openid-configuration`);
  let doc: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    doc = (await res.json()) as typeof doc;
  } catch (err) {
    throw refused(`cannot read ${url.href}: ${errorMessage(err)}`, err);
  }
  if (doc?.issuer !== trusted.issuer) {
    throw refused(`${url.href} names issuer ${quote(doc?.issuer)}, not ${quote(trusted.issuer)}`);
  }
  if (typeof doc.jwks_uri !== 'string') throw refused(`${url.href} has no jwks_uri`);
  return checkedUrl(doc.jwks_uri, 'jwks_uri', allowHttp);
}

function keySetFor(trusted: TrustedIssuer, allowHttp: boolean): Promise<jose.JWTVerifyGetKey> {
  const cacheKey = `${trusted.issuer}\n${trusted.jwksUri ?? ''}\n${allowHttp}`;
  let keys = keySets.get(cacheKey);
  if (!keys) {
    keys = (async () => {
      const jwksUri = trusted.jwksUri
        ? checkedUrl(trusted.jwksUri, 'jwksUri', allowHttp)
        : await discoverJwksUri(trusted, allowHttp);
      return jose.createRemoteJWKSet(jwksUri, { timeoutDuration: FETCH_TIMEOUT_MS });
    })();
    keySets.set(cacheKey, keys);
    // A failed discovery is not cached: the next token tries again.
    keys.catch(() => keySets.delete(cacheKey));
  }
  return keys;
}

function describeJoseError(err: unknown): string {
  if (err instanceof jose.errors.JWTExpired) return 'the token has expired';
  if (err instanceof jose.errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'the token audience is not the one configured for its issuer';
    if (err.claim === 'nbf') return 'the token is not valid yet';
    if (err.claim === 'iat') return 'the token was issued in the future';
    if (err.reason === 'missing') return `the token has no "${err.claim}" claim`;
    return `the token "${err.claim}" claim is invalid`;
  }
  if (err instanceof jose.errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (err instanceof jose.errors.JWKSNoMatchingKey)
    return 'it is signed with a key its issuer does not publish';
  if (err instanceof jose.errors.JWKSMultipleMatchingKeys)
    return 'several published keys match and the token has no kid';
  if (err instanceof jose.errors.JOSEAlgNotAllowed) return 'its signing algorithm is not allowed';
  if (err instanceof jose.errors.JWKSTimeout) return "fetching the issuer's keys timed out";
  if (err instanceof jose.errors.JWSInvalid || err instanceof jose.errors.JWTInvalid)
    return 'it is not a valid JWT';
  return `verification failed: ${errorMessage(err).replace(/\s+/g, ' ')}`;
}

function audiences(payload: jose.JWTPayload): string[] {
  if (typeof payload.aud === 'string') return [payload.aud];
  return Array.isArray(payload.aud) ? payload.aud : [];
}

/**
 * Verifies a CI platform's OIDC token: the issuer must be trusted, the signature must verify with a
 * key the issuer publishes (RS256/ES256 only), `aud` must be the configured audience, exp/nbf must
 * hold (small clock tolerance), and `sub` must be present. Returns normalised claims, or throws
 * RampartError AUTH_FAILED with a one-line reason.
 */
export async function verifyCiToken(
  token: string,
  trusted: TrustedIssuer[],
  options: VerifyCiTokenOptions = {},
): Promise<CiClaims> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_CHARS) {
    throw refused('it is not a JWT');
  }
  let header: jose.ProtectedHeaderParameters;
  let unverified: jose.JWTPayload;
  try {
    header = jose.decodeProtectedHeader(token);
    unverified = jose.decodeJwt(token);
  } catch (err) {
    throw refused('it is not a JWT', err);
  }
  if (typeof header.alg !== 'string' || !ALLOWED_ALGORITHMS.includes(header.alg)) {
    throw refused(
      `signing algorithm ${quote(header.alg)} is not allowed (${ALLOWED_ALGORITHMS.join(', ')} only)`,
    );
  }
  if (typeof unverified.iss !== 'string') throw refused('the token has no issuer');
  const candidates = trusted.filter((t) => t.issuer === unverified.iss);
  if (candidates.length === 0) throw refused(`issuer ${quote(unverified.iss)} is not trusted`);

  const allowHttp = options.allowHttp ?? false;
  const now = options.now === undefined ? new Date() : new Date(options.now);
  let payload: jose.JWTPayload;
  try {
    const keys = await keySetFor(candidates[0]!, allowHttp);
    ({ payload } = await jose.jwtVerify(token, keys, {
      issuer: unverified.iss,
      audience: candidates.map((c) => c.audience),
      algorithms: ALLOWED_ALGORITHMS,
      clockTolerance: options.clockToleranceSeconds ?? 60,
      currentDate: now,
      requiredClaims: ['exp', 'sub'],
    }));
  } catch (err) {
    if (err instanceof RampartError) throw err;
    throw refused(describeJoseError(err), err);
  }
  const tokenAudiences = audiences(payload);
  const entry = candidates.find((c) => tokenAudiences.includes(c.audience))!;
  return normaliseClaims(entry.platform, payload);
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Maps platform-specific claims onto CiClaims (pure; exported for tests and custom verifiers). */
export function normaliseClaims(platform: CiPlatform, raw: jose.JWTPayload): CiClaims {
  const claims: CiClaims = { platform, issuer: raw.iss!, subject: raw.sub!, raw };
  const set = <K extends keyof CiClaims>(key: K, value: CiClaims[K] | undefined): void => {
    if (value !== undefined) claims[key] = value;
  };
  switch (platform) {
    case 'github-actions':
      set('repository', str(raw.repository));
      set('ref', str(raw.ref));
      set('environment', str(raw.environment));
      set('workflow', str(raw.job_workflow_ref));
      set('runId', str(raw.run_id));
      break;
    case 'azure-pipelines': {
      // Service connection tokens: sc://<org>/<project>/<service connection>;
      // pipeline tokens: p://<org>/<project>/<pipeline>, with rpo_ref and run_id claims.
      const m = /^(sc|p):\/\/([^/]+)\/([^/]+)\/(.+)$/.exec(claims.subject);
      if (m) {
        set('repository', `${m[2]}/${m[3]}`);
        if (m[1] === 'sc') set('serviceConnection', m[4]);
        else set('workflow', m[4]);
      }
      set('ref', str(raw.rpo_ref));
      set('runId', str(raw.run_id));
      break;
    }
    case 'generic':
      set('repository', str(raw.repository) ?? str(raw.project_path));
      set('ref', str(raw.ref));
      set('environment', str(raw.environment));
      set('runId', str(raw.run_id) ?? str(raw.pipeline_id));
      break;
  }
  return claims;
}

export interface FederationRule {
  issuer: string;
  /** Glob over `owner/repo` (Azure: `org/project`); `*` stays within one path segment: "acme/*". */
  repository: string;
  /** Glob over the ref, e.g. "refs/heads/main" or "refs/tags/v*"; any ref when absent. */
  ref?: string;
  /** Exact environment name; any (or none) when absent. */
  environment?: string;
  projectId: string;
  permissions: string[];
}

const GLOB_OPTIONS = { dot: true, windows: false } as const;

/**
 * The first rule that matches the verified claims, or undefined. Matching is case-sensitive; a rule
 * constraining ref or environment never matches a token that lacks that claim.
 */
export function matchFederationRule<R extends FederationRule>(
  claims: CiClaims,
  rules: readonly R[],
): R | undefined {
  return rules.find((rule) => {
    if (rule.issuer !== claims.issuer) return false;
    if (!claims.repository || !rule.repository) return false;
    if (!picomatch.isMatch(claims.repository, rule.repository, GLOB_OPTIONS)) return false;
    if (rule.ref !== undefined && !(claims.ref && picomatch.isMatch(claims.ref, rule.ref, GLOB_OPTIONS))) {
      return false;
    }
    if (rule.environment !== undefined && claims.environment !== rule.environment) return false;
    return true;
  });
}
