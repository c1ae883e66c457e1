import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RegistryError, quote } from './errors.js';
import { DOCKER_HUB } from './reference.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` header (RFC 7235): one or more challenges, each a scheme followed by
 * comma-separated `key=value` / `key="quoted value"` parameters.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = Math.min(header.length, 8192);
  const skip = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t' || header[i] === ',')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && /[A-Za-z0-9!#$%&'*+.^_`|~-]/.test(header[i] ?? '')) i++;
    return header.slice(start, i);
  };
  let current: Challenge | undefined;
  while (i < n) {
    skip();
    const name = token();
    if (name === '') {
      i++;
      continue;
    }
    let j = i;
    while (j < n && (header[j] === ' ' || header[j] === '\t')) j++;
    if (header[j] === '=' && current !== undefined) {
      i = j + 1;
      while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++;
      } else {
        const vs = i;
        while (i < n && header[i] !== ',') i++;
        value = header.slice(vs, i).trim();
      }
      current.params[name.toLowerCase()] = value;
    } else if (header[j] === '=' && current === undefined) {
      i = j + 1; // parameter before any scheme: ignore
      while (i < n && header[i] !== ',') i++;
    } else {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

const DOCKER_HUB_KEYS = [
  'https://index.docker.io/v1/',
  'index.docker.io',
  'docker.io',
  'registry-1.docker.io',
];
const MAX_DOCKER_CONFIG = 1024 * 1024;

function normaliseAuthKey(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}

/** The default Docker client config: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
export function defaultDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/**
 * Credentials for `registry` from a Docker config file's `auths` (base64 `user:password` in `auth`,
 * or `username`/`password`). Credential helpers (`credsStore`, `credHelpers`) are not run. Missing
 * file → undefined; malformed file → error that never quotes the file's content.
 */
export async function dockerConfigCredentials(
  registry: string,
  configPath: string = defaultDockerConfigPath(),
): Promise<Credentials | undefined> {
  const st = await stat(configPath).catch(() => undefined);
  if (st === undefined || !st.isFile()) return undefined;
  if (st.size > MAX_DOCKER_CONFIG) {
    throw new RegistryError('bad-credentials', `${configPath}: larger than ${MAX_DOCKER_CONFIG} bytes`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(configPath, 'utf8'));
  } catch {
    throw new RegistryError('bad-credentials', `${configPath}: not valid JSON`);
  }
  return credentialsFromDockerConfig(doc, registry, configPath);
}

/** Pure part of {@link dockerConfigCredentials}. */
export function credentialsFromDockerConfig(
  doc: unknown,
  registry: string,
  what = 'docker config',
): Credentials | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const auths = (doc as { auths?: unknown }).auths;
  if (typeof auths !== 'object' || auths === null) return undefined;
  const wanted = registry === DOCKER_HUB ? DOCKER_HUB_KEYS.map(normaliseAuthKey) : [registry.toLowerCase()];
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    if (!wanted.includes(normaliseAuthKey(key))) continue;
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    if (typeof e.auth === 'string' && e.auth !== '') {
      const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) {
        throw new RegistryError(
          'bad-credentials',
          `${what}: auths entry for ${quote(key)} is not base64 "user:password"`,
        );
      }
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (typeof e.username === 'string' && typeof e.password === 'string') {
      return { username: e.username, password: e.password };
    }
  }
  return undefined;
}

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface AuthenticatorOptions {
  registry: string;
  credentials?: Credentials;
  /** True when plain-http token realms are acceptable (loopback or insecure registry). */
  allowHttpRealm: boolean;
  fetch: FetchLike;
  timeoutMs: number;
  now?: () => number;
}

const MAX_TOKEN_RESPONSE = 1024 * 1024;

/**
 * Authorization state for one registry: remembers whether it wants Basic, and caches bearer
 * tokens per scope until they expire. Tokens and passwords never enter an error message.
 */
export class Authenticator {
  private readonly tokens = new Map<string, CachedToken>();
  private basic = false;
  constructor(private readonly opts: AuthenticatorOptions) {}

  /** Authorization header to send for a request needing `scope`, when one is known. */
  headerFor(scope: string): string | undefined {
    const now = (this.opts.now ?? Date.now)();
    const t = this.tokens.get(scope);
    if (t !== undefined && t.expiresAt > now) return `Bearer ${t.token}`;
    if (t !== undefined) this.tokens.delete(scope);
    if (this.basic && this.opts.credentials) return basicHeader(this.opts.credentials);
    return undefined;
  }

  /**
   * Handles a 401: obtains what the challenge asks for. Returns false when nothing new can be tried
   * (no challenge understood, Basic without credentials).
   */
  async respond(wwwAuthenticate: string | null, scope: string): Promise<boolean> {
    const challenges = parseChallenges(wwwAuthenticate ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer !== undefined && bearer.params.realm) {
      await this.fetchToken(bearer.params, scope);
      return true;
    }
    if (challenges.some((c) => c.scheme === 'basic') && this.opts.credentials && !this.basic) {
      this.basic = true;
      return true;
    }
    return false;
  }

  private async fetchToken(params: Record<string, string>, scope: string): Promise<void> {
    const realmText = params.realm ?? '';
    let realm: URL;
    try {
      realm = new URL(realmText);
    } catch {
      throw new RegistryError(
        'bad-response',
        `${this.opts.registry}: token realm ${quote(realmText)} is not a URL`,
      );
    }
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && this.opts.allowHttpRealm)) {
      throw new RegistryError(
        'insecure',
        `${this.opts.registry}: token realm ${quote(realm.origin)} is not https; refusing to send credentials`,
      );
    }
    if (realm.username || realm.password) {
      throw new RegistryError('bad-response', `${this.opts.registry}: token realm carries user info`);
    }
    if (params.service) realm.searchParams.set('service', params.service);
    // Our scope (what the request needs) — the challenge's scope may be narrower or absent.
    if (scope !== '') realm.searchParams.set('scope', scope);
    if (params.scope && params.scope !== scope && scope !== '')
      realm.searchParams.append('scope', params.scope);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.opts.credentials) headers.Authorization = basicHeader(this.opts.credentials);
    let res: Response;
    try {
      res = await this.opts.fetch(realm.toString(), {
        method: 'GET',
        headers,
        redirect: 'error',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (e) {
      const timeout = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw new RegistryError(
        timeout ? 'timeout' : 'network',
        `${this.opts.registry}: token request to ${realm.origin}${realm.pathname} ${timeout ? 'timed out' : 'failed'}`,
      );
    }
    const body = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError(
        'unauthorized',
        `${this.opts.registry}: token endpoint ${realm.origin}${realm.pathname} refused ${
          this.opts.credentials ? 'the credentials' : 'anonymous access'
        } (HTTP ${res.status}) for ${quote(scope)}`,
        { status: res.status },
      );
    }
    if (!res.ok) {
      throw new RegistryError('http', `${this.opts.registry}: token endpoint answered HTTP ${res.status}`, {
        status: res.status,
      });
    }
    if (body.byteLength > MAX_TOKEN_RESPONSE) {
      throw new RegistryError(
        'too-large',
        `${this.opts.registry}: token response over ${MAX_TOKEN_RESPONSE} bytes`,
      );
    }
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch {
      throw new RegistryError('bad-response', `${this.opts.registry}: token response is not JSON`);
    }
    const d = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
    const token = typeof d.token === 'string' && d.token ? d.token : d.access_token;
    if (typeof token !== 'string' || token === '' || /[\r\n]/.test(token)) {
      throw new RegistryError('bad-response', `${this.opts.registry}: token response has no usable token`);
    }
    const expiresIn = typeof d.expires_in === 'number' && d.expires_in > 0 ? d.expires_in : 60;
    const now = (this.opts.now ?? Date.now)();
    // Refresh a little early; never cache for less than a few seconds.
    this.tokens.set(scope, { token, expiresAt: now + Math.max(5, expiresIn - 10) * 1000 });
  }
}
