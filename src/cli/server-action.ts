/**
 * `rampart server | worker | upload | audit`: wiring between the CLI flags / environment and the
 * control plane. The embedded database lives in --data-dir (default: the user data folder).
 */
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import { RampartError, errorMessage } from '../core/errors.js';
import type { AuditFlags, ServerFlags, UploadFlags } from './commands/server.js';

function dataDirOf(flag?: string): string {
  return path.resolve(flag ?? path.join(envPaths('rampart').data, 'server'));
}

async function openServerDb(dataDir: string) {
  const { openDb, migrate } = await import('../server/db/index.js');
  const url = process.env.DATABASE_URL;
  const db = await openDb(url ? { url } : { dataDir });
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

async function serverKeys(dataDir: string, embedded: boolean) {
  const { loadServerKey, serverKeysFrom } = await import('../server/keys/server-key.js');
  return serverKeysFrom(
    loadServerKey({ env: process.env.RAMPART_SECRET_KEY, dataDir: embedded ? dataDir : undefined }),
  );
}

/**
 * The first admin from RAMPART_ADMIN_EMAIL / RAMPART_ADMIN_PASSWORD, checked and hashed before the
 * database is opened, so a weak password fails fast and leaves nothing open.
 */
async function adminFromEnv(): Promise<{ email: string; hash: string } | undefined> {
  const email = process.env.RAMPART_ADMIN_EMAIL;
  const password = process.env.RAMPART_ADMIN_PASSWORD;
  if (!email || !password) return undefined;
  const { hashPassword, checkPasswordPolicy } = await import('../server/auth/password.js');
  const problem = checkPasswordPolicy(password, [email]);
  if (problem) throw new RampartError('CONFIG_INVALID', `RAMPART_ADMIN_PASSWORD: ${problem}`);
  return { email, hash: await hashPassword(password) };
}

/** Creates the first admin when there is no user yet; returns its e-mail when it did. */
async function bootstrapAdmin(
  db: import('../server/db/types.js').Db,
  admin: { email: string; hash: string } | undefined,
): Promise<string | undefined> {
  if (!admin) return undefined;
  const r = await db.query<{ id: string }>(
    `INSERT INTO users (email, name, role, password_hash)
     SELECT $1, 'Administrator', 'admin', $2 WHERE NOT EXISTS (SELECT 1 FROM users) RETURNING id`,
    [admin.email, admin.hash],
  );
  return r.rows[0] ? admin.email : undefined;
}

/** A listen failure (port taken, no permission) as a one-line error. */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as { code?: string }).code;
  if (code === 'EADDRINUSE')
    return new RampartError('USAGE', `cannot listen on ${host}:${port}: address already in use`);
  if (code === 'EACCES')
    return new RampartError('USAGE', `cannot listen on ${host}:${port}: permission denied`);
  if (code === 'EADDRNOTAVAIL')
    return new RampartError('USAGE', `cannot listen on ${host}:${port}: no such local address`);
  return err;
}

/** RAMPART_STATS_DEBOUNCE_MS: how long overview roll-ups wait after a change (default 5000). */
function statsDebounce(): { statsDebounceMs?: number } {
  const raw = process.env.RAMPART_STATS_DEBOUNCE_MS;
  if (raw === undefined || raw === '') return {};
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0 || ms > 3_600_000)
    throw new RampartError('CONFIG_INVALID', `RAMPART_STATS_DEBOUNCE_MS must be 0–3600000 ms, not "${raw}"`);
  return { statsDebounceMs: ms };
}

