/**
 * The real control plane as a child process: `node bin/rampart.js server` on a fixed loopback port
 * against PostgreSQL (DATABASE_URL), its output appended to a log file. Ready when /readyz answers
 * 200; its peak resident set comes from /proc/<pid>/status (VmHWM, Linux).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface ServerEnv {
  databaseUrl: string;
  secretKey: string;
  adminEmail: string;
  adminPassword: string;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Peak RSS in MiB so far (NaN where /proc is not available). */
  peakRssMb(): number;
  /** CPU time (user + system) in seconds so far (NaN where /proc is not available). */
  cpuSeconds(): number;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** User + system CPU seconds of a process, from /proc/<pid>/stat (clock ticks of 10 ms on Linux). */
export function procCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startServer(options: {
  repoRoot: string;
  port: number;
  env: ServerEnv;
  logFile: string;
  logLevel: string;
  nodeArgs?: string[];
  /** Extra `rampart server` flags (e.g. --no-workers). */
  serverArgs?: string[];
}): Promise<ServerProcess> {
  const log = openSync(options.logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      path.join(options.repoRoot, 'bin', 'rampart.js'),
      'server',
      '--host',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--log',
      options.logLevel,
      ...(options.serverArgs ?? []),
    ],
    {
      cwd: options.repoRoot,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        DATABASE_URL: options.env.databaseUrl,
        RAMPART_SECRET_KEY: options.env.secretKey,
        RAMPART_ADMIN_EMAIL: options.env.adminEmail,
        RAMPART_ADMIN_PASSWORD: options.env.adminPassword,
      },
    },
  );
  closeSync(log);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`the server exited with code ${exitCode} while starting (see ${options.logFile})`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server was not ready within 60 s (see ${options.logFile})`);
    }
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  return {
    child,
    url,
    exited,
    peakRssMb: () => peakRssMb(child.pid),
    cpuSeconds: () => procCpuSeconds(child.pid),
  };
}

export async function stopServer(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(signal);
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  await server.exited;
  clearTimeout(timer);
}
