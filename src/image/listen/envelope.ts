/**
 * CNCF Distribution notification envelopes (`application/vnd.docker.distribution.events.v1+json`,
 * `{"events":[…]}`) → scan jobs. Pure: hostile input yields an {@link EnvelopeError}, never a crash.
 * Only `push` events of image manifests and indexes become jobs; pulls, deletes, blobs and cosign
 * signature/attestation tags (`sha256-<hex>.sig|.att|.sbom`) are ignored.
 */

export const EVENTS_MEDIA_TYPE = 'application/vnd.docker.distribution.events.v1+json';
export const MAX_EVENTS = 1000;

const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const DIGEST = /^sha256:[a-f0-9]{64}$/;
// distribution/reference path components, joined by '/'
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SIGNATURE_TAG = /^sha256-[a-f0-9]{64}\.(?:sig|att|sbom)$/;

export interface ScanJob {
  /** Registry host (`127.0.0.1:5000`) from `target.url`, else `request.host`. */
  host: string;
  repository: string;
  digest: string;
  mediaType: string;
  tag?: string;
  /** `<host>/<repository>@<digest>`. */
  reference: string;
  eventId?: string;
  timestamp?: string;
}

export interface ParsedEnvelope {
  jobs: ScanJob[];
  /** Events that are not manifest pushes, or lack a usable host/repository/digest (with why). */
  ignored: { id?: string; reason: string }[];
}

export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function hostOf(target: Record<string, unknown>, request: Record<string, unknown>): string | undefined {
  const url = str(target.url);
  if (url) {
    try {
      const h = new URL(url).host;
      if (HOST.test(h)) return h;
    } catch {
      // fall through to request.host
    }
  }
  const h = str(request.host);
  return h && HOST.test(h) ? h : undefined;
}

/** Parses an envelope body (bytes or already-parsed JSON). Throws {@link EnvelopeError} when malformed. */
export function parseEnvelope(body: Uint8Array | unknown): ParsedEnvelope {
  let doc: unknown = body;
  if (body instanceof Uint8Array) {
    try {
      doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      throw new EnvelopeError('body is not UTF-8 JSON');
    }
  }
  if (!isObject(doc) || !Array.isArray(doc.events))
    throw new EnvelopeError('expected an object with an "events" array');
  if (doc.events.length > MAX_EVENTS)
    throw new EnvelopeError(`more than ${MAX_EVENTS} events in one envelope`);
  const out: ParsedEnvelope = { jobs: [], ignored: [] };
  for (const ev of doc.events as unknown[]) {
    if (!isObject(ev)) throw new EnvelopeError('an event is not an object');
    const id = str(ev.id);
    const skip = (reason: string) => out.ignored.push({ ...(id !== undefined ? { id } : {}), reason });
    const target = isObject(ev.target) ? ev.target : undefined;
    if (!target) throw new EnvelopeError('an event has no "target" object');
    const request = isObject(ev.request) ? ev.request : {};
    if (ev.action !== 'push') {
      skip(`action ${String(ev.action)}`);
      continue;
    }
    const mediaType = str(target.mediaType) ?? '';
    if (!MANIFEST_TYPES.has(mediaType)) {
      skip(`media type ${mediaType || '(none)'}`);
      continue;
    }
    const digest = str(target.digest);
    const repository = str(target.repository);
    const host = hostOf(target, request);
    const tag = str(target.tag);
    if (!digest || !DIGEST.test(digest)) {
      skip('no sha256 digest');
      continue;
    }
    if (!repository || repository.length > 255 || !REPOSITORY.test(repository)) {
      skip('invalid repository');
      continue;
    }
    if (!host) {
      skip('no registry host');
      continue;
    }
    if (tag !== undefined && SIGNATURE_TAG.test(tag)) {
      skip('signature/attestation tag');
      continue;
    }
    const timestamp = str(ev.timestamp);
    out.jobs.push({
      host,
      repository,
      digest,
      mediaType,
      ...(tag !== undefined && TAG.test(tag) ? { tag } : {}),
      reference: `${host}/${repository}@${digest}`,
      ...(id !== undefined ? { eventId: id } : {}),
      ...(timestamp !== undefined ? { timestamp } : {}),
    });
  }
  return out;
}

/** `<repo with / → _>@<digest hex>.json`: the report file name for a job. */
export function reportFileName(job: Pick<ScanJob, 'repository' | 'digest'>): string {
  return `${job.repository.replace(/\//g, '_')}@${job.digest.slice('sha256:'.length)}.json`;
}