export async function executeServer(flags: ServerFlags): Promise<number> {
  const port = Number(flags.port);
  if (!/^\d{1,5}$/.test(flags.port) || port > 65535)
    throw new RampartError('USAGE', `invalid --port ${flags.port}`);
  const dataDir = dataDirOf(flags.dataDir);
  const embedded = !process.env.DATABASE_URL;
  const oidc = process.env.RAMPART_OIDC_ISSUER
    ? {
        issuer: process.env.RAMPART_OIDC_ISSUER,
        clientId: process.env.RAMPART_OIDC_CLIENT_ID ?? '',
        clientSecret: process.env.RAMPART_OIDC_CLIENT_SECRET,
        defaultRole: 'developer' as const,
      }
    : undefined;
  if (oidc && !/^https:\/\/[^/]/.test(oidc.issuer))
    throw new RampartError('CONFIG_INVALID', `RAMPART_OIDC_ISSUER must be an https URL, not ${oidc.issuer}`);
  if (oidc && !oidc.clientId)
    throw new RampartError('CONFIG_INVALID', 'RAMPART_OIDC_ISSUER is set: set RAMPART_OIDC_CLIENT_ID too');
  const admin = await adminFromEnv();
  const keys = await serverKeys(dataDir, embedded);
  const db = await openServerDb(dataDir);
  let created: string | undefined;
  try {
    created = await bootstrapAdmin(db, admin);
  } catch (err) {
    await db.close();
    throw err;
  }
  const { createControlPlane } = await import('../server/control-plane.js');
  const publicUrl =
    flags.publicUrl ?? `http://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${port}`;
  let plane: Awaited<ReturnType<typeof createControlPlane>>;
  try {
    plane = await createControlPlane({
      db,
      keys,
      runWorkers: flags.workers,
      logger: { level: flags.log },
      settings: {
        publicUrl,
        ...(oidc ? { oidc } : {}),
        advisoryDbDir: process.env.RAMPART_DB_DIR,
        ...statsDebounce(),
      },
    });
  } catch (err) {
    await db.close();
    throw err;
  }
  let url: string;
  try {
    url = await plane.listen({ host: flags.host, port });
  } catch (err) {
    await plane.close();
    throw listenError(err, flags.host, port);
  }
  process.stderr.write(
    `rampart server: listening on ${url} (database: ${embedded ? `embedded, ${dataDir}` : 'PostgreSQL'}` +
      `${flags.workers ? ', jobs in-process' : ''})\n` +
      (created ? `rampart server: created the first admin ${created}; enrol MFA at first sign-in\n` : ''),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stderr.write('rampart server: shutting down (finishing requests in flight)\n');
      void plane.close().then(resolve, (err: unknown) => {
        process.stderr.write(`rampart server: ${errorMessage(err)}\n`);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

export async function executeWorker(flags: { log: string }): Promise<number> {
  if (!process.env.DATABASE_URL)
    throw new RampartError(
      'USAGE',
      'rampart worker needs DATABASE_URL (embedded mode runs jobs inside `rampart server`)',
    );
  const keys = await serverKeys('', false);
  const db = await openServerDb('');
  const { DbJobQueue } = await import('../server/jobs/index.js');
  const { registerJobs, checkAdvisoryGeneration, DEFAULT_SETTINGS } =
    await import('../server/control-plane.js');
  const queue = new DbJobQueue(db);
  const ctx = {
    db,
    queue,
    keys,
    settings: { ...DEFAULT_SETTINGS, advisoryDbDir: process.env.RAMPART_DB_DIR, ...statsDebounce() },
    now: () => new Date(),
  };
  registerJobs(ctx, queue);
  queue.start();
  const watch = setInterval(() => void checkAdvisoryGeneration(ctx, queue).catch(() => undefined), 60_000);
  if (flags.log !== 'silent') process.stderr.write('rampart worker: taking jobs\n');
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearInterval(watch);
      void queue
        .stop()
        .then(() => db.close())
        .then(resolve, () => resolve());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

export async function executeUpload(file: string, flags: UploadFlags): Promise<number> {
  const server = flags.server ?? process.env.RAMPART_SERVER;
  if (!server) throw new RampartError('USAGE', 'give --server or set RAMPART_SERVER');
  const retries = Number(flags.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 20)
    throw new RampartError('USAGE', `invalid --retries ${flags.retries}`);
  let body: Buffer;
  try {
    body = file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (err) {
    throw new RampartError('PATH_UNREADABLE', `cannot read ${file}: ${errorMessage(err)}`);
  }
  const { uploadReport, ciOidcToken } = await import('../server/client/upload.js');
  const credential = flags.oidcAudience ? await ciOidcToken(flags.oidcAudience) : process.env[flags.tokenEnv];
  if (!credential)
    throw new RampartError('USAGE', `no credential: set ${flags.tokenEnv} or use --oidc-audience in CI`);
  const result = await uploadReport(
    body,
    {
      server,
      projectId: flags.project,
      branch: flags.branch,
      commit: flags.commit,
      pipelineRun: flags.pipelineRun,
      tool: flags.tool,
      complete: !flags.partial,
    },
    { credential, retries },
  );
  const s = result.summary;
  process.stdout.write(
    `${result.duplicate ? 'already uploaded' : 'uploaded'}: scan ${result.scanId} — ${s.findings ?? 0} findings, ` +
      `${s.created ?? 0} new, ${s.reopened ?? 0} reopened, ${s.fixed ?? 0} fixed\n`,
  );
  return 0;
}

async function auditContext(flags: AuditFlags) {
  const dataDir = dataDirOf(flags.dataDir);
  const embedded = !process.env.DATABASE_URL;
  const keys = await serverKeys(dataDir, embedded);
  const db = await openServerDb(dataDir);
  return { db, keys };
}

export async function executeAuditVerify(flags: AuditFlags): Promise<number> {
  const { db, keys } = await auditContext(flags);
  try {
    const { verifyAuditTrail } = await import('../server/services/audit-log.js');
    const r = await verifyAuditTrail({ db, keys });
    if (r.ok) {
      process.stdout.write(`audit trail intact: ${r.count} entries\n`);
      return 0;
    }
    process.stdout.write(`audit trail BROKEN at entry ${r.seq}: ${r.problem} — ${r.detail}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

export async function executeAuditExport(flags: AuditFlags): Promise<number> {
  const { db } = await auditContext(flags);
  try {
    const { auditEntries } = await import('../server/services/audit-log.js');
    const lines: string[] = [];
    for await (const e of auditEntries(db)) lines.push(JSON.stringify(e));
    const text = lines.length ? lines.join('\n') + '\n' : '';
    if (!flags.out) process.stdout.write(text);
    else {
      const tmp = `${flags.out}.tmp-${process.pid}`;
      writeFileSync(tmp, text);
      renameSync(tmp, flags.out);
    }
    return 0;
  } finally {
    await db.close();
  }
}
