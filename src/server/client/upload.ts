/**
 * `rampart upload`: sends a report (Rampart JSON, SARIF from any tool, or a CycloneDX SBOM) to the
 * control plane. The idempotency key is derived from the content and its coordinates, so a retry
 * after a lost answer or a server restart never counts a scan twice. Retries transient failures
 * (network errors, 408, 429, 5xx) with exponential backoff and jitter.
 */
import { createHash } from 'node:crypto';
import { RampartError, errorMessage } from '../../core/errors.js';

export interface UploadTarget {
  server: string;
  projectId: string;
  branch: string;
  commit?: string;
  pipelineRun?: string;
  tool?: string;
  /** A partial scan (e.g. only changed files) never marks findings fixed. */
  complete: boolean;
}

export interface UploadOptions {
  /** Bearer credential: an API token (rpt_…) or a CI OIDC token. */
  credential: string;
  idempotencyKey?: string;
  retries?: number;
  /** First backoff in ms (doubles each retry). */
  backoffMs?: number;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export interface UploadResult {
  scanId: string;
  duplicate: boolean;
  attempts: number;
  summary: Record<string, number>;
}

export function idempotencyKeyFor(body: Uint8Array, t: UploadTarget): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify([t.projectId, t.branch, t.commit ?? '', t.pipelineRun ?? '', t.tool ?? '', t.complete]),
  );
  h.update(body);
  return h.digest('hex');
}

function isTransient(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function uploadReport(
  body: Uint8Array,
  target: UploadTarget,
  options: UploadOptions,
): Promise<UploadResult> {
  const url = new URL(`/api/v1/projects/${encodeURIComponent(target.projectId)}/scans`, target.server);
  url.searchParams.set('branch', target.branch);
  if (target.commit) url.searchParams.set('commit', target.commit);
  if (target.pipelineRun) url.searchParams.set('pipelineRun', target.pipelineRun);
  if (target.tool) url.searchParams.set('tool', target.tool);
  url.searchParams.set('complete', String(target.complete));
  const key = options.idempotencyKey ?? idempotencyKeyFor(body, target);
  const retries = options.retries ?? 5;
  const doFetch = options.fetchImpl ?? fetch;
  let lastError = '';
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.credential}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
      });
      const text = await res.text();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        /* non-JSON answer: reported below */
      }
      if (res.ok)
        return {
          scanId: String(json.scanId),
          duplicate: json.duplicate === true,
          attempts: attempt,
          summary: (json.summary as Record<string, number>) ?? {},
        };
      lastError = `${res.status} ${typeof json.error === 'string' ? json.error : res.statusText}`;
      if (!isTransient(res.status)) throw new RampartError('USAGE', `upload refused: ${lastError}`);
    } catch (err) {
      if (err instanceof RampartError) throw err;
      lastError = errorMessage(err);
    }
    if (attempt <= retries) {
      const base = (options.backoffMs ?? 500) * 2 ** (attempt - 1);
      await sleep(base / 2 + Math.random() * base);
    }
  }
  throw new RampartError('USAGE', `upload failed after ${retries + 1} attempts: ${lastError}`);
}

/**
 * A CI job's OIDC token, asked from the platform the job runs on: GitHub Actions
 * (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN, needs `permissions: id-token: write`) or Azure Pipelines
 * (SYSTEM_OIDCREQUESTURI with SYSTEM_ACCESSTOKEN).
 */
export async function ciOidcToken(audience: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    const u = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL);
    u.searchParams.set('audience', audience);
    const res = await fetch(u, {
      headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
    });
    if (!res.ok) throw new RampartError('USAGE', `GitHub Actions refused an OIDC token: ${res.status}`);
    const json = (await res.json()) as { value?: string };
    if (!json.value) throw new RampartError('USAGE', 'GitHub Actions answered without a token');
    return json.value;
  }
  if (env.SYSTEM_OIDCREQUESTURI && env.SYSTEM_ACCESSTOKEN) {
    const u = new URL(env.SYSTEM_OIDCREQUESTURI);
    u.searchParams.set('api-version', '7.1-preview.1');
    const res = await fetch(u, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.SYSTEM_ACCESSTOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ audience }),
    });
    if (!res.ok) throw new RampartError('USAGE', `Azure Pipelines refused an OIDC token: ${res.status}`);
    const json = (await res.json()) as { oidcToken?: string };
    if (!json.oidcToken) throw new RampartError('USAGE', 'Azure Pipelines answered without a token');
    return json.oidcToken;
  }
  throw new RampartError(
    'USAGE',
    'no CI OIDC token available (GitHub Actions needs `permissions: id-token: write`; Azure Pipelines needs SYSTEM_ACCESSTOKEN)',
  );
}
