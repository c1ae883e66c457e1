/**
 * `rampart server` as a real child process (bin/rampart.js over dist/), and the CLI run without
 * blocking the test's event loop (a blocked loop could not drain the server's output pipes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { binPath, repoRoot, type CliResult } from '../helpers.js';

/** The test process's environment without anything that would point the server elsewhere. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true' };
  for (const name of Object.keys(env))
    if (
      name === 'DATABASE_URL' ||
      name.startsWith('RAMPART_') ||
      name.startsWith('ACTIONS_ID_TOKEN_') ||
      name.startsWith('SYSTEM_OIDC')
    )
      delete env[name];
  return { ...env, ...extra };
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function runCliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawn(process.execPath, [binPath, ...args], { cwd: repoRoot, env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end();
  const [code] = (await once(child, 'close')) as [number | null];
  return { status: code ?? -1, stdout, stderr };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServerProcess {
  stderr = '';
  stdout = '';
  readonly exited: Promise<Exit>;
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = once(child, 'close').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
  }

  /**
   * Starts `rampart server <args>` and waits for its "listening on" line (or its early exit);
   * `rampart worker` with `command: 'worker'` (ready at "taking jobs").
   */
  static async start(
    args: string[],
    env: NodeJS.ProcessEnv,
    options: { command?: 'server' | 'worker'; timeoutMs?: number } = {},
  ): Promise<ServerProcess> {
    const command = options.command ?? 'server';
    const ready = command === 'server' ? /listening on (\S+)/ : /(taking jobs)/;
    const timeoutMs = options.timeoutMs ?? 120_000;
    const child = spawn(process.execPath, [binPath, command, ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`rampart ${command} did not start within ${timeoutMs} ms: ${stderr}`));
      }, timeoutMs);
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        const m = ready.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`rampart ${command} exited (${code}) before it was ready: ${stderr}`));
      });
    });
    const server = new ServerProcess(child, url);
    server.stderr = stderr;
    server.stdout = stdout;
    child.stderr!.on('data', (d: string) => (server.stderr += d));
    child.stdout!.on('data', (d: string) => (server.stdout += d));
    return server;
  }

  /** Resolves once the server's standard error contains `text`. */
  async waitForStderr(text: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stderr.includes(text)) {
      if (Date.now() > deadline) throw new Error(`no "${text}" from the server: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGTERM, then the exit. */
  async stop(): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  /** For cleanup after a failed test. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
