/**
 * `rampart gate`: asks the control plane to deploy an artifact to an environment, then polls the
 * deployment until it is approved, rejected, or the wait times out. Transient failures while
 * waiting (network errors, 408, 429, 5xx: a server restart) are retried until the deadline; a CI
 * OIDC credential that expired during a long wait is asked for again once.
 */
import { RampartError, errorMessage } from '../../core/errors.js';

export interface GateTarget {
  server: string;
  projectId: string;
  environment: string;
  /** `<name>@sha256:<64 hex>` */
  artifact: string;
  branch?: string;
}

export interface GateDecisionView {
  by: string;
  role: string;
  decision: 'approve' | 'reject';
  comment: string;
  at: string;
}

/** The parts of the server's deployment answer the CLI reads. */
export interface GateDeployment {
  id: string;
  status: 'pending-approval' | 'approved' | 'rejected';
  environment: string;
  artifact: string;
  gates: { name: string; passed: boolean; reason: string }[];
  approvals: { required: number; received: number; roles: string[]; decisions: GateDecisionView[] };
  history?: { to: string; reason: string | null }[];
}

export interface GateOptions {
  /** Returns the bearer credential; called again (refresh: true) once after a 401 while waiting. */
  credential(refresh: boolean): Promise<string>;
  timeoutMs: number;
  pollMs: number;
  /** Called after the request and after every poll. */
  onUpdate?(d: GateDeployment, elapsedMs: number): void;
  /** Called when a poll failed transiently (the wait goes on). */
  onRetry?(problem: string, elapsedMs: number): void;
  fetchImpl?: typeof fetch;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface GateOutcome {
  result: 'approved' | 'rejected' | 'timed-out';
  deployment: GateDeployment;
  elapsedMs: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30m`, `2s`, `1h30m`, `500ms`; a bare number is seconds. Undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(m[1]) * UNITS[m[2]!]!;
  return total;
}

/** `00:42`, `12:05`, `1:02:03`. */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const rest = `${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return h ? `${h}:${rest}` : rest;
}

/** `waiting for 1 of 2 approvals (security-admin, operator)` (without the elapsed time). */
export function waitingMessage(d: GateDeployment): string {
  const missing = Math.max(0, d.approvals.required - d.approvals.received);
  const noun = d.approvals.required === 1 ? 'approval' : 'approvals';
  return `waiting for ${missing} of ${d.approvals.required} ${noun} (${d.approvals.roles.join(', ')})`;
}

/** One sentence on why a deployment was rejected. */
export function rejectionReason(d: GateDeployment): string {
  const failed = d.gates.filter((g) => !g.passed);
  if (failed.length) return `gates failed: ${failed.map((g) => `${g.name}: ${g.reason}`).join('; ')}`;
  const reject = d.approvals.decisions.find((x) => x.decision === 'reject');
  if (reject) return `rejected by ${reject.by}${reject.comment ? `: ${reject.comment}` : ''}`;
  const last = d.history?.[d.history.length - 1];
  return last?.reason ?? 'rejected';
}

function isTransient(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

class Transient extends Error {}
class Unauthorized extends Error {}

export async function runGate(target: GateTarget, options: GateOptions): Promise<GateOutcome> {
  const doFetch = options.fetchImpl ?? fetch;
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = clock();
  const elapsed = () => clock() - started;
  let credential = await options.credential(false);

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<GateDeployment> {
    let res: Response;
    try {
      res = await doFetch(new URL(path, target.server), {
        method,
        headers: {
          authorization: `Bearer ${credential}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new Transient(`cannot reach ${target.server}: ${errorMessage(err)}`);
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* non-JSON answer: reported below */
    }
    if (res.ok) return json as unknown as GateDeployment;
    const problem = `${res.status} ${typeof json.error === 'string' ? json.error : res.statusText}`;
    if (isTransient(res.status)) throw new Transient(problem);
    if (res.status === 401) throw new Unauthorized(problem);
    throw new RampartError('USAGE', `the server refused: ${problem}`);
  }

  /** The request: retried a few times on transient failures (a duplicate supersedes the first). */
  let deployment: GateDeployment | undefined;
  const path = `/api/v1/projects/${encodeURIComponent(target.projectId)}/deployments`;
  const body = {
    environment: target.environment,
    artifact: target.artifact,
    ...(target.branch ? { branch: target.branch } : {}),
  };
  for (let attempt = 1; !deployment; attempt++) {
    try {
      deployment = await call('POST', path, body);
    } catch (err) {
      if (err instanceof Unauthorized)
        throw new RampartError('AUTH_FAILED', `the server refused: ${err.message}`);
      if (!(err instanceof Transient) || attempt >= 4 || elapsed() >= options.timeoutMs)
        throw err instanceof Transient ? new RampartError('USAGE', err.message) : err;
      options.onRetry?.(err.message, elapsed());
      await sleep(Math.min(options.pollMs, 1000) * attempt);
    }
  }
  options.onUpdate?.(deployment, elapsed());

  let refreshed = false;
  while (deployment.status === 'pending-approval') {
    const left = options.timeoutMs - elapsed();
    if (left <= 0) return { result: 'timed-out', deployment, elapsedMs: elapsed() };
    await sleep(Math.min(options.pollMs, left));
    try {
      deployment = await call('GET', `/api/v1/deployments/${encodeURIComponent(deployment.id)}`);
      options.onUpdate?.(deployment, elapsed());
    } catch (err) {
      if (err instanceof Unauthorized && !refreshed) {
        refreshed = true;
        credential = await options.credential(true);
        continue;
      }
      if (err instanceof Unauthorized)
        throw new RampartError('AUTH_FAILED', `the server refused: ${err.message}`);
      if (!(err instanceof Transient)) throw err;
      options.onRetry?.(err.message, elapsed());
    }
  }
  return {
    result: deployment.status === 'approved' ? 'approved' : 'rejected',
    deployment,
    elapsedMs: elapsed(),
  };
}
