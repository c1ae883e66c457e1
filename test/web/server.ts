/**
 * For the browser tests: a real `rampart server` child process on an embedded database, a small API
 * client (cookie session + CSRF, or a bearer token), TOTP codes that never reuse a time step, and
 * the seed data the dashboard tests walk through.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import { sarifLog } from '../../src/server/__fixtures__/sarif.js';
import { binPath, repoRoot } from '../helpers.js';

export const ADMIN_EMAIL = 'admin@rampart.test';
export const DEV_EMAIL = 'dev@rampart.test';
export const PASSWORD = 'violet orbit lantern 7310';

export interface RunningServer {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the server wrote to stderr (shown when a test fails). */
  log(): string;
  stop(): Promise<void>;
}

/** Starts `node bin/rampart.js server` on a free port over a fresh embedded database. */
export async function startServer(): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rampart-web-'));
  const child = spawn(
    process.execPath,
    [binPath, 'server', '--port', '0', '--data-dir', path.join(dataDir, 'server'), '--log', 'warn'],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: '',
        RAMPART_SECRET_KEY: '',
        RAMPART_ADMIN_EMAIL: ADMIN_EMAIL,
        RAMPART_ADMIN_PASSWORD: PASSWORD,
        RAMPART_DB_DIR: path.join(dataDir, 'advisories'),
        RAMPART_STATS_DEBOUNCE_MS: '300',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+?) /.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    dataDir,
    child,
    log: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON answers
  json: any;
  text: string;
}

/** An API caller: a cookie session with its CSRF token, or a bearer token. */
export class ApiClient {
  cookie?: string;
  csrf?: string;
  bearer?: string;
  constructor(readonly base: string) {}

