/**
 * `rampart server` as a process (bin/rampart.js over dist/, built by `npm test`): probes, metrics
 * behind authentication, `rampart upload` end to end (idempotent), graceful shutdown that finishes a
 * request in flight, a restart on the same data folder keeping data and key, `rampart audit verify`
 * on the stopped server's folder, help and usage errors.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import pg from 'pg';
import { postgresSkipReason, TEST_DATABASE_URL } from '../../src/server/db/__fixtures__/engines.js';
import { runCli, tempDir } from '../helpers.js';
import { cleanEnv, freePort, runCliAsync, ServerProcess } from './server-process.js';

/** Each step spawns processes: a hung one fails the step instead of stalling the run. */
const LIMIT = { timeout: 240_000 };
const ADMIN_EMAIL = 'first-admin@example.test';
const ADMIN_PASSWORD = 'Vq7#lantern-orbit-frost-92';

const tmp = tempDir('rampart-server-cli-');
const dataDir = path.join(tmp.dir, 'data');
const serverEnv = cleanEnv({
  RAMPART_ADMIN_EMAIL: ADMIN_EMAIL,
  RAMPART_ADMIN_PASSWORD: ADMIN_PASSWORD,
  // Continuous re-scan looks for an advisory database here: none, so no re-match runs.
  RAMPART_DB_DIR: path.join(tmp.dir, 'no-advisory-db'),
});
let server: ServerProcess | undefined;
after(() => {
  server?.kill();
  tmp.cleanup();
});

