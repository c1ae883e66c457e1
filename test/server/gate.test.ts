/**
 * `rampart gate` end to end: a real `rampart server` process (embedded database in a temporary
 * folder) and `rampart gate` in a child process, while the test approves or rejects through the API
 * as an operator. Exit codes: 0 approved, 1 rejected / gate failed / timed out, 2 tool error.
 *
 * Both processes run the CLI from source through tsx (the same `main()` bin/rampart.js runs from dist).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as OTPAuth from 'otpauth';
import { repoRoot } from '../helpers.js';

const MAIN = pathToFileURL(path.join(repoRoot, 'src', 'cli', 'main.ts')).href;
const ADMIN = {
  email: 'admin@example.test',
  password: `gate-admin-${randomBytes(12).toString('base64url')}`,
};
const OPERATOR = { email: 'ops@example.test', password: `gate-ops-${randomBytes(12).toString('base64url')}` };
const SIGNED = `registry.example/shop@sha256:${'a'.repeat(64)}`;
const UNSIGNED = `registry.example/shop@sha256:${'b'.repeat(64)}`;

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number>;
}

/** `rampart <args>` from source in a child process. */
function rampart(args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(process.argv.slice(1));`,
      ...args,
    ],
    { cwd: repoRoot, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of ['DATABASE_URL', 'RAMPART_TOKEN', 'RAMPART_SERVER', 'RAMPART_SECRET_KEY', 'GITHUB_ACTIONS'])
    delete env[k];
  return env;
}

/** Resolves once `read()` matches, or rejects after `ms` with what was read (never a timing assertion). */
async function waitFor(
  read: () => string,
  pattern: RegExp,
  exited: Promise<number>,
  ms = 60_000,
): Promise<string> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + ms;
  for (;;) {
    const m = pattern.exec(read());
    if (m) return m[0];
    if (done || Date.now() > deadline) throw new Error(`never saw ${pattern} in:\n${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

class Session {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  async call(method: string, url: string, body?: unknown, bearer?: string) {
    const res = await fetch(new URL(url, this.base), {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : { cookie: `rampart_session=${this.cookie}` }),
        ...(this.csrf && !bearer ? { 'x-csrf-token': this.csrf } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const cookie = /rampart_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '');
    if (cookie) this.cookie = cookie[1]!;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON answers
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  async login(who: { email: string; password: string }): Promise<this> {
    const r = await this.call('POST', '/api/v1/auth/login', who);
    assert.equal(r.status, 200, r.text);
    this.csrf = r.json.csrfToken;
    if (r.json.mfa === 'enrolment-required') {
      const enrol = await this.call('POST', '/api/v1/me/totp/enrol');
      assert.equal(enrol.status, 200, enrol.text);
      const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(enrol.json.secret) }).generate();
      const ok = await this.call('POST', '/api/v1/me/totp/confirm', { code });
      assert.equal(ok.status, 200, ok.text);
    }
    return this;
  }
}

let dataDir: string;
let server: Running;
let base: string;
let admin: Session;
let ops: Session;
let projectId: string;
let token: string;

before(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'rampart-gate-'));
  server = rampart(['server', '--data-dir', path.join(dataDir, 'db'), '--port', '0', '--log', 'error'], {
    RAMPART_ADMIN_EMAIL: ADMIN.email,
    RAMPART_ADMIN_PASSWORD: ADMIN.password,
    RAMPART_DB_DIR: path.join(dataDir, 'advisories'),
  });
  base = (await waitFor(server.stderr, /http:\/\/127\.0\.0\.1:\d+/, server.exit, 120_000)).trim();
  admin = await new Session(base).login(ADMIN);
  const p = await admin.call('POST', '/api/v1/projects', { name: 'shop' });
  assert.equal(p.status, 201, p.text);
  projectId = p.json.id;
  const u = await admin.call('POST', '/api/v1/users', { ...OPERATOR, role: 'operator' });
  assert.equal(u.status, 201, u.text);
  assert.equal((await admin.call('PUT', `/api/v1/projects/${projectId}/members/${u.json.id}`)).status, 200);
  const t = await admin.call('POST', '/api/v1/tokens', {
    name: 'cd',
    projectId,
    permissions: ['deployments:request', 'artifacts:write'],
  });
  assert.equal(t.status, 201, t.text);
  token = t.json.token;
  for (const ref of [SIGNED, UNSIGNED]) {
    const [name, digest] = ref.split('@') as [string, string];
    const a = await admin.call('POST', `/api/v1/projects/${projectId}/artifacts`, { name, digest }, token);
    assert.equal(a.status, 201, a.text);
    if (ref === SIGNED) {
      const ev = await admin.call(
        'POST',
        `/api/v1/projects/${projectId}/artifacts/${a.json.id}/evidence`,
        { kind: 'signature', verified: true },
        token,
      );
      assert.equal(ev.status, 201, ev.text);
    }
  }
  const env = await admin.call('PUT', '/api/v1/environments/production', {
    protection: { requireSignature: true, approvals: { count: 1, roles: ['operator'] } },
  });
  assert.equal(env.status, 200, env.text);
  ops = await new Session(base).login(OPERATOR);
});

