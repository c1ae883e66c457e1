/**
 * Single sign-on with an external OpenID Connect provider: authorization code flow with PKCE (S256),
 * state and nonce, via `openid-client`. The caller keeps { state, nonce, codeVerifier } between
 * startLogin and finishLogin (a short-lived signed, httpOnly cookie).
 */
import * as oidc from 'openid-client';
import { RampartError, errorMessage } from '../../core/errors.js';

export interface OidcLoginOptions {
  /** Issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Confidential client secret; omitted for a public client (PKCE only, `none` authentication). */
  clientSecret?: string;
  /** How the secret is sent to the token endpoint; default `client_secret_basic` (the OIDC default). */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Rampart's callback URL, exactly as registered at the provider. */
  redirectUri: string;
  /** Permit an `http:` issuer, and then only on a loopback host (tests, local development). */
  allowHttp?: boolean;
  /** Default `openid email profile`; add e.g. `groups` when the provider needs a scope for it. */
  scopes?: string[];
  /** Claim carrying group names; default `groups`. */
  groupsClaim?: string;
  /** Per-request timeout towards the provider, seconds; default 10. */
  timeoutSeconds?: number;
}

/** What the caller keeps between startLogin and finishLogin. */
export interface LoginChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcIdentity {
  /** `sub`: stable per issuer. Link accounts by (issuer, subject), not by e-mail. */
  subject: string;
  issuer: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  groups?: string[];
  /** Authentication methods the provider reports (`amr`, RFC 8176), from the signed ID token. */
  amr?: string[];
  /** True when the provider reports multi-factor authentication for this login (see mfaFromAmr). */
  mfa: boolean;
}

const KNOWLEDGE_FACTORS = new Set(['pwd', 'pin', 'kba']);
const POSSESSION_FACTORS = new Set(['otp', 'hwk', 'swk', 'sms', 'tel', 'sc', 'pop']);

/**
 * Whether an `amr` list (RFC 8176) shows multi-factor authentication: `mfa` itself, or a knowledge
 * factor together with a possession factor. Providers that send no `amr` (many do not by default)
 * give false: require Rampart's own TOTP then, or configure the provider to send `amr`.
 */
export function mfaFromAmr(amr: readonly string[] | undefined): boolean {
  if (!amr) return false;
  if (amr.includes('mfa')) return true;
  return amr.some((m) => KNOWLEDGE_FACTORS.has(m)) && amr.some((m) => POSSESSION_FACTORS.has(m));
}

const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

function authFailed(reason: string, cause?: unknown): RampartError {
  return new RampartError('AUTH_FAILED', `single sign-on failed: ${oneLine(reason)}`, { cause });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/** A short, secret-free reason for anything openid-client or fetch can throw. */
function describeError(err: unknown): string {
  if (err instanceof oidc.AuthorizationResponseError) {
    // Front-channel: anyone can craft this URL, so only a well-formed error code is repeated, no description.
    const code = /^[A-Za-z0-9_.-]{1,64}$/.test(err.error) ? err.error : 'an error';
    return `the identity provider returned ${code}`;
  }
  if (err instanceof oidc.ResponseBodyError) {
    return `the identity provider refused the request: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`;
  }
  if (err instanceof oidc.ClientError) {
    // openid-client puts a generic message on top; the precise one (which parameter or claim) is the cause's.
    if (err.cause instanceof Response) return `${err.message} (HTTP ${err.cause.status})`;
    if (err.cause instanceof Error && err.cause.message) return err.cause.message;
    return err.message;
  }
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return 'the identity provider did not answer in time';
  }
  if (err instanceof TypeError && err.message === 'fetch failed') {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `cannot reach the identity provider${cause}`;
  }
  return errorMessage(err);
}

export class OidcLogin {
  private constructor(
    private readonly config: oidc.Configuration,
    private readonly options: OidcLoginOptions,
    private readonly redirectUri: URL,
  ) {}

