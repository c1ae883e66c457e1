import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { RampartError } from '../core/errors.js';
import { gitFailureMessage, type FailureContext } from './failure.js';

/**
 * The only place that starts git. No shell, argument arrays only; options that would change the
 * shape of the output, run external programs or prompt are pinned whatever the user's config says.
 */
const PINNED_CONFIG = [
  'core.quotePath=false',
  'core.fsmonitor=false',
  'log.showSignature=false',
  'diff.noprefix=false',
  'diff.mnemonicPrefix=false',
  'color.ui=false',
].flatMap((setting) => ['-c', setting]);

const MAX_STDERR = 64 * 1024;
const MAX_BUFFERED_STDOUT = 16 * 1024 * 1024;

function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LC_ALL: 'C',
    LANGUAGE: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_PAGER: 'cat',
  };
}

export interface GitProcess {
  stdout: Readable;
  /** Resolves when git exited 0; rejects with RampartError('GIT_FAILED') otherwise. */
  done: Promise<void>;
  /** Stops git (the consumer gave up early). */
  kill(): void;
}

/** Starts `git <args>` in `cwd` with a streamed stdout. */
export function spawnGit(args: readonly string[], cwd: string, ctx: FailureContext): GitProcess {
  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn('git', [...PINNED_CONFIG, ...args], {
      cwd,
      env: gitEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (err) {
    throw spawnFailure(err, ctx);
  }
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < MAX_STDERR) stderr += d.slice(0, MAX_STDERR - stderr.length);
  });
  let killed = false;
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(spawnFailure(err, ctx)));
    child.once('close', (code, signal) => {
      if (code === 0 || killed) resolve();
      else if (signal)
        reject(new RampartError('GIT_FAILED', `${ctx.action} was stopped by ${signal} in ${ctx.where}`));
      else reject(new RampartError('GIT_FAILED', gitFailureMessage(stderr, ctx)));
    });
  });
  // The caller may never await `done` when it stops early; never leave an unhandled rejection.
  done.catch(() => undefined);
  return {
    stdout: child.stdout,
    done,
    kill() {
      if (child.exitCode === null && child.signalCode === null) {
        killed = true;
        child.kill();
      }
    },
  };
}

/** Runs a short git command and returns its stdout (capped), e.g. `rev-parse`. */
export async function gitOutput(args: readonly string[], cwd: string, ctx: FailureContext): Promise<string> {
  const proc = spawnGit(args, cwd, ctx);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BUFFERED_STDOUT) {
      proc.kill();
      throw new RampartError(
        'GIT_FAILED',
        `${ctx.action} printed more than ${MAX_BUFFERED_STDOUT} bytes in ${ctx.where}`,
      );
    }
    chunks.push(chunk);
  }
  await proc.done;
  return Buffer.concat(chunks).toString('utf8');
}

function spawnFailure(err: unknown, ctx: FailureContext): RampartError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    // spawn reports a missing cwd as ENOENT too.
    return new RampartError(
      'GIT_FAILED',
      `git is not installed or not on PATH (needed to read ${ctx.where})`,
      { cause: err },
    );
  }
  return new RampartError('GIT_FAILED', `could not run git in ${ctx.where}: ${(err as Error).message}`, {
    cause: err,
  });
}