function sarif(tool: string, results: { ruleId: string; path: string; fp: string }[]): string {
  return JSON.stringify({
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: tool, rules: results.map((r) => ({ id: r.ruleId })) } },
        results: results.map((r) => ({
          ruleId: r.ruleId,
          level: 'error',
          message: { text: `problem ${r.ruleId}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: r.path }, region: { startLine: 3 } } }],
          partialFingerprints: { primaryLocationLineHash: r.fp },
        })),
      },
    ],
  });
}

function totp(secret: string, at: number): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: at,
  });
}

/** A JSON answer as the test reads it (the shape is what each assertion checks). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON answers
type Json = any;

/** A browser-like session against the running server: cookie + CSRF token. */
class Session {
  constructor(
    private readonly base: string,
    private cookie = '',
    private csrf = '',
  ) {}
  async call(method: string, url: string, body?: unknown): Promise<{ status: number; json: Json }> {
    const res = await fetch(new URL(url, this.base), {
      method,
      headers: {
        ...(this.cookie ? { cookie: `rampart_session=${this.cookie}`, 'x-csrf-token': this.csrf } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const session = /rampart_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    if (session) this.cookie = session;
    const text = await res.text();
    let json: Json;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    if (json && typeof json.csrfToken === 'string') this.csrf = json.csrfToken;
    return { status: res.status, json };
  }
}

const state: {
  url?: string;
  projectId?: string;
  token?: string;
  totpSecret?: string;
  key?: string;
  uploadedScanId?: string;
  slowScanId?: string;
} = {};

test('starts on the embedded database: probes answer, metrics need credentials', LIMIT, async () => {
  const port = await freePort();
  server = await ServerProcess.start(
    ['--port', String(port), '--data-dir', dataDir, '--log', 'warn'],
    serverEnv,
  );
  state.url = server.url;
  assert.equal(server.url, `http://127.0.0.1:${port}`);
  assert.match(server.stderr, /database: embedded/);
  assert.match(server.stderr, new RegExp(`created the first admin ${ADMIN_EMAIL}`));
  assert.ok(existsSync(path.join(dataDir, 'secret.key')), 'embedded mode creates the server key');
  state.key = readFileSync(path.join(dataDir, 'secret.key'), 'utf8');

  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { ok: true });
  const ready = await fetch(`${server.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { ready: true, database: 'embedded' });
  const metrics = await fetch(`${server.url}/metrics`);
  assert.equal(metrics.status, 401);
  await metrics.arrayBuffer();
});

test(
  'the first admin enrols MFA, creates a project and a token; metrics are readable with the session',
  LIMIT,
  async () => {
    const admin = new Session(state.url!);
    const login = await admin.call('POST', '/api/v1/auth/login', {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    assert.equal(login.status, 200, JSON.stringify(login.json));
    assert.equal(login.json.mfa, 'enrolment-required');
    assert.equal((await admin.call('GET', '/api/v1/users')).status, 403, 'nothing before MFA');
    const enrol = await admin.call('POST', '/api/v1/me/totp/enrol');
    assert.equal(enrol.status, 200, JSON.stringify(enrol.json));
    state.totpSecret = enrol.json.secret;
    const confirm = await admin.call('POST', '/api/v1/me/totp/confirm', {
      code: totp(state.totpSecret!, Date.now()),
    });
    assert.equal(confirm.status, 200, JSON.stringify(confirm.json));

    const project = await admin.call('POST', '/api/v1/projects', { name: 'payments' });
    assert.equal(project.status, 201, JSON.stringify(project.json));
    state.projectId = project.json.id;
    const token = await admin.call('POST', '/api/v1/tokens', {
      name: 'ci upload',
      projectId: state.projectId,
      permissions: ['scans:upload', 'project:read'],
    });
    assert.equal(token.status, 201, JSON.stringify(token.json));
    state.token = token.json.token;

    const metrics = await admin.call('GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(
      metrics.json,
      /rampart_http_requests_total\{method="POST",route="\/api\/v1\/projects",status="201"\} 1/,
    );
    const byToken = await fetch(`${state.url}/metrics`, {
      headers: { authorization: `Bearer ${state.token}` },
    });
    assert.equal(byToken.status, 403, 'a project token cannot read metrics');
    await byToken.arrayBuffer();
  },
);

test('rampart upload sends a SARIF with the token; the same upload again is recognised', LIMIT, async () => {
  const file = path.join(tmp.dir, 'codeql.sarif');
  writeFileSync(
    file,
    sarif('CodeQL', [
      { ruleId: 'js/sql-injection', path: 'src/db.js', fp: 'cli-1' },
      { ruleId: 'js/xss', path: 'src/view.js', fp: 'cli-2' },
    ]),
  );
  const args = ['upload', file, '--server', state.url!, '--project', state.projectId!, '--branch', 'main'];
  const env = cleanEnv({ RAMPART_TOKEN: state.token! });
  const first = await runCliAsync(args, env);
  assert.equal(first.status, 0, first.stderr);
  const m = /^uploaded: scan ([0-9a-f-]{36}) — 2 findings, 2 new, 0 reopened, 0 fixed\n$/.exec(first.stdout);
  assert.ok(m, first.stdout);
  state.uploadedScanId = m[1];
  const second = await runCliAsync(args, env);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, new RegExp(`^already uploaded: scan ${m[1]} `));

  const noToken = await runCliAsync(args, cleanEnv());
  assert.equal(noToken.status, 2);
  assert.equal(noToken.stderr, 'rampart: no credential: set RAMPART_TOKEN or use --oidc-audience in CI\n');
  const badToken = await runCliAsync(args, cleanEnv({ RAMPART_TOKEN: 'rpt_notatoken_x' }));
  assert.equal(badToken.status, 2);
  assert.equal(badToken.stderr, 'rampart: upload refused: 401 invalid or expired credential\n');
});

test('SIGTERM lets a request in flight finish, refuses new ones, and exits 0', LIMIT, async () => {
  const s = server!;
  const body = Buffer.from(sarif('Semgrep', [{ ruleId: 'py/eval', path: 'app.py', fp: 'slow-1' }]));
  const url = new URL(`/api/v1/projects/${state.projectId}/scans?branch=main&tool=Semgrep`, s.url);
  const req = request(url, {
    method: 'POST',
    agent: false,
    headers: {
      authorization: `Bearer ${state.token}`,
      'content-type': 'application/sarif+json',
      'content-length': String(body.length),
      'idempotency-key': 'slow-upload-1',
      connection: 'close',
      // The server answers "100 Continue" once it has taken the request: from then on it is in flight.
      expect: '100-continue',
    },
  });
  const answered = once(req, 'response');
  req.flushHeaders();
  await once(req, 'continue');
  req.write(body.subarray(0, 100));

  s.child.kill('SIGTERM');
  await s.waitForStderr('shutting down');
  const fresh = await fetch(`${s.url}/healthz`).then(
    (r) => r.status,
    () => 'refused',
  );
  assert.ok(fresh === 503 || fresh === 'refused', `a new request during shutdown: ${fresh}`);

  req.end(body.subarray(100));
  const [res] = (await answered) as [import('node:http').IncomingMessage];
  let text = '';
  for await (const chunk of res) text += chunk;
  assert.equal(res.statusCode, 201, text);
  const outcome = JSON.parse(text);
  assert.equal(outcome.summary.findings, 1);
  state.slowScanId = outcome.scanId;

  const exit = await s.exited;
  assert.deepEqual(exit, { code: 0, signal: null }, s.stderr);
  assert.doesNotMatch(s.stderr, /error/i, 'a clean shutdown');
  server = undefined;
});

test(
  'a restart on the same data folder keeps users, key, tokens and the scan that finished during shutdown',
  LIMIT,
  async () => {
    const port = await freePort();
    server = await ServerProcess.start(['--port', String(port), '--data-dir', dataDir, '--log', 'warn'], {
      ...serverEnv,
      RAMPART_ADMIN_EMAIL: 'second-admin@example.test',
    });
    assert.doesNotMatch(server.stderr, /created the first admin/, 'users exist: no bootstrap');
    assert.equal(readFileSync(path.join(dataDir, 'secret.key'), 'utf8'), state.key);

    // The TOTP seed was sealed with the key: signing in with a code proves the same key was loaded.
    const admin = new Session(server.url);
    const login = await admin.call('POST', '/api/v1/auth/login', {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    assert.equal(login.status, 200);
    assert.equal(login.json.mfa, 'required');
    const second = await admin.call('POST', '/api/v1/auth/login/totp', {
      ticket: login.json.ticket,
      code: totp(state.totpSecret!, Date.now() + 30_000), // the next step: the enrolment code's step is spent
    });
    assert.equal(second.status, 200, JSON.stringify(second.json));
    const users = await admin.call('GET', '/api/v1/users');
    assert.equal(users.status, 200);
    assert.deepEqual(
      users.json.users.map((u: { email: string }) => u.email),
      [ADMIN_EMAIL],
    );

    const scans = await fetch(`${server.url}/api/v1/projects/${state.projectId}/scans`, {
      headers: { authorization: `Bearer ${state.token}` },
    });
    assert.equal(scans.status, 200, 'the API token still works');
    const ids = ((await scans.json()) as { scans: { id: string }[] }).scans.map((x) => x.id).sort();
    assert.deepEqual(ids, [state.uploadedScanId, state.slowScanId].sort());

    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, server.stderr);
    assert.equal(existsSync(path.join(dataDir, 'rampart.lock')), false, 'the data folder is unlocked');
    server = undefined;
  },
);

test('a port already in use is a one-line error, and the data folder is left unlocked', LIMIT, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as AddressInfo;
  try {
    const r = await runCliAsync(['server', '--port', String(port), '--data-dir', dataDir], serverEnv);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `rampart: cannot listen on 127.0.0.1:${port}: address already in use\n`);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
  assert.equal(existsSync(path.join(dataDir, 'rampart.lock')), false);
});

test('rampart audit verify reads the stopped server’s folder: intact', LIMIT, async () => {
  const r = await runCliAsync(['audit', 'verify', '--data-dir', dataDir], cleanEnv());
  assert.equal(r.status, 0, r.stderr);
  const m = /^audit trail intact: (\d+) entries\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const out = path.join(tmp.dir, 'audit.jsonl');
  const exported = await runCliAsync(['audit', 'export', '--data-dir', dataDir, '--out', out], cleanEnv());
  assert.equal(exported.status, 0, exported.stderr);
  const actions = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { action: string }).action);
  assert.equal(actions.length, Number(m[1]));
  for (const action of ['auth.login', 'auth.mfa-enrol', 'project.create', 'token.create', 'scan.upload'])
    assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
  assert.equal(
    actions.filter((a) => a === 'scan.upload').length,
    2,
    'two scans, the repeated upload is not one',
  );
});

test('rampart server --help documents the options and the environment', () => {
  const r = runCli(['server', '--help'], { env: cleanEnv() });
  assert.equal(r.status, 0, r.stderr);
  for (const text of [
    '--port',
    '--data-dir',
    '--public-url',
    '--no-workers',
    'DATABASE_URL',
    'RAMPART_SECRET_KEY',
  ])
    assert.ok(r.stdout.includes(text), `${text} in --help`);
});

test('a bad --port is a one-line usage error, before anything is created', () => {
  const dir = path.join(tmp.dir, 'never-created');
  for (const port of ['70000', 'http', '-1', '80.5']) {
    const r = runCli(['server', '--port', port, '--data-dir', dir], { env: cleanEnv() });
    assert.equal(r.status, 2, `${port}: ${r.stderr}`);
    assert.equal(r.stderr, `rampart: invalid --port ${port}\n`);
    assert.equal(r.stdout, '');
  }
  assert.equal(existsSync(dir), false);
});

test('configuration errors are one line and stop the start before the database is touched', () => {
  const dir = path.join(tmp.dir, 'misconfigured');
  const cases: [NodeJS.ProcessEnv, string][] = [
    [
      { RAMPART_ADMIN_EMAIL: 'a@example.test', RAMPART_ADMIN_PASSWORD: 'password123' },
      'rampart: RAMPART_ADMIN_PASSWORD: password must be at least 12 characters\n',
    ],
    [
      { RAMPART_OIDC_ISSUER: 'https://login.example.test' },
      'rampart: RAMPART_OIDC_ISSUER is set: set RAMPART_OIDC_CLIENT_ID too\n',
    ],
    [
      { RAMPART_OIDC_ISSUER: 'http://login.example.test', RAMPART_OIDC_CLIENT_ID: 'rampart' },
      'rampart: RAMPART_OIDC_ISSUER must be an https URL, not http://login.example.test\n',
    ],
    [{ RAMPART_SECRET_KEY: 'c2hvcnQ=' }, 'rampart: RAMPART_SECRET_KEY must be 32 bytes, base64-encoded\n'],
  ];
  for (const [env, message] of cases) {
    const r = runCli(['server', '--port', '0', '--data-dir', dir], { env: cleanEnv(env) });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, message);
  }
  assert.equal(existsSync(dir), false);
});

test(
  'with DATABASE_URL: PostgreSQL, the key from RAMPART_SECRET_KEY, background jobs taken by `rampart worker`',
  { ...LIMIT, skip: postgresSkipReason ?? false },
  async () => {
    const schema = `rampart_cli_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const hooks: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const receiver = createHttpServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    let worker: ServerProcess | undefined;
    try {
      const env = cleanEnv({
        DATABASE_URL: url.href,
        RAMPART_ADMIN_EMAIL: ADMIN_EMAIL,
        RAMPART_ADMIN_PASSWORD: ADMIN_PASSWORD,
        RAMPART_DB_DIR: path.join(tmp.dir, 'no-advisory-db'),
      });
      const noKey = await runCliAsync(['server', '--port', '0'], env);
      assert.equal(noKey.status, 2);
      assert.match(
        noKey.stderr,
        /^rampart: set RAMPART_SECRET_KEY \(32 bytes, base64: .*\) when using DATABASE_URL\n$/,
      );

      const keyed = { ...env, RAMPART_SECRET_KEY: randomBytes(32).toString('base64') };
      server = await ServerProcess.start(
        ['--port', String(await freePort()), '--no-workers', '--log', 'warn'],
        keyed,
      );
      assert.match(server.stderr, /\(database: PostgreSQL\)\n/, 'no jobs in-process');
      const ready = await fetch(`${server.url}/readyz`);
      assert.deepEqual(await ready.json(), { ready: true, database: 'postgres' });
      worker = await ServerProcess.start(['--log', 'info'], keyed, { command: 'worker' });

      const session = new Session(server.url);
      await session.call('POST', '/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      const enrol = await session.call('POST', '/api/v1/me/totp/enrol');
      const confirmed = await session.call('POST', '/api/v1/me/totp/confirm', {
        code: totp(enrol.json.secret, Date.now()),
      });
      assert.equal(confirmed.status, 200, JSON.stringify(confirmed.json));
      const project = await session.call('POST', '/api/v1/projects', { name: 'payments' });
      const webhook = await session.call('POST', '/api/v1/webhooks', {
        url: hookUrl,
        events: ['finding.new'],
      });
      assert.equal(webhook.status, 201, JSON.stringify(webhook.json));
      const token = await session.call('POST', '/api/v1/tokens', {
        name: 'ci',
        projectId: project.json.id,
        permissions: ['scans:upload'],
      });
      const file = path.join(tmp.dir, 'pg.sarif');
      writeFileSync(file, sarif('CodeQL', [{ ruleId: 'js/sql-injection', path: 'src/db.js', fp: 'pg-1' }]));
      const up = await runCliAsync(
        ['upload', file, '--server', server.url, '--project', project.json.id, '--branch', 'main'],
        cleanEnv({ RAMPART_TOKEN: token.json.token }),
      );
      assert.equal(up.status, 0, up.stderr);

      // The server runs no jobs: the delivery comes from the worker process.
      const deadline = Date.now() + 60_000;
      while (hooks.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(hooks.length, 1, `no webhook delivery; worker: ${worker.stderr}`);
      const [hook] = hooks;
      assert.equal(hook!.headers['x-rampart-event'], 'finding.new');
      const timestamp = String(hook!.headers['x-rampart-timestamp']);
      const expected = createHmac('sha256', webhook.json.secret)
        .update(`${timestamp}.${hook!.body}`)
        .digest('hex');
      assert.equal(hook!.headers['x-rampart-signature'], `sha256=${expected}`);
      assert.equal(JSON.parse(hook!.body).findings[0].ruleId, 'js/sql-injection');

      assert.deepEqual(await worker.stop(), { code: 0, signal: null }, worker.stderr);
      worker = undefined;
      assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr);
      server = undefined;
      const verify = await runCliAsync(['audit', 'verify'], keyed);
      assert.equal(verify.status, 0, verify.stderr);
      assert.match(verify.stdout, /^audit trail intact: \d+ entries\n$/);
    } finally {
      worker?.kill();
      server?.kill();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  },
);