  /** Fetches the provider's metadata and returns a client for it. */
  static async discover(options: OidcLoginOptions): Promise<OidcLogin> {
    let issuer: URL;
    let redirectUri: URL;
    try {
      issuer = new URL(options.issuer);
      redirectUri = new URL(options.redirectUri);
    } catch {
      throw new RampartError(
        'CONFIG_INVALID',
        'single sign-on: issuer and redirectUri must be absolute URLs',
      );
    }
    if (!['http:', 'https:'].includes(redirectUri.protocol)) {
      throw new RampartError('CONFIG_INVALID', 'single sign-on: redirectUri must be an http(s) URL');
    }
    const insecure = issuer.protocol === 'http:';
    if (issuer.protocol !== 'https:' && !insecure) {
      throw new RampartError('CONFIG_INVALID', `single sign-on: issuer ${issuer.href} must be an https URL`);
    }
    if (insecure && !(options.allowHttp && isLoopback(issuer.hostname))) {
      throw new RampartError(
        'CONFIG_INVALID',
        `single sign-on: issuer ${issuer.href} must use https (http is allowed only for a loopback issuer with allowHttp)`,
      );
    }
    if (!options.clientId) throw new RampartError('CONFIG_INVALID', 'single sign-on: clientId is required');

    const clientAuth = options.clientSecret
      ? options.tokenEndpointAuthMethod === 'client_secret_post'
        ? oidc.ClientSecretPost(options.clientSecret)
        : oidc.ClientSecretBasic(options.clientSecret)
      : oidc.None();
    try {
      const config = await oidc.discovery(issuer, options.clientId, undefined, clientAuth, {
        timeout: options.timeoutSeconds ?? 10,
        execute: insecure ? [oidc.allowInsecureRequests] : [],
      });
      return new OidcLogin(config, options, redirectUri);
    } catch (err) {
      throw authFailed(`discovery at ${issuer.href}: ${describeError(err)}`, err);
    }
  }

  get issuer(): string {
    return this.config.serverMetadata().issuer;
  }

  /** The URL to redirect the browser to, and the checks to keep until the callback. */
  async startLogin(): Promise<{ url: string } & LoginChecks> {
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const codeChallenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
    const url = oidc.buildAuthorizationUrl(this.config, {
      response_type: 'code',
      redirect_uri: this.redirectUri.href,
      scope: (this.options.scopes ?? DEFAULT_SCOPES).join(' '),
      state,
      nonce,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  /**
   * Completes the login from the callback URL (absolute, or just the path and query of the request):
   * checks state, exchanges the code with the PKCE verifier, verifies the ID token (signature, issuer,
   * audience, expiry, nonce) and returns who logged in. Claims missing from the ID token are read from
   * the UserInfo endpoint. Any failure is a RampartError AUTH_FAILED.
   */
  async finishLogin(callbackUrl: string | URL, checks: LoginChecks): Promise<OidcIdentity> {
    if (!checks?.state || !checks.nonce || !checks.codeVerifier) {
      throw authFailed('the login was not started here or has expired (no state)');
    }
    // Only the query of the callback is used: the redirect URI sent to the token endpoint is the
    // configured one, never one derived from the request's Host header.
    let current: URL;
    try {
      current = new URL(this.redirectUri.href);
      current.search = new URL(callbackUrl, this.redirectUri).search;
    } catch {
      throw authFailed('the callback URL is not a URL');
    }

    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(this.config, current, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
    } catch (err) {
      throw authFailed(describeError(err), err);
    }
    const idToken = tokens.claims();
    if (!idToken) throw authFailed('the identity provider returned no ID token');

    const groupsClaim = this.options.groupsClaim ?? 'groups';
    let claims: Record<string, unknown> = idToken;
    const missing =
      idToken.email === undefined || idToken.name === undefined || idToken[groupsClaim] === undefined;
    if (missing && tokens.access_token && this.config.serverMetadata().userinfo_endpoint) {
      try {
        const userinfo = await oidc.fetchUserInfo(this.config, tokens.access_token, idToken.sub);
        claims = { ...userinfo, ...idToken };
      } catch (err) {
        throw authFailed(`reading the user's profile: ${describeError(err)}`, err);
      }
    }

    const amr = Array.isArray(idToken.amr)
      ? idToken.amr.filter((m): m is string => typeof m === 'string')
      : undefined;
    const identity: OidcIdentity = { subject: idToken.sub, issuer: idToken.iss, mfa: mfaFromAmr(amr) };
    if (amr) identity.amr = amr;
    if (typeof claims.email === 'string') identity.email = claims.email;
    if (typeof claims.email_verified === 'boolean') identity.emailVerified = claims.email_verified;
    if (typeof claims.name === 'string') identity.name = claims.name;
    const groups = claims[groupsClaim];
    if (Array.isArray(groups)) identity.groups = groups.filter((g): g is string => typeof g === 'string');
    else if (typeof groups === 'string') identity.groups = [groups];
    return identity;
  }
}

/** Convenience for `OidcLogin.discover`. */
export function discover(options: OidcLoginOptions): Promise<OidcLogin> {
  return OidcLogin.discover(options);
}