after(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exit;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const gate = (artifact: string, extra: string[] = [], env: NodeJS.ProcessEnv = { RAMPART_TOKEN: token }) =>
  rampart(
    [
      'gate',
      '--env',
      'production',
      '--artifact',
      artifact,
      '--project',
      projectId,
      '--server',
      base,
      '--poll',
      '200ms',
      ...extra,
    ],
    env,
  );

/** The id of the pending deployment the running gate created (it prints it first). */
async function pendingId(g: Running): Promise<string> {
  const line = await waitFor(g.stderr, /deployment [0-9a-f-]{36}:/, g.exit);
  await waitFor(g.stderr, /waiting for 1 of 1 approval \(operator\) — \d\d:\d\d elapsed/, g.exit);
  return line.slice('deployment '.length, -1);
}

test('approved through the API while `rampart gate` waits → exit 0', async () => {
  const g = gate(SIGNED, ['--json']);
  const id = await pendingId(g);
  const d = await ops.call('POST', `/api/v1/deployments/${id}/decision`, {
    decision: 'approve',
    comment: 'go',
  });
  assert.equal(d.status, 200, d.text);
  assert.equal(await g.exit, 0, g.stderr());
  assert.match(g.stderr(), /pass {2}signature-verified: signature verified/);
  assert.match(
    g.stderr(),
    new RegExp(
      `approved: deploy ${SIGNED.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} to production \\(approved by user:${OPERATOR.email}\\)`,
    ),
  );
  assert.equal(JSON.parse(g.stdout()).status, 'approved');
});

test('rejected through the API → exit 1 with the rejecting person and comment', async () => {
  const g = gate(SIGNED);
  const id = await pendingId(g);
  const d = await ops.call('POST', `/api/v1/deployments/${id}/decision`, {
    decision: 'reject',
    comment: 'change freeze',
  });
  assert.equal(d.status, 200, d.text);
  assert.equal(await g.exit, 1, g.stderr());
  assert.match(g.stderr(), new RegExp(`rejected: rejected by user:${OPERATOR.email}: change freeze`));
});

test('nobody decides before --timeout → exit 1 with the reason', async () => {
  const g = gate(SIGNED, ['--timeout', '2s']);
  assert.equal(await g.exit, 1, g.stderr());
  assert.match(
    g.stderr(),
    /timed out after 00:0\d: still waiting for 1 of 1 approval \(operator\); deployment [0-9a-f-]{36} was not approved in time/,
  );
});

test('a failing gate rejects at once → exit 1 naming the gate', async () => {
  const g = gate(UNSIGNED);
  assert.equal(await g.exit, 1, g.stderr());
  assert.match(g.stderr(), /FAIL {2}signature-verified: no verified signature recorded for the artifact/);
  assert.match(g.stderr(), /rejected: gates failed: signature-verified/);
});

test('a refused credential or a bad flag is a tool error → exit 2, one line', async () => {
  const bad = gate(SIGNED, [], { RAMPART_TOKEN: 'rpt_notatoken.nope' });
  assert.equal(await bad.exit, 2, bad.stderr());
  assert.match(bad.stderr(), /^rampart: the server refused: 401 /m);
  const flag = gate('shop:latest');
  assert.equal(await flag.exit, 2);
  assert.match(flag.stderr(), /^rampart: invalid --artifact shop:latest/m);
  assert.ok(!/\n\s+at .+:\d+:\d+\)?/.test(bad.stderr() + flag.stderr()), 'no stack trace');
});
