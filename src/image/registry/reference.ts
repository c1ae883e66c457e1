import { RegistryError, quote } from './errors.js';

/**
 * An image reference `[host[:port]/]repo[:tag][@sha256:…]`, normalised the way Docker does:
 * no host → `docker.io`, a one-component Docker Hub repository → `library/<name>`, neither tag
 * nor digest → tag `latest`.
 */
export interface ImageReference {
  /** Registry host as written (`docker.io`, `localhost:5000`, `ghcr.io`). */
  registry: string;
  repository: string;
  tag?: string;
  /** When present, the manifest is fetched by digest (the tag is informational). */
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';
const MAX_REFERENCE = 512;
// distribution/reference grammar (lower-case path components, separators . _ __ -*)
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

function bad(input: string, why: string): RegistryError {
  return new RegistryError('bad-reference', `bad image reference ${quote(input)}: ${why}`);
}

export function isSha256Digest(v: unknown): v is string {
  return typeof v === 'string' && DIGEST.test(v);
}

export function parseReference(input: string): ImageReference {
  if (typeof input !== 'string' || input.length === 0) throw bad(String(input), 'empty');
  if (input.length > MAX_REFERENCE) throw bad(input, `longer than ${MAX_REFERENCE} characters`);
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(input, 'digest must be sha256:<64 lower-case hex>');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(input, 'invalid tag');
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0] ?? '';
  if (
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))
  ) {
    registry = first;
    parts.shift();
    if (!HOST.test(registry)) throw bad(input, 'invalid registry host');
    const port = /:([0-9]+)$/.exec(registry)?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw bad(input, 'invalid port');
  }
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API) registry = DOCKER_HUB;
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) {
    throw bad(input, 'repository must be lower-case components separated by "/"');
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (repository.length > 255) throw bad(input, 'repository name longer than 255 characters');
  const ref: ImageReference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined) ref.tag = 'latest';
  return ref;
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${
    ref.digest !== undefined ? `@${ref.digest}` : ''
  }`;
}

/** The tag or digest the manifest is fetched by (digest wins). */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** Host that serves the API (`docker.io` → `registry-1.docker.io`). */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(0, registry.indexOf(']') + 1)
    : registry.replace(/:[0-9]+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host);
}

/** `http://` for loopback registries and when `insecure` is set, `https://` otherwise. */
export function registryBaseUrl(registry: string, insecure = false): string {
  const scheme = insecure || isLoopbackRegistry(registry) ? 'http' : 'https';
  return `${scheme}://${apiHost(registry)}`;
}
