/**
 * `rampart gate`: wiring between flags / CI environment and the gate client. Gate results and a
 * progress line go to standard error ("waiting for 1 of 2 approvals (security-admin, operator) —
 * 00:42 elapsed"; rewritten in place on a terminal, printed when it changes or every 30 s in CI
 * logs). Exit 0 approved, 1 rejected / gate failed / timed out; errors are thrown (exit 2).
 */
import { RampartError } from '../core/errors.js';
import type { GateFlags } from './commands/gate.js';
import type { GateDeployment } from '../server/client/gate.js';

export interface GateIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const LOG_EVERY_MS = 30_000;

/** The branch the CI run builds, from the platform's variables (GitHub Actions, Azure Pipelines, GitLab). */
export function ciBranch(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_REF?.startsWith('refs/heads/'))
    return env.GITHUB_REF.slice('refs/heads/'.length);
  if (env.BUILD_SOURCEBRANCH?.startsWith('refs/heads/'))
    return env.BUILD_SOURCEBRANCH.slice('refs/heads/'.length);
  if (env.GITLAB_CI === 'true' && env.CI_COMMIT_BRANCH) return env.CI_COMMIT_BRANCH;
  return undefined;
}

function durationFlag(
  parse: (t: string) => number | undefined,
  name: string,
  value: string,
  min: number,
): number {
  const ms = parse(value);
  if (ms === undefined || ms < min)
    throw new RampartError('USAGE', `invalid --${name} ${value} (e.g. 30m, 2s, 1h30m)`);
  return ms;
}

export async function executeGate(
  flags: GateFlags,
  io: GateIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const client = await import('../server/client/gate.js');
  const server = flags.server ?? io.env.RAMPART_SERVER;
  if (!server) throw new RampartError('USAGE', 'give --server or set RAMPART_SERVER');
  try {
    new URL(server);
  } catch {
    throw new RampartError('USAGE', `invalid --server ${server}`);
  }
  if (!/^[^@\s]+@sha256:[0-9a-f]{64}$/.test(flags.artifact))
    throw new RampartError(
      'USAGE',
      `invalid --artifact ${flags.artifact}: expected <name>@sha256:<64 hex digits>`,
    );
  const timeoutMs = durationFlag(client.parseDuration, 'timeout', flags.timeout, 0);
  const pollMs = durationFlag(client.parseDuration, 'poll', flags.poll, 100);

  const credential = async (refresh: boolean): Promise<string> => {
    if (flags.oidcAudience) {
      const { ciOidcToken } = await import('../server/client/upload.js');
      return ciOidcToken(flags.oidcAudience, io.env);
    }
    const token = io.env[flags.tokenEnv];
    if (!token)
      throw new RampartError('USAGE', `no credential: set ${flags.tokenEnv} or use --oidc-audience in CI`);
    if (refresh)
      throw new RampartError('AUTH_FAILED', `the server no longer accepts the token in ${flags.tokenEnv}`);
    return token;
  };

  const tty = io.stderr.isTTY === true;
  let shownGates = false;
  let lastMessage = '';
  let lastPrinted = -Infinity;
  let inPlace = false;
  const say = (line: string) => {
    if (inPlace) io.stderr.write('\n');
    inPlace = false;
    io.stderr.write(`${line}\n`);
  };
  const progress = (message: string, elapsedMs: number) => {
    const line = `${message} — ${client.formatElapsed(elapsedMs)} elapsed`;
    if (tty) {
      io.stderr.write(`\r\x1b[K${line}`);
      inPlace = true;
    } else if (message !== lastMessage || elapsedMs - lastPrinted >= LOG_EVERY_MS) {
      io.stderr.write(`${line}\n`);
      lastPrinted = elapsedMs;
    }
    lastMessage = message;
  };
  const onUpdate = (d: GateDeployment, elapsedMs: number) => {
    if (!shownGates) {
      shownGates = true;
      say(`deployment ${d.id}: ${d.artifact} → ${d.environment}`);
      for (const g of d.gates) say(`  ${g.passed ? 'pass' : 'FAIL'}  ${g.name}: ${g.reason}`);
    }
    if (d.status === 'pending-approval') progress(client.waitingMessage(d), elapsedMs);
  };

  const outcome = await client.runGate(
    {
      server,
      projectId: flags.project,
      environment: flags.env,
      artifact: flags.artifact,
      branch: flags.branch ?? ciBranch(io.env),
    },
    {
      credential,
      timeoutMs,
      pollMs,
      onUpdate,
      onRetry: (problem, elapsedMs) =>
        progress(`${lastMessage || 'waiting'} (retrying: ${problem})`, elapsedMs),
    },
  );
  const d = outcome.deployment;
  const took = client.formatElapsed(outcome.elapsedMs);
  if (outcome.result === 'approved') {
    const by = d.approvals.decisions.filter((x) => x.decision === 'approve').map((x) => x.by);
    say(
      `approved: deploy ${d.artifact} to ${d.environment}${by.length ? ` (approved by ${by.join(', ')})` : ''}`,
    );
  } else if (outcome.result === 'rejected') {
    say(`rejected: ${client.rejectionReason(d)}`);
  } else {
    say(
      `timed out after ${took}: still ${client.waitingMessage(d)}; deployment ${d.id} was not approved in time`,
    );
  }
  if (flags.json) io.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
  return outcome.result === 'approved' ? 0 : 1;
}