  async call(
    method: string,
    urlPath: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const h: Record<string, string> = { ...headers };
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (this.cookie) h.cookie = `rampart_session=${this.cookie}`;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(new URL(urlPath, this.base), { method, headers: h, body: payload });
    for (const c of res.headers.getSetCookie()) {
      const m = /^rampart_session=([^;]*)/.exec(c);
      if (m) this.cookie = m[1] || undefined;
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  async ok(
    method: string,
    urlPath: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer> {
    const r = await this.call(method, urlPath, body, headers);
    if (r.status >= 300) throw new Error(`${method} ${urlPath} answered ${r.status}: ${r.text}`);
    return r;
  }
}

/** TOTP codes for one secret, each from a later time step than the last (the server refuses replays). */
export class TotpDevice {
  private lastStep = -1;
  constructor(readonly secret: string) {}

  /** A code the server accepts now: the current step, or the next one (the server allows ±1 step). */
  async next(): Promise<string> {
    for (;;) {
      const current = Math.floor(Date.now() / 30_000);
      const step = Math.max(current, this.lastStep + 1);
      if (step <= current + 1) {
        this.lastStep = step;
        return new OTPAuth.TOTP({
          secret: OTPAuth.Secret.fromBase32(this.secret),
          digits: 6,
          period: 30,
        }).generate({
          timestamp: step * 30_000,
        });
      }
      await new Promise((r) => setTimeout(r, (current + 1) * 30_000 - Date.now() + 50));
    }
  }
}

/** Signs in through the API; enrols TOTP when the role requires it. */
export async function apiLogin(
  base: string,
  email: string,
  device?: TotpDevice,
): Promise<{ client: ApiClient; device?: TotpDevice }> {
  const client = new ApiClient(base);
  const login = await client.ok('POST', '/api/v1/auth/login', { email, password: PASSWORD });
  if (login.json.mfa === 'required') {
    if (!device) throw new Error(`${email} needs a TOTP device`);
    const second = await client.ok('POST', '/api/v1/auth/login/totp', {
      ticket: login.json.ticket,
      code: await device.next(),
    });
    client.csrf = second.json.csrfToken;
    return { client, device };
  }
  client.csrf = login.json.csrfToken;
  if (login.json.mfa === 'enrolment-required') {
    const enrol = await client.ok('POST', '/api/v1/me/totp/enrol');
    const fresh = new TotpDevice(enrol.json.secret);
    await client.ok('POST', '/api/v1/me/totp/confirm', { code: await fresh.next() });
    return { client, device: fresh };
  }
  return { client };
}

export interface Seed {
  admin: ApiClient;
  adminDevice: TotpDevice;
  developer: ApiClient;
  /** A CI token of the developer: project A, project:read + deployments:request. */
  ciToken: string;
  projectA: { id: string; name: string };
  projectB: { id: string; name: string };
  artifact: { id: string; name: string; digest: string; ref: string };
}

const sarifA = sarifLog('CodeQL', [
  {
    ruleId: 'js/sql-injection',
    path: 'src/db/orders.js',
    line: 42,
    fp: 'a1',
    level: 'error',
    securitySeverity: '9.8',
  },
  {
    ruleId: 'js/reflected-xss',
    path: 'src/web/render.js',
    line: 17,
    fp: 'a2',
    level: 'error',
    securitySeverity: '7.5',
  },
  {
    ruleId: 'js/reflected-xss',
    path: 'src/web/search.js',
    line: 88,
    fp: 'a3',
    level: 'error',
    securitySeverity: '7.1',
  },
  {
    ruleId: 'js/path-injection',
    path: 'src/files/download.js',
    line: 9,
    fp: 'a4',
    level: 'warning',
    securitySeverity: '6.5',
  },
  {
    ruleId: 'js/insecure-randomness',
    path: 'src/util/token.js',
    line: 5,
    fp: 'a5',
    level: 'note',
    securitySeverity: '3.1',
  },
  {
    ruleId: 'js/weak-crypto',
    path: 'src/util/hash.js',
    line: 12,
    fp: 'a6',
    level: 'warning',
    securitySeverity: '5.3',
  },
]);
const sarifB = sarifLog('Semgrep', [
  {
    ruleId: 'python.lang.security.audit.subprocess-shell-true',
    path: 'tools/run.py',
    line: 3,
    fp: 'b1',
    level: 'error',
    securitySeverity: '8.8',
  },
  {
    ruleId: 'python.lang.security.audit.eval-detected',
    path: 'tools/calc.py',
    line: 21,
    fp: 'b2',
    level: 'warning',
    securitySeverity: '6.0',
  },
]);
const cyclonedx = JSON.stringify({
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  version: 1,
  components: [
    { type: 'library', name: 'express', version: '4.17.1', purl: 'pkg:npm/express@4.17.1' },
    { type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
    { type: 'library', name: 'pg', version: '8.11.0', purl: 'pkg:npm/pg@8.11.0' },
    { type: 'library', name: 'jsonwebtoken', version: '8.5.1', purl: 'pkg:npm/jsonwebtoken@8.5.1' },
  ],
});

/** Users, projects, scans, an artifact with SBOM and evidence, environments, a CI token. */
export async function seed(base: string): Promise<Seed> {
  const { client: admin, device } = await apiLogin(base, ADMIN_EMAIL);
  await admin.ok('POST', '/api/v1/users', {
    email: DEV_EMAIL,
    name: 'Dana Developer',
    role: 'developer',
    password: PASSWORD,
  });
  const users = await admin.ok('GET', '/api/v1/users');
  const devId = (users.json.users as Array<{ id: string; email: string }>).find(
    (u) => u.email === DEV_EMAIL,
  )!.id;

  const a = await admin.ok('POST', '/api/v1/projects', {
    name: 'payments-api',
    repository: 'github.com/acme/payments-api',
  });
  const b = await admin.ok('POST', '/api/v1/projects', {
    name: 'internal-tools',
    repository: 'github.com/acme/internal-tools',
  });
  await admin.ok('PUT', `/api/v1/projects/${a.json.id}/members/${devId}`);

  const upload = (projectId: string, body: string, key: string) =>
    admin.ok('POST', `/api/v1/projects/${projectId}/scans?branch=main&commit=0123abcd`, body, {
      'content-type': 'application/sarif+json',
      'idempotency-key': key,
    });
  await upload(a.json.id, sarifA, 'seed-a');
  await upload(b.json.id, sarifB, 'seed-b');

  const digest = `sha256:${'4f'.repeat(32)}`;
  const name = 'registry.acme.test/payments-api';
  const art = await admin.ok('POST', `/api/v1/projects/${a.json.id}/artifacts`, { name, digest });
  await admin.ok('PUT', `/api/v1/projects/${a.json.id}/artifacts/${art.json.id}/sbom`, cyclonedx, {
    'content-type': 'application/vnd.cyclonedx+json',
  });
  await admin.ok('POST', `/api/v1/projects/${a.json.id}/artifacts/${art.json.id}/evidence`, {
    kind: 'signature',
    verified: true,
    details: { key: 'cosign.pub' },
  });
  await admin.ok('POST', `/api/v1/projects/${a.json.id}/artifacts/${art.json.id}/evidence`, {
    kind: 'attestation',
    verified: true,
    predicateType: 'https://slsa.dev/provenance/v1',
  });

  await admin.ok('PUT', '/api/v1/environments/production', {
    protection: {
      requireSbom: true,
      requireSignature: true,
      approvals: { count: 1, roles: ['admin', 'security-admin'] },
    },
  });
  await admin.ok('PUT', '/api/v1/environments/staging', {
    protection: { requireSbom: true, approvals: { count: 1, roles: ['admin', 'operator'] } },
  });

  const { client: developer } = await apiLogin(base, DEV_EMAIL);
  const token = await developer.ok('POST', '/api/v1/tokens', {
    name: 'ci-deploy',
    projectId: a.json.id,
    permissions: ['project:read', 'deployments:request'],
    expiresInDays: 1,
  });
  return {
    admin,
    adminDevice: device!,
    developer,
    ciToken: token.json.token,
    projectA: { id: a.json.id, name: 'payments-api' },
    projectB: { id: b.json.id, name: 'internal-tools' },
    artifact: { id: art.json.id, name, digest, ref: `${name}@${digest}` },
  };
}

/** Polls `probe` until it returns a value other than undefined (or throws after `ms`). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface GateRun {
  exit: Promise<number>;
  output(): string;
}

/** Runs `rampart gate` as a CD pipeline would, with the CI token. */
export function runGate(
  base: string,
  token: string,
  projectId: string,
  env: string,
  artifactRef: string,
): GateRun {
  const child = spawn(
    process.execPath,
    [
      binPath,
      'gate',
      '--env',
      env,
      '--artifact',
      artifactRef,
      '--project',
      projectId,
      '--server',
      base,
      '--poll',
      '1s',
      '--timeout',
      '3m',
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, RAMPART_TOKEN: token, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1))),
  );
  setTimeout(() => child.kill('SIGKILL'), 240_000).unref();
  return { exit, output: () => out };
}
